import { loadBaseConfig, loadIdvConfig } from '../config';
import { lazyConnections } from '../mdes/customers';
import { MdesTokenLifecycle } from '../mdes/token-lifecycle';
import { SesEmailSender, SnsSmsSender } from '../notify/senders';
import { PismoAccountsClient } from '../pismo/accounts-client';
import { DynamoTokenStore } from '../store/token-store';
import type { IdvDeps } from '../use-cases/idv-steps';
import { StepFunctionsIdvWorkflow } from './idv-workflow';

/** Composition root of the ID&V step functions: one set of clients per container. */
export function createIdvDeps(env: NodeJS.ProcessEnv = process.env): IdvDeps {
  const base = loadBaseConfig(env);
  const idv = loadIdvConfig(env);
  return {
    store: new DynamoTokenStore(base.tableName),
    contacts: new PismoAccountsClient({
      baseUrl: idv.pismoApiUrl,
      clientId: idv.pismoClientId,
      clientSecret: idv.pismoClientSecret,
    }),
    sms: new SnsSmsSender(idv.smsSenderId),
    email: new SesEmailSender(idv.emailFrom),
    // Resuming needs no state machine ARN: the task token identifies the execution.
    workflow: new StepFunctionsIdvWorkflow(''),
    mdes: new MdesTokenLifecycle(lazyConnections(env)),
    emailFallback: idv.emailFallback,
    defaultWaitSeconds: idv.defaultWaitSeconds,
  };
}
