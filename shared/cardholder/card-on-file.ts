import { NotFoundError } from '../domain/errors';
import {
  type CardOnFile,
  type CardOnFilePort,
  createCardOnFileSchema,
  parseCardOnFileInput,
  updateCardOnFileStatusSchema,
} from '../adapters/pismo/card-on-file';
import {
  type GuardDeps,
  guardedWrite,
  ownedCardOf,
  RequestAlreadyDoneError,
  requestIdOf,
  requireUsable,
  withoutRequestId,
} from './request-guard';
import { auditedAction } from '../domain/audit';
import { systemClock } from '../domain/clock';
import { cardholderActor } from './request-guard';

/**
 * Card on file (Pismo's own digital wallet) for the issuer's app: create, list, change status. The
 * card is checked against the caller's account in our store (404 otherwise). The PAN, CVV and expiry
 * pass straight through to Pismo: they are validated, sent, and forgotten (never stored, never
 * logged, never in an error). A create is claimed once per request id: a repeat gets the first
 * result (no card data in it), not a second card on file.
 */

export const CARD_ON_FILE_SCOPE = 'card-on-file';

export interface CardOnFileDeps extends GuardDeps {
  pismo: CardOnFilePort;
}

export type CreatedCardOnFile = CardOnFile & { replayed?: boolean };

/** Creates a card on file for the caller's card. `body`: `requestId`, `pan`, `cvv`, `expiry` (MMYY), `cardName`, `printedName`. */
export async function createCardOnFile(
  request: { accountId: string; cardId: string; body: unknown },
  deps: CardOnFileDeps,
): Promise<CreatedCardOnFile> {
  const requestId = requestIdOf(request.body);
  const input = parseCardOnFileInput(createCardOnFileSchema, withoutRequestId(request.body), 'card on file request');
  const card = await ownedCardOf(deps.store, request.accountId, request.cardId);
  requireUsable(card);
  return guardedWrite<CreatedCardOnFile>(
    {
      key: { accountId: request.accountId, scope: CARD_ON_FILE_SCOPE, requestId },
      cardId: card.cardId,
      operation: 'create-card-on-file',
    },
    deps,
    () => deps.pismo.create({ accountId: request.accountId, cardId: card.cardId }, input),
    {
      // What we show of a card on file holds no card data (last four at most): safe to keep and replay.
      storable: (created) => JSON.stringify(created),
      replay: (first) => {
        if (!first?.result) throw new RequestAlreadyDoneError(first);
        return { ...(JSON.parse(first.result) as CardOnFile), replayed: true };
      },
    },
  );
}

/** The caller's card's cards on file, with their validation state. */
export async function listCardsOnFile(
  request: { accountId: string; cardId: string },
  deps: Pick<CardOnFileDeps, 'store' | 'pismo'>,
): Promise<CardOnFile[]> {
  const card = await ownedCardOf(deps.store, request.accountId, request.cardId);
  return deps.pismo.list({ accountId: request.accountId, cardId: card.cardId });
}

/** Changes a card on file's status (`ACTIVE` or `SUSPENDED`); it must be one of the caller's card's (else 404). */
export async function updateCardOnFileStatus(
  request: { accountId: string; cardId: string; cardOnFileId: string; body: unknown },
  deps: Pick<CardOnFileDeps, 'store' | 'pismo' | 'now'>,
): Promise<{ cardOnFileId: string; status: string }> {
  const { status } = parseCardOnFileInput(updateCardOnFileStatusSchema, request.body, 'card on file status');
  const card = await ownedCardOf(deps.store, request.accountId, request.cardId);
  const ref = { accountId: request.accountId, cardId: card.cardId };
  const known = (await deps.pismo.list(ref)).some((c) => c.cardOnFileId === request.cardOnFileId);
  if (!known) throw new NotFoundError('card on file not found');
  const now = (deps.now ?? systemClock)();
  await auditedAction(
    {
      owner: { day: now.toISOString().slice(0, 10) },
      operation: `card-on-file-${status.toLowerCase()}`,
      officer: cardholderActor(request.accountId),
      customerId: `account:${request.accountId}`,
      params: {},
    },
    { store: deps.store, now: deps.now },
    () => deps.pismo.updateStatus({ accountId: request.accountId, cardOnFileId: request.cardOnFileId }, status),
    () => `card ${card.cardId}`,
  );
  return { cardOnFileId: request.cardOnFileId, status };
}
