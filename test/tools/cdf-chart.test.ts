import { describe, expect, it } from 'vitest';
import { cdfChartSvg } from '#tools/bench/cdf-chart.ts';

describe('the bench exposure CDF chart', () => {
  it('labels p50 and p95 on each curve, says the seconds are simulated, and dashes the lines', () => {
    // Prepare: 20 vends each; p50 is the 10th value, p95 the 19th.
    const fast = Array.from({ length: 20 }, (_, i) => i + 1);
    const slow = fast.map((v) => v * 120);
    // Act
    const svg = cdfChartSvg('Exposure', [
      { label: 'runas-bootstrapper', values: fast },
      { label: 'LZA alone', values: slow },
    ]);
    // Assess
    expect(svg).toContain('exposure in simulated seconds');
    expect(svg.match(/<text [^>]*>p50 10\.0 s<\/text>/g)).toHaveLength(1);
    expect(svg.match(/<text [^>]*>p95 19\.0 s<\/text>/g)).toHaveLength(1);
    expect(svg).toMatch(/>p50 20\.0 min</);
    expect(svg).toMatch(/>p95 38\.0 min</);
    const paths = svg.match(/<path [^>]*>/g) ?? [];
    expect(paths).toHaveLength(2);
    expect(paths[0]).not.toContain('stroke-dasharray');
    expect(paths[1]).toContain('stroke-dasharray="8 4"');
  });
});
