import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { OrganizationDirectory } from '#adapters/organizations.ts';
import { VendLedger } from '#adapters/vend-ledger.ts';
import { normalize } from '#core/normalize.ts';
import { classifyRequest, expiresAtFor, leaseUntil, roleWaitMinutes } from '#core/vend-ledger.ts';
import { fromProcessEnvironment, type HandlerDependencies } from './shared/dependencies.ts';
import { logger } from './shared/observability.ts';
import { resolveRequestInput } from './shared/schemas.ts';

export type ResolveRequestOutput =
  | {
      action: 'bootstrap';
      request: {
        accountId: string;
        trigger: string;
        /** For a vend: the Organizations JoinedTimestamp. Otherwise the event or request time. */
        vendedAt: string;
        regions: string[];
        /** Within the vend window of the account's join: recorded in the vend ledger. */
        isVend: boolean;
        /** This execution owns the vend's measurements. */
        owner: boolean;
        /** An invited account reached by a non-Control-Tower event: a short role wait. */
        invited: boolean;
        roleDeadline: string;
        reason?: string;
      };
    }
  | { action: 'ignore'; code: string; reason: string; accountId?: string };

/**
 * Turns the triggering event into a bootstrap request, or a logged reason to ignore it. Every
 * request is checked against Organizations: the account's join time, not the event, says
 * whether this is a vend. A vend is recorded in the ledger and its measurements claimed once.
 */
export function createHandler(dependencies: () => HandlerDependencies) {
  return middy(
    async (input: z.infer<typeof resolveRequestInput>, _context: Context): Promise<ResolveRequestOutput> => {
      const { config, organization, ledger, now } = dependencies();
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
      const member = await organization.describe(request.accountId);
      const join = {
        joinedMethod: member.joinedMethod ?? 'CREATED',
        joinedAt: member.joinedAt ?? request.vendedAt,
      };
      const nowMs = now();
      const kind = classifyRequest(join, nowMs, config.vendWindowHours);
      const wait = roleWaitMinutes(join, request.trigger, config);
      const roleDeadline = new Date(nowMs + wait.minutes * 60_000).toISOString();
      const isVend = kind === 'vend';
      let owner = false;
      if (isVend) {
        const nowIso = new Date(nowMs).toISOString();
        const vend = { accountId: request.accountId, joinedAt: join.joinedAt };
        await ledger.recordTrigger(
          {
            ...vend,
            joinedMethod: join.joinedMethod,
            governedRegions: config.governedRegions,
            expiresAt: expiresAtFor(join.joinedAt, config.ledgerRetentionDays),
          },
          {
            trigger: request.trigger,
            at: nowIso,
            execution: input.execution,
            ...(request.eventId ? { eventId: request.eventId } : {}),
          },
        );
        owner = await ledger.claim(
          vend,
          {
            execution: input.execution,
            claimedAt: nowIso,
            leaseUntil: leaseUntil(roleDeadline),
            state: 'running',
          },
          nowIso,
        );
      }
      logger.info('bootstrap requested', {
        accountId: request.accountId,
        trigger: request.trigger,
        kind,
        joinedMethod: join.joinedMethod,
        joinedAt: join.joinedAt,
        owner,
        regions: request.regions,
      });
      return {
        action: 'bootstrap',
        request: {
          accountId: request.accountId,
          trigger: request.trigger,
          vendedAt: isVend ? join.joinedAt : request.vendedAt,
          regions: request.regions,
          isVend,
          owner,
          invited: wait.invited,
          roleDeadline,
          ...(request.reason ? { reason: request.reason } : {}),
        },
      };
    },
  )
    .use(injectLambdaContext(logger))
    .use(parser({ schema: resolveRequestInput }));
}

export const handler = createHandler(
  fromProcessEnvironment({ OrganizationsClient, OrganizationDirectory, DynamoDBClient, VendLedger }),
);
