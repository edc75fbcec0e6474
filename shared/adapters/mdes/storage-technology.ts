/**
 * MDES `StorageTechnology` (Search response), with the descriptions of Mastercard's Customer Service
 * FAQ. The FAQ defines device-based tokens as "any values except H (Server)", so an unknown code
 * counts as device-based too.
 */
export const STORAGE_TECHNOLOGIES = {
  D: 'Device memory',
  P: 'Device memory protected by Trusted Platform Module (TPM)',
  H: 'Server',
  E: 'Trusted Execution Environment (TEE)',
  S: 'Secure Element (SE)',
  V: 'Virtual Execution Environment (VEE)',
} as const;
export type StorageTechnologyCode = keyof typeof STORAGE_TECHNOLOGIES;

/** The server storage code: the only one that is not device-based. */
export const SERVER_STORAGE = 'H';

/** A decoded storage technology: the code as MDES sent it, its description, and whether it is on a device. */
export interface StorageTechnology {
  code: string;
  /** The FAQ's description; undefined for a code the FAQ does not list. */
  description?: string;
  deviceBased: boolean;
}

/** Decodes MDES `StorageTechnology`; undefined when MDES sent none. */
export function decodeStorageTechnology(code: string | undefined): StorageTechnology | undefined {
  if (code === undefined || code === '') return undefined;
  const description = (STORAGE_TECHNOLOGIES as Record<string, string>)[code];
  return { code, ...(description ? { description } : {}), deviceBased: code !== SERVER_STORAGE };
}
