import { countsAsMdesFailure, MdesCustomerServiceClient } from '../../../../shared/adapters/mdes/client';
import type { CredentialsSource } from '../../../../shared/adapters/mdes/credentials';
import {
  KeysUnavailableError,
  MdesCircuitOpenError,
  MdesRejectedError,
  MdesUnavailableError,
} from '../../../../shared/adapters/mdes/errors';

/** A client whose key source fails every call with `error` (no request ever leaves: no HTTP). */
function clientWhoseKeysThrow(error: () => Error) {
  const credentials: CredentialsSource = {
    current: async () => {
      throw error();
    },
  };
  return new MdesCustomerServiceClient({
    customerId: 'CID-A',
    // Never reached: the keys fail first.
    baseUrl: 'http://127.0.0.1:9',
    credentials,
    retries: 0,
    breakerVolume: 3,
    breakerErrorPercentage: 50,
  });
}

const N = 10;

describe('MDES client circuit breaker', () => {
  it(`stays closed after ${N} calls failing on our keys (keys unavailable is not MDES failing)`, async () => {
    // Prepare
    const client = clientWhoseKeysThrow(() => new KeysUnavailableError('the signing key of CID-A expired'));

    // Act
    const errors: unknown[] = [];
    for (let i = 0; i < N; i++) errors.push(await client.systemStatus().catch((e: unknown) => e));

    // Assess: every call tried (and failed on the keys), none refused by an open circuit.
    expect(errors.every((e) => e instanceof KeysUnavailableError)).toBe(true);
    expect(client.circuitState).toBe('closed');
  });

  it(`opens after calls failing the way MDES fails (the same test can see an open circuit)`, async () => {
    // Prepare
    const client = clientWhoseKeysThrow(() => new MdesUnavailableError('systemStatus', 'HTTP 503', false));

    // Act
    const errors: unknown[] = [];
    for (let i = 0; i < N; i++) errors.push(await client.systemStatus().catch((e: unknown) => e));

    // Assess
    expect(client.circuitState).toBe('open');
    const open = errors.find((e) => e instanceof MdesCircuitOpenError);
    expect(open).toBeInstanceOf(MdesCircuitOpenError);
    // The breaker's own refusal is kept as the cause.
    expect((open as Error).cause).toMatchObject({ code: 'EOPENBREAKER' });
  });

  it('counts MDES failing, not MDES saying no, nor our keys', () => {
    expect(countsAsMdesFailure(new MdesUnavailableError('search', 'timed out', true))).toBe(true);
    expect(countsAsMdesFailure(new TypeError('fetch failed'))).toBe(true);
    expect(countsAsMdesFailure(new MdesRejectedError('search', 400, []))).toBe(false);
    expect(countsAsMdesFailure(new KeysUnavailableError('expired'))).toBe(false);
  });
});
