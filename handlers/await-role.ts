import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { STSClient } from '@aws-sdk/client-sts';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { assumedRoleCredentials } from '#adapters/assumed-role-credentials.ts';
import { MemberSessions } from '#adapters/member-session.ts';
import { roleWaitError } from '#core/role-wait.ts';
import { fromProcessEnvironment, type HandlerDependencies } from './shared/dependencies.ts';
import { logger } from './shared/observability.ts';
import { awaitRoleInput } from './shared/schemas.ts';

export interface AwaitRoleOutput {
  roleName: string;
  assumableAt: string;
}

/**
 * One attempt to assume the member role. The state machine retries RoleNotAssumableError with
 * a short, capped, jittered interval; past the deadline this becomes RoleWaitTimeoutError. The
 * sweep probes existing accounts with a deadline already reached: one attempt, then a verdict.
 */
export function createHandler(dependencies: () => HandlerDependencies) {
  async function awaitRole(
    input: z.infer<typeof awaitRoleInput>,
    _context: Context,
  ): Promise<AwaitRoleOutput> {
    const { sessions, now } = dependencies();
    try {
      const session = await sessions.open(input.accountId, input.access);
      const assumableAt = new Date(now()).toISOString();
      logger.info('member role assumable', { accountId: input.accountId, roleName: session.roleName });
      return { roleName: session.roleName, assumableAt };
    } catch (error) {
      const verdict = roleWaitError(error, now(), input.deadline, input.accountId);
      if (verdict.waiting)
        logger.debug('member role not assumable yet', {
          accountId: input.accountId,
          reason: (error as Error).name,
        });
      throw verdict.error;
    }
  }
  return middy()
    .use(injectLambdaContext(logger))
    .use(parser({ schema: awaitRoleInput }))
    .handler(awaitRole);
}

export const handler = createHandler(
  fromProcessEnvironment({ STSClient, MemberSessions, assumedRoleCredentials }),
);
