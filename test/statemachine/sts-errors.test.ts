import { parseScenario, throttlingError } from '@runas-bootstrapper/local-cloud';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '#core/config/config.ts';
import { type DemoRun, runScenario } from '#local/demo.ts';
import { injectFaults } from '#test/faults.ts';
import { onVirtualTime } from '#test/virtual-clock.ts';

const MANAGEMENT = '999999999999';
const ACCOUNT = '111111111111';
let run: DemoRun | undefined;

onVirtualTime();

afterEach(async () => {
  run?.runtime.stop();
  await run?.cloud.close();
  run = undefined;
});

describe('bootstrap state machine and STS errors that are not "role not ready"', () => {
  it('fails at once with StsRegionDisabledError, after one AssumeRole per attempt and no role wait', async () => {
    // Prepare: STS is deactivated in the home region for the vended account.
    const scenario = parseScenario({
      managementAccountId: MANAGEMENT,
      homeRegion: 'us-east-1',
      accounts: [
        {
          accountId: ACCOUNT,
          name: 'sts-off',
          roles: { OrganizationAccountAccessRole: 5 },
          stsDisabledRegions: ['us-east-1'],
          vend: { atSeconds: 1, via: 'organizations', createSeconds: 10 },
        },
      ],
    });
    const config = parseConfig({ runAsDefaultUser: 'ec2-user', governedRegions: ['us-east-1'] });
    // Act
    run = await runScenario({ scenario, config, timeoutSeconds: 120 });
    // Assess
    const [execution] = run.runtime.executions();
    expect(execution?.status).toBe('FAILED');
    expect(execution?.error).toBe('StsRegionDisabledError');
    expect(execution?.cause).toMatch(/STS is not activated in us-east-1/);
    const awaitRole = execution?.events.filter(
      (e) => e.type === 'StateEntered' && e.state?.name === 'AwaitRole',
    );
    expect(awaitRole).toHaveLength(1);
    // No retry: each configured role was tried once at most, not for 30 minutes.
    expect(run.cloud.state.callCount({ operation: 'sts:AssumeRole' })).toBeLessThanOrEqual(2);
    expect(run.cloud.state.callCount({ operation: 'ssm:CreateDocument' })).toBe(0);
  });
});

describe('bootstrap state machine and SSM throttling', () => {
  it('outlasts a burst that throttles a region for more than the six retries the other transient errors get', async () => {
    // Prepare: the member's first 8 ApplyPreferences attempts meet only throttling (4 SDK attempts
    // each, on its first SSM call); the shared transient retrier would give up after 7 attempts.
    // One execution: no join event, so the throttling is not shared with a duplicate.
    const scenario = parseScenario({
      managementAccountId: MANAGEMENT,
      homeRegion: 'us-east-1',
      organizations: { emitJoinEvents: false },
      accounts: [
        {
          accountId: ACCOUNT,
          name: 'throttled',
          roles: { OrganizationAccountAccessRole: 0 },
          vend: { atSeconds: 1, via: 'organizations', createSeconds: 5 },
        },
      ],
    });
    const config = parseConfig({ runAsDefaultUser: 'ec2-user', governedRegions: ['us-east-1'] });
    let throttled = 0;
    // The SDK's and the ASL's full-jitter back-offs draw from Math.random: take none.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0);
    try {
      // Act
      run = await runScenario({
        scenario,
        config,
        timeoutSeconds: 600,
        beforeTimeline: (cloud) => {
          injectFaults(cloud, ({ operation, accountId }) => {
            if (accountId !== ACCOUNT || !operation.startsWith('ssm:') || throttled >= 8 * 4)
              return undefined;
            throttled += 1;
            return throttlingError('ssm');
          });
        },
      });
    } finally {
      random.mockRestore();
    }
    // Assess
    const [execution, ...others] = run.runtime.executions();
    expect(others).toEqual([]);
    expect(execution?.status, execution?.cause).toBe('SUCCEEDED');
    const retried = execution!.events.filter(
      (event) => event.type === 'StateRetried' && event.state?.name === 'ApplyPreferences',
    );
    expect(retried).toHaveLength(8);
    expect(throttled).toBe(32);
    expect(run.report.accounts[0]?.regions['us-east-1']?.status).toBe('compliant');
  });
});
