/**
 * The API routes the console reads and acts through, typed by the console contract
 * (shared/console/contract.ts, types only: esbuild erases the import). The screens call these
 * functions only, so each route lives in one place.
 */
import type {
  ActionRequest,
  CardActionResult,
  CardView,
  ChallengesView,
  ConsoleSession,
  CsSearchResult,
  DecisionsPage,
  DecisionStats,
  DeviceSuspendRequest,
  DeviceSuspendResult,
  IdSearchResult,
  KeyExpiryView,
  SystemStatusView,
  TimelinePage,
  TokenActionResult,
  TokenView,
} from '../../../../shared/console/contract';
import type { Api } from './api';

export type * from '../../../../shared/console/contract';

const enc = encodeURIComponent;
const page = (limit: number, cursor?: string) => `limit=${limit}${cursor ? `&cursor=${enc(cursor)}` : ''}`;

/** The network's name in an error ("Mastercard unavailable, nothing was changed"). */
export const networkName = (n: string | undefined) => (n === 'VTS' ? 'Visa' : n === 'MDES' ? 'Mastercard' : undefined);

export const getMe = (api: Api) => api.get<ConsoleSession>('/me');

export const searchById = (api: Api, by: 'cardId' | 'tokenId' | 'tur', value: string) =>
  api.get<IdSearchResult>(`/search?${by}=${enc(value)}`);

/** A PAN search: the PAN goes in this POST body only, never in a URL. */
export const searchByPan = (api: Api, pan: string) =>
  api.post<CsSearchResult>('/cs/search', { AccountPan: pan }, 'Mastercard');

export const getCard = (api: Api, cardId: string) => api.get<CardView>(`/cards/${enc(cardId)}`);

export const getToken = (api: Api, tokenId: string) => api.get<TokenView>(`/tokens/${enc(tokenId)}?limit=20`);

export const getTimeline = (api: Api, tokenId: string, cursor?: string) =>
  api.get<TimelinePage>(`/tokens/${enc(tokenId)}/timeline?${page(20, cursor)}`);

export const getChallenges = (api: Api, tokenId: string) =>
  api.get<ChallengesView>(`/tokens/${enc(tokenId)}/challenges`).then((r) => r.challenges);

/** Who holds a suspension on an MDES token now (MDES Search by TUR): explains a multi-suspender situation. */
export const getMdesSuspenders = (api: Api, tur: string) =>
  api
    .post<CsSearchResult>('/cs/search', { TokenUniqueReference: tur }, 'Mastercard')
    .then((r) => r.tokens.find((t) => t.tokenUniqueReference === tur)?.suspenders ?? []);

const ACTION_PATH: Record<string, string> = { approveDeviceBinding: 'approve-device-binding' };

export const tokenAction = (api: Api, tokenId: string, action: string, body: ActionRequest, network?: string) =>
  api.post<TokenActionResult>(`/tokens/${enc(tokenId)}/${ACTION_PATH[action] ?? action}`, body, networkName(network));

export const cardAction = (api: Api, cardId: string, action: string, body: ActionRequest) =>
  api.post<CardActionResult>(`/cards/${enc(cardId)}/tokens/${action}`, body, 'Pismo');

export const deviceLost = (api: Api, body: DeviceSuspendRequest) =>
  api.post<DeviceSuspendResult>('/devices/tokens/suspend', body, 'The network');

export const getDecisionStats = (api: Api) => api.get<DecisionStats>('/decisions/stats');

export const getDecisions = (api: Api, cursor?: string) => api.get<DecisionsPage>(`/decisions?${page(50, cursor)}`);

export const getSystemStatus = (api: Api, customer?: string) =>
  api.get<SystemStatusView>(`/cs/system-status${customer ? `?customer=${enc(customer)}` : ''}`, 'Mastercard');

export const getKeyExpiry = (api: Api) => api.get<KeyExpiryView>('/keys/expiry');
