import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { STSClient } from '@aws-sdk/client-sts';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { MemberSessions } from '#adapters/member-session.ts';
import {
  AwsTransientError,
  RoleNotAssumableError,
  RoleWaitTimeoutError,
  ThrottlingError,
} from '#core/errors.ts';
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
  return middy(async (input: z.infer<typeof awaitRoleInput>, _context: Context): Promise<AwaitRoleOutput> => {
    const { sessions, now } = dependencies();
    try {
      const session = await sessions.open(input.accountId, input.access);
      const assumableAt = new Date(now()).toISOString();
      logger.info('member role assumable', { accountId: input.accountId, roleName: session.roleName });
      return { roleName: session.roleName, assumableAt };
    } catch (error) {
      const waiting = error instanceof RoleNotAssumableError;
      // During the wait, a throttled or failed STS call is one more "not yet": the deadline,
      // not a separate retry budget, bounds the wait.
      const transient = error instanceof ThrottlingError || error instanceof AwsTransientError;
      if (!waiting && !transient) throw error;
      // Past the deadline a throttled STS call is just that: the state machine's own retry
      // policy for transient errors decides, not the role wait.
      if (transient && now() >= Date.parse(input.deadline)) throw error;
      if (waiting && now() >= Date.parse(input.deadline)) {
        throw new RoleWaitTimeoutError(
          `gave up waiting for a member role in account ${input.accountId} at ${input.deadline}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      logger.debug('member role not assumable yet', {
        accountId: input.accountId,
        reason: (error as Error).name,
      });
      if (transient)
        throw new RoleNotAssumableError(`STS did not answer cleanly: ${(error as Error).message}`, {
          cause: error,
        });
      throw error;
    }
  })
    .use(injectLambdaContext(logger))
    .use(parser({ schema: awaitRoleInput }));
}

export const handler = createHandler(fromProcessEnvironment({ STSClient, MemberSessions }));
