import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { assumedRoleCredentials } from '#adapters/assumed-role-credentials.ts';
import { OrganizationDirectory } from '#adapters/organizations.ts';
import {
  emptySweepTotals,
  resolveSweepOptions,
  type SweepState,
  selectSweepAccounts,
  sweepBatch,
  sweepBatchSize,
} from '#core/sweep/sweep.ts';
import { fromProcessEnvironment, type HandlerDependencies } from './shared/dependencies.ts';
import { logger } from './shared/observability.ts';
import {
  continuingSweep,
  type ListAccountsInput,
  listAccountsInput,
  parseSweepRequest,
} from './shared/schemas.ts';

/**
 * The sweep's listing step: resolves the options on the first call, then lists the next batch of
 * ACTIVE, non-excluded accounts (SUSPENDED and excluded ones are counted, not visited).
 */
export function createHandler(dependencies: () => HandlerDependencies, options: { batchSize?: number } = {}) {
  async function listAccounts(input: ListAccountsInput, _context: Context): Promise<SweepState> {
    const { config, organization, now } = dependencies();
    const state = continuingSweep(input.sweep);
    const sweep = state
      ? state.options
      : resolveSweepOptions(parseSweepRequest(input.sweep), config, new Date(now()).toISOString());
    const limit = options.batchSize ?? sweepBatchSize(sweep.regions.length);
    const { accounts, nextToken } = await organization.batch(limit, state?.page.nextToken);
    // Skips the config's excludeAccountIds and the management account.
    const selection = selectSweepAccounts(accounts, config);
    logger.info('sweep batch listed', {
      repair: sweep.repair,
      accounts: selection.accountIds.length,
      skippedInactive: selection.inactive,
      skippedExcluded: selection.excluded,
      more: Boolean(nextToken),
    });
    return {
      options: sweep,
      page: sweepBatch(selection, nextToken, new Date(now()).toISOString()),
      totals: state?.totals ?? emptySweepTotals(),
    };
  }
  return middy()
    .use(injectLambdaContext(logger))
    .use(parser({ schema: listAccountsInput }))
    .handler(listAccounts);
}

export const handler = createHandler(
  fromProcessEnvironment({ OrganizationsClient, OrganizationDirectory, STSClient, assumedRoleCredentials }),
);
