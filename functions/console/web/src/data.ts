/**
 * The API routes the console reads and acts through, and the shapes it uses from their answers. The
 * screens call these functions only, so a route lives in one place.
 */
import type { Api } from './api';

export interface AllowedAction {
  action: string;
  allowed: boolean;
  rule?: string;
}

export interface TokenFacts {
  network?: string;
  cardId?: string;
  accountId?: string;
  tokenUniqueReference?: string;
  walletId?: string;
  walletName?: string;
  tokenRequestorId?: string;
  deviceId?: string;
  deviceName?: string;
  deviceType?: string;
  tokenType?: string;
  tokenExpiry?: string;
  panSourceLabel?: string;
  [k: string]: unknown;
}

export interface TokenState {
  tokenId: string;
  status?: string;
  statusAt?: string;
  facts: TokenFacts;
  firstEventAt?: string;
  lastEventAt?: string;
}

export interface TimelineEntry {
  eventId: string;
  eventType: string;
  occurredAt: string;
  status?: string;
  note?: string;
  callMethod?: string;
  recognized?: boolean;
}

export interface DecisionRecord {
  decisionId: string;
  decidedAt: string;
  decision: string;
  reasonCodes: string[];
  ruleSetVersion?: string;
  firedRules: { id: string; outcome: string; reasonCode: string }[];
  shadow?: { ruleSetVersion: string; decision: string; reasonCodes: string[] };
  network?: string;
  cardId?: string;
  tokenId?: string;
}

export interface AuditRecord {
  auditId: string;
  at: string;
  operation: string;
  userId: string;
  userName: string;
  outcome: string;
  httpStatus?: number;
  reason?: string;
  parameters?: Record<string, string>;
  mdesReason?: string;
}

export interface Challenge {
  challengeId: string;
  method?: string;
  channel?: string;
  status?: string;
  createdAt?: string;
  expiresAt?: string;
  attempts?: number;
  [k: string]: unknown;
}

export interface PendingRequest {
  action: string;
  expectedStatus: string;
  requestedAt: string;
  userId: string;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface TokenView {
  token: TokenState;
  timeline: Page<TimelineEntry>;
  decisions: DecisionRecord[];
  audit: AuditRecord[];
  allowedActions: AllowedAction[];
  pendingRequest?: PendingRequest;
  /** Who else holds a suspension on the token (MDES multi-suspender: wallet, cardholder, mobile PIN…). */
  suspendedBy?: string[];
}

export interface CardView {
  cardId: string;
  tokens: Page<TokenState>;
  refusals: TimelineEntry[];
}

export interface ActionResult {
  tokenId?: string;
  outcome?: string;
  expectedStatus?: string;
  statusBefore?: string;
  stillSuspendedBy?: string[];
  note?: string;
}

export interface TokenOutcome {
  tokenId: string;
  network?: string;
  statusBefore?: string;
  result: string;
  rule?: string;
  errorCode?: string;
  message?: string;
  httpStatus?: number;
}

export interface BulkResult {
  results: TokenOutcome[];
}

export interface SearchHit {
  tokenId?: string;
  tur?: string;
  network?: string;
  status?: string;
  cardId?: string;
  wallet?: string;
  device?: string;
}

const enc = encodeURIComponent;

export const getToken = (api: Api, tokenId: string, cursor?: string) =>
  api.get<TokenView>(`/tokens/${enc(tokenId)}?limit=20${cursor ? `&cursor=${enc(cursor)}` : ''}`);

export const getChallenges = (api: Api, tokenId: string) =>
  api.get<{ challenges: Challenge[] }>(`/tokens/${enc(tokenId)}/challenges`).then((r) => r.challenges);

export const getCard = (api: Api, cardId: string, cursor?: string) =>
  api.get<CardView>(`/tokens?cardId=${enc(cardId)}&limit=100${cursor ? `&cursor=${enc(cursor)}` : ''}`);

const networkName = (n: string | undefined) => (n === 'vts' || n === 'visa' ? 'Visa' : 'Mastercard');

export const tokenAction = (api: Api, tokenId: string, action: string, body: object, network?: string) =>
  api.post<ActionResult>(
    `/tokens/${enc(tokenId)}/${action === 'approveDeviceBinding' ? 'approve-device-binding' : action}`,
    body,
    networkName(network),
  );

export const cardAction = (api: Api, cardId: string, action: string, body: object) =>
  api.post<BulkResult>(`/cards/${enc(cardId)}/tokens/${action}`, body, 'Pismo');

export const deviceLost = (
  api: Api,
  body: { deviceId: string; cardIds: string[]; reason: string; comment?: string },
) => api.post<BulkResult>('/devices/tokens/suspend', body, 'The network');

interface CsSearchAnswer {
  tokens: {
    tokenId?: string;
    tokenUniqueReference?: string;
    status?: string;
    walletId?: string;
    tokenRequestorId?: string;
    deviceName?: string;
  }[];
}

/** A TUR or PAN search (POST body only). */
export async function searchTokens(api: Api, kind: 'tur' | 'pan', value: string): Promise<SearchHit[]> {
  const body = kind === 'pan' ? { AccountPan: value } : { TokenUniqueReference: value };
  const answer = await api.post<CsSearchAnswer>('/cs/search', body);
  return answer.tokens.map((t) => ({
    tokenId: t.tokenId,
    tur: t.tokenUniqueReference,
    network: 'Mastercard',
    status: t.status,
    wallet: t.walletId ?? t.tokenRequestorId,
    device: t.deviceName,
  }));
}

export interface DecisionStats {
  from?: string;
  to?: string;
  perDay: { day: string; decision: string; reasonCode: string; count: number }[];
  shadowDisagreements: {
    decidedAt: string;
    tokenId?: string;
    cardId?: string;
    decision: string;
    shadowDecision: string;
    shadowRuleSetVersion?: string;
  }[];
  ruleFirings: { ruleId: string; count: number }[];
}

export const getDecisionStats = (api: Api) => api.get<DecisionStats>('/decisions/stats');

export const getDecisions = (api: Api, cursor?: string) =>
  api.get<Page<DecisionRecord>>(`/decisions?limit=50${cursor ? `&cursor=${enc(cursor)}` : ''}`);

export interface SystemView {
  mdesStatus?: string;
  circuit?: string;
  checkedAt?: string;
  other?: [string, unknown][];
  keys: { customerId?: string; label: string; expiresAt?: string; daysLeft?: number }[];
}

export const getSystem = (api: Api) => api.get<SystemView>('/system');
