import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import type { MemberSessions } from '#adapters/member-session.ts';
import type { OrganizationDirectory } from '#adapters/organizations.ts';
import { errorName } from '#core/shared/error-text.ts';
import { AccountNotActiveError } from '#core/shared/errors.ts';
import {
  accountPhase,
  checksAccountState,
  INACTIVE_ACCOUNT_STATES,
  type RoleAttempt,
  roleAttempt,
  rolesForAttempt,
  rolesInOrder,
  roleWaitAfter,
  roleWaitError,
  roleWaitTotalSeconds,
} from '#core/vend/role-wait.ts';
import { logger } from './shared/observability.ts';
import { awaitRoleInput } from './shared/schemas.ts';
import { coldStart, type HandlerEnvironment } from './shared/wiring/environment.ts';
import { memberSessions } from './shared/wiring/member-sessions.ts';
import { organization } from './shared/wiring/organization.ts';

export type AwaitRoleDependencies = Pick<HandlerEnvironment, 'config' | 'now' | 'sleep'> & {
  sessions: Pick<MemberSessions, 'open'>;
  organization: Pick<OrganizationDirectory, 'stateOf'>;
};

export type AwaitRoleOutput =
  | { roleName: string; assumableAt: string }
  /**
   * Not yet: the state machine waits this many whole seconds, then comes back with `next`, the
   * attempt planned for then (core/vend/role-wait.ts roleWaitAfter).
   */
  | { waitSeconds: number; tried: string[]; next: RoleAttempt };

/**
 * One attempt to assume the member role, with one role (the trigger's, or a fallback's turn; every
 * configured role at the deadline). The attempt is the one the previous refusal planned (carried in
 * `$.role.next`; the first from the time since the wait began), and a refusal plans the next and the
 * wait to it (core/vend/role-wait.ts); past the deadline, RoleWaitTimeoutError. The
 * sweep probes existing accounts with a deadline already reached: one attempt, then a verdict.
 */
export function createHandler(dependencies: () => AwaitRoleDependencies) {
  async function awaitRole(
    input: z.infer<typeof awaitRoleInput>,
    _context: Context,
  ): Promise<AwaitRoleOutput> {
    const { sessions, now, sleep, config } = dependencies();
    const total = roleWaitTotalSeconds(config, input.invited);
    const startMs = Math.min(Date.parse(input.deadline) - total * 1000, now());
    const elapsed = () => (now() - startMs) / 1000;
    const schedule = config.roleWaitSchedule;
    const phase = accountPhase(input.accountId);
    const attempt = roleAttempt(input.previous?.next, elapsed(), total, schedule, phase);
    // The Wait before this attempt was whole seconds: wait out the fraction to its instant.
    const early = Math.min(attempt.at - elapsed(), 1);
    if (early > 0) await sleep(early * 1000);
    const roles = rolesForAttempt(
      rolesInOrder(input.trigger, config.memberRoleNames, input.invited),
      attempt,
    );
    try {
      const session = await sessions.open(input.accountId, input.access, { roles });
      const assumableAt = new Date(now()).toISOString();
      logger.info('member role assumable', { accountId: input.accountId, roleName: session.roleName });
      return { roleName: session.roleName, assumableAt };
    } catch (error) {
      const verdict = roleWaitError(error, now(), input.deadline, input.accountId);
      // Denied: now and then ask whether the account can have a role at all (suspended, closed).
      if ((verdict.waiting || attempt.final) && checksAccountState(attempt, schedule, phase)) {
        const state = (await dependencies().organization.stateOf(input.accountId)) ?? 'ACTIVE';
        if (INACTIVE_ACCOUNT_STATES.includes(state))
          throw new AccountNotActiveError(`account ${input.accountId} is ${state}: it can have no role`);
      }
      if (!verdict.waiting) throw verdict.error;
      logger.debug('member role not assumable yet', {
        accountId: input.accountId,
        roles,
        reason: errorName(error),
      });
      return { ...roleWaitAfter(attempt, elapsed(), total, schedule, phase), tried: roles };
    }
  }
  return middy()
    .use(injectLambdaContext(logger))
    .use(parser({ schema: awaitRoleInput }))
    .handler(awaitRole);
}

/** The Lambda's wiring: this handler's builders over its environment (read once per cold start). */
export function wire(environment: HandlerEnvironment): AwaitRoleDependencies {
  return { ...environment, sessions: memberSessions(environment), organization: organization(environment) };
}

export const handler = createHandler(coldStart(wire));
