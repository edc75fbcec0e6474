import { type LocalStack, startLocalStack } from '../../../local/stack/local-stack';
import { ENV } from '../../../shared/config';
import { KmsOtpSealer, OtpSealUnavailable } from '../../../shared/adapters/aws/otp-sealer';
import { scanAll } from '../../fixtures/token-table';
import { mdesYellowPath, SEED_ACTIVATION_CODE } from '../../../local/seed/idv-events';

const rawItems = (stack: LocalStack) => scanAll(stack.dynamo.client, stack.tableName);

const challengeItem = async (stack: LocalStack, tokenId: string) =>
  (await rawItems(stack)).find((i) => i.PK === `TOKEN#${tokenId}` && String(i.SK).startsWith('CHALLENGE#'));

// One local stack per test file: the function modules are loaded once per module registry and keep
// the first stack's endpoints.
describe('ID&V codes at rest (raw DynamoDB items, local stack)', () => {
  describe('before delivery', () => {
    let stack: LocalStack;
    beforeAll(async () => {
      stack = await startLocalStack({ startWorkflows: false });
    });
    afterAll(() => stack.stop());

    it('holds the code only sealed by KMS: no clear code in any raw item', async () => {
      const flow = mdesYellowPath('seal1');
      await stack.pismo.send(`${stack.url}/pismo/events`, flow.ta);
      expect((await stack.pismo.send(`${stack.url}/pismo/events`, flow.ac)).status).toBe(202);
      const item = await challengeItem(stack, 'seal1');
      expect(item).toMatchObject({ status: 'PENDING', sealedOtp: expect.any(String) });
      expect(item).not.toHaveProperty('otp');
      expect(JSON.stringify(await rawItems(stack))).not.toContain(SEED_ACTIVATION_CODE);
    });

    it('opens only for the challenge and token it was sealed for', async () => {
      const item = await challengeItem(stack, 'seal1');
      const sealer = new KmsOtpSealer(process.env[ENV.otpKeyArn] ?? '');
      const binding = { challengeId: String(item?.challengeId), tokenId: 'seal1' };
      await expect(sealer.open(String(item?.sealedOtp), binding)).resolves.toBe(SEED_ACTIVATION_CODE);
      await expect(sealer.open(String(item?.sealedOtp), { ...binding, tokenId: 'other' })).rejects.toBeInstanceOf(
        OtpSealUnavailable,
      );
      await expect(
        sealer.open(String(item?.sealedOtp), { ...binding, challengeId: 'ch-other' }),
      ).rejects.toBeInstanceOf(OtpSealUnavailable);
    });
  });
});
