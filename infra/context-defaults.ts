/**
 * Defaults of the `tokenization:*` context keys that tools outside the CDK app also need.
 * `build-app.ts` falls back to these; `npm run dev-token` reads the same key from `cdk.json` with the
 * same fallback, so it needs no synthesis (which took 6–12 s) and cannot drift from the template.
 * This module must stay free of CDK imports: it is loaded by a CLI that should start instantly.
 */
export const INTERNAL_API_DEFAULTS = {
  jwtIssuer: 'https://auth.example-issuer.com/',
  jwtAudience: 'tokenization-internal-api',
} as const;

/** A context value as a string (numbers too), else the fallback: how the app reads its context. */
export function contextString(context: Record<string, unknown>, key: string, fallback: string): string {
  const value = context[`tokenization:${key}`];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : fallback;
}

/** The default audience of the issuer's app's cardholder JWTs (`tokenization:cardholderJwtAudience`). */
export const CARDHOLDER_JWT_AUDIENCE_DEFAULT = 'card-tokenization-cardholder-app';
