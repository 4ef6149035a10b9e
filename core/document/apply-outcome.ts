/**
 * What ApplyPreferences reports of one write, pure: the metrics for document versions at SSM's
 * version limit. The handler writes them.
 */
import { DocumentVersionLimitError } from '../shared/errors.ts';
import { METRIC, type MetricPoint } from '../shared/metrics.ts';

/** How many old versions the pruning policy deleted so that the write could go through. */
export function prunedMetrics(pruned: readonly string[] | undefined): MetricPoint[] {
  return pruned ? [{ name: METRIC.documentVersionsPruned, unit: 'Count', value: pruned.length }] : [];
}

/** A write refused at the version limit (DocumentVersionLimitError) counts once; any other error, not at all. */
export function versionLimitMetrics(error: unknown): MetricPoint[] {
  return error instanceof DocumentVersionLimitError
    ? [{ name: METRIC.documentVersionLimitReached, unit: 'Count', value: 1 }]
    : [];
}
