import { AwsTransientError, RoleNotAssumableError, RoleWaitTimeoutError, ThrottlingError } from './errors.ts';

/**
 * What one failed attempt to assume the member role means for the wait. The state machine retries
 * RoleNotAssumableError with a short, capped, jittered interval until the deadline; the error
 * returned here is the one to throw.
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
  const message = (error as Error).message;
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
