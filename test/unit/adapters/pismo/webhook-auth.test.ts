import { createHash } from 'node:crypto';
import { SignJWT, base64url } from 'jose';
import { ENV, loadPismoWebhookConfig, PISMO_WEBHOOK_DEFAULTS } from '../../../../shared/config';
import {
  createPismoWebhookVerifier,
  PISMO_WEBHOOK_UNCONFIRMED,
  type PismoWebhookAuthConfig,
} from '../../../../shared/adapters/pismo/webhook-auth';
import { newSigningKey, PismoSimulator, SIMULATED_ISSUER, SIMULATED_ORG_ID } from '../../../../local/pismo-simulator/server';

const BODY = Buffer.from(JSON.stringify({ event_id: 'e1', hello: 'world' }));

describe('createPismoWebhookVerifier', () => {
  let sim: PismoSimulator;
  let config: PismoWebhookAuthConfig;
  beforeAll(async () => {
    sim = await PismoSimulator.start();
    config = {
      jwksUrl: sim.jwksUrl,
      algorithms: PISMO_WEBHOOK_DEFAULTS.algorithms.split(','),
      bodyHashClaim: 'body_hash',
      orgClaim: 'org_id',
      orgId: SIMULATED_ORG_ID,
      issuer: SIMULATED_ISSUER,
      route: 'decisions',
      clockToleranceSeconds: 5,
      maxTokenAgeSeconds: 300,
      jwksCooldownMs: 0,
      jwksCacheMaxAgeMs: 60_000,
    };
  });
  afterAll(() => sim.stop());

  const verifier = () => createPismoWebhookVerifier(config);
  const DECISIONS = PISMO_WEBHOOK_UNCONFIRMED.audience.decisions;
  const bearer = async (options?: Parameters<PismoSimulator['sign']>[1], body: Buffer = BODY) =>
    `Bearer ${await sim.sign(body, { audience: DECISIONS, ...options })}`;

  describe('verify', () => {
    it('accepts a genuine webhook and returns the key id, tenant and the hashed jti to remember', async () => {
      const token = await sim.sign(BODY, { audience: DECISIONS });
      const jti = String(JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).jti);
      const claims = await verifier()(`Bearer ${token}`, BODY);
      expect(claims).toMatchObject({
        orgId: SIMULATED_ORG_ID,
        issuer: SIMULATED_ISSUER,
        keyId: expect.stringMatching(/^pismo-sim-/),
        replayKey: createHash('sha256').update(jti).digest('hex'),
      });
      expect(JSON.stringify(claims)).not.toContain(jti);
      const now = Math.floor(Date.now() / 1000);
      expect(claims.acceptedUntil).toBeGreaterThanOrEqual(now + 55);
      expect(claims.acceptedUntil).toBeLessThanOrEqual(now + 60 + 5 + 1);
    });

    it('remembers a jti no longer than the maximum token age when exp is further away', async () => {
      const claims = await createPismoWebhookVerifier({ ...config, maxTokenAgeSeconds: 120 })(
        await bearer({ expiresIn: 3600 }),
        BODY,
      );
      expect(claims.acceptedUntil).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 120 + 5 + 1);
    });

    it('accepts a base64url body hash as well as hex', async () => {
      const b64 = createHash('sha256').update(BODY).digest('base64url');
      await expect(verifier()(await bearer({ bodyHash: b64 }), BODY)).resolves.toBeDefined();
    });

    it.each([
      ['a missing header', async () => undefined, /missing Authorization/],
      ['an expired token', () => bearer({ expiresIn: -60 }), /expired/],
      ['a token issued in the future', () => bearer({ issuedAtOffset: 600, expiresIn: 900 }), /iat/],
      ['a token older than the max age', () => bearer({ issuedAtOffset: -600, expiresIn: 60 }), /expired/],
      [
        'a body hash of other bytes',
        () => bearer({ bodyHash: createHash('sha256').update('other').digest('hex') }),
        /body hash/,
      ],
      ['a malformed body hash', () => bearer({ bodyHash: 'not-a-hash' }), /body hash/],
      ['another tenant', () => bearer({ orgId: 'TN-someone-else' }), /org_id does not match/],
      ['no tenant claim', () => bearer({ extraClaims: { org_id: undefined } }), /org_id/],
      ['a wrong issuer', () => bearer({ issuer: 'https://pismo.attacker.example' }), /iss/],
      [
        'a wrong audience',
        () => bearer({ audience: 'https://other-issuer.example/pismo/tokenization-decisions' }),
        /aud/,
      ],
      [
        'a token signed for the events route',
        () => bearer({ audience: PISMO_WEBHOOK_UNCONFIRMED.audience.events }),
        /aud/,
      ],
      ['a token without jti', () => bearer({ noJti: true }), /jti/],
      ['garbage', async () => 'Bearer not.a.jwt', /token rejected/],
    ])('rejects %s with 401 and a reason', async (_name, header, reason) => {
      await expect(verifier()(await header(), BODY)).rejects.toMatchObject({
        statusCode: 401,
        message: expect.stringMatching(reason),
      });
    });

    it('rejects a body changed after signing', async () => {
      const header = await bearer();
      await expect(verifier()(header, Buffer.from(`${BODY.toString()} `))).rejects.toMatchObject({
        statusCode: 401,
        message: /body hash/,
      });
    });

    it('rejects a token signed by a key that is not published', async () => {
      const rogue = await newSigningKey();
      await expect(verifier()(await bearer({ key: rogue }), BODY)).rejects.toMatchObject({
        message: 'unknown signing key',
      });
    });

    it('rejects a token with a published key id but a forged signature', async () => {
      const rogue = await newSigningKey();
      const published = (await sim.sign(BODY)).split('.')[0] ?? '';
      const forged = (await sim.sign(BODY, { key: rogue })).split('.');
      await expect(verifier()(`Bearer ${published}.${forged[1]}.${forged[2]}`, BODY)).rejects.toMatchObject({
        statusCode: 401,
      });
    });

    it('rejects alg none', async () => {
      const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
      const now = Math.floor(Date.now() / 1000);
      const payload = base64url.encode(
        JSON.stringify({
          body_hash: createHash('sha256').update(BODY).digest('hex'),
          org_id: SIMULATED_ORG_ID,
          iat: now,
          exp: now + 60,
        }),
      );
      await expect(verifier()(`Bearer ${header}.${payload}.`, BODY)).rejects.toMatchObject({ statusCode: 401 });
    });

    it('rejects HS256 signed with the public key as the HMAC secret (algorithm confusion)', async () => {
      const jwks = (await (await fetch(sim.jwksUrl)).json()) as { keys: { kid: string; n: string }[] };
      const pub = jwks.keys[0];
      const secret = new TextEncoder().encode(JSON.stringify(pub));
      const token = await new SignJWT({
        body_hash: createHash('sha256').update(BODY).digest('hex'),
        org_id: SIMULATED_ORG_ID,
      })
        .setProtectedHeader({ alg: 'HS256', kid: pub?.kid })
        .setIssuedAt()
        .setExpirationTime('1m')
        .sign(secret);
      await expect(verifier()(`Bearer ${token}`, BODY)).rejects.toMatchObject({
        statusCode: 401,
        message: /algorithm|token rejected/,
      });
    });

    it('refetches the key set once for an unknown key id and then accepts the rotated-in key', async () => {
      const verify = verifier();
      await verify(await bearer(), BODY); // key set fetched and cached
      const before = sim.jwksFetches;
      await verify(await bearer(), BODY);
      expect(sim.jwksFetches).toBe(before); // cached
      const next = await newSigningKey();
      sim.rotateTo(next);
      await expect(verify(await bearer(), BODY)).resolves.toMatchObject({ keyId: next.kid });
      expect(sim.jwksFetches).toBe(before + 1);
    });

    it('does not refetch within the cool-down for repeated unknown key ids', async () => {
      const verify = createPismoWebhookVerifier({ ...config, jwksCooldownMs: 60_000 });
      await verify(await bearer(), BODY);
      const before = sim.jwksFetches;
      const rogue = await newSigningKey();
      for (let i = 0; i < 3; i++)
        await expect(verify(await bearer({ key: rogue }), BODY)).rejects.toMatchObject({ statusCode: 401 });
      expect(sim.jwksFetches).toBeLessThanOrEqual(before + 1);
    });

    it('refuses to build with no acceptable algorithm (HS256 or none cannot be configured)', () => {
      expect(() => createPismoWebhookVerifier({ ...config, algorithms: ['HS256', 'none'] })).toThrow(/algorithm/);
    });

    it('refuses to build without a tenant or an issuer to bind tokens to', () => {
      expect(() => createPismoWebhookVerifier({ ...config, orgId: '' })).toThrow(/tenant/);
      expect(() => createPismoWebhookVerifier({ ...config, issuer: '' })).toThrow(/issuer/);
    });

    it("binds each route to its configured audience, which replaces the route's default", async () => {
      const url = 'https://api.issuer.example/pismo/tokenization-decisions';
      const verify = createPismoWebhookVerifier({ ...config, audiences: { decisions: url } });
      await expect(verify(await bearer({ audience: url }), BODY)).resolves.toBeDefined();
      await expect(verify(await bearer(), BODY)).rejects.toMatchObject({ statusCode: 401, message: /aud/ });
    });

    it('accepts either route only when built for no route (tools, never a handler)', async () => {
      const verify = createPismoWebhookVerifier({ ...config, route: undefined });
      for (const audience of Object.values(PISMO_WEBHOOK_UNCONFIRMED.audience))
        await expect(verify(await bearer({ audience }), BODY)).resolves.toBeDefined();
      await expect(verify(await bearer({ audience: '/elsewhere' }), BODY)).rejects.toMatchObject({ statusCode: 401 });
    });
  });
});

describe('config', () => {
  describe('loadPismoWebhookConfig', () => {
    const env = {
      [ENV.pismoJwksUrl]: 'https://pismo.example/jwks',
      [ENV.pismoOrgId]: SIMULATED_ORG_ID,
      [ENV.pismoJwtIssuer]: SIMULATED_ISSUER,
    };

    it('fails to load when the tenant is not configured', () => {
      expect(() => loadPismoWebhookConfig({ ...env, [ENV.pismoOrgId]: '' }, 'events')).toThrow(ENV.pismoOrgId);
    });

    it('fails to load when the issuer is not configured', () => {
      expect(() => loadPismoWebhookConfig({ ...env, [ENV.pismoJwtIssuer]: undefined }, 'events')).toThrow(
        ENV.pismoJwtIssuer,
      );
    });

    it("loads the route's audience from its own variable", () => {
      expect(
        loadPismoWebhookConfig({ ...env, [ENV.pismoEventsAudience]: 'https://api.example/pismo/events' }, 'events'),
      ).toMatchObject({ route: 'events', audiences: { events: 'https://api.example/pismo/events' } });
    });
  });
});
