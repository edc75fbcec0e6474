/**
 * The console's only door to the API: same-origin `fetch` with the agent's access token (from memory),
 * JSON in and out, and every error turned into words with what to do next. A 401 ends the session
 * (the shell asks to sign in again and keeps what was typed); nothing here stores or logs a body.
 */

/** What the shell needs from the session: the current access token, or none when signed out/expired. */
export interface TokenSource {
  accessToken(): string | undefined;
  /** Called on a 401: the token expired or was revoked. */
  expired(): void;
}

/** An API error in words: `title` says what happened, `next` what to do. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly next: string,
    readonly detail?: string,
    /** The rule that forbade it (409), when the API named one. */
    readonly rule?: string,
    /** The network's refusal code (422). */
    readonly code?: string,
  ) {
    super(title);
    this.name = 'ApiError';
  }
}

/** Thrown when there is no valid session: the shell shows the sign-in dialog. */
export class SessionExpired extends Error {
  constructor() {
    super('Your session has expired.');
    this.name = 'SessionExpired';
  }
}

type Json = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** The words for an error answer (status + the API's JSON error body). */
export function describeError(status: number, body: Json, network = 'Mastercard'): ApiError {
  const message = str(body.message) ?? str(body.error);
  const rule = str(body.rule) ?? (status === 409 ? message : undefined);
  const code =
    str(body.code) ?? str(body.errorCode) ?? str(body.error_code) ?? str(body.networkReason) ?? str(body.reasonCode);
  switch (status) {
    case 400:
      return new ApiError(status, 'The request was refused as invalid.', 'Check the fields and try again.', message);
    case 403:
      return new ApiError(
        status,
        'Your account may not do this.',
        'Ask a supervisor, or sign in with an account that may act on tokens.',
        message,
      );
    case 404:
      return new ApiError(status, 'Not found.', 'Check the id and search again.', message);
    case 409:
      return new ApiError(
        status,
        'Refused by a rule: nothing was sent to the network.',
        'Read the rule below; the action may be possible once the token is in another status.',
        undefined,
        rule,
      );
    case 422:
      return new ApiError(
        status,
        `The network refused it${code ? ` (code ${code})` : ''}.`,
        'Nothing was changed. Check the token at the network, or contact the network’s support with the code.',
        message,
        undefined,
        code,
      );
    case 502:
    case 503:
    case 504:
      return new ApiError(
        status,
        `${network} unavailable, nothing was changed.`,
        'Try again in a few minutes; the System page shows the network’s status and our circuit.',
        message,
      );
    default:
      return new ApiError(
        status,
        `The console could not complete the request (HTTP ${status}).`,
        'Try again; if it keeps failing, report it with the time.',
        message,
      );
  }
}

/** A JSON API client on the page's own origin. */
export class Api {
  constructor(private readonly tokens: TokenSource) {}

  get<T>(path: string, network?: string): Promise<T> {
    return this.call<T>('GET', path, undefined, network);
  }

  /** A POST; the body goes only in the request body (never in the URL). */
  post<T>(path: string, body: unknown, network?: string): Promise<T> {
    return this.call<T>('POST', path, body, network);
  }

  private async call<T>(method: string, path: string, body?: unknown, network?: string): Promise<T> {
    const token = this.tokens.accessToken();
    if (!token) throw new SessionExpired();
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      });
    } catch {
      throw new ApiError(0, 'The API did not answer.', 'Check your connection and try again; nothing was confirmed.');
    }
    if (res.status === 401) {
      this.tokens.expired();
      throw new SessionExpired();
    }
    const text = await res.text();
    let json: Json = {};
    try {
      json = text ? (JSON.parse(text) as Json) : {};
    } catch {
      json = {};
    }
    if (!res.ok) throw describeError(res.status, json, network);
    return json as T;
  }
}
