import { defineConfig } from 'vitest/config';

/**
 * `npm run test:reliability`: the fault soak, the 1,000-account landing-zone update, the large
 * sweeps and the load-independence check. One file at a time, so that the test which starts
 * CPU-burning processes never shares the machine with another test file.
 */
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    fileParallelism: false,
    testTimeout: 900_000,
    hookTimeout: 900_000,
    pool: 'forks',
  },
});
