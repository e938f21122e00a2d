// The unit tests only, for StrykerJS (`npm run mutate`): no real servers, so no global set-up, and
// fast enough to run once per mutant. The integration tests drive the App and the Action as child
// processes, where Stryker cannot see which mutant ran, so they are left to `npm test`.
import base from './jest.config.js';

/** @type {import('jest').Config} */
export default {
  testEnvironment: base.testEnvironment,
  extensionsToTreatAsEsm: base.extensionsToTreatAsEsm,
  moduleNameMapper: base.moduleNameMapper,
  transform: base.transform,
  testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
  testTimeout: 10_000,
};
