import { describe, expect, it } from 'vitest';
import { addEmfLine } from '#local/runtime/emf-metrics.ts';

describe("the local runtime's EMF totals", () => {
  it('sums every metric of an EMF record, a list of values too, and ignores other lines', () => {
    // Prepare
    const sums = new Map<string, number>();
    const record = (values: Record<string, number | number[]>) =>
      JSON.stringify({
        _aws: {
          Timestamp: 0,
          CloudWatchMetrics: [
            {
              Namespace: 'N',
              Dimensions: [['service']],
              Metrics: Object.keys(values).map((Name) => ({ Name })),
            },
          ],
        },
        service: 'runas-bootstrapper',
        ...values,
      });
    // Act
    addEmfLine(sums, record({ RegionsCompliant: 2, VendToRunAsSeconds: [10.5, 4] }));
    addEmfLine(sums, record({ RegionsCompliant: 1 }));
    addEmfLine(sums, '{"level":"INFO","message":"not a metric"}');
    addEmfLine(sums, { not: 'a line' });
    // Assess
    expect(Object.fromEntries(sums)).toEqual({ RegionsCompliant: 3, VendToRunAsSeconds: 14.5 });
  });
});
