import { setTimeout as sleep } from 'node:timers/promises';

export interface PollOptions {
  timeoutMs: number;
  intervalMs: number;
  /** For tests: the clock and the wait between polls. */
  now?: () => number;
  sleep?: (ms: number) => Promise<unknown>;
}

/**
 * Every wait of the CLI: run `poll` until it reports done, or until the deadline has passed after
 * a poll. The first poll runs at once, and the last one runs at or after the deadline, so a
 * status that settles just before the timeout is still seen.
 */
export async function pollUntilDeadline(
  poll: () => Promise<boolean>,
  options: PollOptions,
): Promise<'done' | 'timed-out'> {
  const now = options.now ?? Date.now;
  const wait = options.sleep ?? sleep;
  const deadline = now() + options.timeoutMs;
  for (;;) {
    if (await poll()) return 'done';
    if (now() >= deadline) return 'timed-out';
    await wait(options.intervalMs);
  }
}
