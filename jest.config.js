/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // @middy/core 6 ships ESM only: let ts-jest compile it to CommonJS like our own code.
  transform: { '^.+\\.[tj]s$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }] },
  transformIgnorePatterns: ['/node_modules/(?!(@middy)/)'],
  testTimeout: 60000,
  // Fails a test whose code logs a key Powertools reserves (the value would be dropped).
  setupFilesAfterEnv: ['<rootDir>/test/setup/no-reserved-log-keys.ts'],
};
