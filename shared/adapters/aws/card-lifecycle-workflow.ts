import type * as SfnSdk from '@aws-sdk/client-sfn';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { CardChange, CardChangePort } from '../../domain/card';
import { traced } from '../observability/tracer';

/** One execution per card event: its name, from the card and event ids (Step Functions: ≤ 80 of [A-Za-z0-9-_]). */
export function cardExecutionName(change: Pick<CardChange, 'cardId' | 'cardEventId'>): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');
  return `card-${clean(change.cardId)}-${clean(change.cardEventId)}`.slice(0, 80);
}

/**
 * {@link CardChangePort} on the card lifecycle workflow (infra/constructs/cards.ts): a card change
 * starts one execution named after the card event, so a redelivered event starts nothing twice
 * (ExecutionAlreadyExists is a duplicate). Executions carry ids and statuses only.
 */
export class StepFunctionsCardChanges implements CardChangePort {
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

  async cardChanged(change: CardChange): Promise<void> {
    const { client, mod } = await this.load();
    try {
      await client.send(
        new mod.StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: cardExecutionName(change),
          input: JSON.stringify(change),
        }),
      );
    } catch (err) {
      if ((err as Error).name !== 'ExecutionAlreadyExists') throw err;
    }
  }
}
