/**
 * The role wait's schedule (config `roleWaitSchedule`): when AwaitRole attempts, and what a role
 * that never appears costs. The config validates a schedule by its price; core/vend/role-wait.ts
 * plays it.
 */

/**
 * How AwaitRole spaces its attempts (config `roleWaitSchedule`). Step Functions waits whole
 * seconds (docs/aws-behaviour.md#wait-states-wait-whole-seconds), so a fractional interval is
 * kept exactly: the attempts aim at instants on a grid of that interval, the Wait is rounded
 * down, and AwaitRole sleeps the fraction left.
 */
export interface RoleWaitSchedule {
  /** From the start of the wait, this long at `fastIntervalSeconds`: while a role is likely to appear. */
  fastSeconds: number;
  /** Seconds between attempts in the fast phase (a multiple of 0.25). */
  fastIntervalSeconds: number;
  /** After the fast phase the interval grows ×1.5 per attempt up to this: the quiet phase. */
  slowIntervalSeconds: number;
  /** Only the role the trigger implies is tried for this long; then the others too. */
  fallbackAfterSeconds: number;
  /** From then on, one attempt at a fallback role after every this many at the implied role. */
  fallbackEvery: number;
}

export const DEFAULT_ROLE_WAIT_SCHEDULE: RoleWaitSchedule = {
  fastSeconds: 90,
  fastIntervalSeconds: 2.75,
  slowIntervalSeconds: 60,
  fallbackAfterSeconds: 60,
  fallbackEvery: 4,
};

/** The most denied AssumeRole calls a role that never appears may cost in an hour. */
export const MAX_DENIED_CALLS_PER_HOUR = 120;

const SLOW_GROWTH = 1.5;

/** One planned attempt: seconds after the wait began, and whether it tries a fallback role. */
export interface PlannedAttempt {
  at: number;
  /** For a fallback attempt, its turn (0, 1, …): the fallback roles take turns. */
  fallback?: number;
}

/**
 * The attempt instants of a wait, in order, without end: the first at once, then the fast grid
 * (shifted by `phase` of one interval, so that a burst of vends does not call STS in step), then
 * growing to the slow interval. From `fallbackAfterSeconds` on, every `fallbackEvery`-th interval
 * gets one more attempt half-way, for a fallback role, so the implied role keeps its grid; in the
 * slow phase the fallback takes the implied role's turn instead, so the hour's price holds.
 */
export function* plannedAttempts(schedule: RoleWaitSchedule, phase = 0): Generator<PlannedAttempt> {
  yield { at: 0 };
  let at = schedule.fastIntervalSeconds * (phase - 1);
  let interval = schedule.fastIntervalSeconds;
  // The first fallback comes in the first interval past fallbackAfterSeconds.
  let sinceFallback = schedule.fallbackEvery - 1;
  let turn = 0;
  for (;;) {
    const next = at + interval;
    let fallbackDue = false;
    if (at + interval / 2 >= schedule.fallbackAfterSeconds) {
      sinceFallback += 1;
      fallbackDue = sinceFallback >= schedule.fallbackEvery;
      if (fallbackDue) sinceFallback = 0;
    }
    // While fast, a fallback attempt is one more, half-way; once slow, it takes the implied role's turn.
    const quiet = interval >= schedule.slowIntervalSeconds;
    if (fallbackDue && !quiet) yield { at: at + interval / 2, fallback: turn++ };
    at = next;
    if (at > 0) yield fallbackDue && quiet ? { at, fallback: turn++ } : { at };
    if (at >= schedule.fastSeconds) interval = Math.min(interval * SLOW_GROWTH, schedule.slowIntervalSeconds);
  }
}

/** AssumeRole calls in the first hour of a role that never appears (fallbacks included; the wait assumed longer). */
export function deniedCallsPerStuckHour(schedule: RoleWaitSchedule): number {
  // Every account has its own phase: count the worst of a spread of them.
  return Math.max(
    ...[0, 0.25, 0.5, 0.75, 0.999].map((phase) => {
      let calls = 0;
      for (const attempt of plannedAttempts(schedule, phase)) {
        if (attempt.at >= 3600) break;
        calls += 1;
      }
      return calls;
    }),
  );
}
