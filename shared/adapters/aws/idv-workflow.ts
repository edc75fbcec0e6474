import type { SFNClient } from '@aws-sdk/client-sfn';
import { LazyStateMachine } from './step-functions';

/** Starting and resuming the ID&V workflow; executions carry ids only, never the code. */
export interface IdvWorkflowPort {
  /** Starts the delivery workflow for a challenge; 'duplicate' when it was already started. */
  start(input: { challengeId: string; tokenId: string }, executionName?: string): Promise<'started' | 'duplicate'>;
  /** Resumes a waiting execution; false when the task is unknown or already finished (harmless). */
  resume(taskToken: string, result: { activated: true } | { error: string; cause: string }): Promise<boolean>;
}

const FINISHED_TASK = new Set(['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken']);

/**
 * Step Functions adapter (execution name = challenge id, so a duplicate event cannot deliver twice).
 * The SDK client is loaded on first use: most events never touch the workflow, and loading it at
 * import would cost every cold start of the event functions.
 */
export class StepFunctionsIdvWorkflow implements IdvWorkflowPort {
  private readonly machine: LazyStateMachine;

  constructor(stateMachineArn: string, client?: SFNClient) {
    this.machine = new LazyStateMachine(stateMachineArn, client);
  }

  start(input: { challengeId: string; tokenId: string }, executionName?: string): Promise<'started' | 'duplicate'> {
    return this.machine.startOnce(executionName ?? input.challengeId, {
      challengeId: input.challengeId,
      tokenId: input.tokenId,
    });
  }

  async resume(taskToken: string, result: { activated: true } | { error: string; cause: string }): Promise<boolean> {
    const { client, mod } = await this.machine.load();
    try {
      if ('activated' in result) {
        await client.send(new mod.SendTaskSuccessCommand({ taskToken, output: JSON.stringify(result) }));
      } else {
        await client.send(new mod.SendTaskFailureCommand({ taskToken, error: result.error, cause: result.cause }));
      }
      return true;
    } catch (err) {
      if (FINISHED_TASK.has((err as Error).name)) return false;
      throw err;
    }
  }
}
