import { normaliseFieldName, redactDeep } from '../../domain/redaction';

/**
 * Fields never stored or logged as received: OTPs and activation codes, PAN/track/PIN/CVV data,
 * token PANs, encrypted blobs, and cardholder name/address. PANs under any other name are masked
 * by the Luhn net in {@link redactDeep}.
 */
const SECRETS = [
  'otp_value',
  'otpValue',
  'activationCode',
  'sf2_activation_code',
  'cvv',
  'cvv2',
  'cvc',
  'cvc2',
  'pan',
  'primaryAccountNumber',
  'accountPan',
  'de2_primary_account_number',
  'de35_track_2_data',
  'de45_track_1_data',
  'de52_pin_data',
  'encryptedData',
  'token',
  'name',
  'cardholderName',
  'sf6_cardholder_name',
  'accountHolderName',
  'sf1_avs_service_indicator1',
];

/**
 * Privacy (issue 10 §3): personal data the networks send for their risk scoring that we have no use
 * for once the decision is made. Each is dropped (replaced by `[REDACTED]`, so the timeline still
 * shows it was sent), not coarsened: the coarse form we would keep is already a separate field
 * (VTS `deviceCountry` and `walletAccountCountry`), and MDES encodes location and IP in formats we
 * cannot coarsen reliably. The list of what is kept is in docs/reference/pismo-events.md.
 */
const PERSONAL = [
  // Device network address: VTS deviceInfo.deviceIPAddressV4/V6, MDES TA DE124 SF4 (hex IPv4).
  'deviceIPAddressV4',
  'deviceIPAddressV6',
  'deviceIPAddress',
  'ipAddress',
  'sf4_device_source_ip',
  // Device location: VTS deviceInfo.deviceLocation (GPS "lat/long"), MDES TA DE124 SF13, and the
  // flattened copy Pismo adds to MDES refusals (deviceLocation).
  'deviceLocation',
  'sf13_device_location',
  'latitude',
  'longitude',
  // Hashes of the cardholder's wallet account / e-mail: stable identifiers that link a person
  // across issuers (VTS walletAccountEmailAddressHash, MDES SF5 and its flattened copy).
  'walletAccountEmailAddressHash',
  'sf5_wallet_provider_account_hash',
  'walletProviderAccountHash',
  // Hardware identifiers of the phone (VTS riskInformation): no use to the issuer after scoring.
  'deviceBluetoothMac',
  'deviceSerialNumber',
  'simSerialNumber',
  'imei',
  // Contact data, should a network or Pismo ever send it in clear.
  'email',
  'emailAddress',
  'phoneNumber',
  'mobileNumber',
  'msisdn',
];

const SENSITIVE_VALUES: ReadonlySet<string> = new Set(SECRETS.map(normaliseFieldName));

/** Replaced whole whatever they hold: a location or an address is personal as an object too. */
const SENSITIVE_OBJECTS: ReadonlySet<string> = new Set(
  ['billingAddress', 'cardholderAddress', 'address', ...PERSONAL].map(normaliseFieldName),
);

/** Normalised names of the personal-data fields dropped from stored events (for tests and docs). */
export const DROPPED_PERSONAL_FIELDS: readonly string[] = PERSONAL;

/** The event as we may store and show it: secrets and personal data replaced, PANs masked. */
export function redactPismoEvent(event: unknown): unknown {
  return redactDeep(event, { values: SENSITIVE_VALUES, objects: SENSITIVE_OBJECTS });
}
