import type { PushProvisioningPort } from '../../../shared/adapters/pismo/push-provisioning';
import { pushProvision, type PushProvisioningDeps } from '../../../shared/cardholder/push-provisioning';
import { RequestAlreadyDoneError } from '../../../shared/cardholder/request-guard';
import { MemoryRequestGuards } from '../../fixtures/memory-request-guards';
import { MemoryTokenStore } from '../../fixtures/memory-token-store';

const AT = '2026-12-01T10:00:00.000Z';
const body = (requestId: string) => ({
  requestId,
  certificates: ['MIIBAA=='],
  nonce: 'AAECAw==',
  nonceSignature: 'AAECAwQFBgc=',
});

async function setup(pismo: PushProvisioningPort) {
  const store = new MemoryTokenStore();
  await store.putCardState(
    {
      cardId: '5271995',
      status: 'NORMAL',
      statusKnown: true,
      accountId: '100002000',
      lastEventId: 'e',
      lastEventAt: AT,
      firstEventAt: AT,
    },
    undefined,
  );
  const guards = new MemoryRequestGuards();
  const deps: PushProvisioningDeps = {
    store,
    guards,
    pismo,
    limits: { perWindow: 10, windowSeconds: 3600, requestIdTtlSeconds: 60 },
  };
  return { store, guards, deps };
}

const data = {
  wallet: 'apple-pay' as const,
  encryptedPassData: 'ZW5j',
  activationData: 'YWN0',
  ephemeralPublicKey: 'BAAA',
  cardholder: {},
};

describe('push provisioning request ids', () => {
  it('two concurrent requests with one id: one Pismo call, the other 409 "still running"', async () => {
    let release: () => void = () => undefined;
    const calls: string[] = [];
    const { deps } = await setup({
      createEncryptedCardData: async () => {
        calls.push('call');
        await new Promise<void>((r) => (release = r));
        return data;
      },
    });
    const first = pushProvision(
      { accountId: '100002000', cardId: '5271995', wallet: 'apple-pay', body: body('same-id-1') },
      deps,
    );
    await new Promise((r) => setImmediate(r));
    const second = pushProvision(
      { accountId: '100002000', cardId: '5271995', wallet: 'apple-pay', body: body('same-id-1') },
      deps,
    );
    await expect(second).rejects.toThrow(/still running/);
    release();
    await expect(first).resolves.toEqual(data);
    expect(calls).toEqual(['call']);
    await expect(
      pushProvision({ accountId: '100002000', cardId: '5271995', wallet: 'apple-pay', body: body('same-id-1') }, deps),
    ).rejects.toBeInstanceOf(RequestAlreadyDoneError);
  });

  it('keeps no wallet data: the recorded outcome holds no payload', async () => {
    const { deps, guards } = await setup({ createEncryptedCardData: async () => data });
    await pushProvision(
      { accountId: '100002000', cardId: '5271995', wallet: 'apple-pay', body: body('keep-none-1') },
      deps,
    );
    const kept = JSON.stringify([...guards.claims.values()]);
    expect(kept).toContain('push-provisioning-apple-pay');
    for (const v of [data.encryptedPassData, data.activationData, data.ephemeralPublicKey])
      expect(kept).not.toContain(v);
    expect([...guards.claims.values()][0]?.outcome?.result).toBeUndefined();
  });

  it('frees the id when Pismo fails, so the same id can be tried again', async () => {
    let fail = true;
    const { deps } = await setup({
      createEncryptedCardData: async () => {
        if (fail) throw new Error('down');
        return data;
      },
    });
    const call = () =>
      pushProvision({ accountId: '100002000', cardId: '5271995', wallet: 'apple-pay', body: body('retry-id-1') }, deps);
    await expect(call()).rejects.toThrow('down');
    fail = false;
    await expect(call()).resolves.toEqual(data);
  });
});
