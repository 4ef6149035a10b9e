import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadScenario } from '#cli/scenario-file.ts';
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
    expect(files.sort()).toEqual(['control-tower-only.json', 'lza-qualifier.json']);
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
});
