import type { SFNClient } from '@aws-sdk/client-sfn';
import type { CardChange, CardChangePort } from '../../domain/card';
import { LazyStateMachine } from './step-functions';

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
  private readonly machine: LazyStateMachine;

  constructor(stateMachineArn: string, client?: SFNClient) {
    this.machine = new LazyStateMachine(stateMachineArn, client);
  }

  async cardChanged(change: CardChange): Promise<void> {
    await this.machine.startOnce(cardExecutionName(change), change);
  }
}
