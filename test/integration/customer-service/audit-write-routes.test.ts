import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { randomBytes } from 'node:crypto';
import { synthesizeTemplates } from '../../../local/model/cloud-template';
import { DEV_ISSUER } from '../../../local/dev-issuer/issuer';
import { type LocalStack, startLocalStack } from '../../../local/stack/local-stack';
import { containsPanLikeDigits } from '../../../shared/adapters/mdes/identifiers';
import { TOKEN_OPERATIONS } from '../../../shared/customer-service/customer-service';
import { mdesActiveToken, mdesYellowPath } from '../../../local/seed/idv-events';

/**
 * Every action on a token is audited the same way, whatever the route (DESIGN §3a): this test takes
 * the write routes from the synthesized template (not from a list kept here), drives each with valid
 * input against the local stack, and finds the audit record each one left. A new write route fails
 * it until it is given a driver below (and an audit).
 */
let stack: LocalStack;
let officer: string;

beforeAll(async () => {
  stack = await startLocalStack();
  officer = await stack.issuer.mint({
    scope: 'tokens:read tokens:write',
    audience: stack.audience,
    sub: 'agent-9',
    name: 'Audit Tester',
  });
}, 60_000);
afterAll(() => stack.stop());

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A fresh 48-character MDES-style TUR (hex after the prefix; never a card-number-like digit run). */
function newTur(): string {
  for (;;) {
    const tur = `DAPLMC${randomBytes(21).toString('hex')}`;
    if (!containsPanLikeDigits(tur)) return tur;
  }
}

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${stack.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${officer}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The audit records under one owner key (the token, its TUR, or the day). */
async function auditUnder(pk: string): Promise<Record<string, unknown>[]> {
  const out = await stack.dynamo.client.send(
    new QueryCommand({
      TableName: stack.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
      ExpressionAttributeValues: { ':pk': { S: pk }, ':sk': { S: 'AUDIT#' } },
    }),
  );
  return (out.Items ?? []).map((i) => unmarshall(i));
}

/** A Mastercard test PAN of a card being reissued (only this test's simulator holds it). */
const REISSUED_CARD = '5555555555554444';

const post = (e: unknown) => stack.pismo.send(`${stack.url}/pismo/events`, e);

type SimStatus = 'U' | 'A' | 'S';
/** What each write operation needs at MDES, and a valid body for it. */
const WRITE_OPERATIONS: Record<string, { status: SimStatus; suspenders?: string[]; body: Record<string, unknown> }> = {
  suspend: { status: 'A', body: { ReasonCode: 'T', CommentText: 'audit test' } },
  unsuspend: { status: 'S', suspenders: ['I'], body: { ReasonCode: 'F' } },
  delete: { status: 'A', body: { ReasonCode: 'C' } },
  activate: { status: 'U', body: { ReasonCode: 'A' } },
  'resend-activation-code': { status: 'U', body: { ActivationMethodId: '1' } },
  'reset-mobile-pin': { status: 'A', body: { ReasonCode: 'N' } },
  update: { status: 'A', body: { ExpirationDate: '0931' } },
  'update-assurance': { status: 'A', body: {} },
  messages: {
    status: 'A',
    body: {
      MessageText: 'Statement credit',
      MessageExpiration: new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z'),
      MessageIdentifier: 'msg-audit',
      MessageLanguageCode: 'en',
      IssuerApplicationMessageDisplay: 'TRUE',
    },
  },
};

/** One driven action: the request, and where its audit record must be. */
interface Driven {
  label: string;
  status: number;
  pk: string;
  operation: string;
}

let seq = 0;
/** Drivers per route key: valid input, then the owner key its audit record hangs under. */
const DRIVERS: Record<string, () => Promise<Driven[]>> = {
  'POST /cs/turs/{tur}/{operation}': async () =>
    Promise.all(
      Object.entries(WRITE_OPERATIONS).map(async ([operation, op]) => {
        const tur = newTur();
        stack.mdes.provision({ tur, status: op.status, suspenders: op.suspenders });
        const res = await call('POST', `/cs/turs/${tur}/${operation}`, op.body);
        return { label: `turs/${operation}`, status: res.status, pk: `TUR#${tur}`, operation };
      }),
    ),
  'POST /cs/tokens/{tokenId}/{operation}': async () =>
    Promise.all(
      Object.entries(WRITE_OPERATIONS).map(async ([operation, op]) => {
        const tokenId = `aud${++seq}${Date.now().toString(36)}`;
        const tur = newTur();
        for (const e of mdesActiveToken(tokenId, tur)) await post(e);
        stack.mdes.provision({ tur, status: op.status, suspenders: op.suspenders });
        const res = await call('POST', `/cs/tokens/${tokenId}/${operation}`, op.body);
        return { label: `tokens/${operation}`, status: res.status, pk: `TOKEN#${tokenId}`, operation };
      }),
    ),
  'POST /cs/search': async () => {
    const tokenId = `aud${++seq}${Date.now().toString(36)}`;
    const tur = newTur();
    for (const e of mdesActiveToken(tokenId, tur)) await post(e);
    const res = await call('POST', '/cs/search', { TokenUniqueReference: tur });
    return [{ label: 'search', status: res.status, pk: `TOKEN#${tokenId}`, operation: 'search' }];
  },
  'POST /cs/accounts/update': async () => {
    stack.mdes.provision({ tur: newTur(), accountPan: REISSUED_CARD });
    const res = await call('POST', '/cs/accounts/update', { CurrentAccountPan: REISSUED_CARD, ExpirationDate: '1231' });
    return [
      {
        label: 'accounts/update',
        status: res.status,
        pk: `AUDIT#DAY#${new Date().toISOString().slice(0, 10)}`,
        operation: 'update-account',
      },
    ];
  },
  'POST /tokens/{tokenId}/challenges/{challengeId}/resend': async () => {
    const tokenId = `aud${++seq}${Date.now().toString(36)}`;
    const flow = mdesYellowPath(tokenId);
    await post(flow.ta);
    await post({
      ...flow.ta,
      event_id: `resync-${tokenId}`,
      event_type: 'token_resync',
      data: { card_id: 4995608, token_id: tokenId, token_status: 'PENDING', token_unique_reference: newTur() },
    });
    await post(flow.ac);
    const res = await call('POST', `/tokens/${tokenId}/challenges/ch-ac-${tokenId}/resend`);
    return [{ label: 'challenge resend', status: res.status, pk: `TOKEN#${tokenId}`, operation: 'resend-challenge' }];
  },
};

describe('audit of every write route', () => {
  describe('the synthesized template', () => {
    it('has exactly the write routes driven here (a new one needs a driver and an audit)', () => {
      const writeRoutes = stack.model.routes
        .filter((r) => WRITE_METHODS.has(r.method) && !r.path.startsWith('/pismo/'))
        .map((r) => r.routeKey)
        .sort();
      expect(writeRoutes.length).toBeGreaterThan(0);
      expect(writeRoutes).toEqual(Object.keys(DRIVERS).sort());
    });
  });

  describe('IAM of the write routes', () => {
    it("grants each write route's function table writes (its audit record needs them)", () => {
      const stacks = synthesizeTemplates({ 'tokenization:jwtIssuer': DEV_ISSUER });
      const writeRoutes = stack.model.routes.filter(
        (r) => WRITE_METHODS.has(r.method) && !r.path.startsWith('/pismo/'),
      );
      const writers = writeRoutes.map((route) => {
        const [stackName, logicalId] = route.functionId.split('/');
        const template = stacks.find((s) => s.stackName === stackName)?.template;
        const role = (template?.Resources[logicalId ?? '']?.Properties?.Role as { 'Fn::GetAtt'?: string[] })?.[
          'Fn::GetAtt'
        ]?.[0];
        const actions = Object.values(template?.Resources ?? {})
          .filter((r) => r.Type === 'AWS::IAM::Policy')
          .filter((r) => JSON.stringify(r.Properties?.Roles ?? []).includes(`"${role}"`))
          .flatMap((r) => (r.Properties?.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement)
          .flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action]));
        return [route.routeKey, actions.includes('dynamodb:PutItem')];
      });
      expect(writers).toEqual(writeRoutes.map((r) => [r.routeKey, true]));
    }, 60_000);
  });

  describe('each write route', () => {
    it('leaves a final audit record (not PENDING) naming the officer for every valid action', async () => {
      const writeRoutes = stack.model.routes.filter(
        (r) => WRITE_METHODS.has(r.method) && !r.path.startsWith('/pismo/'),
      );
      const driven: Driven[] = [];
      for (const route of writeRoutes) driven.push(...(await (DRIVERS[route.routeKey] ?? (async () => []))()));
      // every write operation of the CS API, on both token routes
      const writeOps = Object.entries(TOKEN_OPERATIONS)
        .filter(([, d]) => d.write)
        .map(([n]) => n);
      expect(Object.keys(WRITE_OPERATIONS).sort()).toEqual(writeOps.sort());

      const found = await Promise.all(
        driven.map(async (d) => {
          const records = (await auditUnder(d.pk)).filter((r) => r.operation === d.operation);
          return [d.label, d.status, records.map((r) => [r.outcome, r.userId])];
        }),
      );
      expect(found).toEqual(
        driven.map((d) => [d.label, d.label === 'challenge resend' ? 202 : 200, [['DONE', 'agent-9']]]),
      );
    }, 60_000);
  });
});
