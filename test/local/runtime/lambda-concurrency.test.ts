import { parseScenario, VirtualTime } from '@runas-bootstrapper/local-cloud';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '#core/config/config.ts';
import { type DemoRun, runScenario } from '#local/demo.ts';
import { DEFAULT_LAMBDA_CONCURRENCY, LambdaService } from '#local/runtime/lambda-service.ts';

/**
 * Lambda's concurrent-execution quota: an invocation past it is refused and Step Functions
 * reports Lambda.TooManyRequestsException, which every Task of the product retries.
 */
let run: DemoRun | undefined;
let time: VirtualTime | undefined;

afterEach(async () => {
  run?.runtime.stop();
  await run?.cloud.close();
  await time?.uninstall();
  run = undefined;
  time = undefined;
});

describe('LambdaService concurrency', () => {
  it('refuses the invocation over the quota by the name Step Functions reports, and frees the slot after each', async () => {
    // Prepare
    const lambda = new LambdaService(undefined, 1, 1);
    let release = () => {};
    const busy = lambda.invoke('Apply', () => new Promise<void>((resolve) => (release = resolve)));
    // Act
    const refused = await lambda.invoke('Verify', async () => 'ran').catch((error: Error) => error);
    release();
    await busy;
    const after = await lambda.invoke('Verify', async () => 'ran');
    // Assess
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).name).toBe('Lambda.TooManyRequestsException');
    expect(after).toBe('ran');
    expect(lambda.stats).toMatchObject({ invocations: 2, throttled: 1 });
    expect(DEFAULT_LAMBDA_CONCURRENCY).toBe(1000);
  });

  it('lets a burst over the quota end compliant: throttled Tasks retry until a slot is free', async () => {
    // Prepare: eight vends at one instant (sixteen executions with their joins) on a quota of 4.
    time = VirtualTime.install({ seed: 3 });
    const scenario = parseScenario({
      managementAccountId: '999999999999',
      homeRegion: 'us-east-1',
      timeScale: 1,
      latency: { model: 'aws', seed: 3 },
      accounts: Array.from({ length: 8 }, (_, i) => ({
        accountId: String(310000000001 + i),
        name: `burst-${i}`,
        roles: { OrganizationAccountAccessRole: 5 },
        vend: { atSeconds: 1, via: 'organizations' as const, createSeconds: 5 },
      })),
    });
    const config = parseConfig({ runAsDefaultUser: 'ec2-user', governedRegions: ['us-east-1', 'eu-west-1'] });
    // Act
    run = await runScenario({ scenario, config, timeoutSeconds: 600, lambdaConcurrency: 4 });
    // Assess
    const executions = run.runtime.executions();
    expect(executions).toHaveLength(16);
    expect(executions.filter((e) => e.status !== 'SUCCEEDED').map((e) => [e.name, e.error])).toEqual([]);
    expect(run.runtime.lambda.stats.throttled).toBeGreaterThan(0);
    // Every refused invocation was retried (none failed an execution) by a retrier naming it.
    const retriedOnQuota = executions.flatMap((e) =>
      (e.events as { type: string; retry?: { retrier?: { ErrorEquals?: string[] } } }[]).filter(
        (event) =>
          event.type === 'StateRetried' &&
          event.retry?.retrier?.ErrorEquals?.includes('Lambda.TooManyRequestsException'),
      ),
    );
    expect(retriedOnQuota).toHaveLength(run.runtime.lambda.stats.throttled);
    expect(run.report.ok).toBe(true);
  });
});
