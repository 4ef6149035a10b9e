/**
 * The prior-art role waits the bench runs beside ours: the deployed ASL with only the role wait
 * replaced (AwaitRole's function and what follows it), so every other difference is held constant.
 *
 * - `aft`: AFT as it runs (docs/aws-behaviour.md#aft-role-wait). Its account-provisioning Lambda polls AssumeRole every
 *   5 s for one minute (`_ensure_role_can_be_assumed`, timeout 1 minute, delay 5 s, in
 *   aws-ia/terraform-aws-control_tower_account_factory
 *   `sources/aft-lambda-layer/aft_common/account_provisioning_framework.py`, commit 0e0c00df), sleeps
 *   65 s and fails; its state machine retries after 60 s ×1.5, no jitter, about 13 minutes in all.
 *   It tries one role, its own; here the role the trigger implies, which is the account's role.
 * - `aft-retrier`: the same state-machine retrier alone, one attempt per invocation with every
 *   configured role (the baseline before the first-minute polling was modelled).
 */
import { RoleNotAssumableError, RoleWaitTimeoutError } from '#core/shared/errors.ts';
import { rolesInOrder } from '#core/vend/role-wait.ts';
import type { AwaitRoleDependencies } from '#handlers/await-role.ts';
import { awaitRoleInput } from '#handlers/shared/schemas.ts';
import type { LambdaHandler } from '#local/runtime/state-machine.ts';

export type BaselineName = 'aft' | 'aft-retrier';

/** AFT's state-machine retrier (docs/aws-behaviour.md#aft-role-wait): 60 s, ×1.5, no jitter; 5 retries is about 13 minutes. */
export const AFT_STATE_MACHINE_RETRY = { IntervalSeconds: 60, BackoffRate: 1.5, MaxAttempts: 5 } as const;
/** The retrier-only baseline keeps 9 retries (about 2.2 simulated hours): past any bench role delay. */
export const AFT_RETRIER_ONLY = { IntervalSeconds: 60, BackoffRate: 1.5, MaxAttempts: 9 } as const;
/** Longer than AFT's invocation of about 2 minutes; Step Functions' own default would cut it at 60 s. */
const AFT_LAMBDA_TIMEOUT_SECONDS = 300;
/** AFT's Lambda: AssumeRole every 5 s for a minute, then a 65 s sleep before it fails. */
export const AFT_POLL = { everySeconds: 5, forSeconds: 60, thenSleepSeconds: 65 } as const;

type Json = Record<string, unknown>;

/** The bootstrap ASL with AwaitRole retried by `retry` on RoleNotAssumableError, and no wait loop. */
function withRetrier(definition: Json, retry: Json, timeoutSeconds?: number): Json {
  const states = definition.States as Record<string, Json> | undefined;
  const awaitRole = states?.AwaitRole;
  if (!states || !awaitRole || !states.WaitForRole || !states.RoleAssumable)
    throw new Error('the bootstrap ASL has no AwaitRole → RoleAssumable → WaitForRole loop');
  awaitRole.Next = states.RoleAssumable.Default;
  delete states.RoleAssumable;
  delete states.WaitForRole;
  awaitRole.Retry = [
    { ErrorEquals: ['RoleNotAssumableError'], ...retry },
    ...((awaitRole.Retry as Json[]) ?? []),
  ];
  if (timeoutSeconds) awaitRole.TimeoutSeconds = timeoutSeconds;
  return definition;
}

export const BASELINES: Record<
  BaselineName,
  {
    label: string;
    retry: Json;
    transform: (definition: Json) => Json;
    awaitRole: (dependencies: () => AwaitRoleDependencies) => LambdaHandler;
  }
> = {
  aft: {
    label: 'AFT (first-minute polling, then its retrier)',
    retry: { ...AFT_STATE_MACHINE_RETRY, poll: AFT_POLL },
    // AFT's Lambda runs its minute of polling and its sleep in one invocation (about 2 minutes).
    transform: (definition) => withRetrier(definition, AFT_STATE_MACHINE_RETRY, AFT_LAMBDA_TIMEOUT_SECONDS),
    awaitRole: (dependencies) => aftAwaitRole(dependencies, AFT_POLL),
  },
  'aft-retrier': {
    label: "AFT's retrier alone",
    retry: AFT_RETRIER_ONLY,
    transform: (definition) => withRetrier(definition, AFT_RETRIER_ONLY),
    awaitRole: (dependencies) => aftAwaitRole(dependencies, undefined),
  },
};

/** One invocation of the baseline's role wait: AFT's minute of polling, or a single attempt. */
function aftAwaitRole(
  dependencies: () => AwaitRoleDependencies,
  poll: typeof AFT_POLL | undefined,
): LambdaHandler {
  return async (event: never) => {
    const input = awaitRoleInput.parse(event);
    const { sessions, now, sleep, config } = dependencies();
    const ordered = rolesInOrder(input.trigger, config.memberRoleNames, input.invited);
    const roles = poll ? ordered.slice(0, 1) : ordered;
    const until = now() + (poll?.forSeconds ?? 0) * 1000;
    for (;;) {
      try {
        const session = await sessions.open(input.accountId, input.access, { roles });
        return { roleName: session.roleName, assumableAt: new Date(now()).toISOString() };
      } catch (error) {
        if (!(error instanceof RoleNotAssumableError)) throw error;
      }
      if (!poll || now() + poll.everySeconds * 1000 >= until) break;
      await sleep(poll.everySeconds * 1000);
    }
    if (now() >= Date.parse(input.deadline))
      throw new RoleWaitTimeoutError(`gave up waiting for a member role in ${input.accountId}`);
    if (poll) await sleep(poll.thenSleepSeconds * 1000);
    throw new RoleNotAssumableError(`no role assumable in ${input.accountId} yet`);
  };
}
