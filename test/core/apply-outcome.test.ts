import { describe, expect, it } from 'vitest';
import { applyResultOf, prunedMetrics, versionLimitMetrics } from '#core/apply-outcome.ts';
import { DocumentBusyError, DocumentVersionLimitError } from '#core/errors.ts';
import { METRIC } from '#core/metrics.ts';
import { applyResult } from '#core/region-result.ts';

describe('applyResultOf', () => {
  it('gives the state machine every field the write set', () => {
    // Prepare: the store's outcome carries `compliant`, which the result does not.
    const outcome = {
      region: 'us-east-1',
      action: 'updated' as const,
      versionBefore: '3',
      versionAfter: '5',
      promoted: true,
      compliant: true as const,
      repairedFrom: '2',
      pruned: ['1'],
    };
    // Act
    const result = applyResultOf(outcome);
    // Assess
    expect(result).toEqual({
      region: 'us-east-1',
      action: 'updated',
      versionBefore: '3',
      versionAfter: '5',
      promoted: true,
      repairedFrom: '2',
      pruned: ['1'],
    });
    expect(applyResult.parse(result)).toEqual(result);
  });

  it('leaves out what a creation has not: no earlier version, no repair, nothing pruned', () => {
    // Act
    const result = applyResultOf({
      region: 'eu-west-1',
      action: 'created',
      versionAfter: '1',
      promoted: false,
    });
    // Assess
    expect(result).toEqual({ region: 'eu-west-1', action: 'created', versionAfter: '1', promoted: false });
    expect(Object.keys(result)).not.toContain('versionBefore');
  });
});

describe('ApplyPreferences metrics at the version limit', () => {
  it('counts the versions pruned, and nothing when pruning did not run', () => {
    // Act / Assess
    expect(prunedMetrics(['1', '2', '4'])).toEqual([
      { name: METRIC.documentVersionsPruned, unit: 'Count', value: 3 },
    ]);
    expect(prunedMetrics(undefined)).toEqual([]);
  });

  it('counts a write refused at the limit once, and no other error', () => {
    // Act / Assess
    expect(versionLimitMetrics(new DocumentVersionLimitError('limit'))).toEqual([
      { name: METRIC.documentVersionLimitReached, unit: 'Count', value: 1 },
    ]);
    expect(versionLimitMetrics(new DocumentBusyError('busy'))).toEqual([]);
    expect(versionLimitMetrics(new Error('DocumentVersionLimitError'))).toEqual([]);
  });
});
