import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '#core/config.ts';
import {
  accountPhase,
  checksAccountState,
  DEFAULT_ROLE_WAIT_SCHEDULE,
  deniedCallsPerStuckHour,
  MAX_DENIED_CALLS_PER_HOUR,
  maxAttempts,
  plannedAttempts,
  type RoleWaitSchedule,
  roleAttempt,
  rolesForAttempt,
  rolesInOrder,
  roleWaitSeconds,
} from '#core/role-wait.ts';

const S = DEFAULT_ROLE_WAIT_SCHEDULE;
const BOTH = ['AWSControlTowerExecution', 'OrganizationAccountAccessRole'];

/**
 * Plays a wait the way the state machine runs it: attempt (with the in-attempt wait to the planned
 * instant and a call's latency), then the whole-second Wait it asks for, until the deadline.
 */
function play(totalSeconds: number, schedule: RoleWaitSchedule, phase: number, latency = 0.15) {
  const attempts: { at: number; roles: string[] }[] = [];
  let now = 0.2;
  for (;;) {
    const attempt = roleAttempt(now, totalSeconds, schedule, phase);
    now = Math.max(now, Math.min(attempt.at, now + 1));
    attempts.push({
      at: now,
      roles: rolesForAttempt(rolesInOrder('organizations-create-account', BOTH), attempt),
    });
    now += latency;
    if (attempt.final) return attempts;
    now += roleWaitSeconds(now, totalSeconds, schedule, phase) + 0.05;
  }
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

  it('adds no AssumeRole call: the stuck hour still costs what the schedule allows', () => {
    expect(deniedCallsPerStuckHour(S)).toBeLessThanOrEqual(MAX_DENIED_CALLS_PER_HOUR);
  });
});
