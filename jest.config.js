/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // @middy/core 6 ships ESM only: let ts-jest compile it to CommonJS like our own code.
  transform: { '^.+\\.[tj]s$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }] },
  transformIgnorePatterns: ['/node_modules/(?!(@middy)/)'],
  // A deadline, not a wait: each integration file's beforeAll synthesizes the CDK app and starts the
  // local stack, which took over 60 s on the shared 2-core machine under load (two CPU burners beside it).
  testTimeout: 180000,
  // Fails a test whose code logs a key Powertools reserves (the value would be dropped).
  setupFilesAfterEnv: ['<rootDir>/test/setup/no-reserved-log-keys.ts'],
};
