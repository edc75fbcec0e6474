import { ENV, loadBaseConfig, loadIdvConfig } from '../config';
import type { TokenLifecyclePort } from '../mdes/token-lifecycle';
import { KmsOtpSealer } from '../notify/otp-sealer';
import { SesEmailSender, SnsSmsSender } from '../notify/senders';
import { PismoAccountsClient } from '../pismo/accounts-client';
import { pismoClientSecretFrom } from '../pismo/client-secret';
import { DynamoTokenStore } from '../store/token-store';
import type { IdvDeps } from '../use-cases/idv-steps';
import { StepFunctionsIdvWorkflow } from './idv-workflow';

/** Stands in for MDES in the steps that never call it (only the clean-up step does). */
const NO_MDES: TokenLifecyclePort = {
  deleteToken: () => Promise.reject(new Error('this step function has no MDES access')),
  resendActivationCode: () => Promise.reject(new Error('this step function has no MDES access')),
};

/**
 * Composition root of the ID&V step functions: one set of clients per container. `mdes` only for the
 * step that calls MDES: the client, its signer and node-forge (PKCS#12) add ~500 KiB to a bundle.
 */
export function createIdvDeps(env: NodeJS.ProcessEnv = process.env, mdes: TokenLifecyclePort = NO_MDES): IdvDeps {
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
    // Only the delivery step gets the key (its ARN and a kms:Decrypt grant): any other step that tried
    // to open a code would fail at KMS.
    otpSealer: new KmsOtpSealer(env[ENV.otpKeyArn] ?? ''),
    emailFallback: idv.emailFallback,
    defaultWaitSeconds: idv.defaultWaitSeconds,
  };
}
