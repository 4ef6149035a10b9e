import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '#core/config/config.ts';
import {
  DEFAULT_ROLE_WAIT_SCHEDULE,
  deniedCallsPerStuckHour,
  MAX_DENIED_CALLS_PER_HOUR,
  plannedAttempts,
  type RoleWaitSchedule,
} from '#core/config/role-wait-schedule.ts';
import {
  accountPhase,
  checksAccountState,
  maxAttempts,
  type RoleAttempt,
  roleAttempt,
  rolesForAttempt,
  rolesInOrder,
  roleWaitAfter,
} from '#core/vend/role-wait.ts';

const S = DEFAULT_ROLE_WAIT_SCHEDULE;
const BOTH = ['AWSControlTowerExecution', 'OrganizationAccountAccessRole'];

/**
 * Plays a wait the way the state machine runs it: attempt (with the in-attempt wait to the planned
 * instant and a call's latency), then the whole-second Wait it asks for, carrying the attempt it
 * planned, until the deadline. `latency(n)` is the n-th call's duration.
 */
function play(
  totalSeconds: number,
  schedule: RoleWaitSchedule,
  phase: number,
  latency: (n: number) => number = () => 0.15,
) {
  const attempts: { at: number; roles: string[]; fallback?: number | undefined }[] = [];
  let now = 0.2;
  let planned: RoleAttempt | undefined;
  for (;;) {
    const attempt = roleAttempt(planned, now, totalSeconds, schedule, phase);
    now = Math.max(now, Math.min(attempt.at, now + 1));
    attempts.push({
      at: now,
      fallback: attempt.fallback,
      roles: rolesForAttempt(rolesInOrder('organizations-create-account', BOTH), attempt),
    });
    now += latency(attempts.length - 1);
    if (attempt.final) return attempts;
    const { waitSeconds, next } = roleWaitAfter(attempt, now, totalSeconds, schedule, phase);
    planned = next;
    now += waitSeconds + 0.05;
  }
}

/** The first planned fallback turn (plannedAttempts never ends: stop at it). */
function firstFallback(phase: number) {
  for (const planned of plannedAttempts(S, phase)) if (planned.fallback !== undefined) return planned;
  throw new Error('no planned fallback');
}

describe('the role-wait schedule', () => {
  it('polls one role every fastIntervalSeconds while a role is likely to appear, and lands on the grid', () => {
    // Act
    const attempts = play(30 * 60, S, 0.5);
    const firstMinute = attempts.filter((a) => a.at < 45);
    // Assess: after the first attempt, the implied role every 2.75 s on the dot (plus the call).
    // (The first grid instant may come less than a second after the first attempt: skip it.)
    const gaps = firstMinute.slice(3).map((a, i) => a.at - firstMinute[i + 2]!.at);
    for (const gap of gaps) expect(gap).toBeCloseTo(S.fastIntervalSeconds, 5);
    expect(
      firstMinute.every((a) => a.roles.length === 1 && a.roles[0] === 'OrganizationAccountAccessRole'),
    ).toBe(true);
  });

  it("keeps a fallback's turn when a slow call leaves it under a second away", () => {
    // Prepare: the first fallback turn, and the refused attempt before it, returning 0.8 s before it.
    const turn = firstFallback(0.5);
    const before = { at: turn.at - S.fastIntervalSeconds / 2, final: false };
    // Act
    const { waitSeconds, next } = roleWaitAfter(before, turn.at - 0.8, 30 * 60, S, 0.5);
    // Assess: no whole-second Wait past it; the next attempt is that turn, on its instant.
    expect(waitSeconds).toBe(0);
    expect(next).toEqual({ at: turn.at, fallback: turn.fallback, final: false });
  });

  it('makes the planned attempt however late the Wait and the invocation bring it', () => {
    // Prepare: the fallback turn was planned; the invocation arrives 0.9 s after its instant.
    const turn = firstFallback(0.5);
    const planned = { at: turn.at, fallback: turn.fallback, final: false };
    // Act
    const attempt = roleAttempt(planned, turn.at + 0.9, 30 * 60, S, 0.5);
    // Assess
    expect(attempt).toEqual(planned);
  });

  it('plans afresh when the carried attempt no longer fits the wait: no final attempt before the deadline', () => {
    // Prepare: a final attempt planned for a 30-minute deadline, and one planned past a wait
    // shortened to 5 minutes by a config deployed mid-wait.
    const final = { at: 30 * 60, final: true };
    const beyond = { at: 400, final: false };
    // Act
    const afterFinal = roleAttempt(final, 100, 30 * 60, S, 0.5);
    const afterShortening = roleAttempt(beyond, 100, 5 * 60, S, 0.5);
    // Assess: a planned attempt of this wait, not the carried ones: the next instant still ahead,
    // or a fallback turn already missed, made now.
    expect(afterFinal.final).toBe(false);
    expect(afterFinal.at >= 100 - 0.25 || afterFinal.fallback !== undefined).toBe(true);
    expect(afterFinal.at).toBeLessThan(100 + S.slowIntervalSeconds);
    expect(afterShortening.at).toBeLessThan(5 * 60);
  });

  it('skips the instants a stalled call missed, but not the fallback turn among them', () => {
    // Prepare: an attempt just before the first fallback turn whose call took 6 s.
    const turn = firstFallback(0.5);
    const before = { at: turn.at - S.fastIntervalSeconds / 2, final: false };
    // Act
    const { waitSeconds, next } = roleWaitAfter(before, before.at + 6, 30 * 60, S, 0.5);
    // Assess: the missed turn now, with no burst of the implied role's missed instants.
    expect(waitSeconds).toBe(0);
    expect(next).toEqual({ at: turn.at, fallback: turn.fallback, final: false });
    const after = roleWaitAfter(next, before.at + 6.2, 30 * 60, S, 0.5).next;
    expect(after.at).toBeGreaterThanOrEqual(before.at + 6.2 - 0.25);
    expect(after.fallback).toBeUndefined();
  });

  it('loses no fallback turn and ends at the deadline when calls are slow and uneven', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.05, max: 1.9, noNaN: true }), { minLength: 50 }), (draws) => {
        // Act
        const attempts = play(10 * 60, S, 0.5, (n) => draws[n % draws.length] as number);
        // Assess: every planned fallback turn before the deadline is tried (in turn), once.
        const expected: number[] = [];
        for (const planned of plannedAttempts(S, 0.5)) {
          if (planned.at >= 10 * 60) break;
          if (planned.fallback !== undefined) expected.push(planned.fallback);
        }
        const turns = attempts.flatMap((a) => (a.fallback === undefined ? [] : [a.fallback]));
        expect(turns).toEqual(expected);
        expect(attempts.at(-1)!.at).toBeGreaterThanOrEqual(10 * 60);
        expect(attempts.length).toBeLessThanOrEqual(maxAttempts(10 * 60, S));
      }),
      { numRuns: 40 },
    );
  });

  it('tries the fallback role on its own schedule, and every role at the deadline', () => {
    // Act
    const attempts = play(30 * 60, S, 0.5);
    const fallbacks = attempts.filter(
      (a) => a.roles[0] === 'AWSControlTowerExecution' && a.roles.length === 1,
    );
    const last = attempts.at(-1)!;
    // Assess
    expect(fallbacks[0]!.at).toBeGreaterThanOrEqual(S.fallbackAfterSeconds);
    expect(fallbacks[0]!.at).toBeLessThan(S.fallbackAfterSeconds + 2 * S.fastIntervalSeconds);
    expect(fallbacks[1]!.at - fallbacks[0]!.at).toBeCloseTo(S.fallbackEvery * S.fastIntervalSeconds, 5);
    expect(last.roles).toEqual(['OrganizationAccountAccessRole', 'AWSControlTowerExecution']);
  });

  it('ends at the deadline exactly, for any timeout the config allows and any phase', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 240 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (minutes, phase) => {
          // Act
          const attempts = play(minutes * 60, S, phase);
          // Assess: the last attempt is at the deadline (within the second it rounds to) and the
          // history bound counts at least as many attempts as were made.
          const last = attempts.at(-1)!.at;
          expect(last).toBeGreaterThanOrEqual(minutes * 60);
          expect(last).toBeLessThan(minutes * 60 + 1.5);
          expect(attempts.length).toBeLessThanOrEqual(maxAttempts(minutes * 60, S));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('costs at most 120 AssumeRole calls in the first hour of a role that never appears', () => {
    // Act
    const attempts = play(240 * 60, S, accountPhase('111111111111'));
    const firstHour = attempts.filter((a) => a.at < 3600).reduce((n, a) => n + a.roles.length, 0);
    const secondHour = attempts.filter((a) => a.at >= 3600 && a.at < 7200).length;
    // Assess
    expect(firstHour).toBeLessThanOrEqual(MAX_DENIED_CALLS_PER_HOUR);
    expect(firstHour).toBeLessThanOrEqual(deniedCallsPerStuckHour(S));
    expect(deniedCallsPerStuckHour(S)).toBeLessThanOrEqual(MAX_DENIED_CALLS_PER_HOUR);
    expect(secondHour).toBe(3600 / S.slowIntervalSeconds);
  });

  it('refuses a schedule that would cost more than 120 calls an hour', () => {
    // Act
    const loud = () =>
      parseConfig({
        runAsDefaultUser: 'ec2-user',
        governedRegions: ['us-east-1'],
        roleWaitSchedule: { slowIntervalSeconds: 30, fastSeconds: 600 },
      });
    // Assess
    expect(loud).toThrow(/roleWaitSchedule: would make \d+ denied AssumeRole calls/);
  });
});

describe('which role an attempt tries', () => {
  it.each([
    ['controltower-create-managed-account', false, BOTH],
    ['controltower-update-managed-account', false, BOTH],
    ['organizations-create-account', false, [...BOTH].reverse()],
    ['organizations-account-joined', false, [...BOTH].reverse()],
    ['organizations-account-joined', true, BOTH],
    ['replay', false, BOTH],
    [undefined, false, BOTH],
  ])('%s (invited %s) tries %j in that order', (trigger, invited, expected) => {
    // Act / Assess
    expect(rolesInOrder(trigger, BOTH, invited)).toEqual(expected);
  });

  it('never tries a role the config does not name: the configured list is the final word', () => {
    // Act / Assess
    expect(rolesInOrder('organizations-create-account', ['AWSControlTowerExecution'])).toEqual([
      'AWSControlTowerExecution',
    ]);
    expect(
      rolesInOrder('controltower-create-managed-account', ['Custom', 'AWSControlTowerExecution']),
    ).toEqual(['AWSControlTowerExecution', 'Custom']);
  });
});

describe('the account-state check of a denied role wait', () => {
  it('asks Organizations about once a minute from 30 s on, and at the deadline, for any phase', () => {
    for (const phase of [0, 0.25, 0.5, 0.75, 0.999]) {
      // Act: the attempts of the first hour that also ask for the account's state.
      const checks: number[] = [];
      for (const attempt of plannedAttempts(S, phase)) {
        if (attempt.at >= 3_600) break;
        if (checksAccountState({ at: attempt.at, final: false }, S, phase)) checks.push(attempt.at);
      }
      // Assess: the first about 30 s in; then never more than a slow interval (plus growth) apart,
      // and at most two a minute: 62 DescribeAccount calls in a stuck hour.
      const gaps = checks.slice(1).map((at, i) => at - (checks[i] as number));
      expect(checks[0], `phase ${phase}`).toBeGreaterThanOrEqual(30);
      expect(checks[0], `phase ${phase}`).toBeLessThan(33);
      expect(Math.max(...gaps), `phase ${phase}`).toBeLessThan(63);
      expect(Math.min(...gaps), `phase ${phase}`).toBeGreaterThanOrEqual(27);
      expect(checks.length, `phase ${phase}`).toBeLessThanOrEqual(62);
    }
    expect(checksAccountState({ at: 5, final: true }, S)).toBe(true);
    expect(checksAccountState({ at: 0, final: false }, S)).toBe(false);
  });
});
