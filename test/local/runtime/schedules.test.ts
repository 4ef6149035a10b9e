import { describe, expect, it } from 'vitest';
import { parseConfig } from '#core/config/config.ts';
import { deployedSchedules, fireTimes, rateSeconds } from '#local/runtime/schedules.ts';

describe('the deployed schedules on simulated time', () => {
  it('reads EventBridge Scheduler rate expressions, and no cron', () => {
    expect(rateSeconds('rate(1 hour)')).toBe(3_600);
    expect(rateSeconds('rate(15 minutes)')).toBe(900);
    expect(rateSeconds('rate(1 day)')).toBe(86_400);
    expect(rateSeconds('rate(0 hours)')).toBeUndefined();
    expect(rateSeconds('cron(0 3 * * ? *)')).toBeUndefined();
  });

  it('fires at the start and then at the rate, before the end of play', () => {
    expect(fireTimes(3_600, 10_800)).toEqual([0, 3_600, 7_200]);
    expect(fireTimes(86_400, 10_800)).toEqual([0]);
  });

  it('deploys the reconciler while gap measurement is on and the sweep while enabled, with the stack inputs', () => {
    // Prepare
    const base = { runAsDefaultUser: 'ec2-user', governedRegions: ['us-east-1'] };
    // Act
    const defaults = deployedSchedules(parseConfig(base));
    const off = deployedSchedules(
      parseConfig({ ...base, lza: { measureGap: false }, sweep: { enabled: false, repair: false } }),
    );
    // Assess
    expect(defaults.map((s) => [s.name, s.expression, s.enabled, s.input])).toEqual([
      ['reconcile', 'rate(1 hour)', true, { reconcile: true }],
      ['sweep', 'rate(1 day)', true, { repair: true }],
    ]);
    expect(off.map((s) => s.enabled)).toEqual([false, false]);
  });
});
