import { AppError } from '../../../shared/domain/errors';
import {
  allowedActionsOf,
  LIFECYCLE_ACTIONS,
  type LifecycleAction,
  pendingRequestOf,
} from '../../../shared/domain/lifecycle-actions';
import type { TokenState } from '../../../shared/domain/token-state';
import { TOKEN_STATUSES, type TokenStatus } from '../../../shared/domain/token-status';
import { PismoRejectedError, PismoUnavailableError } from '../../../shared/adapters/pismo/errors';
import {
  LifecycleRuleViolationError,
  operatorIdOf,
  performCardAction,
  performTokenAction,
  suspendDevice,
  type TokenActionResult,
} from '../../../shared/lifecycle/lifecycle';
import type { LifecycleDeps, MdesLifecyclePort, PismoLifecyclePort } from '../../../shared/lifecycle/ports';
import { MemoryTokenStore } from '../../fixtures/memory-token-store';

const OFFICER = { userId: 'agent-7', userName: 'Ana Souza' };
const TUR = 'DSHRMC0000259339fc95457145a841599b4b25b6c1da653e';
const MC_PROGRAM_VIA_PISMO = 'prog-77';

type Variant = 'VTS' | 'MDES' | 'MDES-via-Pismo';

function tokenState(tokenId: string, variant: Variant, status: TokenStatus | undefined, facts = {}): TokenState {
  const at = '2026-11-01T10:00:00.000Z';
  return {
    tokenId,
    status,
    statusAt: at,
    facts: {
      network: variant === 'VTS' ? 'VTS' : 'MDES',
      cardId: '5271995',
      accountId: '100002000',
      tokenUniqueReference: TUR,
      ...(variant === 'MDES-via-Pismo' ? { programId: MC_PROGRAM_VIA_PISMO } : {}),
      ...facts,
    },
    clocks: {},
    firstEventAt: at,
    lastEventAt: at,
  };
}

/** MDES's view of a token in our status: issuer-suspended when suspended. */
const MDES_VIEW: Partial<Record<TokenStatus, { status: 'IN_PROGRESS' | 'ACTIVE' | 'SUSPENDED' | 'DELETED' }>> = {
  requested: { status: 'IN_PROGRESS' },
  pending_idv: { status: 'IN_PROGRESS' },
  active: { status: 'ACTIVE' },
  suspended: { status: 'SUSPENDED' },
  deleted: { status: 'DELETED' },
};

function fakes(mdesSuspenders: (status?: string) => string[] = (s) => (s === 'SUSPENDED' ? ['I'] : [])) {
  const pismo = {
    performTokenOperation: jest.fn<ReturnType<PismoLifecyclePort['performTokenOperation']>, [unknown, unknown]>(
      async () => ({}),
    ),
    performCardTokenOperation: jest.fn<ReturnType<PismoLifecyclePort['performCardTokenOperation']>, [unknown, unknown]>(
      async () => ({}),
    ),
    getCardTokens: jest.fn<ReturnType<PismoLifecyclePort['getCardTokens']>, [unknown]>(async () => ({ tokens: [] })),
    accountOfCard: jest.fn(async () => '100002000' as string | undefined),
  };
  let mdesStatus: string | undefined;
  const mdes = {
    customerId: 'CID-A',
    lookup: jest.fn<ReturnType<MdesLifecyclePort['lookup']>, [string, unknown]>(async () =>
      mdesStatus
        ? { status: mdesStatus as 'ACTIVE', suspenders: mdesSuspenders(mdesStatus) }
        : { status: undefined, suspenders: [] },
    ),
    perform: jest.fn<ReturnType<MdesLifecyclePort['perform']>, [string, unknown]>(async () => ({})),
  };
  return { pismo, mdes, setMdesStatus: (s?: string) => (mdesStatus = s) };
}

async function setup(states: TokenState[], f = fakes()) {
  const store = new MemoryTokenStore();
  for (const s of states) await store.putTokenState(s, undefined);
  const deps: LifecycleDeps = {
    store,
    pismo: f.pismo,
    mdes: () => f.mdes,
    pismoMastercardPrograms: [MC_PROGRAM_VIA_PISMO],
    now: () => new Date('2026-11-02T10:00:00.000Z'),
  };
  return { store, deps, ...f };
}

/** The expected tables, written out (not derived from the code under test). */
const ALLOWED: Record<'VTS' | 'MDES', Record<LifecycleAction, TokenStatus[]>> = {
  VTS: {
    suspend: ['active'],
    resume: ['suspended'],
    delete: ['requested', 'pending_idv', 'active', 'suspended'],
    activate: ['pending_idv'],
    approveDeviceBinding: ['active'],
  },
  MDES: {
    suspend: ['active', 'suspended'],
    resume: ['suspended'],
    delete: ['requested', 'pending_idv', 'active', 'suspended'],
    activate: ['requested', 'pending_idv'],
    approveDeviceBinding: [],
  },
};

const PISMO_TYPE: Record<LifecycleAction, string> = {
  suspend: 'SUSPEND',
  resume: 'RESUME',
  delete: 'DELETE',
  activate: 'CALL_CENTER_ACTIVATION',
  approveDeviceBinding: 'TOKEN_DEVICE_BIDING_APPROVE',
};
const MDES_OP: Partial<Record<LifecycleAction, string>> = {
  suspend: 'suspend',
  resume: 'unsuspend',
  delete: 'delete',
  activate: 'activate',
};

const cells = (['VTS', 'MDES', 'MDES-via-Pismo'] as const).flatMap((variant) =>
  LIFECYCLE_ACTIONS.flatMap((action) =>
    TOKEN_STATUSES.map((status) => ({
      variant,
      action,
      status,
      allowed: ALLOWED[variant === 'VTS' ? 'VTS' : 'MDES'][action].includes(status),
    })),
  ),
);

describe('performTokenAction: every action × network × status', () => {
  it.each(cells)('$variant $action in $status → allowed: $allowed', async ({ variant, action, status, allowed }) => {
    const { store, deps, pismo, mdes, setMdesStatus } = await setup([tokenState('t1', variant, status)]);
    setMdesStatus(MDES_VIEW[status]?.status);
    const viaPismo = variant !== 'MDES';
    const body = { reason: 'OTHER', ...(viaPismo && action === 'activate' ? { activationCode: 'A1B2' } : {}) };
    const settled = await performTokenAction({ tokenId: 't1', action, body, officer: OFFICER }, deps).then(
      (result) => ({ result, error: undefined }),
      (error: unknown) => ({ result: undefined, error }),
    );
    const [audit] = await store.listAudit({ tokenId: 't1' }, 5);
    if (!allowed) {
      expect(settled.error).toBeInstanceOf(LifecycleRuleViolationError);
      expect(settled.error).toMatchObject({ statusCode: 409 });
      expect(pismo.performTokenOperation).not.toHaveBeenCalled();
      expect(mdes.lookup).not.toHaveBeenCalled();
      expect(mdes.perform).not.toHaveBeenCalled();
      expect(audit).toMatchObject({ outcome: 'REFUSED', httpStatus: 409, operation: action });
      return;
    }
    expect(settled.error).toBeUndefined();
    const result = settled.result as TokenActionResult;
    expect(result.route).toBe(viaPismo ? 'pismo' : 'mdes');
    expect(audit).toMatchObject({ outcome: 'DONE', operation: action, userId: 'agent-7', userName: 'Ana Souza' });
    if (viaPismo) {
      expect(pismo.performTokenOperation).toHaveBeenCalledTimes(1);
      expect(pismo.performTokenOperation.mock.calls[0]?.[1]).toMatchObject({
        operationType: PISMO_TYPE[action],
        operatorId: operatorIdOf('agent-7'),
      });
      expect(mdes.perform).not.toHaveBeenCalled();
      expect(audit?.parameters).toMatchObject({ route: 'pismo', operatorId: operatorIdOf('agent-7') });
    } else if (action === 'suspend' && status === 'suspended') {
      // Already suspended by the issuer (multi-suspender): nothing to send.
      expect(result.outcome).toBe('ALREADY_DONE');
      expect(mdes.perform).not.toHaveBeenCalled();
    } else {
      expect(mdes.perform).toHaveBeenCalledTimes(1);
      expect(mdes.perform.mock.calls[0]?.[0]).toBe(MDES_OP[action]);
      expect(pismo.performTokenOperation).not.toHaveBeenCalled();
      expect(audit).toMatchObject({ customerId: 'CID-A', parameters: expect.objectContaining({ route: 'mdes' }) });
    }
  });

  it('refuses a token whose status is not known yet (409, nothing sent)', async () => {
    const { deps, pismo } = await setup([tokenState('t1', 'VTS', undefined)]);
    await expect(
      performTokenAction({ tokenId: 't1', action: 'suspend', body: { reason: 'OTHER' }, officer: OFFICER }, deps),
    ).rejects.toMatchObject({ statusCode: 409, message: expect.stringContaining('status not known') });
    expect(pismo.performTokenOperation).not.toHaveBeenCalled();
  });
});

describe('performTokenAction: input, officer and faults', () => {
  const act = (deps: LifecycleDeps, body: unknown, officer: object = OFFICER, tokenId = 't1') =>
    performTokenAction({ tokenId, action: 'suspend', body, officer }, deps);

  it('404 for an unknown token; 400 naming a missing reason, an unknown field or a missing officer name', async () => {
    const { deps, pismo } = await setup([tokenState('t1', 'VTS', 'active')]);
    await expect(act(deps, { reason: 'OTHER' }, OFFICER, 'nope')).rejects.toMatchObject({ statusCode: 404 });
    await expect(act(deps, { comment: 'x' })).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('reason'),
    });
    await expect(act(deps, { reason: 'LOST' })).rejects.toMatchObject({ statusCode: 400 });
    await expect(act(deps, { reason: 'OTHER', ReasonCode: 'L' })).rejects.toMatchObject({ statusCode: 400 });
    await expect(act(deps, { reason: 'OTHER', comment: 'a\u0007b' })).rejects.toMatchObject({ statusCode: 400 });
    await expect(act(deps, { reason: 'OTHER' }, { userId: 'agent-7' })).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('officer.userName'),
    });
    await expect(act(deps, { reason: 'OTHER' }, { userName: 'Ana' })).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('officer.userId'),
    });
    expect(pismo.performTokenOperation).not.toHaveBeenCalled();
  });

  it('activation through Pismo needs the code; device binding takes a method; MDES activation takes no code', async () => {
    const { deps, pismo, mdes, setMdesStatus } = await setup([
      tokenState('v', 'VTS', 'pending_idv'),
      tokenState('m', 'MDES', 'pending_idv'),
      tokenState('b', 'VTS', 'active'),
    ]);
    const run = (tokenId: string, action: LifecycleAction, body: object) =>
      performTokenAction({ tokenId, action, body: { reason: 'CARDHOLDER_REQUEST', ...body }, officer: OFFICER }, deps);
    await expect(run('v', 'activate', {})).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('activationCode'),
    });
    await run('v', 'activate', { activationCode: '12345678' });
    expect(pismo.performTokenOperation.mock.calls[0]?.[1]).toMatchObject({ activationCode: '12345678' });
    setMdesStatus('IN_PROGRESS');
    await expect(run('m', 'activate', { activationCode: '1234' })).rejects.toMatchObject({ statusCode: 400 });
    await run('m', 'activate', {});
    expect(mdes.perform).toHaveBeenCalledWith('activate', expect.objectContaining({ reasonCode: 'C' }));
    await run('b', 'approveDeviceBinding', { method: 'BANK_APP' });
    expect(pismo.performTokenOperation.mock.calls[1]?.[1]).toMatchObject({
      operationType: 'TOKEN_DEVICE_BINDING_APPROVE_BANK_APP',
    });
    await expect(run('b', 'suspend', { method: 'BANK_APP' })).rejects.toMatchObject({ statusCode: 400 });
  });

  it('sends Pismo a stable operator id of at most 16 characters, and a reason sentence without the comment', async () => {
    const { deps, pismo } = await setup([tokenState('t1', 'VTS', 'active')]);
    await act(deps, { reason: 'FRAUD_SUSPECTED', comment: 'call from the cardholder' });
    const input = pismo.performTokenOperation.mock.calls[0]?.[1] as { operatorId: string; reason: string };
    expect(input.operatorId).toHaveLength(16);
    expect(input.operatorId).toBe(operatorIdOf('agent-7'));
    expect(operatorIdOf('agent-8')).not.toBe(input.operatorId);
    // Wallets may show operation_reason to the cardholder: never the officer's comment.
    expect(input.reason).toBe('Suspected fraud: contact your bank.');
  });

  it("finds the token's account through Pismo's cards API when our state does not name it", async () => {
    const { deps, pismo } = await setup([tokenState('t1', 'VTS', 'active', { accountId: undefined })]);
    await act(deps, { reason: 'OTHER' });
    expect(pismo.accountOfCard).toHaveBeenCalledWith('5271995');
    expect(pismo.performTokenOperation.mock.calls[0]?.[0]).toEqual({
      accountId: '100002000',
      cardId: '5271995',
      tokenId: 't1',
    });
  });

  it('Pismo 4xx → 422 with its error_code, audited REFUSED; Pismo down → 502, audited FAILED', async () => {
    const { store, deps, pismo } = await setup([tokenState('t1', 'VTS', 'active')]);
    pismo.performTokenOperation.mockRejectedValueOnce(
      new PismoRejectedError('performTokenOperation', 400, { errorCode: 'EWA0001', message: 'no' }),
    );
    await expect(act(deps, { reason: 'OTHER' })).rejects.toMatchObject({
      statusCode: 422,
      message: expect.stringContaining('EWA0001'),
    });
    pismo.performTokenOperation.mockRejectedValueOnce(
      new PismoUnavailableError('performTokenOperation', 'timed out', true, { outcome: 'unknown' }),
    );
    await expect(act(deps, { reason: 'OTHER' })).rejects.toMatchObject({ statusCode: 502 });
    const audit = await store.listAudit({ tokenId: 't1' }, 5);
    expect(audit.map((a) => a.outcome).sort()).toEqual(['FAILED', 'REFUSED']);
    expect(audit.find((a) => a.outcome === 'REFUSED')?.parameters?.pismoErrorCode).toBe('EWA0001');
    const timeline = await store.listTimeline({ tokenId: 't1' }, 10);
    expect(timeline.items.filter((e) => e.eventType === 'lifecycle')).toHaveLength(2);
  });

  it('a FAILED action flags its card for the next reconciliation run; a REFUSED one does not', async () => {
    // Prepare
    const { store, deps, pismo } = await setup([tokenState('t1', 'VTS', 'active')]);
    pismo.performTokenOperation.mockRejectedValueOnce(
      new PismoRejectedError('performTokenOperation', 400, { errorCode: 'EWA0001', message: 'no' }),
    );
    // Act
    await expect(act(deps, { reason: 'OTHER' })).rejects.toMatchObject({ statusCode: 422 });
    // Assess: refused by the network, the state is not in doubt
    expect((await store.listReconciliationFlags(10)).items).toEqual([]);

    // Prepare
    pismo.performTokenOperation.mockRejectedValueOnce(
      new PismoUnavailableError('performTokenOperation', 'timed out', true, { outcome: 'unknown' }),
    );
    // Act
    await expect(act(deps, { reason: 'OTHER' })).rejects.toMatchObject({ statusCode: 502 });
    // Assess
    const flags = (await store.listReconciliationFlags(10)).items;
    expect(flags).toEqual([
      expect.objectContaining({ cardId: '5271995', reason: expect.stringMatching(/^suspend failed/) }),
    ]);
  });
});

describe('performTokenAction: Mastercard through MDES Customer Service', () => {
  const run = (deps: LifecycleDeps, action: LifecycleAction, reason = 'DEVICE_LOST') =>
    performTokenAction({ tokenId: 'm', action, body: { reason, comment: 'c' }, officer: OFFICER }, deps);

  it("maps our reason to MDES's reason code and keeps both in the audit", async () => {
    const { store, deps, mdes, setMdesStatus } = await setup([tokenState('m', 'MDES', 'active')]);
    setMdesStatus('ACTIVE');
    await run(deps, 'suspend', 'DEVICE_STOLEN');
    expect(mdes.perform).toHaveBeenCalledWith('suspend', {
      tur: TUR,
      reasonCode: 'S',
      comment: 'c',
      officer: OFFICER,
    });
    await run(deps, 'delete', 'ACCOUNT_CLOSED');
    expect(mdes.perform).toHaveBeenLastCalledWith('delete', expect.objectContaining({ reasonCode: 'C' }));
    // (The fake clock gives both records one time: find the delete by its operation.)
    const deleted = (await store.listAudit({ tokenId: 'm' }, 5)).find((a) => a.operation === 'delete');
    expect(deleted?.parameters).toMatchObject({ reason: 'ACCOUNT_CLOSED', ReasonCode: 'C', route: 'mdes' });
  });

  it('multi-suspender: resume lifts only the issuer suspension and says who still suspends the token', async () => {
    const f = fakes(() => ['I', 'W']);
    const { deps, mdes, setMdesStatus } = await setup([tokenState('m', 'MDES', 'suspended')], f);
    setMdesStatus('SUSPENDED');
    const r = await run(deps, 'resume');
    expect(r).toMatchObject({ stillSuspendedBy: ['token requestor (wallet)'], expectedStatus: 'suspended' });
    // Nothing left pending: the token stays suspended (by the wallet).
    const audit = await deps.store.listAudit({ tokenId: 'm' }, 5);
    expect(audit[0]?.parameters?.expectedStatus).toBe('suspended');
    expect(pendingRequestOf(audit, { status: 'suspended', statusAt: '2026-11-01T10:00:00.000Z' })).toBeUndefined();
    expect(mdes.perform).toHaveBeenCalledWith('unsuspend', expect.objectContaining({ reasonCode: 'F' }));
  });

  it('multi-suspender: a token suspended only by the wallet cannot be resumed by the issuer (409, nothing sent)', async () => {
    const { deps, mdes, setMdesStatus } = await setup(
      [tokenState('m', 'MDES', 'suspended')],
      fakes(() => ['W']),
    );
    setMdesStatus('SUSPENDED');
    await expect(run(deps, 'resume')).rejects.toMatchObject({
      statusCode: 409,
      message: expect.stringContaining('multi-suspender'),
    });
    expect(mdes.perform).not.toHaveBeenCalled();
    // ... but the issuer may add its own suspension.
    await run(deps, 'suspend');
    expect(mdes.perform).toHaveBeenCalledWith('suspend', expect.anything());
  });

  it("refuses on MDES's own status when it differs from ours (409, nothing sent)", async () => {
    const { deps, mdes, setMdesStatus } = await setup([tokenState('m', 'MDES', 'active')]);
    setMdesStatus('DELETED');
    await expect(run(deps, 'suspend')).rejects.toMatchObject({ statusCode: 409 });
    expect(mdes.perform).not.toHaveBeenCalled();
  });

  it('a token without a TUR cannot go to MDES (409)', async () => {
    const { deps, mdes } = await setup([tokenState('m', 'MDES', 'active', { tokenUniqueReference: undefined })]);
    await expect(run(deps, 'delete')).rejects.toMatchObject({ statusCode: 409 });
    expect(mdes.perform).not.toHaveBeenCalled();
  });
});

describe('performCardAction', () => {
  const card = (deps: LifecycleDeps, action: 'suspend' | 'resume' | 'delete' = 'suspend') =>
    performCardAction({ cardId: '5271995', action, body: { reason: 'FRAUD_SUSPECTED' }, officer: OFFICER }, deps);

  it('one Pismo card operation; per-token results, one token failing; forbidden tokens skipped', async () => {
    const { store, deps, pismo } = await setup([
      tokenState('1', 'VTS', 'active'),
      tokenState('2', 'MDES', 'active'),
      tokenState('3', 'VTS', 'deleted'),
    ]);
    pismo.performCardTokenOperation.mockResolvedValueOnce({
      results: [
        { tokenId: '1', status: 'SUSPENDED', result: 'SUCCESS' },
        { tokenId: '2', status: 'ACTIVE', result: 'FAILED', errorCode: 'INVALID_TOKEN_STATUS' },
      ],
    });
    const out = await card(deps);
    expect(pismo.performCardTokenOperation).toHaveBeenCalledTimes(1);
    expect(pismo.performCardTokenOperation.mock.calls[0]).toEqual([
      { accountId: '100002000', cardId: '5271995' },
      { operationType: 'SUSPEND', reason: 'Suspected fraud: contact your bank.', operatorId: operatorIdOf('agent-7') },
    ]);
    expect(out.results.map((r) => [r.tokenId, r.result, r.errorCode])).toEqual([
      ['1', 'REQUESTED', undefined],
      ['2', 'FAILED', 'INVALID_TOKEN_STATUS'],
      ['3', 'SKIPPED', undefined],
    ]);
    expect((await store.listAudit({ tokenId: '1' }, 1))[0]).toMatchObject({
      outcome: 'DONE',
      operation: 'card-suspend',
    });
    expect((await store.listAudit({ tokenId: '2' }, 1))[0]).toMatchObject({ outcome: 'REFUSED' });
    expect(await store.listAudit({ tokenId: '3' }, 1)).toEqual([]);
  });

  it("reads the card's tokens when Pismo answers No Content; unknown when the read fails", async () => {
    const { deps, pismo } = await setup([tokenState('1', 'VTS', 'active'), tokenState('2', 'VTS', 'active')]);
    pismo.getCardTokens.mockResolvedValueOnce({
      tokens: [
        { tokenId: '1', status: 'SUSPENDED' },
        { tokenId: '2', status: 'ACTIVE' },
      ],
    });
    expect((await card(deps)).results.map((r) => r.result)).toEqual(['REQUESTED', 'FAILED']);
    pismo.getCardTokens.mockRejectedValueOnce(new PismoUnavailableError('getCardTokens', 'HTTP 503', true));
    const out = await card(deps);
    expect(out.results.map((r) => r.result)).toEqual(['UNKNOWN', 'UNKNOWN']);
    expect(out.note).toContain('re-run safely');
  });

  it('409 with nothing sent when no token allows it; Pismo down → thrown and every token audited FAILED', async () => {
    const { store, deps, pismo } = await setup([tokenState('1', 'VTS', 'suspended')]);
    await expect(card(deps)).rejects.toBeInstanceOf(LifecycleRuleViolationError);
    expect(pismo.performCardTokenOperation).not.toHaveBeenCalled();
    pismo.performCardTokenOperation.mockRejectedValueOnce(
      new PismoUnavailableError('cardTokenOperation', 'HTTP 500', true),
    );
    await expect(card(deps, 'resume')).rejects.toMatchObject({ statusCode: 502 });
    expect((await store.listAudit({ tokenId: '1' }, 1))[0]).toMatchObject({ outcome: 'FAILED', httpStatus: 502 });
  });

  it('404 for a card without tokens we know', async () => {
    const { deps } = await setup([]);
    await expect(card(deps)).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('suspendDevice ("a device was lost")', () => {
  const body = { deviceId: 'dev-1', cardIds: ['5271995', '4995608'], reason: 'DEVICE_LOST' };

  it("suspends the device's tokens across cards, one failing, each reported; a re-run skips the done ones", async () => {
    const { store, deps, pismo, mdes, setMdesStatus } = await setup([
      tokenState('1', 'VTS', 'active', { deviceId: 'dev-1' }),
      tokenState('2', 'VTS', 'active', { deviceId: 'dev-1' }),
      tokenState('3', 'VTS', 'active', { deviceId: 'dev-2' }),
      tokenState('4', 'MDES', 'active', { deviceId: 'dev-1', cardId: '4995608' }),
    ]);
    setMdesStatus('ACTIVE');
    pismo.performTokenOperation
      .mockResolvedValueOnce({})
      .mockRejectedValueOnce(new PismoUnavailableError('performTokenOperation', 'timed out', true));
    const out = await suspendDevice({ body, officer: OFFICER }, deps);
    expect(out.results.map((r) => [r.tokenId, r.result])).toEqual([
      ['1', 'REQUESTED'],
      ['2', 'FAILED'],
      ['4', 'REQUESTED'],
    ]);
    expect(mdes.perform).toHaveBeenCalledWith('suspend', expect.objectContaining({ reasonCode: 'L' }));
    // The network's events arrive for 1 and 4; a re-run retries 2 only.
    for (const id of ['1', '4']) {
      const s = await store.getTokenState(id);
      if (s) await store.putTokenState({ ...s.state, status: 'suspended' }, s.version);
    }
    pismo.performTokenOperation.mockClear();
    const again = await suspendDevice({ body, officer: OFFICER }, deps);
    expect(again.results.map((r) => [r.tokenId, r.result])).toEqual([
      ['1', 'SKIPPED'],
      ['2', 'REQUESTED'],
      ['4', 'SKIPPED'],
    ]);
    expect(pismo.performTokenOperation).toHaveBeenCalledTimes(1);
  });

  it('400 without cards or device; 404 when no token of the device is known', async () => {
    const { deps } = await setup([tokenState('1', 'VTS', 'active', { deviceId: 'dev-9' })]);
    await expect(suspendDevice({ body: { ...body, cardIds: [] }, officer: OFFICER }, deps)).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('cardIds'),
    });
    await expect(suspendDevice({ body, officer: OFFICER }, deps)).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('the token view: allowedActions and the pending request', () => {
  it('lists every action with the rule of each one not allowed, for both networks', () => {
    const visa = allowedActionsOf('VTS', 'active');
    expect(visa.filter((a) => a.allowed).map((a) => a.action)).toEqual(['suspend', 'delete', 'approveDeviceBinding']);
    expect(visa.find((a) => a.action === 'resume')?.rule).toContain('Visa token lifecycle');
    const mc = allowedActionsOf('MDES', 'suspended');
    expect(mc.filter((a) => a.allowed).map((a) => a.action)).toEqual(['suspend', 'resume', 'delete']);
    expect(mc.find((a) => a.action === 'approveDeviceBinding')?.rule).toContain('Visa');
    expect(allowedActionsOf(undefined, 'active').every((a) => !a.allowed && a.rule)).toBe(true);
  });

  it('shows the newest accepted request until the network confirms it', () => {
    const audit: [Parameters<typeof pendingRequestOf>[0][number]] = [
      {
        auditId: 'a1',
        at: '2026-11-02T10:00:00.000Z',
        operation: 'suspend',
        outcome: 'DONE',
        userId: 'agent-7',
        parameters: { expectedStatus: 'suspended', route: 'pismo' },
      },
    ];
    const token = { status: 'active' as const, statusAt: '2026-11-01T10:00:00.000Z' };
    expect(pendingRequestOf(audit, token)).toMatchObject({ action: 'suspend', expectedStatus: 'suspended' });
    expect(pendingRequestOf(audit, { status: 'suspended', statusAt: '2026-11-02T10:00:01.000Z' })).toBeUndefined();
    expect(pendingRequestOf([{ ...audit[0], outcome: 'FAILED' }], token)).toBeUndefined();
  });
});

it('errors thrown by the use case are AppErrors with HTTP statuses', () => {
  expect(new LifecycleRuleViolationError('x')).toBeInstanceOf(AppError);
});
