import { describe, expect, it } from 'vitest';
import {
  countMeasured,
  countSettlement,
  emptyTally,
  type RepairResult,
  regressedOrFailed,
  repairsFailedMetrics,
  resultsByVend,
  settlementOf,
  vendRepairs,
} from '#core/follow-up/follow-up.ts';
import { METRIC } from '#core/shared/metrics.ts';

const JOINED = '2026-11-30T10:00:00.000Z';
const repair = (accountId: string, region: string): RepairResult => ({
  accountId,
  joinedAt: JOINED,
  region,
  pipelineExecutionId: 'run-1',
  stage: 'Deploy',
  securityResourcesAt: '2026-11-30T11:00:00.000Z',
  status: 'failed',
  error: 'AwsTransientError',
});

describe('resultsByVend', () => {
  it('keys each vend’s results by its account and join, in first-seen order', () => {
    // Prepare
    const results = [repair('111111111111', 'us-east-1'), repair('222222222222', 'us-east-1')];
    results.push(repair('111111111111', 'eu-west-1'));
    // Act
    const byVend = resultsByVend(results);
    // Assess
    expect(byVend.map((g) => g.vend)).toEqual([
      { accountId: '111111111111', joinedAt: JOINED },
      { accountId: '222222222222', joinedAt: JOINED },
    ]);
    expect(byVend.map((g) => g.results)).toEqual([[results[0], results[2]], [results[1]]]);
    expect(resultsByVend([])).toEqual([]);
  });
});

describe('counting what RecordFollowUp wrote', () => {
  it('counts failed repairs as failed regions, and emits nothing when none failed', () => {
    // Act / Assess
    expect(repairsFailedMetrics({ ...emptyTally(), repairsFailed: 2 })).toEqual([
      { name: METRIC.regionsFailed, unit: 'Count', value: 2 },
    ]);
    expect(repairsFailedMetrics(emptyTally())).toEqual([]);
  });

  it('counts a vend it measured and returns its exposure and role wait', () => {
    // Prepare
    const tally = emptyTally();
    // Act
    const points = countMeasured(tally, {
      runAsVerifiedAt: '2026-11-30T10:02:00.000Z',
      exposureSeconds: 120,
      roleWaitSeconds: 30,
    });
    // Assess
    expect(tally.measured).toBe(1);
    expect(points).toEqual([
      { name: METRIC.vendToRunAsSeconds, unit: 'Seconds', value: 120 },
      { name: METRIC.roleWaitSeconds, unit: 'Seconds', value: 30 },
    ]);
  });

  it('counts a closure and an expiry each in its own total, with the metrics each emits', () => {
    // Prepare
    const tally = emptyTally();
    const expiry = settlementOf({ kind: 'expire', reason: 'late' });
    const closure = settlementOf({
      kind: 'close',
      pipelineExecutionId: 'run-1',
      customizationsCompletedAt: '2026-11-30T12:00:00.000Z',
      prepareToCustomizationsSeconds: 7200,
      reason: 'done',
    });
    // Act
    const expired = countSettlement(tally, expiry);
    const closed = countSettlement(tally, closure);
    // Assess
    expect(tally).toMatchObject({ closed: 1, expired: 1, measured: 0 });
    expect(expired).toEqual([{ name: METRIC.gapMeasurementTimedOut, unit: 'Count', value: 1 }]);
    expect(closed).toEqual([{ name: METRIC.prepareToCustomizationsSeconds, unit: 'Seconds', value: 7200 }]);
  });
});

describe('regressedOrFailed', () => {
  it('warns for a vend whose RunAs was rewritten or whose repair failed, not for one only re-verified', () => {
    // Prepare
    const at = '2026-11-30T11:00:00.000Z';
    const rewritten = vendRepairs(
      [],
      [{ ...repair('111111111111', 'us-east-1'), status: 'compliant', action: 'updated', verifiedAt: at }],
    );
    const reverified = vendRepairs(
      [],
      [{ ...repair('222222222222', 'us-east-1'), status: 'compliant', action: 'unchanged', verifiedAt: at }],
    );
    const failed = vendRepairs([], [repair('333333333333', 'us-east-1')]);

    // Act / Assess
    expect(regressedOrFailed(rewritten.repairs)).toBe(true);
    expect(regressedOrFailed(reverified.repairs)).toBe(false);
    expect(regressedOrFailed(failed.repairs)).toBe(true);
    expect(regressedOrFailed([])).toBe(false);
  });
});
