import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { type LocalStack, startLocalStack } from '../../../local/stack/local-stack';
import { DECISION_SCENARIOS } from '../../../local/pismo-simulator/scenarios';

let stack: LocalStack;
let decideFn: string;
beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'ERROR' });
  const route = stack.model.routes.find((r) => r.routeKey === 'POST /pismo/tokenization-decisions');
  if (!route) throw new Error('decision route missing from the template');
  decideFn = route.functionId;
});
afterAll(() => stack.stop());

const url = () => `${stack.url}/pismo/tokenization-decisions`;

async function decisionItems(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await stack.dynamo.client.send(
      new ScanCommand({ TableName: stack.tableName, ExclusiveStartKey: start as never }),
    );
    for (const i of out.Items ?? []) items.push(unmarshall(i));
    start = out.LastEvaluatedKey as Record<string, unknown> | undefined;
  } while (start);
  return items.filter((i) => String(i.SK).startsWith('DECISION#'));
}

describe('POST /pismo/tokenization-decisions (local stack)', () => {
  it.each(DECISION_SCENARIOS.map((s) => [s.name, s.expected] as const))(
    'answers %s with %s',
    async (name, expected) => {
      const scenario = DECISION_SCENARIOS.find((s) => s.name === name);
      const res = await stack.pismo.send(url(), scenario?.request);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        decision: expected,
        rule_set_version: 'default-v2',
        decision_id: expect.any(String),
      });
    },
  );

  it("offers the ID&V methods with destinations masked from Pismo's accounts API", async () => {
    const scenario = DECISION_SCENARIOS.find((s) => s.name === 'mdes-yellow');
    const res = await stack.pismo.send(url(), scenario?.request);
    expect(res.body.activation_methods).toEqual([
      { type: 'OTP_SMS', destination: '*********7728' },
      { type: 'OTP_EMAIL', destination: 'a***@e***.com' },
      { type: 'CALL_CENTER', destination: null },
    ]);
  });

  it('does not offer SMS when the cardholder has no mobile phone', async () => {
    const account = stack.pismo.accounts.find((a) => a.accountId === '100002000');
    const phones = account?.phones ?? [];
    if (account) account.phones = [];
    try {
      const scenario = DECISION_SCENARIOS.find((s) => s.name === 'vts-yellow');
      const res = await stack.pismo.send(url(), scenario?.request);
      expect((res.body.activation_methods as { type: string }[]).map((m) => m.type)).toEqual([
        'OTP_EMAIL',
        'CALL_CENTER',
      ]);
    } finally {
      if (account) account.phones = phones;
    }
  });

  it('shows the decision on the token', async () => {
    const scenario = DECISION_SCENARIOS.find((s) => s.name === 'mdes-yellow');
    const res = await stack.pismo.send(url(), scenario?.request);
    const token = await stack.issuer.mint({ scope: 'tokens:read', audience: stack.audience });
    const view = (await (
      await fetch(`${stack.url}/tokens/27002`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as {
      decisions: { decisionId: string; decision: string; firedRules: unknown[] }[];
    };
    expect(view.decisions[0]).toMatchObject({
      decisionId: res.body.decision_id,
      decision: 'REQUIRE_ADDITIONAL_AUTHENTICATION',
    });
  });

  it('approves a push from the issuer app with a weak device score and records the waiving rule (ADR 0035)', async () => {
    const request = structuredClone(DECISION_SCENARIOS.find((s) => s.name === 'mdes-green')?.request ?? {});
    request.token_id = 27201;
    type Nd = { de124_member_defined_data: { mdes_data: { token_authorization: Record<string, unknown> } } };
    const ta = (request.original_network_data as Nd).de124_member_defined_data.mdes_data.token_authorization;
    Object.assign(ta, { sf9_wallet_provider_device_score: '1' });
    const res = await stack.pismo.send(url(), request);
    expect(res.body).toMatchObject({
      decision: 'APPROVED',
      reason_codes: ['DEVICE_SCORE', 'ISSUER_APP'],
      rule_set_version: 'default-v2',
    });
    const item = (await decisionItems()).find((i) => i.decisionId === res.body.decision_id);
    expect(item).toMatchObject({
      PK: expect.stringContaining('27201'),
      decision: 'APPROVED',
      waivedBy: ['issuer-app-provisioning'],
      firedRules: expect.arrayContaining([
        { id: 'issuer-app-provisioning', outcome: 'APPROVE', reasonCode: 'ISSUER_APP', waivesIdAndV: true },
      ]),
    });
  });

  it('refuses unsigned and tampered calls with 401 and records nothing', async () => {
    const before = (await decisionItems()).length;
    const body = JSON.stringify(DECISION_SCENARIOS[0]?.request);
    const unsigned = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const signed = await stack.pismo.headers(body);
    const tampered = await fetch(url(), { method: 'POST', headers: signed, body: body.replace('NORMAL', 'NORMAL ') });
    expect([unsigned.status, tampered.status]).toEqual([401, 401]);
    expect((await decisionItems()).length).toBe(before);
  });

  it('answers a body that is not JSON with 400 and records the rejection', async () => {
    const before = (await decisionItems()).length;
    const body = '{"token_id": 1,';
    const res = await fetch(url(), { method: 'POST', headers: await stack.pismo.headers(body), body });
    expect(res.status).toBe(400);
    const after = await decisionItems();
    expect(after.length).toBe(before + 1);
    expect(after.find((i) => i.decision === 'REJECTED')).toMatchObject({ reasonCodes: ['UNPARSEABLE_REQUEST'] });
  });

  it('never answers 5xx and records a decision for every generated body (fuzz, 1,000 cases)', async () => {
    const keys = [
      'token_id',
      'network_brand',
      'network_call_method',
      'card',
      'custom_codes',
      'original_network_data',
      'combo_card',
    ];
    const mutated = fc
      .tuple(
        fc.constantFrom(...DECISION_SCENARIOS.map((s) => s.request)),
        fc.array(fc.tuple(fc.constantFrom(...keys), fc.option(fc.jsonValue(), { nil: undefined })), { maxLength: 3 }),
      )
      .map(([request, edits]) => {
        const copy: Record<string, unknown> = structuredClone(request);
        for (const [k, v] of edits) {
          if (v === undefined) delete copy[k];
          else copy[k] = v;
        }
        return JSON.stringify(copy);
      });
    const bodies = fc.oneof(mutated, fc.json(), fc.string({ maxLength: 200 }));
    const answered: string[] = [];
    let rejected = 0;
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const event = {
          version: '2.0',
          routeKey: 'POST /pismo/tokenization-decisions',
          rawPath: '/pismo/tokenization-decisions',
          rawQueryString: '',
          headers: await stack.pismo.headers(body),
          body,
          isBase64Encoded: false,
          requestContext: {
            http: { method: 'POST', path: '/pismo/tokenization-decisions' },
            requestId: 'fuzz',
            routeKey: 'POST /pismo/tokenization-decisions',
          },
        };
        const res = (await stack.invoke(decideFn, event)) as APIGatewayProxyStructuredResultV2;
        expect(res.statusCode).toBeLessThan(500);
        if (res.statusCode === 200) {
          const answer = JSON.parse(String(res.body)) as { decision: string; decision_id: string };
          expect(['APPROVED', 'DECLINED', 'REQUIRE_ADDITIONAL_AUTHENTICATION']).toContain(answer.decision);
          answered.push(answer.decision_id);
        } else {
          expect(res.statusCode).toBe(400);
          rejected++;
        }
      }),
      { numRuns: 1000 },
    );
    const items = await decisionItems();
    const recorded = new Set(items.map((i) => String(i.decisionId)));
    expect(answered.filter((id) => !recorded.has(id))).toEqual([]);
    expect(items.filter((i) => i.decision === 'REJECTED').length).toBeGreaterThanOrEqual(rejected);
    expect(answered.length + rejected).toBe(1000);
    // 1,000 signed calls, each with a replay claim beside its read and write: ~20 s alone, far more on
    // the shared 2-core machine under load.
  }, 180_000);
});
