import {
  ExecutionAlreadyExists,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';

/** Starting and resuming the ID&V workflow; executions carry ids only, never the code. */
export interface IdvWorkflowPort {
  /** Starts the delivery workflow for a challenge; 'duplicate' when it was already started. */
  start(input: { challengeId: string; tokenId: string }, executionName?: string): Promise<'started' | 'duplicate'>;
  /** Resumes a waiting execution; false when the task is unknown or already finished (harmless). */
  resume(taskToken: string, result: { activated: true } | { error: string; cause: string }): Promise<boolean>;
}

/** Step Functions adapter (execution name = challenge id, so a duplicate event cannot deliver twice). */
export class StepFunctionsIdvWorkflow implements IdvWorkflowPort {
  constructor(
    private readonly stateMachineArn: string,
    private readonly client: SFNClient = new SFNClient({}),
  ) {}

  async start(
    input: { challengeId: string; tokenId: string },
    executionName?: string,
  ): Promise<'started' | 'duplicate'> {
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: executionName ?? input.challengeId,
          input: JSON.stringify({ challengeId: input.challengeId, tokenId: input.tokenId }),
        }),
      );
      return 'started';
    } catch (err) {
      if (err instanceof ExecutionAlreadyExists) return 'duplicate';
      throw err;
    }
  }

  async resume(taskToken: string, result: { activated: true } | { error: string; cause: string }): Promise<boolean> {
    try {
      if ('activated' in result) {
        await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(result) }));
      } else {
        await this.client.send(new SendTaskFailureCommand({ taskToken, error: result.error, cause: result.cause }));
      }
      return true;
    } catch (err) {
      if (err instanceof TaskDoesNotExist || err instanceof TaskTimedOut || err instanceof InvalidToken) return false;
      throw err;
    }
  }
}
