import { normaliseFieldName, redactDeep } from '../domain/redaction';

/**
 * Fields never stored or logged as received: OTPs and activation codes, PAN/track/PIN/CVV data,
 * token PANs, encrypted blobs, and cardholder name/address. PANs under any other name are masked
 * by the Luhn net in {@link redactDeep}.
 */
const SENSITIVE_VALUES: ReadonlySet<string> = new Set(
  [
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
  ].map(normaliseFieldName),
);

const SENSITIVE_OBJECTS: ReadonlySet<string> = new Set(['billingAddress', 'cardholderAddress'].map(normaliseFieldName));

/** The event as we may store and show it: sensitive fields replaced, PANs masked. */
export function redactPismoEvent(event: unknown): unknown {
  return redactDeep(event, { values: SENSITIVE_VALUES, objects: SENSITIVE_OBJECTS });
}
