import type * as SfnSdk from '@aws-sdk/client-sfn';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { traced } from '../observability/tracer';

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
  private sdk?: Promise<{ client: SFNClient; mod: typeof SfnSdk }>;

  constructor(
    private readonly stateMachineArn: string,
    private readonly client?: SFNClient,
  ) {}

  private load() {
    this.sdk ??= import('@aws-sdk/client-sfn').then((mod) => ({
      mod,
      client: this.client ?? traced(new mod.SFNClient({})),
    }));
    return this.sdk;
  }

  async start(
    input: { challengeId: string; tokenId: string },
    executionName?: string,
  ): Promise<'started' | 'duplicate'> {
    const { client, mod } = await this.load();
    try {
      await client.send(
        new mod.StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: executionName ?? input.challengeId,
          input: JSON.stringify({ challengeId: input.challengeId, tokenId: input.tokenId }),
        }),
      );
      return 'started';
    } catch (err) {
      if ((err as Error).name === 'ExecutionAlreadyExists') return 'duplicate';
      throw err;
    }
  }

  async resume(taskToken: string, result: { activated: true } | { error: string; cause: string }): Promise<boolean> {
    const { client, mod } = await this.load();
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
