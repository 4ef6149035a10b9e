import { describe, expect, it } from 'vitest';
import { pollUntilDeadline } from '#cli/poll.ts';

/** A clock that moves only when the poller waits. */
function fakeClock() {
  let now = 0;
  const waits: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      waits.push(ms);
      now += ms;
    },
    waits,
  };
}

describe('pollUntilDeadline', () => {
  it('polls at once and then every interval until the poll reports done', async () => {
    // Prepare
    const clock = fakeClock();
    let polls = 0;

    // Act
    const outcome = await pollUntilDeadline(async () => ++polls === 3, {
      timeoutMs: 60_000,
      intervalMs: 2_000,
      ...clock,
    });

    // Assess
    expect(outcome).toBe('done');
    expect(polls).toBe(3);
    expect(clock.waits).toEqual([2_000, 2_000]);
  });

  it('gives up after the poll that runs at the deadline, never waiting past it', async () => {
    // Prepare
    const clock = fakeClock();
    const pollTimes: number[] = [];

    // Act
    const outcome = await pollUntilDeadline(
      async () => {
        pollTimes.push(clock.now());
        return false;
      },
      { timeoutMs: 5_000, intervalMs: 2_000, ...clock },
    );

    // Assess
    expect(outcome).toBe('timed-out');
    expect(pollTimes).toEqual([0, 2_000, 4_000, 6_000]);
  });

  it('reports done when the last poll before the deadline sees the end', async () => {
    // Prepare
    const clock = fakeClock();

    // Act
    const outcome = await pollUntilDeadline(async () => clock.now() >= 4_000, {
      timeoutMs: 4_000,
      intervalMs: 2_000,
      ...clock,
    });

    // Assess
    expect(outcome).toBe('done');
  });
});
