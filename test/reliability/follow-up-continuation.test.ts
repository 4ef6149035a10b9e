import { parseScenario } from '@runas-bootstrapper/local-cloud';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '#core/config/config.ts';
import { FOLLOW_UP_STATE_MACHINE } from '#core/shared/names.ts';
import { type DemoRun, runScenario } from '#local/demo.ts';
import { onVirtualTime } from '#test/virtual-clock.ts';

/**
 * A follow-up larger than one execution carries (FOLLOW_UP_CAPS.repairs): 36 vends in three
 * regions, all wiped by LZA 1.13.1 at Security_Resources, so the follow-up continues in a new
 * execution. A scale test of the follow-up: it plays 36 vends and 108 repairs, so it runs in
 * the reliability tier, not in `npm test`.
 */
const REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2'];

let run: DemoRun | undefined;

onVirtualTime(1);

afterEach(async () => {
  run?.runtime.stop();
  await run?.cloud.close();
  run = undefined;
});

describe('a follow-up larger than one execution', () => {
  it('repairs 108 regions after one Security_Resources by continuing in a new execution, each repair once', async () => {
    // Prepare
    const accounts = Array.from({ length: 36 }, (_, i) => ({
      accountId: String(380_000_000_000 + i),
      name: `wave-${i}`,
      roles: { OrganizationAccountAccessRole: 5 },
      vend: { atSeconds: 1 + (i % 6), via: 'organizations' as const, createSeconds: 10 },
    }));
    const scenario = parseScenario({
      managementAccountId: '999999999999',
      homeRegion: 'us-east-1',
      // Modelled AWS latencies, so that simultaneous executions do not race in zero simulated time.
      latency: { model: 'aws' as const, seed: 1 },
      pipeline: { lzaVersion: '1.13.1', runs: [{ startAtSeconds: 0 }] },
      accounts,
    });

    // Act
    run = await runScenario({
      scenario,
      config: parseConfig({ runAsDefaultUser: 'ec2-user', governedRegions: REGIONS }),
      timeoutSeconds: 240,
    });

    // Assess
    const followUps = run.runtime
      .executions()
      .filter((e) => e.stateMachineArn.endsWith(`:${FOLLOW_UP_STATE_MACHINE}`));
    const continued = followUps.filter((e) => e.startedBy === 'follow-up');
    expect(continued.length).toBeGreaterThan(0);
    expect(followUps.every((e) => e.status === 'SUCCEEDED')).toBe(true);
    let rewrites = 0;
    for (const { accountId } of accounts) {
      const [vend] = await run.runtime.dependencies.ledger.vendsOf(accountId);
      const mine = vend?.repairs.filter((r) => r.reexposedSeconds !== undefined) ?? [];
      expect(mine.map((r) => r.region).sort(), accountId).toEqual([...REGIONS].sort());
      expect(vend?.state, accountId).toBe('closed');
      rewrites += mine.length;
    }
    expect(rewrites).toBe(108);
  });
});
