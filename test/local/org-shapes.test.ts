import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenario } from '@runas-bootstrapper/local-cloud';
import { afterEach, describe, expect, it } from 'vitest';
import { loadScenario } from '#cli/scenario-file.ts';
import { parseConfig } from '#core/config.ts';
import { type DemoRun, onScenarioClock, runScenario } from '#local/demo.ts';
import { PROJECT_ROOT } from '#stacks/task-function.ts';

/**
 * The shipped organization shapes (local/scenarios/org-shapes/, docs/organization-shapes.md),
 * each played on virtual time with the product deployed as its config says.
 */
const SHAPES = join(PROJECT_ROOT, 'local', 'scenarios', 'org-shapes');
const BASE_CONFIG = join(PROJECT_ROOT, 'bootstrapper.config.json');

let run: DemoRun | undefined;

afterEach(async () => {
  run?.runtime.stop();
  await run?.cloud.close();
  run = undefined;
});

/** Play a shipped shape to the end of its timeline; the report compares each account with its `expect`. */
async function play(file: string): Promise<DemoRun> {
  const { scenario, config } = await loadScenario(join(SHAPES, file), BASE_CONFIG);
  expect(scenario.timeScale, `${file} plays on virtual time`).toBe(1);
  return onScenarioClock(scenario, async () => {
    run = await runScenario({ scenario, config, scenarioName: file, timeoutSeconds: 300 });
    return run;
  });
}

describe('organization shapes', () => {
  it('ships one scenario per shape, each account with an expect block', async () => {
    // Act
    const files = readdirSync(SHAPES).filter((f) => f.endsWith('.json'));
    // Assess
    expect(files.sort()).toEqual([
      'control-tower-only.json',
      'lza-external-pipeline-account.json',
      'lza-qualifier.json',
    ]);
    for (const file of files) {
      const { scenario } = await loadScenario(join(SHAPES, file), BASE_CONFIG);
      for (const account of scenario.accounts)
        expect(account.expect, `${file} ${account.name}`).toBeDefined();
    }
  });

  it('Control Tower without LZA: every vend enforced in every region and measured once', async () => {
    // Act
    const { report } = await play('control-tower-only.json');
    // Assess
    expect(report.lzaVersion).toBeUndefined();
    expect(report.accounts).toHaveLength(2);
    for (const account of report.accounts) {
      expect(account.meetsExpectation, account.name).toBe(true);
      expect(account.measured, account.name).toBe(true);
      expect(account.exposureSeconds, account.name).toBeGreaterThan(0);
      expect(account.gapClosedSeconds, account.name).toBeUndefined();
    }
    expect(report.ok).toBe(true);
  });

  it('LZA 1.13 with a qualifier: the vend is measured, the wipe repaired, the gap closed', async () => {
    // Act
    const { report } = await play('lza-qualifier.json');
    // Assess
    const [account] = report.accounts;
    expect(account?.meetsExpectation).toBe(true);
    expect(account?.regressionsRepaired).toBe(2);
    expect(account?.gapClosedSeconds).toBeGreaterThan(0);
    expect(account?.vend?.state).toBe('closed');
    expect(report.ok).toBe(true);
  });

  it('LZA in an external pipeline account: events forwarded, history read there, wipes repaired, gaps closed', async () => {
    // Act
    const played = await play('lza-external-pipeline-account.json');
    const { report } = played;
    // Assess: the pipeline's events were published in the pipeline account, not the management account.
    const pipelineEvents = played.cloud.bus.history().filter((e) => e.source === 'aws.codepipeline');
    expect(pipelineEvents.length).toBeGreaterThan(0);
    expect(new Set(pipelineEvents.map((e) => e.account))).toEqual(new Set(['333333333333']));
    const vended = report.accounts.filter((a) => a.name.startsWith('workload-'));
    expect(vended).toHaveLength(2);
    for (const account of vended) {
      expect(account.meetsExpectation, account.name).toBe(true);
      expect(account.measured, account.name).toBe(true);
      expect(account.regressionsRepaired, account.name).toBe(2);
      expect(account.gapClosedSeconds, account.name).toBeGreaterThan(0);
      expect(account.vend?.state, account.name).toBe('closed');
    }
    expect(report.ok).toBe(true);
  });

  it("Control Tower in another home region: its CreateManagedAccount never reaches the product's rules", async () => {
    // Prepare: the landing zone lives in eu-west-1, the product in us-east-1.
    const scenario = parseScenario({
      managementAccountId: '999999999999',
      homeRegion: 'us-east-1',
      timeScale: 1,
      controlTower: { homeRegion: 'eu-west-1' },
      accounts: [
        {
          accountId: '111111111111',
          name: 'workload',
          vend: { atSeconds: 10, via: 'controltower', createSeconds: 60, enrollSeconds: 120 },
        },
      ],
    });
    const config = parseConfig({
      runAsDefaultUser: 'ec2-user',
      governedRegions: ['us-east-1'],
      managementAccountId: '999999999999',
      homeRegion: 'us-east-1',
      lza: { measureGap: false },
    });
    // Act
    const { report } = await onScenarioClock(scenario, async () => {
      run = await runScenario({ scenario, config, timeoutSeconds: 300 });
      return run;
    });
    // Assess: Organizations' us-east-1 events still start it; Control Tower's event does not.
    const published = run!.cloud.bus.history().filter((e) => e.source === 'aws.controltower');
    expect(published.map((e) => e.region)).toEqual(['eu-west-1']);
    expect(report.accounts[0]?.vend?.triggers.sort()).toEqual([
      'organizations-account-joined',
      'organizations-create-account',
    ]);
  });
});
