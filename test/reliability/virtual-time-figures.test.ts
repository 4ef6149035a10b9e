import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { type PlayedFigures, playGenerated } from '#tools/bench/play.ts';
import { generateScenario } from '#tools/bench/scenario-generator.ts';

/** A small seeded slice of the bench (20 vends): the same vends, the same latency draws. */
async function playSlice(): Promise<PlayedFigures> {
  return playGenerated(generateScenario({ accounts: 20, regions: 2, faults: 'none', seed: 23 }), {
    label: 'slice',
    timeoutSeconds: 240,
  });
}

/** A process that keeps one CPU busy for as long as it lives. */
function cpuHog(): ChildProcess {
  return spawn(process.execPath, ['-e', 'for (;;) { Math.sqrt(Math.random()); }'], { stdio: 'ignore' });
}

const figures = (f: PlayedFigures) => ({
  overshoot: f.roleWaitOvershootSeconds.p95,
  afterRole: f.assumableToVerifiedSeconds.p95,
  exposure: f.exposureSeconds.p95,
});

describe('bench figures on virtual time', () => {
  const hogs: ChildProcess[] = [];
  afterEach(() => {
    for (const hog of hogs.splice(0)) hog.kill();
  });

  it('are the same idle and beside CPU-heavy processes (within 0.5 simulated seconds)', async () => {
    // Act: once on a quiet machine, once with two processes burning CPU beside the bench.
    const idle = await playSlice();
    hogs.push(cpuHog(), cpuHog());
    const busy = await playSlice();
    // Assess: every vend measured in both runs, and the simulated p95s agree.
    for (const run of [idle, busy]) {
      expect(run.clock).toBe('virtual');
      expect(run.outcomes.accountsCompliant).toBe(20);
      expect(run.exposureSeconds.n).toBe(20);
    }
    const a = figures(idle);
    const b = figures(busy);
    expect(Math.abs(a.overshoot - b.overshoot)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(a.afterRole - b.afterRole)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(a.exposure - b.exposure)).toBeLessThanOrEqual(0.5);
    // The modelled latencies are in the figures: RunAs is never verified in zero time.
    expect(idle.assumableToVerifiedSeconds.p50).toBeGreaterThan(0.2);
  }, 300_000);
});
