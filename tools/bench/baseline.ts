/**
 * The prior-art role wait (aws-facts §6): AFT's state machine retries after 60 s with back-off
 * 1.5 and no jitter. The baseline is the deployed ASL with only AwaitRole's
 * RoleNotAssumableError retrier replaced, so every other difference is held constant.
 */

export const AFT_ROLE_WAIT = {
  IntervalSeconds: 60,
  BackoffRate: 1.5,
  /** 60 s x 1.5^k summed over 9 attempts is about 2.2 simulated hours: past any bench role delay. */
  MaxAttempts: 9,
} as const;

type Json = Record<string, unknown>;

export function aftRoleWait(definition: Json): Json {
  const states = definition.States as Record<string, Json> | undefined;
  const awaitRole = states?.AwaitRole;
  const retry = awaitRole?.Retry as Json[] | undefined;
  const index = retry?.findIndex((r) => (r.ErrorEquals as string[]).includes('RoleNotAssumableError')) ?? -1;
  if (!retry || index < 0)
    throw new Error('the bootstrap ASL has no AwaitRole RoleNotAssumableError retrier');
  retry[index] = { ErrorEquals: retry[index]?.ErrorEquals, ...AFT_ROLE_WAIT };
  return definition;
}
