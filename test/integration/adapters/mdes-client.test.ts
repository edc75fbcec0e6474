import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import OAuth from 'mastercard-oauth1-signer';
import { MdesSimulator, SEED_TUR } from '../../../local/mdes-simulator/server';
import { OPERATION_NAMES, type OperationName } from '../../../shared/adapters/mdes/contract';
import { publicKeyFingerprint } from '../../../shared/adapters/mdes/credentials';
import { MdesCircuitOpenError, MdesRejectedError, MdesUnavailableError } from '../../../shared/adapters/mdes/errors';
import { decryptPayload, encryptPayload } from '../../../shared/adapters/mdes/payload-encryption';
import { STATUS_TABLE, type CsTokenStatus } from '../../../shared/domain/status-rules';
import { AUDIT, clientIdentity, mdesClient, sampleRequest } from '../../../local/mdes-simulator/test-clients';
import { until } from '../../fixtures/until';

// The library's JWE mode (what Mastercard's Node.js integrations use), loaded from its internals.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { JweEncryption } = require('mastercard-client-encryption') as {
  JweEncryption: new (config: object) => {
    encrypt(url: string, header: object, body: unknown): { body: { encryptedValue: string } };
    decrypt(response: { request: { url: string }; body: unknown }): unknown;
  };
};

let sim: MdesSimulator;
beforeAll(async () => {
  sim = await MdesSimulator.start();
});
afterAll(() => sim.stop());
afterEach(() => {
  sim.clearFaults();
  sim.requireEncryption = false;
});

let n = 0;
const CODE: Record<CsTokenStatus, 'U' | 'A' | 'S' | 'D'> = {
  IN_PROGRESS: 'U',
  ACTIVE: 'A',
  SUSPENDED: 'S',
  DELETED: 'D',
};
function freshToken(status: CsTokenStatus, suspenders?: string[]) {
  n += 1;
  return sim.provision({
    // 48 characters, as MDES TURs are (Resend Activation Code requires exactly that).
    tur: `DSHRMC${String(n).padStart(10, '0')}testtoken${status}`.padEnd(48, 'f'),
    status: CODE[status],
    suspenders,
  }).tur;
}
const requestsTo = (p: string) => sim.requests.filter((r) => r.operation === p).length;

describe('MdesCustomerServiceClient against the MDES simulator', () => {
  describe('operations', () => {
    it.each(OPERATION_NAMES)('%s succeeds, signed, on a token in an allowed status', async (name) => {
      const client = mdesClient(sim);
      const allowed =
        name === 'systemStatus' ? 'ACTIVE' : STATUS_TABLE[name as Exclude<OperationName, 'systemStatus'>][0];
      const tur = freshToken(allowed ?? 'ACTIVE', allowed === 'SUSPENDED' ? ['I'] : undefined);
      const result = await client.call(name, sampleRequest(name, tur) as never);
      expect(result.attempts).toBe(1);
      expect(Object.keys(result.body as object)[0]).toMatch(/Response$/);
    });

    it('searches by PAN across the tokens of an account, never echoing the PAN', async () => {
      const client = mdesClient(sim);
      const res = await client.search({ AccountPan: '5454545454545454', AuditInfo: AUDIT });
      const [account] = res.body.SearchResponse?.Accounts?.Account ?? [];
      expect(account?.AccountPanSuffix).toBe('5454');
      expect(account?.Tokens?.Token?.map((t) => t.TokenUniqueReference)).toContain(SEED_TUR);
      expect(JSON.stringify(res.body)).not.toContain('5454545454545454');
    });
  });

  describe('status table (every cell of the FAQ table, enforced by the simulator)', () => {
    const cells = Object.entries(STATUS_TABLE).flatMap(([op, allowed]) =>
      (['IN_PROGRESS', 'ACTIVE', 'SUSPENDED', 'DELETED'] as const).map(
        (status) => [op as OperationName, status, allowed.includes(status)] as const,
      ),
    );
    it.each(cells)('%s on a token %s → allowed: %s', async (op, status, allowed) => {
      const tur = freshToken(status, status === 'SUSPENDED' ? ['W', 'I'] : undefined);
      const call = mdesClient(sim).call(op, sampleRequest(op, tur) as never);
      if (allowed) await expect(call).resolves.toBeDefined();
      else
        await expect(call).rejects.toMatchObject({
          name: 'MdesRejectedError',
          statusCode: 422,
          details: [expect.stringContaining('INVALID_TOKEN_STATUS')],
        });
    });
  });

  describe('multiple suspenders', () => {
    it('adds and removes only the issuer suspension; the wallet suspension stays', async () => {
      const client = mdesClient(sim);
      const tur = freshToken('SUSPENDED', ['W']);
      await client.suspend({ TokenUniqueReference: tur, ReasonCode: 'T', AuditInfo: AUDIT });
      expect([...(sim.vault.get(tur)?.suspenders ?? [])].sort()).toEqual(['I', 'W']);
      await client.unsuspend({ TokenUniqueReference: tur, ReasonCode: 'T', AuditInfo: AUDIT });
      expect(sim.vault.get(tur)).toMatchObject({ status: 'S', suspenders: new Set(['W']) });
      await expect(
        client.unsuspend({ TokenUniqueReference: tur, ReasonCode: 'T', AuditInfo: AUDIT }),
      ).rejects.toBeInstanceOf(MdesRejectedError);
    });

    it('activates the token when the issuer was the only suspender', async () => {
      const client = mdesClient(sim);
      const tur = freshToken('ACTIVE');
      await client.suspend({ TokenUniqueReference: tur, ReasonCode: 'L', AuditInfo: AUDIT });
      await client.unsuspend({ TokenUniqueReference: tur, ReasonCode: 'F', AuditInfo: AUDIT });
      expect(sim.vault.get(tur)?.status).toBe('A');
    });
  });

  describe('faults', () => {
    it('retries a read after a 503, a 429 and a timeout', async () => {
      const client = mdesClient(sim, undefined, { retries: 3, breakerVolume: 50 });
      sim.injectFault('statusHistory', { kind: 'status', status: 503, times: 1 });
      expect((await client.statusHistory({ TokenUniqueReference: SEED_TUR, AuditInfo: AUDIT })).attempts).toBe(2);
      sim.injectFault('transactions', { kind: 'status', status: 429, times: 1 });
      expect((await client.transactions({ TokenUniqueReference: SEED_TUR, AuditInfo: AUDIT })).attempts).toBe(2);
      sim.injectFault('comments', { kind: 'timeout', times: 1 });
      expect((await client.comments({ TokenUniqueReference: SEED_TUR, AuditInfo: AUDIT })).attempts).toBe(2);
    });

    it('retries a write that did not happen only after a search shows it did not', async () => {
      const client = mdesClient(sim);
      const tur = freshToken('ACTIVE');
      const searches = requestsTo('/search');
      sim.injectFault('suspend', { kind: 'status', status: 500, times: 1 });
      const res = await client.suspend({ TokenUniqueReference: tur, ReasonCode: 'T', AuditInfo: AUDIT });
      expect(res).toMatchObject({ attempts: 2 });
      expect(res.confirmedBySearch).toBeUndefined();
      expect(requestsTo('/search')).toBe(searches + 1);
      expect(sim.vault.get(tur)?.history.filter((h) => h.StatusCode === 'S')).toHaveLength(1);
    });

    it('does not resend a write whose response was lost but whose effect the search confirms', async () => {
      const client = mdesClient(sim);
      const tur = freshToken('ACTIVE');
      sim.injectFault('delete', { kind: 'status', status: 500, phase: 'after', times: 1 });
      const before = requestsTo('/token/delete');
      const res = await client.delete({ TokenUniqueReference: tur, ReasonCode: 'C', AuditInfo: AUDIT });
      expect(res).toMatchObject({
        confirmedBySearch: true,
        body: { TokenDeleteResponse: { Token: { TokenUniqueReference: tur } } },
      });
      expect(requestsTo('/token/delete')).toBe(before + 1);
    });

    it('never retries a write it cannot verify (reset mobile PIN)', async () => {
      const client = mdesClient(sim);
      const tur = freshToken('ACTIVE');
      sim.injectFault('resetMobilePin', { kind: 'status', status: 500, times: 1 });
      const before = requestsTo('/token/resetmobilepin');
      await expect(
        client.resetMobilePin({ TokenUniqueReference: tur, ReasonCode: 'N', AuditInfo: AUDIT }),
      ).rejects.toMatchObject({
        name: 'MdesUnavailableError',
        statusCode: 502,
        retryable: true,
      });
      expect(requestsTo('/token/resetmobilepin')).toBe(before + 1);
    });

    it('opens the circuit after repeated failures, refuses without calling, then closes after a good trial', async () => {
      const client = mdesClient(sim, undefined, { retries: 0, breakerVolume: 3, breakerResetMs: 150 });
      sim.injectFault('systemStatus', { kind: 'status', status: 500 });
      for (let i = 0; i < 3; i++) await expect(client.systemStatus()).rejects.toBeInstanceOf(MdesUnavailableError);
      expect(client.circuitState).toBe('open');
      const before = requestsTo('/systemstatus');
      await expect(client.systemStatus()).rejects.toBeInstanceOf(MdesCircuitOpenError);
      expect(requestsTo('/systemstatus')).toBe(before);
      sim.clearFaults();
      // The breaker half-opens by its own timer (150 ms): wait for that state, however busy the machine.
      await until(() => client.circuitState === 'halfOpen');
      expect(client.circuitState).toBe('halfOpen');
      await expect(client.systemStatus()).resolves.toBeDefined();
      expect(client.circuitState).toBe('closed');
    });

    it('does not count MDES refusals (4xx) as failures', async () => {
      const client = mdesClient(sim, undefined, { retries: 0, breakerVolume: 2 });
      for (let i = 0; i < 4; i++)
        await expect(
          client.statusHistory({ TokenUniqueReference: 'DSHRMC-unknown-token', AuditInfo: AUDIT }),
        ).rejects.toMatchObject({ statusCode: 404 });
      expect(client.circuitState).toBe('closed');
    });
  });

  describe('OAuth 1.0a verification', () => {
    it('rejects a request signed with an unregistered key as our credentials being refused (no retry)', async () => {
      const client = mdesClient(sim, clientIdentity(sim, { register: false }));
      await expect(client.systemStatus()).rejects.toMatchObject({
        name: 'MdesUnavailableError',
        retryable: false,
        message: expect.stringContaining('401'),
      });
    });

    it('rejects revoked and expired keys', async () => {
      const revoked = clientIdentity(sim);
      sim.revokeKey(revoked.consumerKey);
      await expect(mdesClient(sim, revoked).systemStatus()).rejects.toMatchObject({
        details: [expect.stringContaining('revoked')],
      });
      const expired = clientIdentity(sim, { notAfter: new Date(Date.now() - 1000) });
      await expect(mdesClient(sim, expired).systemStatus()).rejects.toMatchObject({
        details: [expect.stringContaining('expired')],
      });
    });

    it('rejects a tampered body and a key that does not match the consumer key', async () => {
      const id = clientIdentity(sim);
      const url = `${sim.url}/token/statushistory`;
      const body = JSON.stringify({ TokenStatusHistoryRequest: { TokenUniqueReference: SEED_TUR, AuditInfo: AUDIT } });
      const send = (payload: string, auth: string) =>
        fetch(url, {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: payload,
        });
      const good = OAuth.getAuthorizationHeader(url, 'POST', body, id.consumerKey, id.signing.privateKeyPem);
      const tampered = await send(body.replace('agent-7', 'agent-8'), good);
      expect(tampered.status).toBe(401);
      expect(JSON.stringify(await tampered.json())).toContain('body');
      const wrongKey = OAuth.getAuthorizationHeader(url, 'POST', body, id.consumerKey, id.decryption.privateKeyPem);
      const forged = await send(body, wrongKey);
      expect(forged.status).toBe(401);
      expect(JSON.stringify(await forged.json())).toContain('signature');
      expect((await send(body, good)).status).toBe(200);
      expect((await send(body, good)).status).toBe(401); // replayed nonce
    });
  });

  describe('JWE payload encryption', () => {
    it('encrypts Search, Token Activate and Token Update and decrypts the responses', async () => {
      const client = mdesClient(sim, undefined, { encryption: true });
      sim.requireEncryption = true;
      const res = await client.search({ TokenUniqueReference: SEED_TUR, AuditInfo: AUDIT });
      expect(res.body.SearchResponse?.Accounts?.Account?.[0]?.Tokens?.Token?.[0]?.TokenUniqueReference).toBe(SEED_TUR);
      const tur = freshToken('IN_PROGRESS');
      await client.activate({ TokenUniqueReference: tur, ReasonCode: 'C', AuditInfo: AUDIT });
      await client.update({ TokenUniqueReference: tur, ExpirationDate: '1030', AuditInfo: AUDIT });
      const last = sim.requests.slice(-3);
      expect(last.map((r) => [r.operation, r.encrypted, r.status])).toEqual([
        ['/search', true, 200],
        ['/token/activate', true, 200],
        ['/token/update', true, 200],
      ]);
      // Operations outside the three stay in clear even with encryption on.
      await client.statusHistory({ TokenUniqueReference: tur, AuditInfo: AUDIT });
      expect(sim.requests.at(-1)?.encrypted).toBe(false);
    });

    it('is refused where MDES requires encryption and the client sends clear text', async () => {
      sim.requireEncryption = true;
      await expect(mdesClient(sim).search({ TokenUniqueReference: SEED_TUR, AuditInfo: AUDIT })).rejects.toMatchObject({
        details: [expect.stringContaining('ENCRYPTION_REQUIRED')],
      });
    });

    describe('interoperability with mastercard-client-encryption', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'jwe-'));
      const url = 'https://api.mastercard.com/mdes/csapi/v2/search';
      const files = () => {
        const cert = path.join(dir, 'cert.pem');
        const key = path.join(dir, 'key.pem');
        writeFileSync(cert, sim.encryptionCertificatePem);
        writeFileSync(key, sim.encryptionKeys.privateKeyPem);
        // Whole-body ($ → $) JWE, as our client sends it.
        const mc = new JweEncryption({
          mode: 'JWE',
          encryptionCertificate: cert,
          privateKey: key,
          encryptedValueFieldName: 'encryptedValue',
          paths: [
            { path: '/search', toEncrypt: [{ element: '$', obj: '$' }], toDecrypt: [{ element: '$', obj: '$' }] },
          ],
        });
        return { mc };
      };
      const payload = { SearchRequest: { AccountPan: '5454545454545454', AuditInfo: AUDIT } };

      it('Mastercard decrypts what we encrypt (same kid)', async () => {
        const { mc } = files();
        const kid = publicKeyFingerprint(sim.encryptionCertificatePem);
        const jwe = await encryptPayload(payload, sim.encryptionCertificatePem, kid);
        expect(mc.decrypt({ request: { url }, body: { encryptedValue: jwe } })).toEqual(payload);
        const header = JSON.parse(Buffer.from(jwe.split('.')[0] ?? '', 'base64url').toString()) as Record<
          string,
          string
        >;
        expect(header).toMatchObject({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid });
      });

      it('we decrypt what Mastercard encrypts, and its kid is our fingerprint', async () => {
        const { mc } = files();
        const { encryptedValue } = mc.encrypt(url, {}, structuredClone(payload)).body;
        const out = await decryptPayload(encryptedValue, sim.encryptionKeys.privateKeyPem);
        expect(out.payload).toEqual(payload);
        expect(out.kid).toBe(publicKeyFingerprint(sim.encryptionCertificatePem));
        // Its 16-byte IV takes the non-jose path, which still authenticates: a flipped byte fails.
        const parts = encryptedValue.split('.');
        const ct = Buffer.from(parts[3] ?? '', 'base64url');
        ct[0] = (ct[0] ?? 0) ^ 1;
        parts[3] = ct.toString('base64url');
        await expect(decryptPayload(parts.join('.'), sim.encryptionKeys.privateKeyPem)).rejects.toThrow();
      });
    });
  });
});
