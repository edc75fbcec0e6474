import { loadCardLifecycleStateMachineArn, loadIdvStateMachineArn, loadOtpKeyArn } from '../config';
import { StepFunctionsCardChanges } from '../adapters/aws/card-lifecycle-workflow';
import { StepFunctionsIdvWorkflow } from '../adapters/aws/idv-workflow';
import { KmsOtpSealer } from '../adapters/aws/otp-sealer';
import { DynamoTokenStore } from '../adapters/dynamo/token-store';
import type { IngestDeps } from './ingest-pismo-event';

/**
 * The ingestion's adapters, the same for both entry points (the signed webhook and the queue
 * consumer): built once per container.
 */
export function createIngestDeps(tableName: string): IngestDeps {
  const idvArn = loadIdvStateMachineArn();
  const cardLifecycleArn = loadCardLifecycleStateMachineArn();
  return {
    store: new DynamoTokenStore(tableName),
    // Without a state machine, challenges are stored and no delivery starts (see loadIdvStateMachineArn).
    workflow: idvArn ? new StepFunctionsIdvWorkflow(idvArn) : undefined,
    otpSealer: new KmsOtpSealer(loadOtpKeyArn()),
    // Card status changes go to the card lifecycle workflow (issue 14); without it, the card is only stored.
    cardChanges: cardLifecycleArn ? new StepFunctionsCardChanges(cardLifecycleArn) : undefined,
  };
}
