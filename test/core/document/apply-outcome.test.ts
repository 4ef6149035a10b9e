import { describe, expect, it } from 'vitest';
import { prunedMetrics, versionLimitMetrics } from '#core/document/apply-outcome.ts';
import { DocumentBusyError, DocumentVersionLimitError } from '#core/shared/errors.ts';
import { METRIC } from '#core/shared/metrics.ts';

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
