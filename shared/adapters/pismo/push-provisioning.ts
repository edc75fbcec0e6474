import { ValidationError } from '../../domain/errors';
import * as z from '../../zod';
import { PismoUnavailableError } from './errors';
import { PismoTokenOperationsClient, type PismoTokenOperationsConfig } from './token-operations';

/**
 * Pismo's push provisioning ("Pre-digitalization": create encrypted card data for Apple Pay, Google
 * Pay and Samsung Pay): the issuer's app asks, Pismo answers encrypted card data only the wallet can
 * open, the app hands it to the wallet's SDK. PCI endpoints with an *account token*: the account
 * token handling, breaker, timeouts and error classes are those of the token-operations client
 * (`callWithAccountToken`), one instance of it per adapter (its own breaker).
 *
 * What Pismo documents and we rely on: the Google Pay path
 * `POST /v1/cards/{cardId}/network-tokens/push-provisioning/wallets/googlepay`, Apple Pay's response
 * `push_data.{ephemeralPublicKey, encryptedData, activationData}`, the `additional_info` object
 * (name, address, country, city, state, phone, printed_name, last_4_digits), that Samsung Pay is
 * "currently only available for Visa", and the error object `{ error_code, message }`. Everything
 * else is in {@link PISMO_PUSH_PROVISIONING_UNCONFIRMED}.
 *
 * Nothing here logs or keeps a payload: the answer goes back to the caller and nowhere else.
 */

/**
 * UNCONFIRMED — every detail of these calls that Pismo's recovered docs do not state, in one place.
 * Confirm each against Pismo's sandbox before go-live and change it here:
 * - `paths.applePay`: the POST is inferred from the deprecated GET on the same path; `paths.samsungPay`
 *   by analogy with the other two (the Samsung path was not recovered).
 * - `applePayRequest`: the request body was not recovered; Apple's in-app provisioning supplies the
 *   certificate chain (leaf + sub-CA, base64 DER), a nonce and its signature (base64): sent under
 *   these names.
 * - `googlePayRequest` / `samsungPayRequest`: not recovered; Google's Visa flow needs the wallet
 *   account id and the stable device id, Samsung's the device id and the wallet user id.
 * - `googlePayResponse`: not recovered; the opaque payment card is read from `push_data` under any of
 *   these names (first present wins).
 * - `samsungPayResponse`: `PushData` was not recovered; the payload is read under any of these names.
 * - `inputLimits`: our own bounds (base64 DER certificates of a few kB, short nonces).
 */
export const PISMO_PUSH_PROVISIONING_UNCONFIRMED = {
  paths: {
    applePay: (cardId: string) => `/v1/cards/${cardId}/network-tokens/push-provisioning/wallets/applepay`,
    samsungPay: (cardId: string) => `/v1/cards/${cardId}/network-tokens/push-provisioning/wallets/samsungpay`,
  },
  applePayRequest: { certificates: 'certificates', nonce: 'nonce', nonceSignature: 'nonce_signature' },
  googlePayRequest: { walletAccountId: 'wallet_account_id', deviceId: 'device_id' },
  samsungPayRequest: { deviceId: 'device_id', walletUserId: 'wallet_user_id' },
  googlePayResponse: { opaquePaymentCard: ['opaque_payment_card', 'opaquePaymentCard', 'encryptedData', 'opc'] },
  samsungPayResponse: { payload: ['encryptedData', 'encrypted_data', 'payload', 'data'] },
  inputLimits: { certificates: 3, certificateChars: 8192, nonceChars: 256, signatureChars: 1024, idChars: 128 },
} as const;

/** The documented Google Pay path (rendered `post …/v1/cards//network-tokens/push-provisioning/wallets/googlepay`). */
const googlePayPath = (cardId: string) => `/v1/cards/${cardId}/network-tokens/push-provisioning/wallets/googlepay`;

export const WALLETS = ['apple-pay', 'google-pay', 'samsung-pay'] as const;
export type Wallet = (typeof WALLETS)[number];

const L = PISMO_PUSH_PROVISIONING_UNCONFIRMED.inputLimits;
/** Standard base64 with padding (what Apple's SDK data becomes in JSON). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const base64 = (max: number) =>
  z.string().check(z.minLength(4, 'must not be empty'), z.maxLength(max), z.regex(BASE64, 'must be base64'));
const deviceText = z
  .string()
  .check(z.regex(new RegExp(`^[A-Za-z0-9._:+/=-]{1,${L.idChars}}$`), `must be 1-${L.idChars} id characters`));
const pismoId = z.string().check(z.regex(/^[1-9]\d{0,18}$/, 'must be a Pismo id (1-19 digits)'));

export const applePayInputSchema = z.strictObject({
  certificates: z
    .array(base64(L.certificateChars))
    .check(z.minLength(1, 'must hold the leaf and sub-CA certificates'), z.maxLength(L.certificates)),
  nonce: base64(L.nonceChars),
  nonceSignature: base64(L.signatureChars),
});
export const googlePayInputSchema = z.strictObject({ walletAccountId: deviceText, deviceId: deviceText });
export const samsungPayInputSchema = z.strictObject({ deviceId: deviceText, walletUserId: deviceText });

export type ApplePayInput = z.infer<typeof applePayInputSchema>;
export type GooglePayInput = z.infer<typeof googlePayInputSchema>;
export type SamsungPayInput = z.infer<typeof samsungPayInputSchema>;
export type PushProvisioningInput =
  | { wallet: 'apple-pay'; data: ApplePayInput }
  | { wallet: 'google-pay'; data: GooglePayInput }
  | { wallet: 'samsung-pay'; data: SamsungPayInput };

/** The cardholder details Pismo returns with the data (for the wallet's forms): the cardholder's own. */
export interface CardholderInfo {
  name?: string;
  printedName?: string;
  lastFour?: string;
  address?: string;
  city?: string;
  state?: string;
  country?: string;
  phone?: string;
}

/** What the wallet SDK needs, per wallet. Never logged, never stored. */
export type PushProvisioningData =
  | { wallet: 'apple-pay'; encryptedPassData: string; activationData: string; ephemeralPublicKey: string }
  | { wallet: 'google-pay'; opaquePaymentCard: string }
  | { wallet: 'samsung-pay'; payload: string };

export type PushProvisioningResult = PushProvisioningData & { cardholder: CardholderInfo };

/** Validates one wallet's input with zod; a failure is a 400 naming each field (never its value). */
export function parsePushProvisioningInput(wallet: Wallet, body: unknown): PushProvisioningInput {
  const schema =
    wallet === 'apple-pay'
      ? applePayInputSchema
      : wallet === 'google-pay'
        ? googlePayInputSchema
        : samsungPayInputSchema;
  const parsed = z.safeParse(schema as z.ZodMiniType<unknown>, body);
  if (!parsed.success)
    throw new ValidationError(
      `invalid ${wallet} push provisioning request`,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`),
    );
  return { wallet, data: parsed.data } as PushProvisioningInput;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
const firstString = (o: Json, names: readonly string[]) => names.map((n) => str(o[n])).find((v) => v !== undefined);

/** `additional_info`, read tolerantly (strings only). */
export function parseCardholderInfo(body: unknown): CardholderInfo {
  const info = isObject(body) && isObject(body.additional_info) ? body.additional_info : {};
  const out: CardholderInfo = {
    name: str(info.name),
    printedName: str(info.printed_name),
    lastFour: /^\d{4}$/.test(String(info.last_4_digits ?? '')) ? String(info.last_4_digits) : undefined,
    address: str(info.address),
    city: str(info.city),
    state: str(info.state),
    country: str(info.country),
    phone: str(info.phone),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as CardholderInfo;
}

/** The wallet data of Pismo's answer, or PismoUnavailableError (502) when it lacks what the SDK needs. */
export function parsePushData(wallet: Wallet, body: unknown): PushProvisioningData {
  const push = isObject(body) && isObject(body.push_data) ? body.push_data : undefined;
  const missing = (what: string) =>
    new PismoUnavailableError(`${wallet} push provisioning`, `the answer has no ${what}`, false);
  if (!push) throw missing('push_data');
  const u = PISMO_PUSH_PROVISIONING_UNCONFIRMED;
  if (wallet === 'apple-pay') {
    const encryptedPassData = str(push.encryptedData);
    const activationData = str(push.activationData);
    const ephemeralPublicKey = str(push.ephemeralPublicKey);
    if (!encryptedPassData || !activationData || !ephemeralPublicKey)
      throw missing('encryptedData, activationData and ephemeralPublicKey');
    return { wallet, encryptedPassData, activationData, ephemeralPublicKey };
  }
  if (wallet === 'google-pay') {
    const opaquePaymentCard = firstString(push, u.googlePayResponse.opaquePaymentCard);
    if (!opaquePaymentCard) throw missing('opaque payment card');
    return { wallet, opaquePaymentCard };
  }
  const payload = firstString(push, u.samsungPayResponse.payload);
  if (!payload) throw missing('encrypted payload');
  return { wallet, payload };
}

/** The body Pismo gets, in its field names (validated input only). */
export function pushProvisioningBody(input: PushProvisioningInput): Json {
  const u = PISMO_PUSH_PROVISIONING_UNCONFIRMED;
  switch (input.wallet) {
    case 'apple-pay':
      return {
        [u.applePayRequest.certificates]: input.data.certificates,
        [u.applePayRequest.nonce]: input.data.nonce,
        [u.applePayRequest.nonceSignature]: input.data.nonceSignature,
      };
    case 'google-pay':
      return {
        [u.googlePayRequest.walletAccountId]: input.data.walletAccountId,
        [u.googlePayRequest.deviceId]: input.data.deviceId,
      };
    case 'samsung-pay':
      return {
        [u.samsungPayRequest.deviceId]: input.data.deviceId,
        [u.samsungPayRequest.walletUserId]: input.data.walletUserId,
      };
  }
}

const PATHS: Record<Wallet, (cardId: string) => string> = {
  'apple-pay': PISMO_PUSH_PROVISIONING_UNCONFIRMED.paths.applePay,
  'google-pay': googlePayPath,
  'samsung-pay': PISMO_PUSH_PROVISIONING_UNCONFIRMED.paths.samsungPay,
};

/** What the cardholder flow needs of push provisioning (the use case's port). */
export interface PushProvisioningPort {
  createEncryptedCardData(
    ref: { accountId: string; cardId: string },
    input: PushProvisioningInput,
  ): Promise<PushProvisioningResult>;
}

/**
 * Pismo push-provisioning client. The call is a write (sent once: no retry, a lost answer is
 * `outcome: 'unknown'`, and the wallet data it may have produced is lost with it, which is harmless:
 * nothing is provisioned until the wallet uses it). Config: the tokenization API base (PCI host).
 */
export class PismoPushProvisioningClient implements PushProvisioningPort {
  private readonly http: PismoTokenOperationsClient;

  constructor(config: PismoTokenOperationsConfig) {
    this.http = new PismoTokenOperationsClient(config);
  }

  get circuitState(): 'closed' | 'open' | 'halfOpen' {
    return this.http.circuitState;
  }

  async createEncryptedCardData(
    ref: { accountId: string; cardId: string },
    input: PushProvisioningInput,
  ): Promise<PushProvisioningResult> {
    const cardId = z.safeParse(pismoId, ref.cardId);
    if (!cardId.success) throw new ValidationError('invalid Pismo card reference', ['cardId: must be a Pismo id']);
    const operation = `${input.wallet} push provisioning`;
    const body = pushProvisioningBody(input);
    const scrub = input.wallet === 'apple-pay' ? [input.data.nonce, input.data.nonceSignature] : [];
    const { body: answer } = await this.http.callWithAccountToken(operation, ref.accountId, {
      method: 'POST',
      path: PATHS[input.wallet](cardId.data),
      body,
      read: false,
      scrub,
    });
    return { ...parsePushData(input.wallet, answer), cardholder: parseCardholderInfo(answer) };
  }
}
