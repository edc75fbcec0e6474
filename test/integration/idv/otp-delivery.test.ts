import { type LocalStack, startLocalStack } from '../../../local/stack/local-stack';
import { scanAll } from '../../fixtures/token-table';
import { mdesYellowPath, SEED_ACTIVATION_CODE } from '../../../local/seed/idv-events';
import { until } from '../../fixtures/until';

const rawItems = (stack: LocalStack) => scanAll(stack.dynamo.client, stack.tableName);

const challengeItem = async (stack: LocalStack, tokenId: string) =>
  (await rawItems(stack)).find((i) => i.PK === `TOKEN#${tokenId}` && String(i.SK).startsWith('CHALLENGE#'));

// One local stack per test file: the function modules are loaded once per module registry and keep
// the first stack's endpoints.
describe('ID&V codes and cardholder messages (raw DynamoDB items, local stack)', () => {
  describe('after delivery', () => {
    let stack: LocalStack;
    beforeAll(async () => {
      stack = await startLocalStack({});
    });
    afterAll(() => stack.stop());

    it('removes the sealed code in the same write that marks the challenge delivered', async () => {
      const flow = mdesYellowPath('seal2');
      await stack.pismo.send(`${stack.url}/pismo/events`, flow.ta);
      await stack.pismo.send(`${stack.url}/pismo/events`, flow.ac);
      const item = await until(async () => {
        const c = await challengeItem(stack, 'seal2');
        return c?.status === 'DELIVERED' ? c : undefined;
      });
      expect(item).not.toHaveProperty('sealedOtp');
      expect(stack.aws.outbox.some((m) => m.body.includes(SEED_ACTIVATION_CODE))).toBe(true);
    });

    it('names an unknown wallet "your wallet" in the SMS, never raw network text', async () => {
      const flow = mdesYellowPath('seal3');
      for (const e of [flow.ta, flow.ac]) {
        const de48 = (e.data.network_data as Record<string, Record<string, Record<string, string>>>)
          .de48_additional_data_private_user;
        if (de48?.se26_wallet_program_data)
          de48.se26_wallet_program_data.sf1_wallet_identifier = '\u0000\r\nCALL 0800 {code}';
      }
      await stack.pismo.send(`${stack.url}/pismo/events`, flow.ta);
      await stack.pismo.send(`${stack.url}/pismo/events`, flow.ac);
      const sms = await until(async () =>
        stack.aws.outbox.find((m) => m.body.includes(SEED_ACTIVATION_CODE) && m.body.includes('your wallet')),
      );
      expect(sms.body).not.toMatch(/[\p{C}]|CALL 0800/u);
    });
  });
});
