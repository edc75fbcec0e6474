import * as path from 'node:path';
import { synthesizeTemplates } from '../../local/model/cloud-template';
import { deriveLocalModel, type LocalFunction } from '../../local/model/model';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * Every function reads its configuration at import (shared/config.ts) and fails its cold start on a
 * missing required variable. The local stack merges all functions' variables into one process, so it
 * cannot see a function missing one that another function has: here each handler starts alone, with
 * exactly the environment the template gives it.
 */
describe('each function starts with its own template environment', () => {
  const functions: LocalFunction[] = [
    ...deriveLocalModel(
      synthesizeTemplates({
        'tokenization:jwtIssuer': 'https://issuer.example',
        'tokenization:pismoJwksUrl': 'https://pismo.example/.well-known/jwks.json',
        'tokenization:pismoApiUrl': 'https://pismo.example',
        'tokenization:pismoClientId': 'client',
        'tokenization:mdesRegistrarUrl': 'https://registrar.example',
      }),
    ).functions.values(),
  ];

  it('covers every function entry', () => {
    expect(functions.map((f) => f.entry).sort()).toEqual(
      expect.arrayContaining([
        'functions/decision/decide-tokenization.ts',
        'functions/events/consume-pismo-events.ts',
        'functions/events/ingest-pismo-event.ts',
        'functions/idv/deliver-otp.ts',
        'functions/keys/monitor-mdes-keys.ts',
        'functions/keys/rotate-mdes-keys.ts',
        'functions/tokens/read-tokens.ts',
      ]),
    );
  });

  it.each(functions.map((f) => [f.entry, f] as const))('%s', (_entry, fn) => {
    const saved = process.env;
    // Only what Lambda adds itself besides the template's variables.
    process.env = { AWS_REGION: 'us-east-1', ...fn.environment };
    try {
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh import with this environment
        const mod = require(path.join(ROOT, fn.entry)) as { handler?: unknown };
        expect(typeof mod.handler).toBe('function');
      });
    } finally {
      process.env = saved;
    }
  });
});
