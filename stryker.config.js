// Mutation testing of the security-critical modules (`npm run mutate`): who may run a command,
// which commit a fork's /deploy approves, what the webhook endpoint lets in, what the App refuses
// to start with, what a repository config may say, when a failed deploy is rolled back, and which
// previews the sweep calls orphans. Too slow for .ci/run; run it after changing one of these files
// or their unit tests. `npm run mutate -- --mutate src/bot/commands.ts` narrows a run to one file.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: { configFile: 'jest.mutate.config.js', enableFindRelatedTests: false },
  // The unit tests import ESM TypeScript; jest needs the VM modules flag in each test worker.
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  // Mutants that do not compile are dropped, not counted; only what the unit tests import is checked.
  // Mutants that do not compile are dropped rather than run; only src and the unit tests are checked.
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.mutate.json',
  coverageAnalysis: 'perTest',
  // A mutant of module-level code (a constant, a schema's shape) runs before any test, so it would
  // need the whole unit suite per mutant, which multiplies the run time; such mutants are reported
  // as ignored. Their behaviour is still tested wherever a function reads them.
  ignoreStatic: true,
  mutate: [
    'src/bot/commands.ts',
    'src/bot/command-permission.ts',
    'src/bot/approve-head.ts',
    'src/bot/head-checks.ts',
    'src/bot/app-settings.ts',
    'src/bot/http/webhook-intake.ts',
    'src/bot/http/delivery-memory.ts',
    'src/bot/http/respond.ts',
    'src/bot/reply-limiter.ts',
    'src/core/github/head-marker.ts',
    'src/core/report/public-text.ts',
    'src/core/config/*.ts',
    // The rollback decision: after a failed update or rollout, and rolling each service back.
    'src/core/deploy/deploy-services.ts:197-217',
    'src/core/deploy/deploy-services.ts:252-355',
    'src/bot/sweep/sweep-plan.ts',
  ],
  // The 2 cores are shared; one mutant at a time plus the type checker keeps the machine usable.
  concurrency: 2,
  timeoutMS: 10_000,
  ignorePatterns: ['dist', 'lib', 'coverage', 'reports', 'test/integration'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 85, break: null },
};
