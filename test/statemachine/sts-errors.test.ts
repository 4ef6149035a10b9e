import { parseScenario } from '@runas-bootstrapper/local-cloud';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '#core/config.ts';
import { type DemoRun, runScenario } from '#local/demo.ts';

const MANAGEMENT = '999999999999';
const ACCOUNT = '111111111111';
let run: DemoRun | undefined;

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
      timeScale: 0.005,
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
