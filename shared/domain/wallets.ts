/** MDES wallet identifiers (DE48 SE26 SF1) as documented by Pismo. */
const MDES_WALLETS: Readonly<Record<string, string>> = {
  '103': 'Apple Pay',
  '216': 'Google Pay',
  '217': 'Samsung Pay',
  '327': 'Merchant tokenization program',
};

/** Wallet name for an MDES wallet identifier, or undefined when the id is not one we know. */
export function mdesWalletName(walletId: string): string | undefined {
  return MDES_WALLETS[walletId];
}

/**
 * MDES storage technology codes (DE48 SE33 SF8). The two-digit codes follow the order of the
 * Customer Service API's letter codes (D, P, H, E, S, V); unconfirmed against the CIS manual,
 * so the raw code is always kept next to the name.
 */
const MDES_STORAGE_TECHNOLOGY: Readonly<Record<string, string>> = {
  '01': 'DEVICE_MEMORY',
  '02': 'DEVICE_MEMORY_TPM',
  '03': 'SERVER',
  '04': 'TEE',
  '05': 'SECURE_ELEMENT',
  '06': 'VEE',
};

/** Storage technology name for an MDES code, or the code itself when unknown. */
export function mdesStorageTechnology(code: string): string {
  return MDES_STORAGE_TECHNOLOGY[code] ?? code;
}

/** MDES TV event requestor (DE124 SF4). */
const MDES_EVENT_REQUESTORS: Readonly<Record<string, string>> = {
  '0': 'WALLET',
  '1': 'FUNDING_ACCOUNT',
  '2': 'CARDHOLDER',
  '3': 'SYSTEM',
};

/** Requestor name for an MDES TV event requestor code, or the code itself when unknown. */
export function mdesEventRequestor(code: string): string {
  return MDES_EVENT_REQUESTORS[code] ?? code;
}

/**
 * Whether a wallet name is one we set ourselves from a documented identifier: only such names are
 * written into messages to cardholders (anything else came from network data and is not trusted).
 */
export function isKnownWalletName(name: string): boolean {
  return Object.values(MDES_WALLETS).includes(name);
}
