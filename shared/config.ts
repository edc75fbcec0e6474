/**
 * Environment variable names shared by infra/ (which sets them) and the functions (which read them),
 * so the two can never disagree. Read once per container; a missing variable fails the cold start.
 */
export const ENV = {
  tableName: 'TABLE_NAME',
  logLevel: 'POWERTOOLS_LOG_LEVEL',
  maxBodyBytes: 'MAX_BODY_BYTES',
} as const;

/** Pismo's event bodies are far smaller; SQS caps a message at 256 KiB, and so do we on HTTP. */
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

/** Metric namespace for every function of the service. */
export const METRICS_NAMESPACE = 'CardTokenization';

/** Name of the table's GSIs, shared with the store adapter. */
export const GSI = { byCard: 'GSI1', byTokenUniqueReference: 'GSI2' } as const;

/** Configuration every function needs. */
export interface BaseConfig {
  tableName: string;
  maxBodyBytes: number;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`missing required environment variable ${name}`);
  return value;
}

/** Reads and validates the base configuration; throws naming the first missing variable. */
export function loadBaseConfig(env: NodeJS.ProcessEnv = process.env): BaseConfig {
  const maxBody = env[ENV.maxBodyBytes];
  const maxBodyBytes = maxBody ? Number(maxBody) : DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0)
    throw new Error(`${ENV.maxBodyBytes} must be a positive integer`);
  return { tableName: required(env, ENV.tableName), maxBodyBytes };
}
