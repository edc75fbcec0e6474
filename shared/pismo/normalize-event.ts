import type { ActivationMethod, Network, TokenEvent, TokenFacts } from '../domain/token-event';
import type { TokenStatus } from '../domain/token-status';
import { mdesEventRequestor, mdesStorageTechnology, mdesWalletName } from '../domain/wallets';
import type { PismoEvent } from './event-schemas';
import { int, type Obj, obj, text } from './network-fields';

/** Drops undefined fields so facts only carry what the event said. */
function compact(facts: TokenFacts): TokenFacts {
  return Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined)) as TokenFacts;
}

/** MDES `YYMMDDhhmm` (UTC) → ISO-8601, or undefined if malformed. */
function mdesDateTime(v: unknown): string | undefined {
  const t = text(v);
  const m = t?.match(/^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/);
  if (!m) return undefined;
  const d = new Date(Date.UTC(2000 + Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5])));
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function isoDate(v: unknown): string | undefined {
  const t = text(v);
  if (t === undefined) return undefined;
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** VTS sends deviceName base64-encoded; keep the decoded name when it is printable text. */
function vtsDeviceName(v: unknown): string | undefined {
  const t = text(v);
  if (t === undefined) return undefined;
  if (/^[A-Za-z0-9+/]+=*$/.test(t) && t.length % 4 === 0) {
    const decoded = Buffer.from(t, 'base64').toString('utf8');
    if (/^[\x20-\x7E]{1,64}$/.test(decoded)) return decoded;
  }
  return t.slice(0, 64);
}

const MDES_METHODS = new Set(['TE', 'TA', 'AC', 'TC', 'TV']);

/** Status implied by an MDES message; TV depends on its event indicator. */
const MDES_STATUS: Readonly<Record<string, TokenStatus>> = {
  TE: 'requested',
  TA: 'requested',
  AC: 'pending_idv',
  TC: 'active',
};

/** MDES TV event indicator (DE124 SF2) → status. 9 (replaced) and unknown codes do not move status. */
const MDES_TV_STATUS: Readonly<Record<string, TokenStatus>> = {
  '3': 'deleted',
  '4': 'deleted',
  '6': 'suspended',
  '7': 'active',
};

const MDES_ACTIVATION_METHOD: Readonly<Record<string, ActivationMethod>> = {
  '1': 'SMS',
  '2': 'EMAIL',
  '3': 'CALL_CENTER',
  '6': 'APP_TO_APP',
};

/**
 * VTS call methods we know, with the status each implies (undefined: no status change).
 * Pismo's own misspellings of the approve-provisioning methods are accepted.
 */
const VTS_METHOD_STATUS: Readonly<Record<string, TokenStatus | undefined>> = {
  VTS_CHECK_ELIGIBILITY: 'requested',
  VTS_APPROVE_PROVISIONING: 'requested',
  VTS_APPROVE_PROVSIONING: 'requested',
  VTS_APPROVE_PROVISIONING_ISO: 'requested',
  VTS_APPROVE_PROVISIONG_ISO: 'requested',
  VTS_GET_CVM: 'pending_idv',
  VTS_PASSCODE: 'pending_idv',
  VTS_TOKEN_CREATED: 'active',
  VTS_DEVICE_BINDING: undefined,
  VTS_STATUS_UPDATED_TOKEN_DEACTIVATED: 'deleted',
  VTS_STATUS_UPDATED_TOKEN_SUSPEND: 'suspended',
  VTS_STATUS_UPDATED_TOKEN_RESUME: 'active',
  VTS_STATUS_UPDATED_TOKEN_ACTIVATED: 'active',
  VTS_STATUS_UPDATED_OTP_VERIFICATION_RESULT: undefined,
  VTS_STATUS_UPDATED_DEVICE_BINDING_RESULT: undefined,
  VTS_STATUS_UPDATED_TOKEN_EXPIRY_UPDATED: undefined,
  VTS_STATUS_UPDATED_PAN_UPDATE: undefined,
};

/** Network token status words (VTS tokenStatus, token_resync) → our status. */
const STATUS_WORDS: Readonly<Record<string, TokenStatus>> = {
  ACTIVE: 'active',
  SUSPENDED: 'suspended',
  DEACTIVATED: 'deleted',
  DELETED: 'deleted',
  INACTIVE: 'pending_idv',
  PENDING: 'pending_idv',
  DECLINED: 'declined',
  FAILED: 'failed',
};

/** VTS otpMethodIdentifier values documented on Pismo's page. */
const VTS_OTP_METHODS: Readonly<Record<string, ActivationMethod>> = {
  kdaufuf783jnch: 'SMS',
  kda74290fjfn84: 'EMAIL',
  jjfa8f7jnfyfgg: 'APP_TO_APP',
  kfa87fjrnnyuvy: 'CALL_CENTER',
};

const PISMO_OTP_TYPES: Readonly<Record<string, ActivationMethod>> = {
  OTPSMS: 'SMS',
  OTPEMAIL: 'EMAIL',
  OTPAPP: 'APP_TO_APP',
  OTPCALL: 'CALL_CENTER',
};

interface Derived {
  network: Network;
  recognized: boolean;
  status?: TokenStatus;
  facts: TokenFacts;
}

function mdesFacts(method: string, nd: Obj): Derived {
  const de48 = obj(nd.de48_additional_data_private_user) ?? {};
  const se33 = obj(de48.se33_pan_mapping_file_information) ?? {};
  const mdes = obj(obj(nd.de124_member_defined_data)?.mdes_data) ?? {};
  const walletId = text(obj(de48.se26_wallet_program_data)?.sf1_wallet_identifier);
  const storageCode = text(se33.sf8_storage_technology);
  const facts: TokenFacts = {
    walletId,
    walletName: walletId ? (mdesWalletName(walletId) ?? `MDES wallet ${walletId}`) : undefined,
    tokenRequestorId: text(se33.sf6_token_requestor_id),
    storageTechnologyCode: storageCode,
    storageTechnology: storageCode ? mdesStorageTechnology(storageCode) : undefined,
    deviceType: text(obj(de48.se23_payment_initiation_channel)?.sf1_device_type),
  };
  let status = MDES_STATUS[method];
  const ta = obj(mdes.token_authorization);
  const te = obj(mdes.token_eligibility);
  const ac = obj(mdes.activation_code);
  const tc = obj(mdes.tokenization_complete);
  const tv = obj(mdes.tokenization_event_notification);
  const head = ta ?? te;
  if (head) {
    facts.correlationId = text(head.sf1_correlation_id);
    facts.panSource = text(head.sf2_primary_account_number_source);
    facts.paymentAppInstanceId = text(head.sf3_payment_application_instance_id);
  }
  if (ta) {
    facts.activeTokens = int(ta.sf11_number_of_active_tokens);
    facts.tokenType = text(ta.sf15_token_type);
  }
  if (te) {
    facts.activeTokens = int(te.sf4_number_of_active_tokens);
    facts.tokenType = text(te.sf7_token_type);
  }
  if (ac) {
    // sf2_activation_code is the OTP itself: deliberately never read here.
    const pref = text(ac.sf4_consumer_activation_pref_method);
    facts.correlationId = text(ac.sf1_correlation_id);
    facts.challengeExpiresAt = mdesDateTime(ac.sf3_activation_code_expiration_date_time);
    if (pref) {
      facts.activationMethod = MDES_ACTIVATION_METHOD[pref.charAt(0)];
      facts.maskedDestination = text(pref.slice(1));
    }
  }
  if (tc) {
    facts.correlationId = text(tc.sf1_correlation_id);
    facts.activeTokens = int(tc.sf2_number_of_active_tokens);
    facts.consumerLanguage = text(tc.sf3_consumer_language);
    facts.deviceName = text(tc.sf4_device_name);
    facts.tokenUniqueReference = text(tc.sf10_token_unique_ref);
    facts.panReference = text(tc.sf11_pan_unique_ref);
    facts.tokenType = text(tc.sf12_token_type);
  }
  if (tv) {
    const indicator = text(tv.sf2_event_indicator);
    const requestor = text(tv.sf4_event_requestor);
    facts.correlationId = text(tv.sf1_correlation_id);
    facts.eventIndicator = indicator;
    facts.eventReason = text(tv.sf3_event_reason_code);
    facts.eventRequestor = requestor ? mdesEventRequestor(requestor) : undefined;
    status = indicator ? MDES_TV_STATUS[indicator] : undefined;
  }
  return { network: 'MDES', recognized: MDES_METHODS.has(method), status, facts };
}

function vtsFacts(method: string, nd: Obj): Derived {
  const device = obj(nd.deviceInfo) ?? {};
  const tokenInfo = obj(nd.tokenInfo) ?? {};
  const risk = obj(nd.riskInformation) ?? {};
  const otpMethodId = text(nd.otpMethodIdentifier);
  const known = Object.hasOwn(VTS_METHOD_STATUS, method);
  const word = text(tokenInfo.tokenStatus)?.toUpperCase();
  const facts: TokenFacts = {
    tokenUniqueReference: text(nd.tokenReferenceID),
    panReference: text(nd.panReferenceID),
    tokenRequestorId: text(nd.tokenRequestorID),
    walletAccountId: text(nd.clientWalletAccountID),
    deviceId: text(device.deviceID) ?? text(nd.deviceID),
    deviceType: text(device.deviceType),
    deviceBrand: text(device.deviceBrand),
    deviceModel: text(device.deviceModel),
    deviceName: vtsDeviceName(device.deviceName),
    panSource: text(nd.panSource),
    tokenType: text(tokenInfo.tokenType),
    activeTokens: int(tokenInfo.numberOfActiveTokensForPAN) ?? int(risk.numberOfActiveTokens),
    eventReason: text(nd.messageReasonCode),
    challengeExpiresAt: isoDate(nd.otpExpirationDate),
    activationMethod: otpMethodId ? VTS_OTP_METHODS[otpMethodId] : undefined,
  };
  const status = (word ? STATUS_WORDS[word] : undefined) ?? VTS_METHOD_STATUS[method];
  return { network: 'VTS', recognized: known, status, facts };
}

function networkOf(method: string, brand: 'mdes' | 'vts' | undefined, nd: Obj): Network {
  if (brand) return brand === 'mdes' ? 'MDES' : 'VTS';
  if (method.startsWith('VTS_')) return 'VTS';
  if (MDES_METHODS.has(method) || obj(nd.de124_member_defined_data)) return 'MDES';
  return 'UNKNOWN';
}

function fromNetworkData(method: string, brand: 'mdes' | 'vts' | undefined, nd: Obj): Derived {
  const network = networkOf(method, brand, nd);
  if (network === 'MDES') return mdesFacts(method, nd);
  if (network === 'VTS') return vtsFacts(method, nd);
  return { network, recognized: false, facts: {} };
}

/**
 * Normalises a validated Pismo event into the network-agnostic {@link TokenEvent}.
 * Pure; reads only non-sensitive fields (never the OTP, activation code, PAN or CVV).
 */
export function normalizePismoEvent(event: PismoEvent): TokenEvent {
  const { data } = event;
  const method = data.network_call_method ?? event.event_type.toUpperCase();
  const derived = fromNetworkData(method, data.network_brand, data.network_data ?? {});
  let { status, recognized } = derived;
  const facts: TokenFacts = { ...derived.facts };

  if (event.event_type === 'notification_refusal') {
    // A refusal is about a provisioning attempt that never became a token.
    status = data.token_id === null ? undefined : 'declined';
  } else if (event.event_type === 'send_challenge') {
    const otpType = event.data.otp_type ?? event.data.otp_method;
    status = 'pending_idv';
    recognized = true;
    facts.activationMethod = (otpType && PISMO_OTP_TYPES[otpType.toUpperCase()]) || facts.activationMethod;
    facts.challengeExpiresAt = isoDate(event.data.otp_expiration_date) ?? facts.challengeExpiresAt;
  } else if (event.event_type === 'token_resync') {
    const word = event.data.token_status?.toUpperCase();
    status = (word && STATUS_WORDS[word]) || status;
    recognized = true;
    facts.tokenUniqueReference = event.data.token_unique_reference ?? facts.tokenUniqueReference;
  }

  return {
    eventId: event.event_id,
    eventType: event.event_type,
    occurredAt: new Date(event.timestamp).toISOString(),
    tokenId: data.token_id,
    cardId: data.card_id,
    callMethod: method,
    recognized,
    status,
    facts: compact({
      ...facts,
      network: derived.network,
      orgId: event.org_id,
      cardId: data.card_id,
      accountId: data.account_id ?? undefined,
      customCodes: data.custom_codes,
    }),
  };
}
