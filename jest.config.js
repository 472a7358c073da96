/**
 * Three projects:
 *  - unit: pure logic and CloudFormation template assertions (no server);
 *  - package: the packed package installed into a scratch app outside the repository;
 *  - stand: handlers and the CLI against the real two-zone Ceph RGW stand that the
 *    global setup installs and starts by itself (scripts/stand.sh).
 * Each runs with a temporary folder of its own, removed after the run (test/support/run-tmp.ts).
 * @type {import('jest').Config}
 */
const tsJest = ['ts-jest', { diagnostics: false }];

module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/constructs/**/*.test.ts'],
      transform: { '^.+\\.ts$': tsJest },
      setupFiles: ['<rootDir>/test/support/env.ts'],
      globalSetup: '<rootDir>/test/support/run-tmp-setup.ts',
      globalTeardown: '<rootDir>/test/support/run-tmp-teardown.ts',
    },
    {
      displayName: 'stand',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/stand/**/*.test.ts'],
      transform: { '^.+\\.ts$': tsJest },
      setupFiles: ['<rootDir>/test/support/env.ts'],
      globalSetup: '<rootDir>/test/stand/global-setup.ts',
      globalTeardown: '<rootDir>/test/stand/global-teardown.ts',
    },
    {
      displayName: 'package',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/package/**/*.test.ts'],
      transform: { '^.+\\.ts$': tsJest },
      globalSetup: '<rootDir>/test/support/run-tmp-setup.ts',
      globalTeardown: '<rootDir>/test/support/run-tmp-teardown.ts',
    },
  ],
};
