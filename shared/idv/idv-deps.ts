import { type BaseConfig, ENV, type IdvConfig, loadBaseConfig, loadIdvConfig } from '../config';
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

/** The Pismo client secret, or (a step that never looks a contact up has no secret) a refusal naming the variable. */
function clientSecretOf(api: IdvConfig['pismoApi']): () => Promise<string> {
  const secretId = api.clientSecretId;
  if (secretId) return pismoClientSecretFrom(secretId);
  return () => Promise.reject(new Error(`${ENV.pismoClientSecretId} is not set: this step does not call Pismo`));
}

/**
 * Composition root of the ID&V step functions: one set of clients per container, configured from
 * shared/config.ts. `mdes` only for the step that calls MDES: the client, its signer and node-forge
 * (PKCS#12) add ~500 KiB to a bundle; `otpSealer` only for the delivery step (the KMS client).
 */
export function createIdvDeps(
  ports: { mdes?: TokenLifecyclePort; otpSealer?: OtpSealer } = {},
  base: BaseConfig = loadBaseConfig(),
  idv: IdvConfig = loadIdvConfig(),
): IdvDeps {
  return {
    store: new DynamoTokenStore(base.tableName),
    contacts: new PismoAccountsClient({
      baseUrl: idv.pismoApi.baseUrl,
      clientId: idv.pismoApi.clientId,
      clientSecret: clientSecretOf(idv.pismoApi),
    }),
    sms: new SnsSmsSender(idv.smsSenderId),
    email: new SesEmailSender(idv.emailFrom),
    // Resuming needs no state machine ARN: the task token identifies the execution.
    workflow: new StepFunctionsIdvWorkflow(''),
    mdes: ports.mdes ?? NO_MDES,
    otpSealer: ports.otpSealer ?? NO_SEALER,
    emailFallback: idv.emailFallback,
    defaultWaitSeconds: idv.defaultWaitSeconds,
  };
}
