import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import {
  AppError,
  ConcurrencyError,
  type ErrorKind,
  HTTP_STATUS_OF_KIND,
  MalformedJsonError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../../../shared/domain/errors';
import { CustomerNotAllowedError } from '../../../../shared/adapters/http/errors';
import {
  KeysUnavailableError,
  MdesCircuitOpenError,
  MdesRejectedError,
  MdesUnavailableError,
  UnknownCustomerError,
} from '../../../../shared/adapters/mdes/errors';
import { UnauthorizedError } from '../../../../shared/adapters/pismo/webhook-auth';
import {
  StatusRuleViolationError,
  TokenOfOtherCustomerError,
  TurCollisionError,
} from '../../../../shared/customer-service/errors';
import { errorResponse, httpHandler } from '../../../../shared/adapters/http/http-handler';
import { createObservability } from '../../../../shared/adapters/observability/powertools';
import { captureLogs, findPans, scanLogText } from '../../../fixtures/pan-scan';

const PAN = '5555 5555 5555 4444';

/** The JSON log lines in captured output. */
function logLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const event = { routeKey: 'GET /x', headers: {} } as unknown as APIGatewayProxyEventV2;
const context = { functionName: 'f', awsRequestId: 'r' } as unknown as Context;

describe('http-handler', () => {
  let stdout: ReturnType<typeof captureLogs>;
  beforeEach(() => {
    stdout = captureLogs();
  });
  afterEach(() => stdout.restore());

  describe('errorResponse', () => {
    it('logs the reason of a rejected request (not under the reserved key `message`)', () => {
      const obs = createObservability('t');
      errorResponse(new NotFoundError('token t-1 not found'), obs);
      const [line, ...rest] = logLines(stdout.text());
      expect(line).toMatchObject({
        message: 'request rejected',
        error: 'NotFoundError',
        reason: 'token t-1 not found',
      });
      expect(rest).toEqual([]); // no "reserved key" warning
    });

    it('logs the reason of a server error although the body hides it', () => {
      const obs = createObservability('t');
      const res = errorResponse(new AppError('table throttled', 'unavailable'), obs);
      expect(JSON.parse(res.body ?? '{}')).toMatchObject({ message: 'temporarily unavailable, retry' });
      expect(logLines(stdout.text())).toEqual([
        expect.objectContaining({ level: 'ERROR', message: 'request failed', reason: 'table throttled' }),
      ]);
    });

    it('masks a card number echoed by an error reason, in the body and in the log', () => {
      const obs = createObservability('t');
      const res = errorResponse(new ValidationError(`tur ${PAN} is not valid`, [`field ${PAN}`]), obs);
      expect(res.statusCode).toBe(400);
      expect(findPans(JSON.parse(res.body ?? '{}'))).toEqual([]);
      expect(res.body).toContain('4444');
      expect(scanLogText(stdout.text())).toEqual([]);
      expect(stdout.text()).toContain('******');
    });
  });

  describe('status codes (one table: the kind of the error → the status)', () => {
    // The status every error the API raises answered before errors had kinds (pinned).
    it.each([
      [new ValidationError('x'), 400],
      [new MalformedJsonError(), 400],
      [new UnknownCustomerError('unknown MDES customer X'), 400],
      [new UnauthorizedError('bad signature'), 401],
      [new CustomerNotAllowedError('CID-B', 'mdes_customers'), 403],
      [new TokenOfOtherCustomerError('t1', 'CID-A'), 403],
      [new NotFoundError('x'), 404],
      [new MdesRejectedError('search', 404, []), 404],
      [new StatusRuleViolationError('rule'), 409],
      [new TurCollisionError('TUR', ['t1', 't2']), 409],
      [new PayloadTooLargeError(10), 413],
      [new UnsupportedMediaTypeError('text/plain'), 415],
      [new MdesRejectedError('suspend', 400, []), 422],
      [new MdesUnavailableError('suspend', 'HTTP 500', true), 502],
      [new MdesCircuitOpenError('suspend'), 503],
      [new KeysUnavailableError('expired'), 503],
      [new ConcurrencyError('contended'), 503],
    ])('%s → %i', (err, status) => {
      const res = errorResponse(err, createObservability('t'));
      expect(res.statusCode).toBe(status);
      expect(JSON.parse(res.body ?? '{}')).toMatchObject({ error: err.name });
    });

    it('gives every kind a status, and an error not ours a bare 500', () => {
      const kinds = Object.keys(HTTP_STATUS_OF_KIND) as ErrorKind[];
      for (const kind of kinds)
        expect(errorResponse(new AppError('x', kind), createObservability('t')).statusCode).toBe(
          HTTP_STATUS_OF_KIND[kind],
        );
      const res = errorResponse(new TypeError('secret detail'), createObservability('t'));
      expect(res.statusCode).toBe(500);
      expect(res.body).not.toContain('secret detail');
    });

    it('names each error class …Error', () => {
      for (const err of [
        new CustomerNotAllowedError('c', 'k'),
        new MdesRejectedError('search', 400, []),
        new MdesUnavailableError('search', 'x', true),
        new MdesCircuitOpenError('search'),
        new KeysUnavailableError('x'),
        new StatusRuleViolationError('x'),
        new TurCollisionError('T', []),
        new TokenOfOtherCustomerError('t', 'c'),
      ])
        expect(err.name).toMatch(/Error$/);
    });
  });

  describe('httpHandler', () => {
    it('masks card numbers in a result body, in values and in keys', async () => {
      const obs = createObservability('t');
      const handler = httpHandler(obs, () =>
        Promise.resolve({ statusCode: 200, body: { deviceName: `Pixel ${PAN}`, [PAN]: 1 } }),
      );
      const res = await handler(event, context);
      const body = JSON.parse((res as { body: string }).body) as unknown;
      expect(findPans(body)).toEqual([]);
      expect(JSON.stringify(body)).toContain('Pixel ******');
    });
  });

  describe('logger', () => {
    it('masks card numbers in every log attribute: message, values, keys, errors and their causes', () => {
      const { logger } = createObservability('t');
      logger.appendKeys({ persistent: PAN });
      logger.info(`message ${PAN}`, {
        deviceName: PAN,
        nested: { [PAN.replace(/ /g, '-')]: [PAN] },
        asNumber: 5555555555554444,
      });
      logger.error('failed', new Error(`bad ${PAN}`, { cause: new Error(PAN) }));
      const text = stdout.text();
      expect(logLines(text)).toHaveLength(2);
      expect(scanLogText(text)).toEqual([]);
      expect(text).toContain('4444');
    });
  });
});
