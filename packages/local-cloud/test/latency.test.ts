import { describe, expect, it } from 'vitest';
import { AWS_LATENCY, LatencyModel, NO_LATENCY, SeededRandom, sampleLogNormal } from '../src/index.ts';

describe('latency model', () => {
  it('draws log-normal latencies with the stated median and 99th percentile', () => {
    // Prepare
    const random = new SeededRandom(9);
    const distribution = { medianMs: 100, p99Ms: 400, source: 'test' };
    // Act
    const draws = Array.from({ length: 20_000 }, () => sampleLogNormal(distribution, random)).sort(
      (a, b) => a - b,
    );
    // Assess
    expect(draws[10_000]).toBeGreaterThan(95);
    expect(draws[10_000]).toBeLessThan(105);
    expect(draws[19_800]).toBeGreaterThan(370);
    expect(draws[19_800]).toBeLessThan(430);
  });

  it('keys draws, so that one key gets the same sequence whatever else is drawn in between', () => {
    // Prepare
    const first = new LatencyModel(AWS_LATENCY, 4);
    const second = new LatencyModel(AWS_LATENCY, 4);
    // Act: the second model draws for another key in between.
    const a = [first.api('ssm:GetDocument', 'k'), first.api('ssm:GetDocument', 'k')];
    second.api('sts:AssumeRole', 'other');
    const b = [second.api('ssm:GetDocument', 'k'), second.api('ssm:GetDocument', 'k')];
    // Assess
    expect(b).toEqual(a);
    expect(a[0]).not.toBe(a[1]);
  });

  it('cites a source for every distribution, and the none model answers at once', () => {
    // Assess
    const all = [
      ...Object.values(AWS_LATENCY.api),
      AWS_LATENCY.eventDelivery,
      AWS_LATENCY.lambdaWarmInvoke,
      AWS_LATENCY.lambdaColdInit,
      AWS_LATENCY.stateTransition,
      AWS_LATENCY.executionStart,
    ];
    for (const d of all) {
      expect(d.source.length).toBeGreaterThan(20);
      expect(d.p99Ms).toBeGreaterThan(d.medianMs);
    }
    expect(new LatencyModel(NO_LATENCY, 1).api('ssm:GetDocument', 'k')).toBe(0);
  });
});
