import { auditedFailure, auditOutcomeOf } from '../../../shared/domain/audit';
import { AppError, type ErrorKind, NotFoundError, ValidationError } from '../../../shared/domain/errors';
import { CustomerNotAllowedError } from '../../../shared/adapters/http/errors';
import {
  KeysUnavailableError,
  MdesCircuitOpenError,
  MdesRejectedError,
  MdesUnavailableError,
} from '../../../shared/adapters/mdes/errors';
import {
  StatusRuleViolationError,
  TokenOfOtherCustomerError,
  TurCollisionError,
} from '../../../shared/customer-service/errors';

describe('the audit outcome of a failure, by its kind', () => {
  it.each([
    ['keys unavailable', new KeysUnavailableError('the signing key expired'), 'FAILED'],
    ['MDES unreachable', new MdesUnavailableError('suspend', 'timed out', true), 'FAILED'],
    ['circuit open', new MdesCircuitOpenError('suspend'), 'FAILED'],
    ['an error not ours', new TypeError('x'), 'FAILED'],
    ['a thrown string', 'boom', 'FAILED'],
    ['MDES says no', new MdesRejectedError('suspend', 400, []), 'REFUSED'],
    ['MDES does not know the token', new MdesRejectedError('suspend', 404, []), 'REFUSED'],
    ['a status rule', new StatusRuleViolationError('rule'), 'REFUSED'],
    ['a TUR collision', new TurCollisionError('T', ['a', 'b']), 'REFUSED'],
    ['another customer’s token', new TokenOfOtherCustomerError('t', 'c'), 'REFUSED'],
    ['a customer the officer may not use', new CustomerNotAllowedError('c', 'k'), 'REFUSED'],
    ['invalid input', new ValidationError('x'), 'REFUSED'],
    ['unknown token', new NotFoundError('x'), 'REFUSED'],
  ])('%s → %s', (_what, err, outcome) => {
    expect(auditOutcomeOf(err)).toBe(outcome);
  });

  it('decides by kind alone: FAILED only when unavailable, upstream-failed or internal', () => {
    const failed = new Set<ErrorKind>(['unavailable', 'upstream-failed', 'internal']);
    for (const kind of [
      'invalid',
      'too-large',
      'unsupported-media-type',
      'unauthenticated',
      'forbidden',
      'not-found',
      'conflict',
      'refused',
      'upstream-failed',
      'unavailable',
      'internal',
    ] satisfies ErrorKind[])
      expect(auditOutcomeOf(new AppError('x', kind))).toBe(failed.has(kind) ? 'FAILED' : 'REFUSED');
  });
});

describe('auditedFailure', () => {
  it('keeps the network’s reason of a refusal', () => {
    const err = new MdesRejectedError('suspend', 400, [
      { reasonCode: 'INVALID_TOKEN_STATUS', description: 'token is deleted', recoverable: false },
    ]);
    expect(auditedFailure(err)).toEqual({
      outcome: 'REFUSED',
      httpStatus: 422,
      reason: err.message,
      mdesReason: 'INVALID_TOKEN_STATUS | token is deleted',
    });
  });

  it('keeps a network reason only when the error carries one (no guessing from its fields)', () => {
    // Looks like an MDES refusal (httpStatus, errors) but says no network reason.
    const lookalike = Object.assign(new AppError('no', 'refused'), { httpStatus: 400, errors: [] });
    expect(auditedFailure(lookalike)).not.toHaveProperty('mdesReason');
    expect(auditedFailure(new AppError('no', 'refused', { networkReason: 'R1' }))).toMatchObject({ mdesReason: 'R1' });
  });

  it('records keys unavailable as FAILED 503 with its reason, an error not ours as FAILED 500 without its text', () => {
    expect(auditedFailure(new KeysUnavailableError('the signing key expired'))).toEqual({
      outcome: 'FAILED',
      httpStatus: 503,
      reason: 'Mastercard keys unavailable: the signing key expired',
    });
    expect(auditedFailure(new Error('card 5555555555554444'))).toEqual({
      outcome: 'FAILED',
      httpStatus: 500,
      reason: 'internal error',
    });
  });

  it('passes the cause on', () => {
    const cause = new Error('ResourceNotFoundException');
    expect(new KeysUnavailableError('cannot read secret s', cause).cause).toBe(cause);
    expect(new MdesUnavailableError('search', 'network error', true, [], false, cause).cause).toBe(cause);
  });
});
