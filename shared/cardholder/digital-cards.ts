/**
 * Flow "cardholder" (issue 16): the cardholder's digital cards in the issuer's app, Mastercard's
 * "device token control" (docs/flows/cardholder.md).
 *
 * Primary course (`GET /me/digital-cards`, then `POST /me/digital-cards/{tokenId}/turn-off`):
 * 1. The account comes from the cardholder's JWT (its subject); nothing else names it.
 * 2. The account's tokens are read from our store (the account index), with each token's audit:
 *    who suspended it (the cardholder through this app, the bank, or the wallet) decides the toggle.
 * 3. Each token is shown per device and wallet, with `canTurnOff` / `canTurnOn` / `canRemove` from the
 *    lifecycle's status rules (shared/domain/lifecycle-actions.ts) and the multi-suspender rule: a
 *    token suspended by anyone but the cardholder is a grey toggle, with the reason in words.
 * 4. A toggle or a removal checks the token is the account's (404 otherwise, existence not revealed),
 *    then goes through the lifecycle use case as the cardholder (audited, actor kind `cardholder`),
 *    with the cardholder's rule checked before any call; the answer (202) says which status to
 *    expect once the network's event arrives.
 */
import type { Officer } from '../domain/audit';
import { ValidationError } from '../domain/errors';
import { checkLifecycleRule, pendingRequestOf } from '../domain/lifecycle-actions';
import type { StatusVerdict } from '../domain/status-rules';
import type { AuditRecord } from '../domain/store';
import type { TokenState } from '../domain/token-state';
import { isKnownWalletName } from '../domain/wallets';
import * as z from '../zod';
import { ownedToken } from './ownership';
import type { CardholderActionResult, CardholderDeps } from './ports';

export type { CardholderDeps } from './ports';

/** Who holds a suspension of a token, as our store knows it. */
export type Suspender = 'cardholder' | 'bank' | 'wallet' | 'unknown';

/** Audited operations (any route, any actor) that suspend, and that lift a suspension. */
const SUSPENDS = new Set(['suspend', 'card-suspend']);
const LIFTS = new Set(['resume', 'card-resume', 'unsuspend']);

/** How many audit records of a token are read to find its latest suspension (newest first). */
export const AUDIT_READ = 50;

/**
 * Who suspends a suspended token, from our store: the latest accepted suspend or lift among the
 * token's audit records says whether WE suspended it, and for whom (the cardholder through this app,
 * else the bank: an agent, the card-status policy); the network's last status event says whether the
 * wallet (or the cardholder inside the wallet) did. A suspension nobody here explains is `unknown`.
 * MDES's own suspender list stays the truth at action time (the lifecycle reads it before a turn-on).
 */
export function suspendersOf(token: TokenState, audit: readonly AuditRecord[]): Suspender[] {
  if (token.status !== 'suspended') return [];
  const ours = audit
    .filter((a) => a.outcome === 'DONE' && (SUSPENDS.has(a.operation) || LIFTS.has(a.operation)))
    .reduce<AuditRecord | undefined>((best, a) => (!best || a.at > best.at ? a : best), undefined);
  const out: Suspender[] = [];
  if (ours && SUSPENDS.has(ours.operation)) out.push(ours.actorKind === 'cardholder' ? 'cardholder' : 'bank');
  const requestor = token.facts.eventRequestor;
  if (requestor === 'WALLET' || requestor === 'CARDHOLDER') out.push('wallet');
  else if (requestor === 'FUNDING_ACCOUNT' && !out.length) out.push('bank');
  return out.length ? out : ['unknown'];
}

/** The wallet's name as we may show it to a cardholder (only names we set from a documented id). */
function walletLabel(token: TokenState): string {
  const name = token.facts.walletName;
  return name && isKnownWalletName(name) ? name : 'the wallet';
}

/** The cardholder's actions and the lifecycle action each one is. */
export const CARDHOLDER_ACTIONS = { 'turn-off': 'suspend', 'turn-on': 'resume', remove: 'delete' } as const;
export type CardholderAction = keyof typeof CARDHOLDER_ACTIONS;

/**
 * The cardholder's rule for one action on one token, in words (the app shows them): the token's
 * status as the cardholder understands it, then the multi-suspender rule (only the cardholder's own
 * suspension can be lifted from the app), then the network's status rules (the lifecycle's own).
 */
export function cardholderVerdict(
  action: CardholderAction,
  token: TokenState,
  suspenders: readonly Suspender[],
): StatusVerdict {
  const status = token.status;
  if (status === 'deleted') return { allowed: false, rule: 'removed: this digital card can no longer be used' };
  if (status === 'declined' || status === 'failed')
    return { allowed: false, rule: 'never added: the request to add this card to the wallet did not succeed' };
  const verifying = status === undefined || status === 'requested' || status === 'pending_idv';
  if (verifying && action !== 'remove')
    return {
      allowed: false,
      rule: 'still being verified: it can be turned off or on once the wallet has activated it',
    };
  if (action === 'turn-off' && status === 'suspended') return { allowed: false, rule: 'already turned off' };
  if (action === 'turn-on' && status === 'active') return { allowed: false, rule: 'already turned on' };
  if (action === 'turn-on') {
    const wallet = walletLabel(token);
    if (suspenders.includes('wallet'))
      return { allowed: false, rule: `turned off by ${wallet}: only ${wallet} can turn it back on` };
    if (suspenders.includes('bank'))
      return { allowed: false, rule: 'turned off by your bank: contact your bank to turn it back on' };
    if (!suspenders.includes('cardholder'))
      return {
        allowed: false,
        rule: `turned off outside this app (by ${wallet} or your bank): only they can turn it back on`,
      };
  }
  const network = checkLifecycleRule(CARDHOLDER_ACTIONS[action], token.facts.network, status);
  return network.allowed ? network : { allowed: false, rule: 'this digital card cannot be changed from the app now' };
}

/** One digital card (token) as the app shows it. */
export interface DigitalCard {
  tokenId: string;
  cardId?: string;
  network?: string;
  status?: string;
  addedAt: string;
  lastChangeAt: string;
  canTurnOff: boolean;
  canTurnOn: boolean;
  canRemove: boolean;
  /** Why the toggle is grey (neither turn-off nor turn-on possible), in words. */
  reason?: string;
  /** Why each action that is not possible is not, in words. */
  whyNot: Partial<Record<CardholderAction, string>>;
  /** Who holds its suspension (when turned off). */
  turnedOffBy?: Suspender[];
  /** A change requested and not yet confirmed by the network's event. */
  pendingChange?: { action: string; expectedStatus: string; requestedAt: string };
}

/** The digital cards of one device in one wallet. */
export interface DeviceWalletGroup {
  device: { id?: string; name: string; type?: string };
  wallet: { name: string; tokenRequestorId?: string };
  digitalCards: DigitalCard[];
}

function digitalCardOf(token: TokenState, audit: readonly AuditRecord[]): DigitalCard {
  const suspenders = suspendersOf(token, audit);
  const verdicts = Object.fromEntries(
    (Object.keys(CARDHOLDER_ACTIONS) as CardholderAction[]).map((a) => [a, cardholderVerdict(a, token, suspenders)]),
  ) as Record<CardholderAction, StatusVerdict>;
  const whyNot: Partial<Record<CardholderAction, string>> = {};
  for (const [a, v] of Object.entries(verdicts)) if (!v.allowed) whyNot[a as CardholderAction] = v.rule;
  const pending = pendingRequestOf(audit, token);
  const grey = !verdicts['turn-off'].allowed && !verdicts['turn-on'].allowed;
  return {
    tokenId: token.tokenId,
    ...(token.facts.cardId ? { cardId: token.facts.cardId } : {}),
    ...(token.facts.network ? { network: token.facts.network } : {}),
    ...(token.status ? { status: token.status } : {}),
    addedAt: token.firstEventAt,
    lastChangeAt: token.statusAt ?? token.lastEventAt,
    canTurnOff: verdicts['turn-off'].allowed,
    canTurnOn: verdicts['turn-on'].allowed,
    canRemove: verdicts.remove.allowed,
    ...(grey ? { reason: token.status === 'suspended' ? whyNot['turn-on'] : whyNot['turn-off'] } : {}),
    whyNot,
    ...(token.status === 'suspended' ? { turnedOffBy: suspenders } : {}),
    ...(pending
      ? {
          pendingChange: {
            action: pending.action,
            expectedStatus: pending.expectedStatus,
            requestedAt: pending.requestedAt,
          },
        }
      : {}),
  };
}

/** Bound on the tokens of one account listed (a cardholder has a handful; a runaway guard). */
const MAX_TOKENS = 500;

/** `GET /me/digital-cards`: the account's tokens from our store, grouped by device and wallet. */
export async function listDigitalCards(
  accountId: string,
  deps: Pick<CardholderDeps, 'store'>,
): Promise<{ accountId: string; devices: DeviceWalletGroup[] }> {
  const tokens: TokenState[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.listTokensOfAccount(accountId, 100, cursor);
    tokens.push(...page.items.filter((t) => t.facts.accountId === accountId));
    cursor = page.items.length ? page.nextCursor : undefined;
  } while (cursor && tokens.length < MAX_TOKENS);
  const cards = await Promise.all(
    tokens.map(async (t) => ({
      t,
      card: digitalCardOf(t, await deps.store.listAudit({ tokenId: t.tokenId }, AUDIT_READ)),
    })),
  );
  const groups = new Map<string, DeviceWalletGroup>();
  for (const { t, card } of cards) {
    const f = t.facts;
    const deviceName = f.deviceName ?? ([f.deviceBrand, f.deviceModel].filter(Boolean).join(' ') || 'unknown device');
    const walletName =
      f.walletName ?? (f.tokenRequestorId ? `token requestor ${f.tokenRequestorId}` : 'unknown wallet');
    const key = JSON.stringify([f.deviceId ?? deviceName, walletName]);
    const group = groups.get(key) ?? {
      device: {
        ...(f.deviceId ? { id: f.deviceId } : {}),
        name: deviceName,
        ...(f.deviceType ? { type: f.deviceType } : {}),
      },
      wallet: { name: walletName, ...(f.tokenRequestorId ? { tokenRequestorId: f.tokenRequestorId } : {}) },
      digitalCards: [],
    };
    group.digitalCards.push(card);
    groups.set(key, group);
  }
  const devices = [...groups.values()];
  for (const g of devices) g.digitalCards.sort((a, b) => a.addedAt.localeCompare(b.addedAt));
  devices.sort((a, b) => (a.digitalCards[0]?.addedAt ?? '').localeCompare(b.digitalCards[0]?.addedAt ?? ''));
  return { accountId, devices };
}

const reasons = ['CARDHOLDER_REQUEST', 'DEVICE_LOST', 'DEVICE_STOLEN'] as const;
const BODIES = {
  'turn-off': z.strictObject({ reason: z.optional(z.enum(reasons)) }),
  'turn-on': z.strictObject({}),
  remove: z.strictObject({ reason: z.optional(z.enum(reasons)) }),
} as const;

/** Parses a cardholder request body strictly: 400 naming each offending field. */
export function parseCardholderBody(action: CardholderAction, body: unknown): { reason?: (typeof reasons)[number] } {
  const parsed = z.safeParse(BODIES[action] as z.ZodMiniType<{ reason?: (typeof reasons)[number] }>, body ?? {});
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys' ? i.keys.map((k) => [...i.path, k].join('.')) : [i.path.join('.') || '(body)'],
  );
  throw new ValidationError(
    `invalid request: ${fields.join(', ')}`,
    parsed.error.issues.map((i) =>
      i.code === 'unrecognized_keys'
        ? `${i.keys.join(', ')}: not a field of this request`
        : `${i.path.join('.') || '(body)'}: ${i.message}`,
    ),
  );
}

/** What a toggle or a removal answers (202): the status to expect once the network's event arrives. */
export interface DigitalCardActionResult {
  tokenId: string;
  action: CardholderAction;
  outcome: CardholderActionResult['outcome'];
  expectedStatus?: string;
  note?: string;
  auditId: string;
}

/** The cardholder as the actor of the audit: the Pismo account (Mastercard's AuditInfo takes the same). */
export function cardholderOfficer(accountId: string): Officer {
  return { userId: accountId, userName: 'Cardholder (issuer app)', kind: 'cardholder' };
}

/**
 * `POST /me/digital-cards/{tokenId}/turn-off|turn-on|remove`: the body checked strictly, the token
 * checked to be the account's (404 otherwise), then the lifecycle use case as the cardholder with the
 * cardholder's rule (refusals 409 with the reason in words, audited like every refusal).
 */
export async function actOnDigitalCard(
  input: { accountId: string; tokenId: string; action: CardholderAction; body: unknown },
  deps: CardholderDeps,
): Promise<DigitalCardActionResult> {
  const body = parseCardholderBody(input.action, input.body);
  await ownedToken(input.accountId, input.tokenId, deps.store);
  const audit = await deps.store.listAudit({ tokenId: input.tokenId }, AUDIT_READ);
  const result = await deps.actions.perform({
    tokenId: input.tokenId,
    action: CARDHOLDER_ACTIONS[input.action],
    reason: body.reason ?? 'CARDHOLDER_REQUEST',
    officer: cardholderOfficer(input.accountId),
    // Checked on the state the lifecycle reads, with the suspensions our audit shows.
    actorRule: (state) => cardholderVerdict(input.action, state, suspendersOf(state, audit)),
  });
  return {
    tokenId: input.tokenId,
    action: input.action,
    outcome: result.outcome,
    ...(result.expectedStatus ? { expectedStatus: result.expectedStatus } : {}),
    ...(result.note ? { note: result.note } : {}),
    auditId: result.auditId,
  };
}
