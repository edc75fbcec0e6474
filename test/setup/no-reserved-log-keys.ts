import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Fails any test during which a Powertools logger dropped a reserved key (`message`, `level`,
 * `timestamp`, `service`, `sampling_rate`): the attribute, often an error's reason, is lost.
 * Spies on the logger itself, so it sees the warning even when a test captures stdout.
 */
const RESERVED_WARNING = /is a reserved key and will be dropped/;
const dropped: string[] = [];
const originalWarn = Logger.prototype.warn;

beforeAll(() => {
  jest.spyOn(Logger.prototype, 'warn').mockImplementation(function (this: Logger, ...args) {
    const [input] = args;
    if (typeof input === 'string' && RESERVED_WARNING.test(input)) dropped.push(input);
    return originalWarn.apply(this, args);
  });
});

afterEach(() => {
  const found = dropped.splice(0);
  if (found.length > 0) throw new Error(`a logger dropped reserved keys: ${[...new Set(found)].join('; ')}`);
});
