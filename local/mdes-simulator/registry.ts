import type { IncomingMessage, ServerResponse } from 'node:http';
import { publicKeyOfCsr } from '../../shared/adapters/mdes/x509';
import { newConsumerKey, type OAuthVerifier } from './oauth';
import { errorBody, sendJson, SimError } from './reply';

/** What the credentials API is told by the simulator's settings (read per request: tests change them). */
export interface RegistrySettings {
  /** Validity of keys the credentials API issues. */
  keyValidityMs: number;
  /** Registry faults: refuse new key requests, or refuse to activate them. */
  registryFault?: 'refuse-request' | 'refuse-activation';
}

/**
 * The simulated Mastercard Developers credentials API (the local CredentialRegistrar talks to it):
 * `POST /credentials` (CSR → pending key), `POST /credentials/{key}/activate`, `POST
 * /credentials/{key}/revoke`; each call signed with a current key. `path` is below the API's base path.
 */
export async function handleRegistryRequest(
  oauth: OAuthVerifier,
  settings: RegistrySettings,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  raw: string,
): Promise<void> {
  try {
    oauth.authenticate(req, raw);
    const body = (raw ? JSON.parse(raw) : {}) as Record<string, string>;
    if (req.method === 'POST' && path === '/credentials') {
      if (settings.registryFault === 'refuse-request')
        throw new SimError(400, 'KEY_REQUEST_REFUSED', 'the project cannot take another key (injected)');
      const consumerKey = newConsumerKey();
      const notAfter = new Date(Date.now() + settings.keyValidityMs);
      let signingPublicKeyPem: string;
      let responsePublicKeyPem: string | undefined;
      try {
        signingPublicKeyPem = publicKeyOfCsr(body.signingCsrPem ?? '');
        responsePublicKeyPem = body.decryptionCsrPem ? publicKeyOfCsr(body.decryptionCsrPem) : undefined;
      } catch {
        throw new SimError(400, 'INVALID_CSR', 'the CSR does not parse or its signature does not verify');
      }
      oauth.register({ consumerKey, signingPublicKeyPem, responsePublicKeyPem, notAfter, pending: true });
      return sendJson(res, 201, { consumerKey, notAfter: notAfter.toISOString(), status: 'PENDING' });
    }
    const m = /^\/credentials\/([^/]+)\/(activate|revoke)$/.exec(path);
    const key = m ? oauth.keys.get(decodeURIComponent(m[1] ?? '')) : undefined;
    if (!m || !key) throw new SimError(404, 'RESOURCE_NOT_FOUND', 'no such key');
    if (m[2] === 'activate') {
      if (settings.registryFault === 'refuse-activation')
        throw new SimError(400, 'KEY_ACTIVATION_REFUSED', 'Mastercard did not issue the certificate (injected)');
      if (key.revoked) throw new SimError(400, 'KEY_REVOKED', 'a revoked key cannot be activated');
      key.pending = false;
    } else key.revoked = true;
    sendJson(res, 200, { consumerKey: key.consumerKey, status: key.revoked ? 'REVOKED' : 'ACTIVE' });
  } catch (err) {
    if (err instanceof SimError) return sendJson(res, err.status, errorBody(err));
    throw err;
  }
}
