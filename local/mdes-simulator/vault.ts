import type { OperationName } from '../../shared/adapters/mdes/contract';
import { SimError } from './reply';

/** The demo cardholder's card (card 4995608 of the seed events); a Mastercard test PAN. */
export const DEMO_PAN = '5454545454545454';
/** The Token Unique Reference of the seed's MDES TC event (token 17556 and the demo's yellow paths). */
export const SEED_TUR = 'DSHRMC0000259339fc95457145a841599b4b25b6c1da653e';
/**
 * A demo-card token the wallet suspended (multi-suspender demo). Hex after the prefix, as real TURs:
 * a long run of digits would look like a card number and the API refuses those in a path.
 */
export const WALLET_SUSPENDED_TUR = 'DSHRMC00002593395a1e7c0d9b2f4e6a8c3d1b7f0e9a2c4d';
/** A demo-card token still being provisioned (yellow path). */
export const IN_PROGRESS_TUR = 'DSHRMC0000259339b7c2e4a9d1f3c5e7a0b2d4f6e8c1a3b5';

/** MDES token status: Unmapped (in progress), Active, Suspended, Deleted. */
export type StatusCode = 'U' | 'A' | 'S' | 'D';

export const STATUS_DESCRIPTIONS: Record<StatusCode, string> = {
  U: 'Unmapped',
  A: 'Active',
  S: 'Suspended',
  D: 'Deleted',
};

/** One entry of a token's status history. */
export interface SimStatus {
  StatusCode: StatusCode;
  StatusDescription: string;
  StatusDateTime: string;
  Initiator: string;
  ReasonCode?: string;
  CommentId?: string;
  AuditInfo?: Record<string, string>;
}

/** One token in the simulated vault. The simulator is Mastercard: it may hold the PAN. */
export interface SimToken {
  tur: string;
  accountPan: string;
  tokenNumber: string;
  status: StatusCode;
  suspenders: Set<string>;
  history: SimStatus[];
  comments: { CommentId: string; CommentText: string; CommentDateTime: string; AuditInfo: Record<string, string> }[];
  transactions: Record<string, string>[];
  walletId: string;
  tokenRequestorId: string;
  paymentAppInstanceId: string;
  deviceName: string;
  assuranceLevel: number;
  productConfigurationId?: string;
  expirationDate: string;
  messages: Record<string, string>[];
  /** MDES StorageTechnology: D, P, H (server: card on file), E, S, V. */
  storageTechnology: string;
}

/**
 * The FAQ's status table: the statuses a token must be in for an operation on it (operations not
 * listed act on any status). Refused otherwise with 400 `INVALID_TOKEN_STATUS`.
 */
export const STATUS_TABLE: Partial<Record<OperationName, { label: string; allowed: StatusCode[] }>> = {
  activate: { label: 'Token Activate', allowed: ['U'] },
  activationMethods: { label: 'Token Activation Methods', allowed: ['U'] },
  delete: { label: 'Token Delete', allowed: ['U', 'A', 'S'] },
  resendActivationCode: { label: 'Token Resend Activation Code', allowed: ['U'] },
  resetMobilePin: { label: 'Token Reset Mobile PIN', allowed: ['A', 'S'] },
  suspend: { label: 'Token Suspend', allowed: ['A', 'S'] },
  unsuspend: { label: 'Token Unsuspend', allowed: ['S'] },
  update: { label: 'Token Update', allowed: ['A', 'S'] },
  transactions: { label: 'Transactions', allowed: ['A', 'S', 'D'] },
  updateTokenAssurance: { label: 'Update Token Assurance', allowed: ['A', 'S'] },
  accountHolderMessaging: { label: 'Account Holder Messaging', allowed: ['A', 'S'] },
};

/** What an issuer's call records with a status change or a comment. */
export interface IssuerAction {
  ReasonCode?: string;
  CommentText?: string;
  audit: Record<string, string>;
}

const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();

/**
 * The simulated MDES token vault, by Token Unique Reference: seeded with the demo card's tokens, kept
 * in step with the network's own status changes, and changed by the issuer's calls under the status
 * table and the multi-suspender rule (a token stays suspended until every suspender has lifted its
 * suspension; the issuer lifts only its own, except Apple Pay's cardholder suspensions).
 */
export class TokenVault extends Map<string, SimToken> {
  private commentSeq = 1000;

  /** Adds (or replaces) a token in the vault. */
  provision(token: {
    tur: string;
    accountPan?: string;
    status?: StatusCode;
    suspenders?: string[];
    storageTechnology?: string;
    walletId?: string;
  }): SimToken {
    const n = this.size + 1;
    const t: SimToken = {
      tur: token.tur,
      accountPan: token.accountPan ?? DEMO_PAN,
      tokenNumber: `5204${String(7000000000 + n * 7919).padStart(12, '0')}`.slice(0, 16),
      status: token.status ?? 'A',
      suspenders: new Set(token.suspenders ?? (token.status === 'S' ? ['W'] : [])),
      history: [
        {
          StatusCode: token.status === 'U' ? 'U' : 'A',
          StatusDescription: STATUS_DESCRIPTIONS[token.status === 'U' ? 'U' : 'A'],
          StatusDateTime: daysAgo(40),
          Initiator: 'W',
        },
      ],
      comments: [],
      transactions: [
        {
          TransactionDateTime: daysAgo(2),
          TransactionAmount: '23.90',
          CurrencyCode: '986',
          TransactionStatusCode: 'COMP',
          TransactionTypeCode: '00',
          TransactionTypeDescription: 'Purchase',
          MerchantName: 'PADARIA REAL',
          MerchantCategoryCode: '5462',
          POSEntryMode: '07',
        },
        {
          TransactionDateTime: daysAgo(12),
          TransactionAmount: '129.00',
          CurrencyCode: '986',
          TransactionStatusCode: 'AUTH',
          TransactionTypeCode: '00',
          TransactionTypeDescription: 'Purchase',
          MerchantName: 'LOJA CENTRO',
          MerchantCategoryCode: '5311',
          POSEntryMode: '07',
        },
        {
          TransactionDateTime: daysAgo(45),
          TransactionAmount: '8.50',
          CurrencyCode: '986',
          TransactionStatusCode: 'COMP',
          TransactionTypeCode: '00',
          TransactionTypeDescription: 'Purchase',
          MerchantName: 'CAFE ANTIGO',
          MerchantCategoryCode: '5814',
          POSEntryMode: '07',
        },
      ],
      walletId: token.walletId ?? '103',
      tokenRequestorId: '50110030273',
      paymentAppInstanceId: `pai-${token.tur.slice(-12)}`,
      deviceName: 'Demo Phone',
      assuranceLevel: 1,
      expirationDate: '1229',
      messages: [],
      storageTechnology: token.storageTechnology ?? 'V',
    };
    if (t.status === 'S')
      t.history.push({
        StatusCode: 'S',
        StatusDescription: 'Suspended',
        StatusDateTime: daysAgo(3),
        Initiator: 'W',
        ReasonCode: 'L',
      });
    this.set(t.tur, t);
    return t;
  }

  /** The seed scenarios: the demo card's active token (seed TC), a wallet-suspended one, and one in progress. */
  seed(): void {
    this.provision({ tur: SEED_TUR, status: 'A' });
    this.provision({ tur: WALLET_SUSPENDED_TUR, status: 'S', suspenders: ['W'] });
    this.provision({ tur: IN_PROGRESS_TUR, status: 'U' });
  }

  /**
   * Learns the tokens the network created from Pismo's events (MDES tells Pismo after it created the
   * token, so by then the vault has it): TURs in a TC's DE124 or in a resync/status event.
   */
  learnFromPismoEvent(body: unknown): void {
    const data = (body as { data?: Record<string, unknown> } | undefined)?.data;
    if (!data) return;
    const nd = data.network_data as Record<string, Record<string, Record<string, Record<string, unknown>>>> | undefined;
    const tc = nd?.de124_member_defined_data?.mdes_data?.tokenization_complete;
    const tur = (tc?.sf10_token_unique_ref ?? data.token_unique_reference) as string | undefined;
    if (typeof tur !== 'string' || tur.length < 9) return;
    const existing = this.get(tur);
    const status: StatusCode = tc ? 'A' : String(data.token_status ?? '').toUpperCase() === 'ACTIVE' ? 'A' : 'U';
    if (!existing) this.provision({ tur, status });
    else if (tc && existing.status === 'U') this.transition(existing, 'A', 'W');
  }

  /**
   * A status change the network made itself (the wallet or cardholder deleted, suspended or resumed
   * the token; MDES then tells Pismo with a TV). Idempotent; unknown TURs are ignored.
   */
  applyNetworkStatus(tur: string, to: StatusCode, initiator = 'W'): void {
    const t = this.get(tur);
    if (!t || t.status === to) return;
    if (to === 'S') t.suspenders.add(initiator);
    if (to === 'A' || to === 'D') t.suspenders.clear();
    this.transition(t, to, initiator);
  }

  // ---- the issuer's calls ----

  /** The token with this TUR; a 404 `TOKEN_NOT_FOUND` otherwise. */
  token(tur: string | undefined): SimToken {
    const t = tur ? this.get(tur) : undefined;
    if (!t)
      throw new SimError(404, 'TOKEN_NOT_FOUND', 'no token with this TokenUniqueReference', 'TokenUniqueReference');
    return t;
  }

  /** Refuses the operation (400 `INVALID_TOKEN_STATUS`) when the status table does not allow it now. */
  requireStatus(t: SimToken, operation: OperationName): void {
    const rule = STATUS_TABLE[operation];
    if (rule && !rule.allowed.includes(t.status))
      throw new SimError(
        400,
        'INVALID_TOKEN_STATUS',
        `${rule.label} is not allowed in status ${STATUS_DESCRIPTIONS[t.status]}`,
        'TokenUniqueReference',
      );
  }

  /** Records the call's comment, if it has one; returns its CommentId. */
  comment(t: SimToken, text: string | undefined, audit: Record<string, string>): string | undefined {
    if (!text) return undefined;
    const id = String(++this.commentSeq);
    t.comments.push({ CommentId: id, CommentText: text, CommentDateTime: new Date().toISOString(), AuditInfo: audit });
    return id;
  }

  /** Told of each Token Activate (local stack: the confirming event MDES sends through Pismo). */
  onActivated?: (tur: string) => void;

  /** Token Activate: an in-progress token becomes active. Returns the CommentId. */
  activateToken(t: SimToken, call: IssuerAction): string | undefined {
    this.requireStatus(t, 'activate');
    const c = this.comment(t, call.CommentText, call.audit);
    this.transition(t, 'A', 'I', call.ReasonCode, call.audit, c);
    this.onActivated?.(t.tur);
    return c;
  }

  /** Token Delete: from any status but deleted; every suspension goes with it. Returns the CommentId. */
  deleteToken(t: SimToken, call: IssuerAction): string | undefined {
    this.requireStatus(t, 'delete');
    const c = this.comment(t, call.CommentText, call.audit);
    t.suspenders.clear();
    this.transition(t, 'D', 'I', call.ReasonCode, call.audit, c);
    return c;
  }

  /** Token Suspend: the issuer joins the token's suspenders. Returns the CommentId. */
  suspendToken(t: SimToken, call: IssuerAction): string | undefined {
    this.requireStatus(t, 'suspend');
    const c = this.comment(t, call.CommentText, call.audit);
    t.suspenders.add('I');
    this.transition(t, 'S', 'I', call.ReasonCode, call.audit, c);
    return c;
  }

  /**
   * Token Unsuspend: the issuer lifts its own suspension (or, on Apple Pay, the cardholder's); the
   * token is active again only when no suspender is left. Returns the CommentId.
   */
  unsuspendToken(t: SimToken, call: IssuerAction): string | undefined {
    this.requireStatus(t, 'unsuspend');
    // Apple Pay special case of the spec: the issuer may override a cardholder's suspension.
    const override = !t.suspenders.has('I') && t.suspenders.has('C') && t.walletId === '103';
    if (!t.suspenders.has('I') && !override)
      throw new SimError(400, 'INVALID_SUSPENDER', 'the issuer has not suspended this token', 'TokenUniqueReference');
    const c = this.comment(t, call.CommentText, call.audit);
    t.suspenders.delete(override ? 'C' : 'I');
    // Multiple suspenders: the token stays suspended until every suspender has unsuspended it.
    this.transition(t, t.suspenders.size ? 'S' : 'A', 'I', call.ReasonCode, call.audit, c);
    return c;
  }

  private transition(
    t: SimToken,
    to: StatusCode,
    initiator: string,
    reason?: string,
    audit?: Record<string, string>,
    commentId?: string,
  ) {
    t.status = to;
    t.history.push({
      StatusCode: to,
      StatusDescription: STATUS_DESCRIPTIONS[to],
      StatusDateTime: new Date().toISOString(),
      Initiator: initiator,
      ...(reason ? { ReasonCode: reason } : {}),
      ...(commentId ? { CommentId: commentId } : {}),
      ...(audit ? { AuditInfo: audit } : {}),
    });
  }
}
