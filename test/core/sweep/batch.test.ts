import { describe, expect, it } from 'vitest';
import { METRIC } from '#core/shared/metrics.ts';
import {
  continueSweep,
  emptySweepTotals,
  type SweepOptions,
  sweepBatch,
  sweepBatchMetrics,
  tallySweepBatch,
} from '#core/sweep/sweep.ts';

const OPTIONS: SweepOptions = {
  repair: true,
  maxConcurrency: 10,
  regions: ['us-east-1'],
  startedAt: '2026-11-30T10:00:00.000Z',
};
const DEADLINE = '2026-11-30T10:00:05.000Z';

describe('sweepBatch', () => {
  it('hands the Map the selected accounts with a role deadline already reached, and counts the skipped', () => {
    // Prepare
    const selection = { accountIds: ['111111111111', '222222222222'], inactive: 3, excluded: 1 };
    // Act
    const batch = sweepBatch(selection, 'token-2', DEADLINE);
    // Assess
    expect(batch).toEqual({
      accountIds: ['111111111111', '222222222222'],
      nextToken: 'token-2',
      roleDeadline: DEADLINE,
      skipped: { inactive: 3, excluded: 1 },
    });
  });

  it('has no nextToken on the last page', () => {
    // Act
    const batch = sweepBatch({ accountIds: [], inactive: 0, excluded: 0 }, undefined, DEADLINE);
    // Assess
    expect(batch).not.toHaveProperty('nextToken');
  });
});

describe('sweepBatchMetrics', () => {
  it('reports the batch alone: accounts checked, drift detected and repaired, and every failure kind', () => {
    // Prepare
    const batch = tallySweepBatch(
      [
        { accountId: '111111111111', regions: [{ region: 'us-east-1', status: 'repaired' }] },
        { accountId: '222222222222', regions: [{ region: 'us-east-1', status: 'failed' }] },
        { accountId: '333333333333', roleError: 'RoleWaitTimeoutError' },
      ],
      { inactive: 0, excluded: 0 },
      { accounts: 0 },
    );
    // Act
    const points = sweepBatchMetrics(batch);
    // Assess
    expect(points).toEqual([
      { name: METRIC.accountsChecked, unit: 'Count', value: 3 },
      { name: METRIC.driftDetected, unit: 'Count', value: 1 },
      { name: METRIC.driftRepaired, unit: 'Count', value: 1 },
      { name: METRIC.sweepFailures, unit: 'Count', value: 2 },
    ]);
  });

  it('emits zeros for an empty batch, so a quiet sweep still shows on the dashboard', () => {
    // Act
    const points = sweepBatchMetrics(emptySweepTotals());
    // Assess
    expect(points.map((p) => p.value)).toEqual([0, 0, 0, 0]);
  });
});

describe('continueSweep', () => {
  it('carries the totals and the continuation on, without the recorded batch’s account ids', () => {
    // Prepare
    const page = {
      accountIds: ['111111111111'],
      nextToken: 't',
      roleDeadline: DEADLINE,
      skipped: { inactive: 1, excluded: 2 },
    };
    const totals = { ...emptySweepTotals(), accountsChecked: 1 };
    // Act
    const state = continueSweep(OPTIONS, page, totals);
    // Assess
    expect(state).toEqual({
      options: OPTIONS,
      page: { accountIds: [], nextToken: 't', roleDeadline: DEADLINE, skipped: { inactive: 1, excluded: 2 } },
      totals,
    });
  });

  it('leaves out a missing token and deadline rather than carrying undefined', () => {
    // Act
    const state = continueSweep(
      OPTIONS,
      { accountIds: [], skipped: { inactive: 0, excluded: 0 } },
      emptySweepTotals(),
    );
    // Assess
    expect(Object.keys(state.page).sort()).toEqual(['accountIds', 'skipped']);
    expect(state).not.toHaveProperty('incomplete');
  });

  it('says why the sweep is incomplete once any batch failed as a whole', () => {
    // Prepare
    const totals = { ...emptySweepTotals(), batchesFailed: 1, accountsUnswept: 20, accountsChecked: 40 };
    // Act
    const state = continueSweep(OPTIONS, { accountIds: [], skipped: { inactive: 0, excluded: 0 } }, totals);
    // Assess
    expect(state.incomplete).toMatch(/^1 batch\(es\) failed as a whole, so 20 account\(s\) were not swept/);
  });
});
