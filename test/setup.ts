import { currentVirtualTime } from '@runas-bootstrapper/local-cloud';
import { allCustomMatcher } from 'aws-sdk-client-mock-vitest';
import { afterAll, expect } from 'vitest';

expect.extend(allCustomMatcher);

// Powertools: quiet, deterministic output in tests.
process.env.POWERTOOLS_DEV = 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'RunAsBootstrapper';
process.env.POWERTOOLS_SERVICE_NAME ??= 'runas-bootstrapper';
process.env.POWERTOOLS_TRACE_ENABLED = 'false';
process.env.AWS_REGION ??= 'us-east-1';
// The SDK warns once per process that its releases after January 2027 need Node 22. The lockfile
// pins a release that runs on Node 20, and the warning, repeated by every CLI process a test
// spawns, buried the test log.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

// Test files of the `shared` project run one after another in a worker that keeps its module
// cache, so a file must leave the process as it found it. This runs after the file's own hooks.
const environmentAtStart = { ...process.env };
afterAll(async () => {
  const metricsTurnedOn =
    process.env.RUNAS_TEST_SHARED_MODULE_CACHE === 'true' &&
    process.env.POWERTOOLS_METRICS_DISABLED === 'false';
  for (const name of Object.keys(process.env)) if (!(name in environmentAtStart)) delete process.env[name];
  Object.assign(process.env, environmentAtStart);
  const clock = currentVirtualTime();
  if (clock) {
    await clock.uninstall();
    throw new Error('this test file left virtual time installed: uninstall it in its own afterAll');
  }
  if (metricsTurnedOn) {
    throw new Error(
      "this test file turns the handlers' metrics on: list it in vitest.config.ts ISOLATED, since the first file to load the handlers decides for the whole worker",
    );
  }
});
