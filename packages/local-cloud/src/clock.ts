/**
 * Simulated time. The simulated clock starts at the wall time the cloud started and runs
 * `1 / timeScale` times faster than the wall clock: with timeScale 0.02 one wall second is
 * 50 simulated seconds. Every timestamp the cloud emits (API dates, event times, pipeline
 * history, credential expiry) is simulated time. With the default timeScale 1 they equal wall time.
 */
export class SimulatedClock {
  readonly timeScale: number;
  /** Wall epoch ms at which simulated time started (simulated epoch ms equals it at that instant). */
  readonly startWallMs: number;
  readonly #wallNow: () => number;

  constructor(timeScale: number, wallNow: () => number = Date.now) {
    if (!(timeScale > 0)) throw new RangeError(`timeScale must be positive, got ${timeScale}`);
    this.timeScale = timeScale;
    this.#wallNow = wallNow;
    this.startWallMs = wallNow();
  }

  /** Current wall epoch ms. */
  wallNowMs(): number {
    return this.#wallNow();
  }

  /** Simulated seconds elapsed since the clock started. */
  elapsedSeconds(): number {
    return this.wallMsToSimSeconds(this.#wallNow() - this.startWallMs);
  }

  /** Current simulated epoch ms. */
  nowMs(): number {
    return this.toSimulatedEpochMs(this.#wallNow());
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  /** A wall duration in ms as simulated seconds. */
  wallMsToSimSeconds(wallMs: number): number {
    return wallMs / 1000 / this.timeScale;
  }

  /** A simulated duration in seconds as wall ms. */
  simSecondsToWallMs(simSeconds: number): number {
    return simSeconds * 1000 * this.timeScale;
  }

  /** A wall epoch ms (e.g. a `Date.now()` taken by other code) on the simulated time line. */
  toSimulatedEpochMs(wallEpochMs: number): number {
    return this.startWallMs + (wallEpochMs - this.startWallMs) / this.timeScale;
  }

  /** A simulated epoch ms back on the wall time line. */
  toWallEpochMs(simEpochMs: number): number {
    return this.startWallMs + (simEpochMs - this.startWallMs) * this.timeScale;
  }

  /** Simulated epoch ms of a point given in simulated seconds since the clock started. */
  epochMsAt(simSeconds: number): number {
    return this.startWallMs + simSeconds * 1000;
  }

  /** Simulated seconds since the clock started, of a simulated epoch ms. */
  secondsAt(simEpochMs: number): number {
    return (simEpochMs - this.startWallMs) / 1000;
  }
}

interface ScheduledTask {
  at: number;
  seq: number;
  run: () => void;
}

/**
 * Runs callbacks at simulated instants, strictly in (instant, insertion) order, so that
 * events scheduled for the same simulated second keep their causal order.
 */
export class SimulatedScheduler {
  readonly #clock: SimulatedClock;
  readonly #onError: (error: unknown) => void;
  #queue: ScheduledTask[] = [];
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(clock: SimulatedClock, onError: (error: unknown) => void) {
    this.#clock = clock;
    this.#onError = onError;
  }

  /** Run `fn` when the simulated clock reaches `atSeconds` (seconds since clock start). */
  at(atSeconds: number, fn: () => void): void {
    if (this.#closed) return;
    this.#queue.push({ at: atSeconds, seq: this.#seq++, run: fn });
    this.#queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.#arm();
  }

  get pending(): number {
    return this.#queue.length;
  }

  close(): void {
    this.#closed = true;
    this.#queue = [];
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const first = this.#queue[0];
    if (!first || this.#closed) return;
    const delay = Math.max(0, this.#clock.simSecondsToWallMs(first.at - this.#clock.elapsedSeconds()));
    // Timers above 2^31-1 ms overflow to 1 ms in Node; re-arm instead.
    this.#timer = setTimeout(() => this.#drain(), Math.min(delay, 2_000_000_000));
    this.#timer.unref?.();
  }

  #drain(): void {
    this.#timer = undefined;
    const now = this.#clock.elapsedSeconds();
    while (!this.#closed && this.#queue.length > 0 && (this.#queue[0] as ScheduledTask).at <= now + 1e-9) {
      const task = this.#queue.shift() as ScheduledTask;
      try {
        task.run();
      } catch (error) {
        this.#onError(error);
      }
    }
    this.#arm();
  }
}
