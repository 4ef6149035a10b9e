import { parseScenario } from '@runas-bootstrapper/local-cloud';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '#core/config/config.ts';
import { BOOTSTRAP_STATE_MACHINE } from '#core/shared/names.ts';
import { type DemoRun, runScenario } from '#local/demo.ts';
import { captureEmf, dataPointsPerAccount, type EmfRecord } from '#test/emf.ts';
import { onVirtualTime } from '#test/virtual-clock.ts';

// Metrics are off in Powertools dev mode; this suite counts the EMF records the handlers print.
vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
});

const MANAGEMENT = '999999999999';
let run: DemoRun | undefined;
const emf: EmfRecord[] = [];

onVirtualTime(1);

afterAll(async () => {
  run?.runtime.stop();
  await run?.cloud.close();
});

/** Play 1,000 enrolled accounts, a landing-zone update at 5 s and one vend, capturing the EMF. */
async function play(): Promise<DemoRun> {
  const log = captureEmf(emf);
  try {
    const scenario = parseScenario({
      managementAccountId: MANAGEMENT,
      homeRegion: 'us-east-1',
      generatedAccounts: { count: 1000 },
      landingZoneUpdates: [{ atSeconds: 5 }],
      rateLimits: { organizations: { perSecond: 5, burst: 10 } },
      accounts: [
        {
          accountId: '340000000001',
          name: 'new',
          roles: { OrganizationAccountAccessRole: 10 },
          vend: { atSeconds: 5, via: 'organizations', createSeconds: 10 },
        },
      ],
    });
    const config = parseConfig({ runAsDefaultUser: 'ec2-user', governedRegions: ['us-east-1'] });
    run = await runScenario({ scenario, config, timeoutSeconds: 900 });
    return run;
  } finally {
    log.restore();
  }
}

describe('a landing-zone update re-fires every enrolled account', () => {
  it('enforces 1,000 old accounts through Organizations throttling, with no vend, no failure and no alarm', async () => {
    // Prepare + Act: 1,000 enrolled accounts that joined long ago, a landing-zone update, one real
    // vend, and an assumed Organizations quota (AWS publishes none per operation) that the burst
    // must live with. The wall-time limit is generous because the reliability tier runs alone;
    // the simulated timeline does not depend on it.
    const played = await play();
    const bootstraps = played.runtime
      .executions()
      .filter((e) => e.stateMachineArn.endsWith(`:${BOOTSTRAP_STATE_MACHINE}`));
    // Assess
    const updates = bootstraps.filter(
      (e) => e.startedBy === 'rule/controltower-update-managed-account-succeeded',
    );
    expect(updates).toHaveLength(1000);
    expect(bootstraps.filter((e) => e.status !== 'SUCCEEDED')).toEqual([]);
    // Throttled, and absorbed: the quota really bit.
    expect(played.cloud.state.throttled().organizations ?? 0).toBeGreaterThan(0);
    // Not vends: nothing in the ledger but the one real vend, which alone is measured.
    const vends = await played.runtime.dependencies.ledger.vendsSince('2000-01-01T00:00:00.000Z');
    expect(vends.map((v) => v.accountId)).toEqual(['340000000001']);
    expect([...dataPointsPerAccount(emf, 'VendToRunAsSeconds').keys()]).toEqual(['340000000001']);
    // Every old account is compliant (enforced idempotently), and nothing an alarm watches moved.
    expect(emf.filter((r) => Number(r.RegionsFailed ?? 0) > 0)).toEqual([]);
    expect(dataPointsPerAccount(emf, 'RegionsFailed').size).toBeGreaterThan(0);
    const sample = played.cloud.state.document('900000000999', 'us-east-1');
    expect(sample).toBeDefined();
    expect(JSON.parse(sample?.versions.at(-1)?.content ?? '{}').inputs).toMatchObject({ runAsEnabled: true });
  }, 900_000);
});
