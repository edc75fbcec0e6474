import { loadBaseConfig, loadIdvConfig } from '../config';
import type { OtpSealer } from '../domain/challenge';
import type { TokenLifecyclePort } from '../adapters/mdes/token-lifecycle';
import { SesEmailSender, SnsSmsSender } from '../adapters/aws/senders';
import { PismoAccountsClient } from '../adapters/pismo/accounts-client';
import { pismoClientSecretFrom } from '../adapters/pismo/client-secret';
import { DynamoTokenStore } from '../adapters/dynamo/token-store';
import type { IdvDeps } from './idv-steps';
import { StepFunctionsIdvWorkflow } from '../adapters/aws/idv-workflow';

/** Stands in for MDES in the steps that never call it (only the clean-up step does). */
const NO_MDES: TokenLifecyclePort = {
  deleteToken: () => Promise.reject(new Error('this step function has no MDES access')),
  resendActivationCode: () => Promise.reject(new Error('this step function has no MDES access')),
};

/** Stands in for the code sealer in the steps that never open a code (only delivery does). */
const NO_SEALER: OtpSealer = {
  seal: () => Promise.reject(new Error('this step function does not seal codes')),
  open: () => Promise.reject(new Error('this step function has no access to the code key')),
};

/**
 * Composition root of the ID&V step functions: one set of clients per container. `mdes` only for the
 * step that calls MDES: the client, its signer and node-forge (PKCS#12) add ~500 KiB to a bundle; `otpSealer`
 * only for the delivery step (the KMS client).
 */
export function createIdvDeps(
  env: NodeJS.ProcessEnv = process.env,
  mdes: TokenLifecyclePort = NO_MDES,
  otpSealer: OtpSealer = NO_SEALER,
): IdvDeps {
  const base = loadBaseConfig(env);
  const idv = loadIdvConfig(env);
  return {
    store: new DynamoTokenStore(base.tableName),
    contacts: new PismoAccountsClient({
      baseUrl: idv.pismoApiUrl,
      clientId: idv.pismoClientId,
      clientSecret: pismoClientSecretFrom(idv.pismoClientSecretId),
    }),
    sms: new SnsSmsSender(idv.smsSenderId),
    email: new SesEmailSender(idv.emailFrom),
    // Resuming needs no state machine ARN: the task token identifies the execution.
    workflow: new StepFunctionsIdvWorkflow(''),
    mdes,
    otpSealer,
    emailFallback: idv.emailFallback,
    defaultWaitSeconds: idv.defaultWaitSeconds,
  };
}
