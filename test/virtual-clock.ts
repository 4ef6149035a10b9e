import { VirtualTime } from '@runas-bootstrapper/local-cloud';
import { afterAll, beforeAll } from 'vitest';

/**
 * Play every test of the calling file on virtual time (packages/local-cloud's `VirtualTime`):
 * Waits, Retry intervals, role delays and pipeline runs take simulated time, which jumps when the
 * process is quiet, so a busy machine stretches nothing and changes no outcome.
 *
 * Call it at module scope. Its hooks are the file's outermost: the clock is installed before any
 * `beforeAll` of a `describe` starts a cloud, and given back after every cloud is closed.
 * Returns the installed clock, for tests that read simulated time.
 */
export function onVirtualTime(seed = 1): () => VirtualTime {
  let time: VirtualTime | undefined;
  beforeAll(() => {
    time = VirtualTime.install({ seed });
  });
  afterAll(async () => {
    await time?.uninstall();
    time = undefined;
  });
  return () => {
    if (!time) throw new Error('virtual time is installed only while the file runs');
    return time;
  };
}
