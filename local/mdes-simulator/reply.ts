import type { ServerResponse } from 'node:http';

/** An error the simulated MDES answers with, in the spec's `Errors.Error[]` shape. */
export class SimError extends Error {
  constructor(
    readonly status: number,
    readonly reasonCode: string,
    readonly description: string,
    readonly source = 'System',
    readonly recoverable = false,
  ) {
    super(description);
  }
}

/** The spec's error body for `e`. */
export function errorBody(e: SimError) {
  return {
    Errors: {
      Error: [
        {
          Source: e.source,
          ReasonCode: e.reasonCode,
          Description: e.description,
          Recoverable: String(e.recoverable),
        },
      ],
    },
  };
}

/** Answers with a JSON body, unless an answer was already sent. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
