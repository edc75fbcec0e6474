/**
 * The console's contract with the API (issue 15; docs/flows/console.md): the type of every response
 * the Customer Service console reads and of every request body it sends, and the runtime
 * configuration it fetches before sign-in. TYPES ONLY, so browser code can `import type` it (esbuild
 * erases the import): nothing here runs, and it imports only types of the pure model.
 *
 * Every route below is on the service's own HTTP API, the console's origin (`connect-src 'self'`).
 * All but `GET /console…` need `Authorization: Bearer <access token>`; reads need scope
 * `tokens:read`, actions `tokens:write` (a token without it gets 403 `{ "message": "Forbidden" }`
 * from the gateway). Errors from a function are {@link ApiError}. The types of responses built by
 * another flow's use case are checked against that use case's return type by
 * test/unit/console/contract.test.ts, so the two cannot drift apart silently.
 */
import type { CardState } from '../domain/card';
import type { Challenge, ChallengeStatus } from '../domain/challenge';
import type { AllowedAction, LifecycleAction, LifecycleReason, PendingRequest } from '../domain/lifecycle-actions';
import type { CsTokenStatus } from '../domain/status-rules';
import type {
  AuditRecord,
  CardReconciliation,
  DecisionOwner,
  DecisionRecord,
  Page,
  ReconciliationRun,
  TimelineEntry,
} from '../domain/store';
import type { Network } from '../domain/token-event';
import type { TokenState } from '../domain/token-state';
import type { TokenStatus } from '../domain/token-status';

export type {
  AllowedAction,
  AuditRecord,
  CardReconciliation,
  CardState,
  Challenge,
  ChallengeStatus,
  CsTokenStatus,
  DecisionOwner,
  DecisionRecord,
  LifecycleAction,
  LifecycleReason,
  Network,
  Page,
  PendingRequest,
  ReconciliationRun,
  TimelineEntry,
  TokenState,
  TokenStatus,
};

// ---------------------------------------------------------------------------------------------
// Errors, runtime configuration, session
// ---------------------------------------------------------------------------------------------

/**
 * The body of every error a function answers (4xx/5xx): `error` is the error's name (e.g.
 * `LifecycleRuleViolationError` on 409, `MdesRejectedError` / `PismoRejectedError` on 422,
 * `MdesUnavailableError`, `MdesCircuitOpenError`, `PismoUnavailableError` on 502/503: nothing was changed), `message` is for people, `details` lists field problems of a 400. The gateway's own
 * refusals (401 no/expired token, 403 missing scope, 404 no route, 413) are `{ message }` only.
 */
export interface ApiError {
  error?: string;
  message: string;
  details?: string[];
}

/**
 * `GET /console/config.json` (no auth, `cache-control: no-store`): where and how to sign in. The
 * console runs OIDC authorization code + PKCE (S256) against `issuer` as public client `clientId`:
 * browser → `authorizationEndpoint` (with `redirectUri`, `scope`, `state`, `nonce`,
 * `code_challenge`), back to `redirectUri` with `code`, then `POST tokenEndpoint`
 * (`application/x-www-form-urlencoded`: `grant_type=authorization_code`, `code`, `redirect_uri`,
 * `client_id`, `code_verifier`) → `{ access_token, id_token?, expires_in, token_type, scope? }`.
 * Sign-out: browser → `endSessionEndpoint` with `client_id` and `post_logout_redirect_uri`
 * (Cognito's `/logout` takes `logout_uri` too: the console sends both). The access token is what the
 * API's JWT authorizer checks; keep it in memory only.
 */
export interface ConsoleConfig {
  /** The OIDC issuer the API's JWT authorizer trusts (the `iss` of the access tokens). */
  issuer: string;
  /** The console's public app client (no secret; PKCE). */
  clientId: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  endSessionEndpoint: string;
  /** The console URL registered as the client's callback: `<api origin>/console`. */
  redirectUri: string;
  /** Where the IdP sends the browser after sign-out (the console URL). */
  postLogoutRedirectUri: string;
  /** Space-separated scopes to request, e.g. `openid profile tokens:read tokens:write`. */
  scope: string;
  /**
   * Sent as the `audience` authorization parameter when set (IdPs such as Auth0 need it to issue an
   * access token for the API); absent for Cognito and the dev issuer.
   */
  audience?: string;
  /** MDES customers (CIDs) of this deployment; the first is the default (`?customer=` on `/cs/…`). */
  mdesCustomers: string[];
  /** `local` (dev issuer, test users) or `aws`. */
  environment: 'local' | 'aws';
}

/**
 * `GET /me` (`tokens:read`): who the signed-in agent is, from the access token the gateway verified.
 * `canAct` is true with `tokens:write` (the console shows action buttons only then; the API refuses
 * the actions anyway without it).
 */
export interface ConsoleSession {
  userId: string;
  userName: string;
  scopes: string[];
  canAct: boolean;
  /** `read-only` without `tokens:write`; `agent` with it; `supervisor` when the token's groups say so. */
  role: 'read-only' | 'agent' | 'supervisor';
  /** Groups named by the token (`cognito:groups`, or the dev issuer's `groups`). */
  groups: string[];
  /** MDES customers the token allows. */
  mdesCustomers: string[];
  /** When the access token expires (ISO-8601): sign in again before. */
  expiresAt?: string;
}

// ---------------------------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------------------------

/** One token found by an id search. */
export interface SearchMatch {
  tokenId: string;
  cardId?: string;
  network?: Network;
  status?: TokenStatus;
  tokenUniqueReference?: string;
  walletName?: string;
  deviceName?: string;
  lastEventAt?: string;
}

/**
 * `GET /search?cardId=…` | `?tokenId=…` | `?tur=…` (exactly one; `tokens:read`): our store's tokens
 * for a card id, a token id or a Token Unique Reference (at most 50). `cards` lists the card ids the
 * matches belong to (a card search names its card even without tokens when we know the card). A TUR
 * carried by several tokens is a collision: all are listed and `collision` is true.
 */
export interface IdSearchResult {
  by: 'cardId' | 'tokenId' | 'tur';
  matches: SearchMatch[];
  cards: string[];
  collision?: boolean;
}

/**
 * `POST /cs/search` (`tokens:read`) body for a PAN search: the PAN goes only in this body (never a
 * URL), to Mastercard MDES and nowhere else (not the audit, not a log). Other criteria exist
 * (`TokenUniqueReference`, `Token`, `PaymentAppInstanceId`, …): exactly one per request.
 */
export interface PanSearchRequest {
  AccountPan: string;
  ExcludeDeletedIndicator?: 'true' | 'false';
}

/** One MDES token of a `/cs/search` answer: never the PAN, only its last four (`accountPanSuffix`). */
export interface SearchedToken {
  tokenUniqueReference?: string;
  /** Our token id, when our store knows the token. */
  tokenId?: string;
  accountPanSuffix?: string;
  status?: CsTokenStatus;
  /** Who suspended it (`Cardholder`, `Issuer`, `Mobile PIN Lock`, `TSP`…): only each one can lift its own. */
  suspenders: string[];
  tokenSuffix?: string;
  walletId?: string;
  tokenRequestorId?: string;
  deviceName?: string;
  storageTechnology?: { code: string; description?: string; deviceBased: boolean };
  /** `/cs/tokens/{tokenId}/{operation}` operations the Customer Service FAQ allows now. */
  allowedOperations: string[];
}

/** `POST /cs/search` answer (`?customer=` picks the MDES customer; default the first). */
export interface CsSearchResult {
  customerId: string;
  tokens: SearchedToken[];
  auditIds: string[];
}

// ---------------------------------------------------------------------------------------------
// Card
// ---------------------------------------------------------------------------------------------

/** A token in a list (card view): what the row shows and which actions it allows. */
export interface TokenSummary {
  tokenId: string;
  network?: Network;
  status?: TokenStatus;
  statusAt?: string;
  tokenUniqueReference?: string;
  tokenType?: string;
  walletName?: string;
  deviceName?: string;
  deviceId?: string;
  lastEventAt: string;
  allowedActions: AllowedAction[];
}

/** The tokens of one wallet on one device (device-less tokens, e.g. card-on-file, by wallet only). */
export interface TokenGroup {
  /** Stable key of the group: `<wallet>|<device>`. */
  key: string;
  walletName?: string;
  walletId?: string;
  tokenRequestorId?: string;
  deviceId?: string;
  deviceName?: string;
  deviceType?: string;
  tokens: TokenSummary[];
}

/**
 * `GET /cards/{cardId}` (`tokens:read`): the card as we know it from Pismo's card events (status,
 * last four; never more of the card), its tokens grouped by wallet and device (at most 500,
 * `tokensTruncated` beyond), and its refusals (card-level events that never became a token, newest
 * first, at most 50). 404 when we know neither the card nor a token of it.
 */
export interface CardView {
  cardId: string;
  card?: Pick<CardState, 'status' | 'statusKnown' | 'previousStatus' | 'cardType' | 'lastFour' | 'accountId'> & {
    updatedAt?: string;
  };
  groups: TokenGroup[];
  tokenCount: number;
  tokensTruncated: boolean;
  refusals: TimelineEntry[];
}

/**
 * `GET /tokens?cardId=…&limit&cursor` (`tokens:read`, existing): one page of a card's tokens (token
 * id order) and, on the first page, its refusals.
 */
export interface CardTokensView {
  cardId: string;
  tokens: Page<TokenState>;
  refusals: TimelineEntry[];
}

// ---------------------------------------------------------------------------------------------
// Token
// ---------------------------------------------------------------------------------------------

/**
 * `GET /tokens/{tokenId}?limit&cursor` (`tokens:read`, existing): the token's state and facts, the
 * first page of its timeline (oldest first), its latest 20 decisions (with the rules that fired) and
 * 20 audit records (newest first), every lifecycle action with the rule forbidding it, and a request
 * the network accepted whose event has not arrived yet.
 */
export interface TokenView {
  token: TokenState & { version: number };
  timeline: Page<TimelineEntry>;
  decisions: DecisionRecord[];
  audit: AuditRecord[];
  allowedActions: AllowedAction[];
  pendingRequest?: PendingRequest;
}

/**
 * `GET /tokens/{tokenId}/timeline?limit=1..200&cursor` (`tokens:read`): one page of the token's
 * timeline, oldest first; pass `nextCursor` back for the next page (a cursor of another query: 400).
 */
export interface TimelinePage extends Page<TimelineEntry> {
  tokenId: string;
}

/** A challenge without its code (the API never returns one). */
export type ChallengeView = Omit<Challenge, 'sealedOtp'>;

/** `GET /tokens/{tokenId}/challenges` (`tokens:read`, existing): ID&V challenges, newest first. */
export interface ChallengesView {
  tokenId: string;
  challenges: ChallengeView[];
}

/**
 * `GET /cs/tokens/{tokenId}/token` (`tokens:read`, existing): what MDES says of the token now;
 * `suspenders` there (see {@link SearchedToken}) explains a multi-suspender situation.
 */
export interface CsTokenReadResult {
  operation: string;
  customerId: string;
  tokenId?: string;
  tokenUniqueReference: string;
  outcome: 'DONE';
  statusBefore?: CsTokenStatus;
  suspendersBefore?: string[];
  mdes: unknown;
  auditId: string;
}

// ---------------------------------------------------------------------------------------------
// Actions (lifecycle, both networks)
// ---------------------------------------------------------------------------------------------

/**
 * Body of `POST /tokens/{tokenId}/suspend|resume|delete|activate|approve-device-binding` and of
 * `POST /cards/{cardId}/tokens/suspend|resume|delete` (`tokens:write`). `activationCode` only for
 * activate; `method` only for approve-device-binding. Comment: ≤ 200 characters, no control characters.
 */
export interface ActionRequest {
  reason: LifecycleReason;
  comment?: string;
  activationCode?: string;
  method?: 'DEFAULT' | 'CALL_CENTER' | 'BANK_APP';
}

/**
 * `POST /tokens/{tokenId}/{action}` → 202: the network accepted it (`REQUESTED`; our status follows
 * the network's event, `expectedStatus`) or nothing needed sending (`ALREADY_DONE`). 409: a status
 * rule forbids it (message names the rule; nothing sent). 422: the network refused (its code in the
 * message). 502/503: the network was unavailable, nothing was changed.
 */
export interface TokenActionResult {
  tokenId: string;
  action: LifecycleAction;
  network?: string;
  route: 'pismo' | 'mdes';
  outcome: 'REQUESTED' | 'ALREADY_DONE';
  statusBefore?: string;
  expectedStatus?: string;
  operatorId?: string;
  /** MDES: suspenders before the call; after a resume, the others still suspending it (only each can lift its own). */
  suspendersBefore?: string[];
  stillSuspendedBy?: string[];
  note?: string;
  auditId: string;
}

/** One token's result in a card or device action. */
export interface TokenOutcome {
  tokenId: string;
  network?: string;
  statusBefore?: string;
  /** REQUESTED: sent and accepted; SKIPPED: a rule forbids it (nothing sent); FAILED: refused or unavailable; UNKNOWN: sent, answer unclear (re-run safely). */
  result: 'REQUESTED' | 'SKIPPED' | 'FAILED' | 'UNKNOWN';
  pismoStatus?: string;
  rule?: string;
  errorCode?: string;
  message?: string;
  httpStatus?: number;
  auditId?: string;
}

/** `POST /cards/{cardId}/tokens/suspend|resume|delete` → 200 (409 when no token allows it). */
export interface CardActionResult {
  cardId: string;
  action: string;
  operatorId: string;
  results: TokenOutcome[];
  note?: string;
}

/** Body of `POST /devices/tokens/suspend` ("device lost"): the device's tokens on these cards (1-20). */
export interface DeviceSuspendRequest {
  deviceId: string;
  cardIds: string[];
  reason: LifecycleReason;
  comment?: string;
}

/** `POST /devices/tokens/suspend` → 200: one result per token of the device (404: none). */
export interface DeviceSuspendResult {
  deviceId: string;
  results: TokenOutcome[];
}

// ---------------------------------------------------------------------------------------------
// Decisions
// ---------------------------------------------------------------------------------------------

/** A stored decision with where it is recorded (its token, its card, or the day of an unattributable request). */
export type DecisionListItem = DecisionRecord & { owner: DecisionOwner };

/**
 * `GET /decisions?from=YYYY-MM-DD&to=YYYY-MM-DD&limit=1..200&cursor` (`tokens:read`): the stored
 * decision records of those UTC days (inclusive; at most 31 days; default the last 7), newest first,
 * one page at a time.
 */
export interface DecisionsPage extends Page<DecisionListItem> {
  from: string;
  to: string;
}

/** One UTC day of decisions. */
export interface DecisionDayStats {
  day: string;
  total: number;
  /** By wire decision (APPROVED, REQUIRE_ADDITIONAL_AUTHENTICATION, DECLINED, …). */
  byDecision: Record<string, number>;
  byReasonCode: Record<string, number>;
  /** Decisions the shadow rule set decided differently. */
  shadowDisagreements: number;
  /** Decisions whose record could not be written in time (stored later or counted only). */
  storeFailures: number;
}

/** How often one rule fired in the period. */
export interface RuleFiring {
  id: string;
  fired: number;
  /** By outcome of the rule (APPROVE, REQUIRE_ID_AND_V, DECLINE). */
  byOutcome: Record<string, number>;
  /** Of which in the shadow rule set (not live). */
  shadowFired: number;
}

/**
 * `GET /decisions/stats?from&to` (`tokens:read`): counts per day by decision and reason code,
 * shadow-mode disagreements (and the latest 20 of them), and how often each rule fired, computed
 * from the stored decision records (at most 20,000 per call: `truncated` says when more were there).
 */
export interface DecisionStats {
  from: string;
  to: string;
  total: number;
  /** Oldest first, one entry per day of the period (zeros included). */
  days: DecisionDayStats[];
  /** Most fired first. */
  rules: RuleFiring[];
  shadow: {
    /** Decisions also decided by a shadow rule set. */
    compared: number;
    disagreements: number;
    /** Live decision → shadow decision → count, for the disagreements. */
    pairs: { live: string; shadow: string; count: number }[];
    ruleSetVersions: string[];
    /** The latest disagreements (at most 20), newest first. */
    latest: {
      decisionId: string;
      decidedAt: string;
      owner: DecisionOwner;
      live: string;
      shadow: string;
      ruleSetVersion?: string;
      shadowRuleSetVersion: string;
    }[];
  };
  scanned: number;
  truncated: boolean;
}

// ---------------------------------------------------------------------------------------------
// System
// ---------------------------------------------------------------------------------------------

/**
 * `GET /cs/system-status?customer=` (`tokens:read`, existing): MDES System Status for one MDES
 * customer and the state of the circuit breaker in front of MDES (of the function instance that
 * answered). 502/503 when MDES is unavailable.
 */
export interface SystemStatusView {
  customerId: string;
  circuit: 'closed' | 'open' | 'halfOpen';
  mdes: { SystemStatusResponse?: { CommentText?: string; LastStatusDateTime?: string } };
}

/** One customer's Mastercard keys as the daily key monitor last saw them. */
export interface CustomerKeyExpiry {
  customerId: string;
  /** When the monitor read the keys. */
  checkedAt: string;
  /** Days until the first key expires, counted now (negative: expired); absent when the check failed. */
  daysToExpiry?: number;
  level: 'OK' | 'WARNING' | 'CRITICAL' | 'EXPIRED' | 'UNKNOWN';
  keys: { key: string; notAfter: string; daysToExpiry: number }[];
  /** Why the check failed (the secret could not be read…). */
  error?: string;
}

/**
 * `GET /keys/expiry` (`tokens:read`): days until each Mastercard key expires, per MDES customer,
 * from the daily key monitor's latest report (recounted to now); a customer the monitor never
 * checked is absent. Read-only: no key material, only key names (consumer key / certificate) and dates.
 */
export interface KeyExpiryView {
  thresholds: { warning: number; critical: number };
  customers: CustomerKeyExpiry[];
}

// ---------------------------------------------------------------------------------------------
// Reconciliation (existing)
// ---------------------------------------------------------------------------------------------

/** `GET /reconciliation/runs?limit&cursor` (`tokens:read`): runs, newest first. */
export type ReconciliationRunsPage = Page<ReconciliationRun>;

/** `GET /reconciliation/cards/{cardId}` (`tokens:read`): the card's latest result (404: never reconciled). */
export type CardReconciliationView = CardReconciliation;

/** `POST /reconciliation/cards/{cardId}` (`tokens:write`, body `{}` or `{ accountId }`): reconcile now. */
export interface ReconcileNowResult {
  run: ReconciliationRun;
  card?: CardReconciliation;
}
