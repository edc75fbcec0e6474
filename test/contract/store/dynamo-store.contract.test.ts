import { randomBytes } from 'node:crypto';
import { type LocalDynamo, startDynalite } from '../../../local/aws/dynamodb';
import { DynamoTokenStore } from '../../../shared/adapters/dynamo/token-store';
import { DynamoReplayMemory } from '../../../shared/adapters/dynamo/webhook-replay-store';
import { createTokenTable } from '../../fixtures/token-table';
import { describeReplayMemoryContract } from './replay-memory.contract';
import { describeTokenStoreContract } from './token-store.contract';

// The DynamoDB adapters on dynalite (a table shaped like the template's): the reference behaviour.
let dynamo: LocalDynamo;
let tables = 0;
const newTable = async () => {
  const name = `contract${++tables}`;
  await createTokenTable(dynamo.client, name);
  return name;
};

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(() => dynamo.stop());

describe('DynamoTokenStore on dynalite (contract)', () => {
  describeTokenStoreContract(async () => {
    const cursorKey = randomBytes(32);
    return new DynamoTokenStore(await newTable(), dynamo.client, { cursorKey: () => Promise.resolve(cursorKey) });
  });
});

describe('DynamoReplayMemory on dynalite (contract)', () => {
  describeReplayMemoryContract(async () => new DynamoReplayMemory(await newTable(), dynamo.client));
});
