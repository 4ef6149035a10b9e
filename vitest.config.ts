import { defineConfig } from 'vitest/config';

/**
 * `npm test`: unit, contract, workflow and CLI tests. Every scenario plays on virtual time, so a
 * test's outcome does not move with the machine's load; the timeouts below only catch a hang, and
 * are wide enough for a machine whose cores are shared with two CPU-bound processes.
 * The long reliability runs are a tier of their own (vitest.reliability.config.ts).
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    exclude: ['test/reliability/**', '**/node_modules/**'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
