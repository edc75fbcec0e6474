import {
  DECISION_DEFAULTS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_OFFICER_CUSTOMERS_CLAIM,
  ENV,
  loadBaseConfig,
  loadCursorKeySecretId,
  loadDecisionConfig,
  loadIdvConfig,
  loadIdvStateMachineArn,
  loadKeysConfig,
  loadMdesCustomersJson,
  loadOfficerCustomersClaim,
  loadOptionalPismoApiConfig,
  loadOtpKeyArn,
  loadPismoWebhookConfig,
  loadTracingEnabled,
} from '../../shared/config';

const MDES_CUSTOMERS = JSON.stringify([
  { customerId: 'CID1', organization: 'Demo Bank', baseUrl: 'https://mdes.example', secretId: 'mdes-keys' },
]);

/** What the stack gives the key monitor (functions/keys/monitor-mdes-keys.ts). */
const MONITOR_ENV = {
  [ENV.tableName]: 'tokens',
  [ENV.mdesCustomers]: MDES_CUSTOMERS,
  [ENV.mdesRegistrarUrl]: 'https://registrar.example',
  AWS_REGION: 'us-east-1',
};

/** Imports a handler module fresh, with exactly `env` as its environment (handlers read it at import). */
function coldStart(entry: string, env: NodeJS.ProcessEnv): void {
  const saved = process.env;
  process.env = { ...env };
  try {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh import, synchronously
      require(entry);
    });
  } finally {
    process.env = saved;
  }
}

describe('config loaders', () => {
  describe('required variables', () => {
    it.each([
      ['loadBaseConfig', ENV.tableName, () => loadBaseConfig({})],
      ['loadOtpKeyArn', ENV.otpKeyArn, () => loadOtpKeyArn({})],
      ['loadMdesCustomersJson', ENV.mdesCustomers, () => loadMdesCustomersJson({})],
      ['loadKeysConfig', ENV.mdesRegistrarUrl, () => loadKeysConfig({})],
      ['loadIdvConfig', ENV.pismoApiUrl, () => loadIdvConfig({ [ENV.emailFrom]: 'a@b.c', [ENV.pismoClientId]: 'c' })],
      ['loadIdvConfig', ENV.pismoClientId, () => loadIdvConfig({ [ENV.emailFrom]: 'a@b.c', [ENV.pismoApiUrl]: 'u' })],
      ['loadIdvConfig', ENV.emailFrom, () => loadIdvConfig({ [ENV.pismoApiUrl]: 'u', [ENV.pismoClientId]: 'c' })],
      [
        'loadPismoWebhookConfig',
        ENV.pismoOrgId,
        () => loadPismoWebhookConfig({ [ENV.pismoJwksUrl]: 'u', [ENV.pismoJwtIssuer]: 'i' }, 'events'),
      ],
    ])('%s names %s when it is missing', (_loader, name, load) => {
      expect(load).toThrow(`missing required environment variable ${name}`);
    });

    it('treats an empty value as missing', () => {
      expect(() => loadKeysConfig({ [ENV.mdesRegistrarUrl]: '' })).toThrow(ENV.mdesRegistrarUrl);
      expect(() => loadBaseConfig({ [ENV.tableName]: '' })).toThrow(ENV.tableName);
    });
  });

  describe('optional variables return undefined when unset or empty', () => {
    it.each([
      ['loadIdvStateMachineArn', ENV.idvStateMachineArn, loadIdvStateMachineArn],
      ['loadCursorKeySecretId', ENV.cursorKeySecretId, loadCursorKeySecretId],
      ['loadOptionalPismoApiConfig', ENV.pismoApiUrl, loadOptionalPismoApiConfig],
    ] as const)('%s (%s)', (_loader, name, load) => {
      expect(load({})).toBeUndefined();
      expect(load({ [name]: '' })).toBeUndefined();
    });

    it('returns the value when set', () => {
      expect(loadIdvStateMachineArn({ [ENV.idvStateMachineArn]: 'arn:sm' })).toBe('arn:sm');
      expect(loadCursorKeySecretId({ [ENV.cursorKeySecretId]: 'cursor' })).toBe('cursor');
    });

    it('the Pismo API, once its URL is set, requires its client id and secret', () => {
      const url = { [ENV.pismoApiUrl]: 'https://pismo.example' };
      expect(() => loadOptionalPismoApiConfig(url)).toThrow(ENV.pismoClientId);
      expect(() => loadOptionalPismoApiConfig({ ...url, [ENV.pismoClientId]: 'c' })).toThrow(ENV.pismoClientSecretId);
      expect(loadOptionalPismoApiConfig({ ...url, [ENV.pismoClientId]: 'c', [ENV.pismoClientSecretId]: 's' })).toEqual({
        baseUrl: 'https://pismo.example',
        clientId: 'c',
        clientSecretId: 's',
      });
    });
  });

  describe('defaults and validation', () => {
    it('base: the body limit defaults and must be a positive integer', () => {
      expect(loadBaseConfig({ [ENV.tableName]: 't' })).toEqual({
        tableName: 't',
        maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
      });
      expect(loadBaseConfig({ [ENV.tableName]: 't', [ENV.maxBodyBytes]: '1024' }).maxBodyBytes).toBe(1024);
      for (const bad of ['0', '-1', '1.5', 'abc'])
        expect(() => loadBaseConfig({ [ENV.tableName]: 't', [ENV.maxBodyBytes]: bad })).toThrow(ENV.maxBodyBytes);
    });

    it('ID&V: sender, fallback, wait and an optional client secret', () => {
      const env = { [ENV.pismoApiUrl]: 'u', [ENV.pismoClientId]: 'c', [ENV.emailFrom]: 'no-reply@bank.example' };
      expect(loadIdvConfig(env)).toEqual({
        pismoApi: { baseUrl: 'u', clientId: 'c', clientSecretId: undefined },
        smsSenderId: 'ISSUER',
        emailFrom: 'no-reply@bank.example',
        emailFallback: true,
        defaultWaitSeconds: 1800,
      });
      const set = loadIdvConfig({
        ...env,
        [ENV.pismoClientSecretId]: 'pismo-secret',
        [ENV.smsSenderId]: 'BANK',
        [ENV.idvEmailFallback]: 'false',
        [ENV.idvDefaultWaitSeconds]: '60',
      });
      expect(set).toMatchObject({
        pismoApi: { clientSecretId: 'pismo-secret' },
        smsSenderId: 'BANK',
        emailFallback: false,
        defaultWaitSeconds: 60,
      });
      expect(() => loadIdvConfig({ ...env, [ENV.idvEmailFallback]: 'yes' })).toThrow(ENV.idvEmailFallback);
      expect(() => loadIdvConfig({ ...env, [ENV.idvDefaultWaitSeconds]: '-5' })).toThrow(ENV.idvDefaultWaitSeconds);
    });

    it('decision: defaults, shadow rule set optional, fail mode checked', () => {
      expect(loadDecisionConfig({})).toEqual({
        ruleSet: DECISION_DEFAULTS.ruleSet,
        shadowRuleSet: undefined,
        failMode: DECISION_DEFAULTS.failMode,
        storeTimeoutMs: DECISION_DEFAULTS.storeTimeoutMs,
      });
      expect(
        loadDecisionConfig({ [ENV.decisionShadowRuleSet]: 'next', [ENV.decisionFailMode]: 'DEFER' }),
      ).toMatchObject({ shadowRuleSet: 'next', failMode: 'DEFER' });
      expect(() => loadDecisionConfig({ [ENV.decisionFailMode]: 'MAYBE' })).toThrow(ENV.decisionFailMode);
      expect(() => loadDecisionConfig({ [ENV.decisionStoreTimeoutMs]: 'x' })).toThrow(ENV.decisionStoreTimeoutMs);
    });

    it('keys: the grace defaults to 24 h and must be a number ≥ 0', () => {
      const url = { [ENV.mdesRegistrarUrl]: 'https://registrar.example' };
      expect(loadKeysConfig(url)).toEqual({ registrarUrl: 'https://registrar.example', revokeGraceHours: 24 });
      expect(loadKeysConfig({ ...url, [ENV.keyRevokeGraceHours]: '0' }).revokeGraceHours).toBe(0);
      expect(loadKeysConfig({ ...url, [ENV.keyRevokeGraceHours]: '0.5' }).revokeGraceHours).toBe(0.5);
      for (const bad of ['-1', 'soon'])
        expect(() => loadKeysConfig({ ...url, [ENV.keyRevokeGraceHours]: bad })).toThrow(ENV.keyRevokeGraceHours);
    });

    it('officer customers claim: defaults, and must be a claim name', () => {
      expect(loadOfficerCustomersClaim({})).toBe(DEFAULT_OFFICER_CUSTOMERS_CLAIM);
      expect(loadOfficerCustomersClaim({ [ENV.officerCustomersClaim]: 'https://bank/cids' })).toBe('https://bank/cids');
      expect(() => loadOfficerCustomersClaim({ [ENV.officerCustomersClaim]: 'a b' })).toThrow(
        ENV.officerCustomersClaim,
      );
    });

    it('Pismo webhook: algorithms, optional claims and tolerances', () => {
      const env = { [ENV.pismoJwksUrl]: 'u', [ENV.pismoJwtIssuer]: 'i', [ENV.pismoOrgId]: 'org' };
      expect(loadPismoWebhookConfig(env, 'events')).toMatchObject({
        algorithms: ['RS256', 'ES256', 'PS256'],
        audiences: { events: undefined, decisions: undefined },
        orgClaim: undefined,
        bodyHashClaim: undefined,
        clockToleranceSeconds: 30,
        maxTokenAgeSeconds: 300,
      });
      expect(loadPismoWebhookConfig({ ...env, [ENV.pismoJwtAlgorithms]: ' ES256 ,' }).algorithms).toEqual(['ES256']);
      expect(() => loadPismoWebhookConfig({ ...env, [ENV.pismoClockSkewSeconds]: '-1' })).toThrow(
        ENV.pismoClockSkewSeconds,
      );
    });

    it('tracing: needs the flag and the Lambda runtime', () => {
      const lambda = { [ENV.lambdaExecutionEnv]: 'AWS_Lambda_nodejs22.x' };
      expect(loadTracingEnabled({ ...lambda, [ENV.traceEnabled]: 'true' })).toBe(true);
      expect(loadTracingEnabled({ ...lambda, [ENV.traceEnabled]: 'false' })).toBe(false);
      expect(loadTracingEnabled({ [ENV.traceEnabled]: 'true' })).toBe(false);
    });
  });

  describe('cold start of the key functions', () => {
    it('the key monitor starts with its environment', () => {
      expect(() => coldStart('../../functions/keys/monitor-mdes-keys', MONITOR_ENV)).not.toThrow();
    });

    it.each([
      ['monitor-mdes-keys', ENV.mdesRegistrarUrl],
      ['monitor-mdes-keys', ENV.mdesCustomers],
      ['rotate-mdes-keys', ENV.mdesRegistrarUrl],
    ])('%s fails its cold start naming a missing %s (an empty registrar URL was accepted once)', (fn, name) => {
      const env: NodeJS.ProcessEnv = { ...MONITOR_ENV };
      delete env[name];
      expect(() => coldStart(`../../functions/keys/${fn}`, env)).toThrow(
        `missing required environment variable ${name}`,
      );
    });
  });
});
