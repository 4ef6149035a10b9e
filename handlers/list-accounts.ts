import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { OrganizationDirectory } from '#adapters/organizations.ts';
import {
  emptySweepTotals,
  resolveSweepOptions,
  type SweepOptions,
  type SweepTotals,
  selectSweepAccounts,
  sweepBatchSize,
} from '#core/sweep.ts';
import { fromProcessEnvironment, type HandlerDependencies } from './shared/dependencies.ts';
import { logger } from './shared/observability.ts';
import { listAccountsInput, parseSweepRequest, type SweepPage, sweepState } from './shared/schemas.ts';

export interface ListAccountsOutput {
  options: SweepOptions;
  page: SweepPage;
  totals: SweepTotals;
}

/**
 * The sweep's listing step: resolves the options on the first call, then lists the next batch of
 * ACTIVE, non-excluded accounts (SUSPENDED and excluded ones are counted, not visited).
 */
export function createHandler(dependencies: () => HandlerDependencies, options: { batchSize?: number } = {}) {
  async function listAccounts(
    input: z.infer<typeof listAccountsInput>,
    _context: Context,
  ): Promise<ListAccountsOutput> {
    const { config, organization, now } = dependencies();
    // The state carried between batches has these keys; a user's input never does.
    const continuing = typeof input.sweep === 'object' && input.sweep !== null && 'totals' in input.sweep;
    const state = continuing ? sweepState.parse(input.sweep) : undefined;
    const sweep = state
      ? state.options
      : resolveSweepOptions(parseSweepRequest(input.sweep), config, new Date(now()).toISOString());
    const limit = options.batchSize ?? sweepBatchSize(sweep.regions.length);
    const { accounts, nextToken } = await organization.batch(limit, state?.page.nextToken);
    const selection = selectSweepAccounts(accounts, {
      excludeAccountIds: config.excludeAccountIds,
      managementAccountId: config.managementAccountId,
    });
    logger.info('sweep batch listed', {
      repair: sweep.repair,
      accounts: selection.accountIds.length,
      skippedInactive: selection.inactive,
      skippedExcluded: selection.excluded,
      more: Boolean(nextToken),
    });
    return {
      options: sweep,
      page: {
        accountIds: selection.accountIds,
        ...(nextToken ? { nextToken } : {}),
        // Existing accounts get one attempt at the role: a deadline already reached.
        roleDeadline: new Date(now()).toISOString(),
        skipped: { inactive: selection.inactive, excluded: selection.excluded },
      },
      totals: state?.totals ?? emptySweepTotals(),
    };
  }
  return middy()
    .use(injectLambdaContext(logger))
    .use(parser({ schema: listAccountsInput }))
    .handler(listAccounts);
}

export const handler = createHandler(fromProcessEnvironment({ OrganizationsClient, OrganizationDirectory }));
