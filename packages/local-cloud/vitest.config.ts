import { defineConfig } from 'vitest/config';

// The package's own suite (`npm test -w @runas-bootstrapper/local-cloud`); the root suite runs it too.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
