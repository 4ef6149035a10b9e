import { type PlannedAttempt, plannedAttempts, type RoleWaitSchedule } from '../config/role-wait-schedule.ts';
import { errorMessage } from '../shared/error-text.ts';
import {
  AwsTransientError,
  RoleNotAssumableError,
  RoleWaitTimeoutError,
  ThrottlingError,
} from '../shared/errors.ts';

/**
 * What one failed attempt to assume the member role means for the wait. While waiting, AwaitRole
 * returns the wait to its next planned attempt (roleWaitAfter) and the Wait state loops back until
 * the deadline; otherwise the error returned here is the one to throw.
 * - During the wait, a throttled or failed STS call is one more "not yet": the deadline, not a
 *   separate retry budget, bounds the wait.
 * - Past the deadline, a role still not assumable is RoleWaitTimeoutError, and a throttled STS
 *   call is just that: the state machine's own retry policy for transient errors decides.
 * - Any other error is not about the wait, and is thrown as it is.
 */
export function roleWaitError(
  error: unknown,
  nowMs: number,
  deadline: string,
  accountId: string,
): { error: unknown; waiting: boolean } {
  const waiting = error instanceof RoleNotAssumableError;
  const transient = error instanceof ThrottlingError || error instanceof AwsTransientError;
  if (!waiting && !transient) return { error, waiting: false };
  const past = nowMs >= Date.parse(deadline);
  if (transient && past) return { error, waiting: false };
  const message = errorMessage(error);
  if (past) {
    const timeout = `gave up waiting for a member role in account ${accountId} at ${deadline}: ${message}`;
    return { error: new RoleWaitTimeoutError(timeout, { cause: error }), waiting: false };
  }
  if (transient)
    return {
      error: new RoleNotAssumableError(`STS did not answer cleanly: ${message}`, { cause: error }),
      waiting: true,
    };
  return { error, waiting: true };
}

/** One attempt of AwaitRole: its planned instant (seconds into the wait) and which roles it tries. */
export interface RoleAttempt {
  /** The planned instant this attempt stands for; the handler waits for it (under a second). */
  at: number;
  /** A fallback role's turn (0, 1, …), or undefined for the implied role's. */
  fallback?: number | undefined;
  /** At the deadline: the last attempt, which tries every configured role. */
  final: boolean;
}

/**
 * The attempt to make now. A refused attempt has already chosen the next one (roleWaitAfter) and
 * the state machine carries it: it is made as planned however late the Wait and the invocation
 * bring it, so a slow call or a cold start never costs a fallback role its turn. Past the
 * deadline, the last attempt. The first attempt of a wait has nothing carried: it is the first
 * planned instant still ahead.
 */
export function roleAttempt(
  planned: RoleAttempt | undefined,
  elapsedSeconds: number,
  totalSeconds: number,
  schedule: RoleWaitSchedule,
  phase = 0,
): RoleAttempt {
  if (elapsedSeconds >= totalSeconds) return { at: elapsedSeconds, final: true };
  // A carried attempt stands only if it still fits this wait: a config deployed mid-wait may have
  // shortened it, and a final attempt is made at the deadline, not before.
  const fits = planned !== undefined && !planned.final && planned.at < totalSeconds;
  return fits ? planned : nextAttempt(undefined, elapsedSeconds, totalSeconds, schedule, phase);
}

/**
 * After a refused attempt: the next one, and the whole seconds to wait for it. Step Functions
 * waits whole seconds, so the Wait is rounded down and the attempt waits out the fraction: attempts
 * land on the grid, and a 2.75 s interval is 2.75 s. An instant less than a second away gets a 0 s
 * Wait; the deadline is waited for rounded up, where the last attempt is made, so
 * `roleWaitTimeoutMinutes` holds exactly. Every attempt stands for a planned instant later than the
 * one before, so the loop ends, and maxAttempts bounds it.
 */
export function roleWaitAfter(
  attempt: RoleAttempt,
  elapsedSeconds: number,
  totalSeconds: number,
  schedule: RoleWaitSchedule,
  phase = 0,
): { waitSeconds: number; next: RoleAttempt } {
  const next = nextAttempt(attempt.at, elapsedSeconds, totalSeconds, schedule, phase);
  const waitSeconds = next.final
    ? Math.max(1, Math.ceil(totalSeconds - elapsedSeconds))
    : Math.max(0, Math.floor(next.at - elapsedSeconds));
  return { waitSeconds, next };
}

/**
 * The first planned instant after `afterSeconds` that is not already behind `elapsedSeconds`: a
 * wait that fell behind (a slow call, a late first invocation) skips the implied role's instants it
 * missed rather than making them in a burst, but keeps the last fallback turn it missed, made now.
 */
function nextAttempt(
  afterSeconds: number | undefined,
  elapsedSeconds: number,
  totalSeconds: number,
  schedule: RoleWaitSchedule,
  phase: number,
): RoleAttempt {
  let missedFallback: PlannedAttempt | undefined;
  for (const planned of plannedAttempts(schedule, phase)) {
    if (afterSeconds !== undefined && planned.at <= afterSeconds) continue;
    if (planned.at >= totalSeconds) break;
    if (planned.at < elapsedSeconds - ARRIVAL_SLACK_SECONDS) {
      if (planned.fallback !== undefined) missedFallback = planned;
      continue;
    }
    const turn = planned.fallback === undefined && missedFallback ? missedFallback : planned;
    return { at: turn.at, fallback: turn.fallback, final: false };
  }
  return { at: totalSeconds, final: true };
}

/** Behind its instant by no more than this, an attempt is on time (a state transition's latency). */
const ARRIVAL_SLACK_SECONDS = 0.25;

/**
 * An upper bound on the attempts of a wait of `totalSeconds`: each attempt is aimed at a distinct
 * planned instant before the deadline, plus the one at the deadline. The state machine's history
 * bound at synth (stacks/service-limits.ts) reads it.
 */
export function maxAttempts(totalSeconds: number, schedule: RoleWaitSchedule): number {
  let instants = 0;
  for (const attempt of plannedAttempts(schedule, 0)) {
    if (attempt.at >= totalSeconds) break;
    instants += 1;
  }
  // A phase shifts the fast grid by less than one interval: at most one more instant fits; and
  // the last attempt is at the deadline.
  return instants + 2;
}

/**
 * The roles to try, best first: the one the trigger implies (Control Tower events:
 * AWSControlTowerExecution; Organizations CreateAccount and its join: OrganizationAccountAccessRole)
 * when it is configured, then the others in the configured order. The configured list is the
 * final word: a role it does not name is never tried, and a trigger that implies nothing (a replay,
 * a sweep, an invited account) follows its order.
 */
export function rolesInOrder(
  trigger: string | undefined,
  configured: readonly string[],
  invited = false,
): string[] {
  const implied = invited ? undefined : impliedRole(trigger);
  if (!implied || !configured.includes(implied)) return [...configured];
  return [implied, ...configured.filter((name) => name !== implied)];
}

function impliedRole(trigger: string | undefined): string | undefined {
  if (trigger?.startsWith('controltower-')) return 'AWSControlTowerExecution';
  if (trigger === 'organizations-create-account' || trigger === 'organizations-account-joined')
    return 'OrganizationAccountAccessRole';
  return undefined;
}

/** A stable fraction in [0, 1) for an account: the phase of its fast grid. */
export function accountPhase(accountId: string): number {
  let hash = 2166136261;
  for (const char of accountId) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return hash / 2 ** 32;
}

/** Which roles one attempt tries: one role, the implied one or a fallback in turn; all at the deadline. */
export function rolesForAttempt(ordered: readonly string[], attempt: RoleAttempt): string[] {
  if (attempt.final || ordered.length <= 1) return [...ordered];
  if (attempt.fallback === undefined) return [ordered[0] as string];
  const fallbacks = ordered.slice(1);
  return [fallbacks[attempt.fallback % fallbacks.length] as string];
}

/**
 * Seconds from the start of the wait to its deadline: the whole roleWaitTimeoutMinutes, or the
 * invited account's shorter wait (core/vend/ledger.ts roleWaitMinutes decides which).
 */
export function roleWaitTotalSeconds(
  config: { roleWaitTimeoutMinutes: number; invitedRoleWaitMinutes: number },
  invited: boolean,
): number {
  const minutes = invited
    ? Math.min(config.invitedRoleWaitMinutes, config.roleWaitTimeoutMinutes)
    : config.roleWaitTimeoutMinutes;
  return minutes * 60;
}

/**
 * Organizations account states in which no role of the account can be assumed (Organizations
 * User Guide, "Monitor the state of your AWS accounts"): waiting for a role there is pointless.
 */
export const INACTIVE_ACCOUNT_STATES: readonly string[] = ['SUSPENDED', 'PENDING_CLOSURE', 'CLOSED'];

/** From this far into the wait, a denied attempt asks for the account's state once per window. */
const ACCOUNT_STATE_CHECK = { afterSeconds: 30, everySeconds: 30 } as const;

/**
 * Whether the denied attempt at `at` (seconds into the wait) also asks Organizations for the
 * account's state (DescribeAccount): the first attempt of each 30 s window from 30 s on (every
 * attempt once they are 30 s or more apart), and the last one at the deadline. A suspended or
 * closed account then ends within a minute (the slow interval is 60 s at most); a role that is
 * merely late costs two DescribeAccount calls a minute while fast, one a minute once slow, and
 * no extra AssumeRole call.
 */
export function checksAccountState(
  attempt: Pick<RoleAttempt, 'at' | 'final'>,
  schedule: RoleWaitSchedule,
  phase = 0,
): boolean {
  if (attempt.final) return true;
  const { afterSeconds, everySeconds } = ACCOUNT_STATE_CHECK;
  if (attempt.at < afterSeconds) return false;
  const windowOf = (seconds: number) => Math.floor((seconds - afterSeconds) / everySeconds);
  let previous: number | undefined;
  for (const planned of plannedAttempts(schedule, phase)) {
    if (planned.at >= attempt.at) break;
    previous = planned.at;
  }
  return previous === undefined || previous < afterSeconds || windowOf(previous) < windowOf(attempt.at);
}
