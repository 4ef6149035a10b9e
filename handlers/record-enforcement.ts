import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type MeasuringDependencies, recordVendVerification } from '#adapters/vend-measurement.ts';
import { summarizeEnforcement } from '#core/vend/enforcement.ts';
import * as decide from '#core/vend/enforcement-record.ts';
import { addMetrics, logger, metrics } from './shared/observability.ts';
import { type RecordEnforcementInput, recordEnforcementInput } from './shared/schemas.ts';
import { coldStart, type HandlerEnvironment } from './shared/wiring/environment.ts';
import { vendLedger } from './shared/wiring/ledger.ts';
import { pipelineHistory } from './shared/wiring/pipeline-history.ts';

/** The vend ledger, the clock, and (lza.measureGap auto) whether the LZA pipeline exists. */
export type RecordEnforcementDependencies = MeasuringDependencies;

/**
 * Emits the enforcement metrics (EMF) and records the verification in the vend ledger. Account
 * ids go to metadata, never to dimensions.
 */
export function createHandler(dependencies: () => RecordEnforcementDependencies) {
  async function recordEnforcement(input: RecordEnforcementInput, _context: Context) {
    const { request, role, regions } = input;
    const summary = summarizeEnforcement(request.vendedAt, role?.assumableAt, regions);
    const outcome = decide.enforcementOutcome(
      input.roleError !== undefined,
      request.invited,
      input.roleError?.Error,
    );
    const verification = decide.vendVerification(input, summary, outcome);
    const measured = request.isVend
      ? await recordVendVerification(dependencies(), verification, logger)
      : undefined;
    const { accountId } = request;
    if (outcome === 'role-unavailable')
      logger.error('member role never became assumable', { accountId, error: input.roleError?.Error });
    if (outcome === 'account-not-active')
      logger.warn('account not active; not bootstrapped', { accountId, cause: input.roleError?.Cause });
    if (outcome === 'awaiting-enrollment')
      logger.info('invited account has no member role yet; Control Tower enrollment will bootstrap it', {
        accountId,
      });
    // Metrics last, with no await after them: the local runtime runs invocations side by side in
    // one process, where an await would let another invocation's flush take these.
    metrics.addDimension('Trigger', request.isVend ? 'vend' : 'request');
    metrics.addMetadata('accountId', accountId);
    metrics.addMetadata('trigger', request.trigger);
    addMetrics(decide.enforcementMetrics(summary, outcome, measured));
    logger.info('enforcement recorded', { accountId, outcome, ...summary });
    return decide.enforcementRecord(request, role?.assumableAt, summary, outcome, measured !== undefined);
  }
  return middy()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(parser({ schema: recordEnforcementInput }))
    .handler(recordEnforcement);
}

/** The Lambda's wiring: this handler's builders over its environment (read once per cold start). */
export function wire(environment: HandlerEnvironment): RecordEnforcementDependencies {
  return { ...environment, ledger: vendLedger(environment), pipeline: pipelineHistory(environment) };
}

export const handler = createHandler(coldStart(wire));
