import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * `npm test`: unit, contract, workflow and CLI tests. Every scenario plays on virtual time, so a
 * test's outcome does not move with the machine's load; the timeouts below only catch a hang, and
 * are wide enough for a machine whose cores are shared with two CPU-bound processes.
 * The long reliability runs are a tier of their own (vitest.reliability.config.ts).
 *
 * The product's test files share one module cache per worker (`isolate: false`). Most of them
 * load the CDK library, the SDK clients and the local cloud, and the first CDK synth in a process
 * spends seconds warming the library: a fresh process per file paid that once per file, more than
 * half the suite's CPU. Each file leaves the process as it found it: it uninstalls its virtual
 * time and closes its clouds in its own hooks, and test/setup.ts restores the environment
 * variables and fails a file that left virtual time installed.
 * Three groups keep a process per file:
 * - the adapter tests, which mock SDK client classes (every instance, in every later file);
 * - the tests that read the EMF the handlers print. They turn metrics on, and Powertools reads
 *   POWERTOOLS_METRICS_DISABLED once, when the handlers' module-level Metrics is built: in a
 *   shared cache the first file to load the handlers would decide for every later one;
 * - the local cloud's own tests, which install virtual time at module level and check that a
 *   second install in one process is refused.
 */
const ISOLATED = [
  'test/adapters/**/*.test.ts',
  'test/stacks/monitoring.test.ts',
  'test/statemachine/duplicate-storm.test.ts',
  'test/statemachine/regression-guard.test.ts',
  'test/statemachine/vend-endings.test.ts',
  'test/statemachine/vend-ledger.test.ts',
  'packages/*/test/**/*.test.ts',
];
const NOT_IN_THIS_TIER = ['test/reliability/**', '**/node_modules/**'];

export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Vitest's default leaves a core to its main process (one worker on two cores). With shared
    // module caches that process only hands out files and collects results, so use every core.
    maxWorkers: availableParallelism(),
    projects: [
      {
        extends: true,
        test: {
          name: 'shared',
          include: ['test/**/*.test.ts'],
          exclude: [...ISOLATED, ...NOT_IN_THIS_TIER],
          isolate: false,
          // test/setup.ts fails a file of this project that turns the handlers' metrics on.
          env: { RUNAS_TEST_SHARED_MODULE_CACHE: 'true' },
        },
      },
      {
        extends: true,
        test: {
          name: 'isolated',
          include: ISOLATED,
          exclude: NOT_IN_THIS_TIER,
          isolate: true,
        },
      },
    ],
  },
});
