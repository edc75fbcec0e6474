import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { MalformedJsonError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../domain/errors';

/** A request header by name, case-insensitively (API Gateway HTTP APIs lower-case them already). */
export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  return event.headers?.[name] ?? Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1];
}

/** The exact body bytes received (what a signature covers); 413 over `maxBytes`. */
export function rawBody(event: APIGatewayProxyEventV2, maxBytes: number): Buffer {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > maxBytes) throw new PayloadTooLargeError(maxBytes);
  return bytes;
}

/** 415 unless the content type is `application/json` or `+json`. */
export function assertJsonContentType(event: APIGatewayProxyEventV2): void {
  const contentType = header(event, 'content-type');
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (!mediaType || !(mediaType === 'application/json' || mediaType.endsWith('+json'))) {
    throw new UnsupportedMediaTypeError(contentType);
  }
}

/** Parses JSON bytes; 400 when they are not JSON. */
export function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new MalformedJsonError();
  }
}

/**
 * Reads a JSON request body with the checks every write route needs: size limit (413),
 * `application/json` content type (415), valid JSON (400).
 */
export function readJsonBody(event: APIGatewayProxyEventV2, maxBytes: number): unknown {
  const bytes = rawBody(event, maxBytes);
  assertJsonContentType(event);
  return parseJson(bytes);
}

/**
 * Reads a Pismo webhook body: size (413) first so no work is spent on huge bodies, then the
 * signature and body hash over the exact bytes (401), then content type (415) and JSON (400).
 */
export async function readSignedJsonBody(
  event: APIGatewayProxyEventV2,
  maxBytes: number,
  verify: (authorization: string | undefined, body: Buffer) => Promise<unknown>,
): Promise<unknown> {
  const bytes = rawBody(event, maxBytes);
  await verify(header(event, 'authorization'), bytes);
  assertJsonContentType(event);
  return parseJson(bytes);
}
