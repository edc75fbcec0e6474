import type * as SfnSdk from '@aws-sdk/client-sfn';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { traced } from '../observability/tracer';

/**
 * One state machine, its SDK client loaded on first use (most events never start a workflow, and
 * loading the client at import would cost every cold start of the event functions). Executions are
 * started by name, so a redelivery that reuses the name starts nothing twice.
 */
export class LazyStateMachine {
  private sdk?: Promise<{ client: SFNClient; mod: typeof SfnSdk }>;

  constructor(
    readonly stateMachineArn: string,
    private readonly client?: SFNClient,
  ) {}

  /** The SDK module and client (traced), loaded once. */
  load(): Promise<{ client: SFNClient; mod: typeof SfnSdk }> {
    this.sdk ??= import('@aws-sdk/client-sfn').then((mod) => ({
      mod,
      client: this.client ?? traced(new mod.SFNClient({})),
    }));
    return this.sdk;
  }

  /** Starts the execution `name`; 'duplicate' when an execution of that name already exists. */
  async startOnce(name: string, input: unknown): Promise<'started' | 'duplicate'> {
    const { client, mod } = await this.load();
    try {
      await client.send(
        new mod.StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) }),
      );
      return 'started';
    } catch (err) {
      if ((err as Error).name === 'ExecutionAlreadyExists') return 'duplicate';
      throw err;
    }
  }
}
