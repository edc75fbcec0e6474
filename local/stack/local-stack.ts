/**
 * local/stack: the whole system on the local stand-ins (`startLocalStack`), for `npm start`, the
 * integration tests and the benches: the gateway and functions, dynalite, the AWS stand-ins, the Pismo
 * and MDES simulators and the dev issuer, all wired from the synthesized templates. The local state it
 * keeps (`.local/`) is the owner's only.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { ENV } from '../../shared/config';
import { synthesizeTemplates } from '../model/cloud-template';
import { DEV_ISSUER, type DevIssuer, openDevIssuer } from '../dev-issuer/issuer';
import { loadHandlers, mergedEnvironment } from '../gateway/lambda-runtime';
import { type DynaliteMode, ensureTables, type LocalDynamo, startDynalite } from '../aws/dynamodb';
import { LocalGateway } from '../gateway/gateway';
import { deriveLocalModel, type LocalModel } from '../model/model';
import { type DrainResult, drainQueue } from '../aws/queue';
import { LocalAwsStandins } from '../aws/standins';
import { LocalStepFunctions } from '../aws/step-functions';
import { PismoSimulator, SIMULATED_CLIENT } from '../pismo-simulator/server';
import { provisionLocalMdesKeys } from '../mdes-simulator/keys';
import { DEV_ISSUER_KEY_FILE, LOCAL_DIR, LOCAL_MDES_CUSTOMER } from '../config/settings';

export { LOCAL_MDES_CUSTOMER };
import { createPrivateFilesFromNowOn, makeTreePrivate } from '../config/private-files';
import { MdesSimulator } from '../mdes-simulator/server';
import { MdesVaultSync } from '../mdes-simulator/vault-sync';
import { confirmMdesActivations } from '../mdes-simulator/activation-events';
import { type MdesCustomer, parseMdesCustomers } from '../../shared/adapters/mdes/customers';
import { officerCustomersClaim } from '../../shared/adapters/http/officer-customers';
import { DEV_CONSOLE_CLIENT_ID, DEV_OIDC_PATHS, DevOidcProvider } from '../dev-issuer/oidc';
import { buildConsole } from '../../functions/console/web/build';

export { LOCAL_DIR, PISMO_KEY_FILE } from '../config/settings';

export interface LocalStackOptions {
  /** Persist DynamoDB data here; in memory when undefined. */
  dataDir?: string;
  /** dynalite in its own process (default) or in this one (the bench measures both). */
  dynaliteMode?: DynaliteMode;
  /** Gateway port; 0 picks a free one. */
  port?: number;
  /** Powertools log level for the functions (default WARN, so the demo output stays readable). */
  logLevel?: string;
  /** Where the dev issuer keeps its key (default `.local/dev-issuer.json`). */
  issuerKeyFile?: string;
  /** Where the Pismo simulator keeps its signing key; a fresh in-memory key when undefined. */
  pismoKeyFile?: string;
  /** Also append delivered SMS/email to this JSONL file. */
  outboxFile?: string;
  /** Persist the local Secrets Manager (Mastercard keys) here; in memory when undefined. */
  secretsFile?: string;
  /** Persist the MDES simulator's encryption key here (it is in the customers' secrets). */
  mdesStateFile?: string;
  /** JWE payload encryption for the local MDES customer (default off, as in Sandbox). */
  mdesEncryption?: boolean;
  /** Grace before a rotated-out key is revoked (default 24 h; `npm run rotate-keys` uses 0). */
  keyRevokeGraceHours?: number;
  /** Wait state durations in ms by state name (the 24 h / 29 day waits). */
  waitOverridesMs?: Record<string, number>;
  /** Retry pauses in ms by state name. */
  retryOverridesMs?: Record<string, number>;
  /** Multiplies task-token timeouts (the wait for activation), to run expiry paths quickly. */
  taskTimeoutScale?: number;
  /** false: store challenges but start no ID&V executions (to measure ingestion alone). */
  startWorkflows?: boolean;
  /** Extra CDK context for the synthesized templates (e.g. `tokenization:lifecyclePismoMastercardPrograms`). */
  context?: Record<string, unknown>;
}

/** The running local system. */
export interface LocalStack {
  url: string;
  model: LocalModel;
  dynamo: LocalDynamo;
  issuer: DevIssuer;
  /** Pismo's side: signs webhooks, serves its key set and its accounts API. */
  pismo: PismoSimulator;
  /** SFN/SNS/SES v2/Secrets Manager stand-ins and the outbox. */
  aws: LocalAwsStandins;
  /** Mastercard's side: MDES Customer Service with its token vault and key registry. */
  mdes: MdesSimulator;
  /** The local MDES customers (ids and secret ids) from the template. */
  mdesCustomers: MdesCustomer[];
  stepFunctions: LocalStepFunctions;
  /** The token table's local name. */
  tableName: string;
  /** The internal API audience from the template's JWT authorizer. */
  audience: string;
  /** The cardholder API audience (the issuer's app) from the template's cardholder JWT authorizer. */
  cardholderAudience: string;
  invoke(functionId: string, event: unknown): Promise<unknown>;
  /** Sends bodies through the Pismo events queue and its consumer, as SQS would. */
  sendToEventsQueue(bodies: string[]): Promise<DrainResult>;
  stop(): Promise<void>;
}

/**
 * Starts the whole system locally, derived from the synthesized CDK templates: dynalite with the
 * template's tables, the functions with the template's env, the HTTP routes and authorizers, and
 * the queue consumer. One per process: handlers build their SDK clients at import.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const issuerKeyFile = options.issuerKeyFile ?? DEV_ISSUER_KEY_FILE;
  createPrivateFilesFromNowOn();
  // Files an earlier version left world-readable. Only our own paths: a file's parent may be /tmp.
  const stateFiles = [options.outboxFile, options.secretsFile, options.mdesStateFile, options.pismoKeyFile];
  for (const file of [...stateFiles, issuerKeyFile]) if (file) makeTreePrivate(file);
  if (options.dataDir) makeTreePrivate(options.dataDir);
  if ([options.dataDir, ...stateFiles].some((f) => f?.startsWith(`${LOCAL_DIR}${path.sep}`)))
    makeTreePrivate(LOCAL_DIR);
  const pismo = await PismoSimulator.start(options.pismoKeyFile);
  const mdes = await MdesSimulator.start(options.mdesStateFile);
  const aws = new LocalAwsStandins(options.outboxFile, options.secretsFile);
  await aws.listen();
  const model = deriveLocalModel(
    synthesizeTemplates({
      'tokenization:jwtIssuer': DEV_ISSUER,
      'tokenization:pismoJwksUrl': pismo.jwksUrl,
      'tokenization:pismoApiUrl': pismo.apiUrl,
      'tokenization:pismoClientId': SIMULATED_CLIENT.id,
      'tokenization:mdesRegistrarUrl': mdes.registryUrl,
      'tokenization:keyRevokeGraceHours': String(options.keyRevokeGraceHours ?? 24),
      // aws-local-stepfunctions has no Distributed Map ItemReader (nor a table export): the sweep's inline form.
      'tokenization:reconciliationSweep': 'inline',
      // The MDES simulator is ours: a budget of 60 searches a second (5 per function) keeps demos and tests quick.
      'tokenization:reconciliationMdesRatePerSecond': 60,
      'tokenization:mdesCustomers': [
        {
          customerId: LOCAL_MDES_CUSTOMER,
          organization: 'Demo Bank',
          baseUrl: mdes.url,
          encryption: options.mdesEncryption ?? false,
        },
      ],
      // The console signs in at the dev issuer's endpoints on the gateway itself (local/dev-issuer/oidc.ts).
      'tokenization:consoleClientId': DEV_CONSOLE_CLIENT_ID,
      'tokenization:consoleAuthorizationEndpoint': DEV_OIDC_PATHS.authorize,
      'tokenization:consoleTokenEndpoint': DEV_OIDC_PATHS.token,
      'tokenization:consoleEndSessionEndpoint': DEV_OIDC_PATHS.logout,
      'tokenization:consoleScope': 'openid tokens:read tokens:write',
      'tokenization:consoleEnvironment': 'local',
      ...options.context,
    }),
  );
  const [table] = model.tables;
  if (!table) throw new Error('the template declares no DynamoDB table');
  const dynamo = await startDynalite(options.dataDir, options.dynaliteMode);
  await ensureTables(dynamo.client, model.tables, (m) => console.warn(m));

  const env = mergedEnvironment(model.functions.values());
  const mdesCustomers = parseMdesCustomers(env[ENV.mdesCustomers]);
  await provisionLocalMdesKeys(aws.secretsManager, mdes, mdesCustomers);
  // The Pismo simulator's API client secret, where the template's functions look for it.
  const pismoSecretId = env[ENV.pismoClientSecretId];
  if (pismoSecretId && !aws.secretsManager.has(pismoSecretId))
    await aws.secretsManager.handle('CreateSecret', {
      Name: pismoSecretId,
      SecretString: JSON.stringify({ clientSecret: SIMULATED_CLIENT.secret }),
    });
  // The cursor HMAC key Secrets Manager generates at deploy: a random one per local table.
  const cursorSecretId = env[ENV.cursorKeySecretId];
  if (cursorSecretId && !aws.secretsManager.has(cursorSecretId))
    await aws.secretsManager.handle('CreateSecret', {
      Name: cursorSecretId,
      SecretString: randomBytes(32).toString('hex'),
    });
  if (options.startWorkflows === false) delete env[ENV.idvStateMachineArn];
  Object.assign(process.env, env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SFN: aws.url,
    AWS_ENDPOINT_URL_SNS: aws.url,
    AWS_ENDPOINT_URL_SESV2: aws.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
    AWS_ENDPOINT_URL_KMS: aws.url,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'WARN',
    AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
  });
  const invoke = await loadHandlers(model.functions.values());
  const stepFunctions = new LocalStepFunctions(model.stateMachines, invoke, {
    waitOverridesMs: options.waitOverridesMs,
    retryOverridesMs: options.retryOverridesMs,
    taskTimeoutScale: options.taskTimeoutScale,
  });
  aws.sfn = stepFunctions;
  // Secrets Manager's RotateSecret invokes the rotation function from the template, step by step.
  const rotationFn = [...model.functions.values()].find((f) => f.entry === 'functions/keys/rotate-mdes-keys.ts');
  aws.secretsManager.rotate = async (event) => {
    if (!rotationFn) throw new Error('the template declares no key rotation function');
    await invoke(rotationFn.id, event);
  };
  const issuer = await openDevIssuer(issuerKeyFile, {
    [officerCustomersClaim(env)]: mdesCustomers.map((c) => c.customerId),
  });
  // The console's browser bundle, where its handler serves it (functions/console/public/, not committed).
  buildConsole();
  const gateway = new LocalGateway(model.routes, invoke, issuer);
  // MDES knows a token before Pismo tells us about it, and deleted or suspended it before Pismo's TV:
  // the simulator's vault follows every event that reaches /pismo/events (the demo's, `npm run pismo`'s).
  const vaultSync = new MdesVaultSync(mdes);
  gateway.onRequest = (routeKey, body) => {
    if (routeKey !== 'POST /pismo/events' || !body) return;
    try {
      vaultSync.observe(JSON.parse(body));
    } catch {
      // Not JSON: the function answers 400; nothing for MDES to learn.
    }
  };
  const jwtRouteOfConsole = model.routes.find((r) => r.auth.type === 'JWT');
  const oidc = new DevOidcProvider(issuer, {
    audience: jwtRouteOfConsole?.auth.type === 'JWT' ? (jwtRouteOfConsole.auth.audience[0] ?? '') : '',
  });
  gateway.localRoutes = (req, res, requestUrl) => oidc.handle(req, res, requestUrl);
  const url = await gateway.listen(options.port ?? 0);
  // Pismo emits a signed `patch` event after each token operation it applies: to our webhook, so the
  // lifecycle loop closes locally (our token's status changes when that event arrives).
  pismo.tokenOperations.onEvent = `${url}/pismo/events`;
  confirmMdesActivations(mdes.vault, vaultSync, (e) => pismo.send(`${url}/pismo/events`, e));
  const jwtRoute = model.routes.find((r) => r.auth.type === 'JWT' && !r.auth.scopes.includes('cardholder'));
  const audience = jwtRoute?.auth.type === 'JWT' ? (jwtRoute.auth.audience[0] ?? '') : '';
  const cardholderRoute = model.routes.find((r) => r.auth.type === 'JWT' && r.auth.scopes.includes('cardholder'));
  const cardholderAudience = cardholderRoute?.auth.type === 'JWT' ? (cardholderRoute.auth.audience[0] ?? '') : '';
  const [eventsConsumer] = model.queueConsumers;

  return {
    url,
    model,
    dynamo,
    issuer,
    pismo,
    aws,
    mdes,
    mdesCustomers,
    stepFunctions,
    tableName: table.name,
    audience,
    cardholderAudience,
    invoke,
    sendToEventsQueue: (bodies) => {
      if (!eventsConsumer) throw new Error('the template declares no queue consumer');
      return drainQueue(eventsConsumer, invoke, bodies);
    },
    stop: async () => {
      stepFunctions.abortAll();
      await gateway.close();
      await dynamo.stop();
      await pismo.stop();
      await mdes.stop();
      await aws.close();
    },
  };
}
