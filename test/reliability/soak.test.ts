import { versionContent } from '@runas-bootstrapper/local-cloud';
import { describe, expect, it } from 'vitest';
import { playGenerated } from '#tools/bench/play.ts';
import { generateScenario } from '#tools/bench/scenario-generator.ts';
import { checkInvariants, runSoak } from '#tools/bench/soak.ts';

describe('fault soak (reduced: 100 accounts x 3 regions)', () => {
  it('ends with every account compliant, every document intact and at most one new version per region', async () => {
    // Act: 10% throttling, 2% 5xx, 5% TooManyUpdates and 0-20 ms latency on every call.
    const result = await runSoak({
      accounts: 100,
      regions: 3,
      seed: 11,
      timeoutSeconds: 240,
    });
    // Assess
    expect(result.violations).toEqual([]);
    expect(result.figures.outcomes).toMatchObject({ accountsCompliant: 100, executionsRunning: 0 });
    expect(result.checks).toMatchObject({ documentsCompared: 600, executionsUnfinished: 0 });
    expect(result.checks.versionsCreatedMax).toBe(1);
    // The faults really happened, including the one the SDK does not retry.
    expect(result.faults.byCode.TooManyUpdates).toBeGreaterThan(0);
    expect(result.faults.injected).toBeGreaterThan(100);
  }, 300_000);
});

describe('soak invariants', () => {
  it('catch a document that lost a key, a second version and a refused region', async () => {
    // Prepare
    const generated = generateScenario({
      accounts: 3,
      regions: 2,
      faults: 'none',
      seed: 5,
      mix: { lzaLogging: 1, compliant: 0 },
    });
    const [first, second] = generated.accounts;
    let violations: string[] = [];
    // Act: tamper with the finished run, then check it.
    await playGenerated(generated, {
      label: 'tampered',
      timeoutSeconds: 60,
      inspect: (run) => {
        const doc = run.cloud.state.document(first!.accountId, 'us-east-1')!;
        const latest = JSON.parse(versionContent(doc, doc.latestVersion)!);
        delete latest.inputs.kmsKeyId;
        run.cloud.writeDocument({
          accountId: first!.accountId,
          region: 'us-east-1',
          content: JSON.stringify(latest),
          writer: 'tamper',
        });
        run.report.accounts.find((a) => a.accountId === second!.accountId)!.regions['eu-west-1']!.status =
          'refused';
        violations = checkInvariants(generated, run).violations;
      },
    });
    // Assess
    expect(violations).toEqual(
      expect.arrayContaining([
        `${first!.accountId}/us-east-1: 2 versions created (at most 1 allowed)`,
        expect.stringMatching(
          new RegExp(`^${first!.accountId}/us-east-1: latest v\\d+ differs from its seed`),
        ),
        expect.stringMatching(new RegExp(`^${second!.accountId}/eu-west-1: refused`)),
      ]),
    );
    expect(violations.some((v) => v.includes('default'))).toBe(false);
  });
});
