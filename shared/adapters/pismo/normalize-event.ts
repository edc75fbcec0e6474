import type { ActivationMethod, Network, PanSourceLabel, TokenEvent, TokenFacts } from '../../domain/token-event';
import type { TokenStatus } from '../../domain/token-status';
import { mdesEventRequestor, mdesStorageTechnology, mdesWalletName } from '../../domain/wallets';
import type { PismoEvent } from './event-schemas';
import { int, type Obj, obj, text } from './network-fields';

// ─── UNCONFIRMED ────────────────────────────────────────────────────────────────────────────────
// Every reading in this block is ours: Pismo's recovered pages and examples do not state it. Each
// one is kept here, in one place, so it can be checked against Pismo's sandbox and changed alone.

/** MDES TV event indicator 6 (suspended): Mastercard's convention; Pismo documents 3, 4, 7, 9 only. */
const MDES_TV_STATUS: Readonly<Record<string, TokenStatus>> = {
  '3': 'deleted',
  '4': 'deleted',
  '6': 'suspended',
  '7': 'active',
};

/** MDES TC final tokenization decision: 2 is what the seed's ID&V (AC then TC) flow shows. */
const MDES_FINAL_DECISION_LABELS: Readonly<Record<string, string>> = {
  '1': 'approved',
  '2': 'approved after additional authentication',
};

/**
 * Pismo token status words (patch `patch.status`, token_resync `detail.status`, VTS tokenStatus).
 * INACTIVE (provisioned, not yet activated) → pending_idv is our reading of "requested/pending".
 */
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

/**
 * VTS call methods Pismo lists, with the status each implies (undefined: the method itself says
 * no status; a `tokenInfo.tokenStatus` in the message still applies). Pismo's enum names them
 * without semantics: call-centre activation and STIP activation are activations; device binding
 * removed, step-up result, LUK replenishment and device provisioning result leave the token as it is.
 * The misspelled approve-provisioning methods were seen in Pismo's material and are accepted.
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
  VTS_TOKEN_CREATE_NOTIFICATION: 'active',
  VTS_TOKEN_ACTIVATION_STIP: 'active',
  VTS_DEVICE_BINDING: undefined,
  VTS_STATUS_UPDATED_TOKEN_DEACTIVATED: 'deleted',
  VTS_STATUS_UPDATED_TOKEN_SUSPEND: 'suspended',
  VTS_STATUS_UPDATED_TOKEN_RESUME: 'active',
  VTS_STATUS_UPDATED_TOKEN_ACTIVATED: 'active',
  VTS_STATUS_UPDATED_CALL_CENTER_ACTIVATION: 'active',
  VTS_STATUS_UPDATED_TOKEN_DEVICE_BINDING_REMOVED: undefined,
  VTS_STATUS_UPDATED_CARDHOLDER_STEPUP_RESULT: undefined,
  VTS_STATUS_UPDATED_LUK_REPLENISHMENT: undefined,
  VTS_STATUS_UPDATED_DEVICE_PROVISIONING_RESULT: undefined,
  VTS_STATUS_UPDATED_OTP_VERIFICATION_RESULT: undefined,
  VTS_STATUS_UPDATED_DEVICE_BINDING_RESULT: undefined,
  VTS_STATUS_UPDATED_TOKEN_EXPIRY_UPDATED: undefined,
  VTS_STATUS_UPDATED_PAN_UPDATE: undefined,
};

/** Refusal methods name the network with a prefix (`ISO_MDES_TA`); the rest is the MDES message. */
const MDES_METHOD_PREFIX = 'ISO_MDES_';

/**
 * PAN source labels. MDES 1/2/3 and VTS KEY_ENTERED/ON_FILE are documented; the other VTS words
 * are from Visa's vocabulary.
 */
const PAN_SOURCE_LABELS: Readonly<Record<string, PanSourceLabel>> = {
  '1': 'card on file',
  '2': 'manual',
  '3': 'via application',
  ON_FILE: 'card on file',
  CARD_ON_FILE: 'card on file',
  KEY_ENTERED: 'manual',
  MANUAL: 'manual',
  MOBILE_BANKING_APP: 'via application',
  ISSUER_APP: 'via application',
};

/**
 * `send_challenge.otp_method` inside a notification: Pismo's examples are truncated, so the
 * send_challenge event's `otp_type` words (OTPSMS, OTPEMAIL…) and plain channel names are accepted.
 */
function pismoOtpMethod(v: string | null | undefined): ActivationMethod | undefined {
  const w = v?.toUpperCase().replace(/[^A-Z]/g, '');
  if (!w) return undefined;
  if (w.includes('SMS')) return 'SMS';
  if (w.includes('MAIL')) return 'EMAIL';
  if (w.includes('CALL')) return 'CALL_CENTER';
  if (w.includes('APP')) return 'APP_TO_APP';
  return undefined;
}
// ─── end of UNCONFIRMED ─────────────────────────────────────────────────────────────────────────

/** Fact strings are capped: they are copied into the state and every timeline entry. */
const MAX_FACT_LENGTH = 256;

/** Drops undefined fields so facts only carry what the event said; caps strings. */
function compact(facts: TokenFacts): TokenFacts {
  return Object.fromEntries(
    Object.entries(facts)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, typeof v === 'string' ? v.slice(0, MAX_FACT_LENGTH) : v]),
  ) as TokenFacts;
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

/** `YYYY-MM` from a year and month, when both are plausible. */
function yearMonth(year: number, month: number): string | undefined {
  if (!(month >= 1 && month <= 12 && year >= 2000 && year <= 2099)) return undefined;
  return `${year}-${String(month).padStart(2, '0')}`;
}

/** MDES `YYMM` (DE48 SE33 SF3) → `YYYY-MM`. */
function mdesExpiry(v: unknown): string | undefined {
  const m = text(v)?.match(/^(\d{2})(\d{2})$/);
  return m ? yearMonth(2000 + Number(m[1]), Number(m[2])) : undefined;
}

/** VTS `{month, year}` → `YYYY-MM`. */
function vtsExpiry(v: unknown): string | undefined {
  const o = obj(v);
  const year = int(o?.year);
  const month = int(o?.month);
  return year !== undefined && month !== undefined ? yearMonth(year < 100 ? 2000 + year : year, month) : undefined;
}

/** Pismo's `YYYY-MM` (token_resync `token_expiration_date`). */
function pismoExpiry(v: unknown): string | undefined {
  const m = text(v)?.match(/^(\d{4})-(\d{2})$/);
  return m ? yearMonth(Number(m[1]), Number(m[2])) : undefined;
}

function panSourceLabel(code: string | undefined): PanSourceLabel | undefined {
  return code ? PAN_SOURCE_LABELS[code.toUpperCase()] : undefined;
}

function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  const t = text(v)?.toLowerCase();
  return t === 'true' ? true : t === 'false' ? false : undefined;
}

function statusWord(v: unknown): TokenStatus | undefined {
  const w = text(v)?.toUpperCase();
  return w ? STATUS_WORDS[w] : undefined;
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

const MDES_ACTIVATION_METHOD: Readonly<Record<string, ActivationMethod>> = {
  '1': 'SMS',
  '2': 'EMAIL',
  '3': 'CALL_CENTER',
  '6': 'APP_TO_APP',
};

/** VTS otpMethodIdentifier values documented on Pismo's page. */
const VTS_OTP_METHODS: Readonly<Record<string, ActivationMethod>> = {
  kdaufuf783jnch: 'SMS',
  kda74290fjfn84: 'EMAIL',
  jjfa8f7jnfyfgg: 'APP_TO_APP',
  kfa87fjrnnyuvy: 'CALL_CENTER',
};

/** Pismo `send_challenge.otp_type` (documented: OTPSMS, OTPEMAIL; the others named in the guide). */
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
    tokenExpiry: mdesExpiry(se33.sf3_expiration_date),
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
    const decision = text(tc.sf5_final_token_decision);
    facts.correlationId = text(tc.sf1_correlation_id);
    facts.activeTokens = int(tc.sf2_number_of_active_tokens);
    facts.consumerLanguage = text(tc.sf3_consumer_language);
    facts.deviceName = text(tc.sf4_device_name);
    facts.finalTokenDecision = decision;
    facts.finalTokenDecisionLabel = decision ? MDES_FINAL_DECISION_LABELS[decision] : undefined;
    facts.finalTokenDecisionIndicator = text(tc.sf6_final_token_decision_indicator);
    // Pismo spells the field "attemps"; the correct spelling is read too.
    facts.activationAttempts = int(tc.sf9_number_of_activation_attemps) ?? int(tc.sf9_number_of_activation_attempts);
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
  facts.panSourceLabel = panSourceLabel(facts.panSource);
  return { network: 'MDES', recognized: MDES_METHODS.has(method), status, facts };
}

function vtsFacts(method: string, nd: Obj): Derived {
  const device = obj(nd.deviceInfo) ?? {};
  const tokenInfo = obj(nd.tokenInfo) ?? {};
  const risk = obj(nd.riskInformation) ?? {};
  const otpMethodId = text(nd.otpMethodIdentifier);
  const panSource = text(nd.panSource);
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
    deviceOs: text(device.osType),
    deviceOsVersion: text(device.osVersion),
    panSource,
    panSourceLabel: panSourceLabel(panSource),
    tokenType: text(tokenInfo.tokenType),
    tokenExpiry: vtsExpiry(tokenInfo.tokenExpirationDate),
    activeTokens: int(tokenInfo.numberOfActiveTokensForPAN) ?? int(risk.numberOfActiveTokens),
    eventReason: text(nd.messageReasonCode),
    messageReason: text(nd.messageReason),
    networkEventAt: isoDate(nd.dateTimeOfEvent),
    otpReason: text(nd.otpReason),
    otpMaxReached: bool(nd.otpMaxReached),
    challengeExpiresAt: isoDate(nd.otpExpirationDate),
    activationMethod: otpMethodId ? VTS_OTP_METHODS[otpMethodId] : undefined,
  };
  const status = statusWord(tokenInfo.tokenStatus) ?? VTS_METHOD_STATUS[method];
  return { network: 'VTS', recognized: Object.hasOwn(VTS_METHOD_STATUS, method), status, facts };
}

function networkOf(method: string, brand: string | undefined, nd: Obj): Network {
  const b = brand?.toLowerCase();
  if (b === 'mdes' || b === 'vts') return b === 'mdes' ? 'MDES' : 'VTS';
  if (method.startsWith('VTS_')) return 'VTS';
  if (MDES_METHODS.has(method) || obj(nd.de124_member_defined_data)) return 'MDES';
  return 'UNKNOWN';
}

/** Facts and status from the network's own message (notification and notification_refusal). */
function fromNetworkData(rawMethod: string, brand: string | undefined, nd: Obj): Derived {
  const method = rawMethod.startsWith(MDES_METHOD_PREFIX) ? rawMethod.slice(MDES_METHOD_PREFIX.length) : rawMethod;
  const network = rawMethod.startsWith(MDES_METHOD_PREFIX) ? 'MDES' : networkOf(method, brand, nd);
  if (network === 'MDES') return mdesFacts(method, nd);
  if (network === 'VTS') return vtsFacts(method, nd);
  return { network, recognized: false, facts: {} };
}

/** Token ids in `migrated_tokens` (documented as an array; rendered once as a nested array). */
function tokenIds(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const ids = v
    .flatMap((x: unknown) => (Array.isArray(x) ? (x as unknown[]) : [x]))
    .map((x) => text(x))
    .filter((x): x is string => x !== undefined && /^[A-Za-z0-9_-]{1,64}$/.test(x));
  return ids.slice(0, 100);
}

/** What an event says, by kind; the envelope-level fields are added by the caller. */
interface Reading extends Derived {
  callMethod: string;
  tokenId: string | null;
  cardId: string | null;
  otherCardIds?: string[];
  accountId?: string;
}

function read(event: PismoEvent): Reading {
  switch (event.kind) {
    case 'notification':
    case 'notification_refusal': {
      const { data } = event;
      const derived = fromNetworkData(data.network_call_method, data.network_brand, data.network_data ?? {});
      const facts: TokenFacts = {
        ...derived.facts,
        programId: data.program_id,
        customCodes: data.custom_codes,
      };
      let { status } = derived;
      if (event.kind === 'notification_refusal') {
        // A refusal is about a provisioning attempt that never became a usable token.
        status = data.token_id ? 'declined' : undefined;
      } else if (data.send_challenge) {
        facts.activationMethod = pismoOtpMethod(data.send_challenge.otp_method) ?? facts.activationMethod;
      }
      return {
        ...derived,
        status,
        facts,
        callMethod: data.network_call_method,
        tokenId: data.token_id ?? null,
        cardId: data.card_id ?? null,
        accountId: data.account_id ?? undefined,
      };
    }
    case 'patch': {
      const { data } = event;
      const word = data.patch?.status;
      const status = statusWord(word);
      return {
        network: 'UNKNOWN',
        // An unknown status word is stored and counted, like an unknown call method.
        recognized: !word || status !== undefined,
        status,
        facts: {},
        callMethod: 'PATCH',
        tokenId: data.token_id ?? null,
        cardId: data.card_id ?? null,
        accountId: data.account_id ?? undefined,
      };
    }
    case 'pan_update': {
      const { data } = event;
      const cardId = data.old_card_id ?? data.new_card_id ?? null;
      const other = data.new_card_id && data.new_card_id !== cardId ? [data.new_card_id] : undefined;
      return {
        network: 'UNKNOWN',
        recognized: true,
        facts: {
          panUpdateStatus: text(data.status),
          panUpdateReasonCode: text(data.reason_code),
          migratedTokenIds: tokenIds(data.migrated_tokens),
        },
        callMethod: 'PAN_UPDATE',
        tokenId: null,
        cardId,
        otherCardIds: other,
        accountId: data.account_id ?? undefined,
      };
    }
    case 'send_challenge': {
      const { data } = event;
      const type = data.otp_type?.toUpperCase();
      return {
        network: 'UNKNOWN',
        recognized: true,
        status: 'pending_idv',
        facts: { activationMethod: type ? (PISMO_OTP_TYPES[type] ?? pismoOtpMethod(type)) : undefined },
        callMethod: 'SEND_CHALLENGE',
        tokenId: data.token_id ?? null,
        cardId: data.card_id ?? null,
      };
    }
    case 'token_resync': {
      const { data } = event;
      const d = data.detail ?? {};
      const brand = data.network?.toLowerCase();
      const panSource = text(d.pan_source);
      return {
        network: brand === 'mdes' ? 'MDES' : brand === 'vts' ? 'VTS' : 'UNKNOWN',
        recognized: true,
        status: statusWord(d.status ?? data.token_status),
        facts: {
          tokenUniqueReference: text(d.token_unique_reference) ?? text(data.token_unique_reference),
          panReference: text(d.pan_unique_reference),
          panSource,
          panSourceLabel: panSourceLabel(panSource),
          tokenType: text(d.token_type),
          tokenActivatedAt: isoDate(d.token_activation_date),
          tokenExpiry: pismoExpiry(d.token_expiration_date),
          tokenRequestorId: text(d.token_requestor),
          deviceId: text(d.device_id),
        },
        callMethod: 'TOKEN_RESYNC',
        tokenId: data.token_id ?? null,
        cardId: data.card_id ?? null,
        accountId: data.account_id ?? undefined,
      };
    }
    case 'unknown': {
      const { data } = event;
      return {
        network: 'UNKNOWN',
        recognized: false,
        facts: {},
        callMethod: event.event_type.toUpperCase(),
        tokenId: data.token_id ?? null,
        cardId: data.card_id ?? null,
        accountId: data.account_id ?? undefined,
      };
    }
  }
}

/**
 * Normalises a validated Pismo event into the network-agnostic {@link TokenEvent}.
 * Pure; reads only non-sensitive fields (never the OTP, activation code, PAN or CVV).
 */
export function normalizePismoEvent(event: PismoEvent): TokenEvent {
  const r = read(event);
  return {
    eventId: event.event_id,
    eventType: event.event_type,
    schemaVersion: event.schema_version,
    occurredAt: new Date(event.timestamp).toISOString(),
    tokenId: r.tokenId,
    cardId: r.cardId,
    otherCardIds: r.otherCardIds,
    callMethod: r.callMethod,
    recognized: r.recognized,
    status: r.status,
    facts: compact({
      ...r.facts,
      // An event that does not say its network must not overwrite the one an earlier event said.
      network: r.network === 'UNKNOWN' ? undefined : r.network,
      orgId: event.org_id,
      cardId: r.cardId ?? undefined,
      accountId: r.accountId,
    }),
  };
}
