import { generateRsaKeyPair, type PemKeyPair } from '../../shared/adapters/mdes/x509';
import { type MdesClientOptions, MdesCustomerServiceClient } from '../../shared/adapters/mdes/client';
import type { AuditInfo, OperationName, RequestOf } from '../../shared/adapters/mdes/contract';
import { type MdesCredentials, StaticCredentials } from '../../shared/adapters/mdes/credentials';
import { type MdesSimulator } from './server';

/** One generated client identity: signing key + response-decryption key, registered or not. */
export interface ClientIdentity {
  consumerKey: string;
  signing: PemKeyPair;
  decryption: PemKeyPair;
  credentials: MdesCredentials;
}

// RSA key generation dominates test time; a small pool is plenty.
const pool: PemKeyPair[] = [];
function keyPair(i: number): PemKeyPair {
  while (pool.length <= i) pool.push(generateRsaKeyPair());
  return pool[i] as PemKeyPair;
}

let seq = 0;
/** A client identity whose keys the simulator knows (unless `register: false`). */
export function clientIdentity(
  sim: MdesSimulator,
  options: { register?: boolean; notAfter?: Date; encryption?: boolean } = {},
): ClientIdentity {
  seq += 1;
  const consumerKey = `consumer-${seq}!test`;
  const signing = keyPair(seq % 3);
  const decryption = keyPair(3);
  if (options.register !== false)
    sim.registerKey({
      consumerKey,
      signingPublicKeyPem: signing.publicKeyPem,
      responsePublicKeyPem: decryption.publicKeyPem,
      notAfter: options.notAfter ?? new Date(Date.now() + 300 * 86_400_000),
    });
  return {
    consumerKey,
    signing,
    decryption,
    credentials: {
      consumerKey,
      signingKeyPem: signing.privateKeyPem,
      encryptionCertificatePem: sim.encryptionCertificatePem,
      decryptionKeyPem: decryption.privateKeyPem,
    },
  };
}

/** A client for the simulator with test-speed timeouts and backoff. */
export function mdesClient(
  sim: MdesSimulator,
  identity: ClientIdentity = clientIdentity(sim),
  options: Partial<MdesClientOptions> = {},
): MdesCustomerServiceClient {
  return new MdesCustomerServiceClient({
    customerId: 'CID-TEST',
    baseUrl: sim.url,
    credentials: new StaticCredentials(identity.credentials),
    timeoutMs: 300,
    retryBaseMs: 5,
    ...options,
  });
}

export const AUDIT: AuditInfo = { UserId: 'agent-7', UserName: 'Ana Souza', Organization: 'Demo Bank' };

/** A valid request for each operation on a token (for contract and status-table tests). */
export function sampleRequest<N extends OperationName>(name: N, tur: string): RequestOf<N> {
  const byTur = { TokenUniqueReference: tur, AuditInfo: AUDIT };
  const requests: { [K in OperationName]: RequestOf<K> } = {
    search: byTur,
    systemStatus: undefined,
    activate: { ...byTur, ReasonCode: 'C', CommentText: 'verified by phone' },
    activationMethods: byTur,
    comments: byTur,
    delete: { ...byTur, ReasonCode: 'L', CommentText: 'device lost' },
    resendActivationCode: { ...byTur, ActivationMethodId: '1' },
    resetMobilePin: { ...byTur, ReasonCode: 'N' },
    statusHistory: byTur,
    suspend: { ...byTur, ReasonCode: 'T', CommentText: 'fraud suspected' },
    unsuspend: { ...byTur, ReasonCode: 'F' },
    update: { ...byTur, ExpirationDate: '0931', UpdateWalletProviderIndicator: '0' },
    transactions: byTur,
    updateTokenAssurance: byTur,
    accountHolderMessaging: {
      TokenUniqueReference: tur,
      MessageText: 'You earned a statement credit',
      MessageExpiration: new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z'),
      MessageIdentifier: 'msg-1',
      MessageLanguageCode: 'en',
      IssuerApplicationMessageDisplay: 'FALSE',
      AuditInfo: AUDIT,
    },
  };
  return requests[name];
}
