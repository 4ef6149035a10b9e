import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { ExecutionStatus } from '#adapters/execution-status.ts';
import type { OrganizationDirectory } from '#adapters/organizations.ts';
import type { VendLedger } from '#adapters/vend-ledger.ts';
import * as decide from '#core/vend/bootstrap-request.ts';
import { normalize } from '#core/vend/normalize.ts';
import { ownerToCheck } from '#core/vend/transitions.ts';
import { logger } from './shared/observability.ts';
import { type ResolveRequestInput, resolveRequestInput } from './shared/schemas.ts';
import { coldStart, type HandlerEnvironment } from './shared/wiring/environment.ts';
import { executionStatus } from './shared/wiring/execution-status.ts';
import { vendLedger } from './shared/wiring/ledger.ts';
import { organization } from './shared/wiring/organization.ts';

export type ResolveRequestDependencies = Pick<HandlerEnvironment, 'config' | 'now'> & {
  organization: Pick<OrganizationDirectory, 'describe'>;
  ledger: Pick<VendLedger, 'recordTrigger' | 'claim' | 'takeOver'>;
  executions: Pick<ExecutionStatus, 'hasEnded'>;
};

/**
 * Turns the triggering event into a bootstrap request, or a logged reason to ignore it. Every
 * request is checked against Organizations: the account's join time, not the event, says
 * whether this is a vend. A vend is recorded in the ledger and its measurements claimed once.
 */
export function createHandler(dependencies: () => ResolveRequestDependencies) {
  async function resolveRequest(
    input: ResolveRequestInput,
    _context: Context,
  ): Promise<decide.ResolvedRequest> {
    const { config, organization, ledger, now } = dependencies();
    const result = normalize(input.event, {
      governedRegions: config.governedRegions,
      excludeAccountIds: config.excludeAccountIds,
      ...(config.managementAccountId ? { managementAccountId: config.managementAccountId } : {}),
    });
    if (result.kind === 'ignore') {
      logger.warn('event ignored', { code: result.code, reason: result.reason, accountId: result.accountId });
      return decide.ignoredRequest(result);
    }
    const { request } = result;
    const plan = decide.planRequest(request, await organization.describe(request.accountId), now(), config);
    let owner = false;
    if (plan.kind === 'vend') {
      const entries = decide.vendEntries(request, plan, input.execution, config, input.executionArn);
      const { key, vend, trigger, owner: claim } = entries;
      const record = await ledger.recordTrigger(vend, trigger);
      owner = await ledger.claim(key, claim, plan.nowIso);
      // An owner whose execution ended without verifying is taken over now, not at its lease.
      const check = owner ? undefined : ownerToCheck(record, now());
      if (check && (await dependencies().executions.hasEnded(check)))
        owner = await ledger.takeOver(key, claim, record.owner?.execution ?? '');
    }
    const { accountId, trigger, regions } = request;
    const { kind, join } = plan;
    logger.info('bootstrap requested', { accountId, trigger, kind, ...join, owner, regions });
    return decide.bootstrapRequest(request, plan, owner);
  }
  return middy()
    .use(injectLambdaContext(logger))
    .use(parser({ schema: resolveRequestInput }))
    .handler(resolveRequest);
}

/** The Lambda's wiring: this handler's builders over its environment (read once per cold start). */
export function wire(environment: HandlerEnvironment): ResolveRequestDependencies {
  return {
    ...environment,
    organization: organization(environment),
    ledger: vendLedger(environment),
    executions: executionStatus(environment),
  };
}

export const handler = createHandler(coldStart(wire));
