import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { OrganizationDirectory } from '#adapters/organizations.ts';
import {
  emptySweepTotals,
  resolveSweepOptions,
  type SweepState,
  selectSweepAccounts,
  sweepBatch,
  sweepBatchSize,
} from '#core/sweep/sweep.ts';
import { logger } from './shared/observability.ts';
import {
  continuingSweep,
  type ListAccountsInput,
  listAccountsInput,
  parseSweepRequest,
} from './shared/schemas.ts';
import { coldStart, type HandlerEnvironment } from './shared/wiring/environment.ts';
import { organization } from './shared/wiring/organization.ts';

export type ListAccountsDependencies = Pick<HandlerEnvironment, 'config' | 'now'> & {
  organization: Pick<OrganizationDirectory, 'batch'>;
};

/**
 * The sweep's listing step: resolves the options on the first call, then lists the next batch of
 * ACTIVE, non-excluded accounts (SUSPENDED and excluded ones are counted, not visited).
 */
export function createHandler(
  dependencies: () => ListAccountsDependencies,
  options: { batchSize?: number } = {},
) {
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

/** The Lambda's wiring: this handler's builders over its environment (read once per cold start). */
export function wire(environment: HandlerEnvironment): ListAccountsDependencies {
  return { ...environment, organization: organization(environment) };
}

export const handler = createHandler(coldStart(wire));
