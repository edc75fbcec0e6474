import type { DecisionSignals, Outcome } from '../../domain/decision';
import { mdesStorageTechnology, mdesWalletName } from '../../domain/wallets';
import * as z from '../../zod';
import { int, type Obj, obj, text } from './network-fields';

/**
 * Pismo's card-tokenization anti-fraud webhook request, per Pismo's documented fields. The top level
 * is loose (a new Pismo field must not turn a decision into a decline); the fields we use are strict.
 */
const id = z.pipe(
  z.union([
    z.int().check(z.nonnegative()),
    z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -')),
  ]),
  z.transform((v) => String(v)),
);

/** Call methods Pismo sends to this webhook, including Pismo's own misspellings. */
export const DECISION_CALL_METHODS = [
  'TA',
  'VTS_APPROVE_PROVISIONING',
  'VTS_APPROVE_PROVSIONING',
  'VTS_APPROVE_PROVISIONING_ISO',
  'VTS_APPROVE_PROVISIONG_ISO',
  'VTS_DEVICE_BINDING',
] as const;

export const decisionRequestSchema = z.looseObject({
  token_id: z.nullish(id),
  account_id: z.nullish(id),
  network_brand: z.pipe(
    z.enum(['mdes', 'vts', 'MDES', 'VTS']),
    z.transform((v) => v.toLowerCase() as 'mdes' | 'vts'),
  ),
  network_call_method: z.enum(DECISION_CALL_METHODS),
  custom_codes: z.nullish(z.array(z.string().check(z.minLength(1), z.maxLength(32))).check(z.maxLength(50))),
  card: z.looseObject({
    id,
    type: z.nullish(z.string().check(z.maxLength(32))),
    program_id: z.nullish(id),
    bin: z.nullish(z.string().check(z.regex(/^\d{6,8}$/, 'must be 6-8 digits'))),
    status: z.nullish(z.string().check(z.maxLength(32))),
    stage: z.nullish(z.string().check(z.maxLength(32))),
  }),
  combo_card: z.nullish(z.record(z.string(), z.unknown())),
  original_network_data: z.record(z.string(), z.unknown()),
});

export type DecisionRequest = z.infer<typeof decisionRequestSchema>;

/** MDES DE124 TA SF7 wallet provider tokenization recommendation. */
const MDES_RECOMMENDATION: Record<string, Outcome> = { '0': 'DECLINE', '1': 'APPROVE', '2': 'REQUIRE_ID_AND_V' };
const MDES_PAN_SOURCE: Record<string, DecisionSignals['panSource']> = { '1': 'ON_FILE', '2': 'MANUAL', '3': 'APP' };
/** VTS visaTokenDecisioning (unconfirmed mapping: 00 approve, 05 decline, 85 step-up). */
const VTS_RECOMMENDATION: Record<string, Outcome> = { '00': 'APPROVE', '05': 'DECLINE', '85': 'REQUIRE_ID_AND_V' };
const VTS_PAN_SOURCE: Record<string, DecisionSignals['panSource']> = {
  KEY_ENTERED: 'MANUAL',
  MANUALLY_ENTERED: 'MANUAL',
  ON_FILE: 'ON_FILE',
  ONFILE: 'ON_FILE',
  MOBILE_BANKING_APP: 'APP',
  TOKEN: 'APP',
};

function mdesSignals(nd: Obj): DecisionSignals {
  const de48 = obj(nd.de48_additional_data_private_user) ?? {};
  const ta = obj(obj(obj(nd.de124_member_defined_data)?.mdes_data)?.token_authorization) ?? {};
  const walletId = text(obj(de48.se26_wallet_program_data)?.sf1_wallet_identifier);
  const storage = text(obj(de48.se33_pan_mapping_file_information)?.sf8_storage_technology);
  const rec = text(ta.sf7_wallet_provider_token_recomendation);
  const source = text(ta.sf2_primary_account_number_source);
  return {
    network: 'MDES',
    walletRecommendation: rec ? MDES_RECOMMENDATION[rec] : undefined,
    walletRecommendationRaw: rec,
    walletName: walletId ? (mdesWalletName(walletId) ?? `MDES wallet ${walletId}`) : undefined,
    walletDeviceScore: int(ta.sf9_wallet_provider_device_score),
    walletAccountScore: int(ta.sf10_wallet_provider_account_score),
    panSource: source ? (MDES_PAN_SOURCE[source] ?? 'OTHER') : undefined,
    activeTokens: int(ta.sf11_number_of_active_tokens),
    tokenType: text(ta.sf15_token_type),
    storageTechnology: storage ? mdesStorageTechnology(storage) : undefined,
  };
}

function vtsSignals(nd: Obj): DecisionSignals {
  const risk = obj(nd.riskInformation) ?? {};
  const tokenInfo = obj(nd.tokenInfo) ?? {};
  const device = obj(nd.deviceInfo) ?? {};
  const rec = text(risk.visaTokenDecisioning);
  const source = text(nd.panSource)?.toUpperCase();
  const deviceCountry = text(risk.deviceCountry)?.toUpperCase();
  const walletCountry = text(risk.walletAccountCountry)?.toUpperCase();
  return {
    network: 'VTS',
    walletRecommendation: rec ? VTS_RECOMMENDATION[rec] : undefined,
    walletRecommendationRaw: rec,
    walletDeviceScore: int(risk.walletProviderDeviceScore),
    walletAccountScore: int(risk.walletProviderAccountScore),
    visaTokenScore: int(risk.visaTokenScore),
    panSource: source ? (VTS_PAN_SOURCE[source] ?? 'OTHER') : undefined,
    activeTokens: int(tokenInfo.numberOfActiveTokensForPAN) ?? int(risk.numberOfActiveTokens),
    tokenType: text(tokenInfo.tokenType),
    storageTechnology: text(device.tokenProtectionMethod),
    deviceCountry,
    walletAccountCountry: walletCountry,
    deviceCountryMismatch: deviceCountry && walletCountry ? deviceCountry !== walletCountry : undefined,
    otpMaxReached: typeof nd.otpMaxReached === 'boolean' ? nd.otpMaxReached : undefined,
  };
}

/** The network-agnostic signals of a decision request (store-derived signals are added by the use case). */
export function decisionSignals(request: DecisionRequest): DecisionSignals {
  const nd = request.original_network_data;
  const network = request.network_brand === 'mdes' ? mdesSignals(nd) : vtsSignals(nd);
  const signals: DecisionSignals = {
    ...network,
    callMethod: request.network_call_method,
    cardStatus: request.card.status?.toUpperCase() ?? undefined,
    cardStage: request.card.stage?.toUpperCase() ?? undefined,
    customCodes: request.custom_codes ?? [],
  };
  return Object.fromEntries(Object.entries(signals).filter(([, v]) => v !== undefined)) as DecisionSignals;
}
