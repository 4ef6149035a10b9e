import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { OrganizationDirectory } from '#adapters/organizations.ts';
import { isVendTrigger, normalize } from '#core/vend-events.ts';
import { fromProcessEnvironment, type HandlerDependencies } from './shared/dependencies.ts';
import { logger, tracer } from './shared/observability.ts';
import { resolveRequestInput } from './shared/schemas.ts';

export type ResolveRequestOutput =
  | {
      action: 'bootstrap';
      request: {
        accountId: string;
        trigger: string;
        vendedAt: string;
        regions: string[];
        isVend: boolean;
        roleDeadline: string;
        reason?: string;
      };
    }
  | { action: 'ignore'; code: string; reason: string; accountId?: string };

/** Turns the triggering event into a bootstrap request, or a logged reason to ignore it. */
export function createHandler(dependencies: () => HandlerDependencies) {
  return middy(
    async (input: z.infer<typeof resolveRequestInput>, _context: Context): Promise<ResolveRequestOutput> => {
      const { config, organization, now } = dependencies();
      const result = normalize(input.event, {
        governedRegions: config.governedRegions,
        excludeAccountIds: config.excludeAccountIds,
        ...(config.managementAccountId ? { managementAccountId: config.managementAccountId } : {}),
      });
      if (result.kind === 'ignore') {
        logger.warn('event ignored', {
          code: result.code,
          reason: result.reason,
          accountId: result.accountId,
        });
        return {
          action: 'ignore',
          code: result.code,
          reason: result.reason,
          ...(result.accountId ? { accountId: result.accountId } : {}),
        };
      }
      const { request } = result;
      const isVend = isVendTrigger(request.trigger);
      // A replay or join names an existing account: check it is ours now, rather than wait 30 minutes for a role.
      if (!isVend) await organization.describe(request.accountId);
      const roleDeadline = new Date(now() + config.roleWaitTimeoutMinutes * 60_000).toISOString();
      logger.info('bootstrap requested', {
        accountId: request.accountId,
        trigger: request.trigger,
        regions: request.regions,
      });
      return {
        action: 'bootstrap',
        request: {
          accountId: request.accountId,
          trigger: request.trigger,
          vendedAt: request.vendedAt,
          regions: request.regions,
          isVend,
          roleDeadline,
          ...(request.reason ? { reason: request.reason } : {}),
        },
      };
    },
  )
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger))
    .use(parser({ schema: resolveRequestInput }));
}

export const handler = createHandler(fromProcessEnvironment({ OrganizationsClient, OrganizationDirectory }));
