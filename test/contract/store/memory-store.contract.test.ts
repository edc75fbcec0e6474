import { MemoryReplayMemory } from '../../fixtures/memory-replay-memory';
import { MemoryTokenStore } from '../../fixtures/memory-token-store';
import { describeReplayMemoryContract } from './replay-memory.contract';
import { describeTokenStoreContract } from './token-store.contract';

// The in-memory fakes of the unit tests pass the same contract as the DynamoDB adapter.
describe('MemoryTokenStore (contract)', () => {
  describeTokenStoreContract(() => Promise.resolve(new MemoryTokenStore()));
});

describe('MemoryReplayMemory (contract)', () => {
  describeReplayMemoryContract(() => Promise.resolve(new MemoryReplayMemory()));
});
