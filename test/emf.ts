import { vi } from 'vitest';

/** One EMF record as Powertools prints it: metric values are top-level keys. */
export interface EmfRecord {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit?: string }[];
    }[];
  };
  accountId?: string;
  [key: string]: unknown;
}

/**
 * Collect the EMF records Powertools prints to stdout (console.log) into `into`, until the
 * returned `restore` is called. Other console output is swallowed, as in a quiet test.
 */
export function captureEmf(into: EmfRecord[] = []): { records: EmfRecord[]; restore: () => void } {
  const spy = vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
    if (typeof line === 'string' && line.startsWith('{"_aws"')) into.push(JSON.parse(line) as EmfRecord);
  });
  return { records: into, restore: () => spy.mockRestore() };
}

/** How many data points of metric `name` were emitted per account (the `accountId` metadata). */
export function dataPointsPerAccount(records: EmfRecord[], name: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const record of records) {
    if (!(name in record)) continue;
    const n = [record[name]].flat().length;
    const account = String(record.accountId ?? '(none)');
    counts.set(account, (counts.get(account) ?? 0) + n);
  }
  return counts;
}
