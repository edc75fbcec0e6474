/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': ['ts-jest', {}] },
  transformIgnorePatterns: ['/node_modules/(?!(@middy)/)'],
  testTimeout: 60000,
};
