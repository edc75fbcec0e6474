import type { SFNClient } from '@aws-sdk/client-sfn';
import type { CardChange, CardChangePort, PanUpdateFailure } from '../../domain/card';
import { LazyStateMachine } from './step-functions';

/** One execution per card event: its name, from the card and event ids (Step Functions: ≤ 80 of [A-Za-z0-9-_]). */
export function cardExecutionName(change: Pick<CardChange, 'cardId' | 'cardEventId'>): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');
  return `card-${clean(change.cardId)}-${clean(change.cardEventId)}`.slice(0, 80);
}

/** The workflow's input for a pan_update FAILURE (the plan step tells it from a {@link CardChange} by `kind`). */
export type PanUpdateFailureInput = PanUpdateFailure & { kind: 'pan-update-failure' };

/**
 * {@link CardChangePort} on the card lifecycle workflow (infra/constructs/cards.ts): a card change
 * starts one execution named after the card event, so a redelivered event starts nothing twice
 * (ExecutionAlreadyExists is a duplicate). A pan_update FAILURE starts one too, named after the old
 * card and the event. Executions carry ids and statuses only.
 */
export class StepFunctionsCardChanges implements CardChangePort {
  private readonly machine: LazyStateMachine;

  constructor(stateMachineArn: string, client?: SFNClient) {
    this.machine = new LazyStateMachine(stateMachineArn, client);
  }

  async cardChanged(change: CardChange): Promise<void> {
    await this.machine.startOnce(cardExecutionName(change), change);
  }

  async panUpdateFailed(failure: PanUpdateFailure): Promise<void> {
    const input: PanUpdateFailureInput = { kind: 'pan-update-failure', ...failure };
    await this.machine.startOnce(cardExecutionName({ cardId: failure.oldCardId, cardEventId: failure.eventId }), input);
  }
}
