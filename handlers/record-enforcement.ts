import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { VendLedger } from '#adapters/vend-ledger.ts';
import { type EnforcementSummary, summarizeEnforcement } from '#core/enforcement.ts';
import * as decide from '#core/enforcement-record.ts';
import { measureVend, type VendMeasurement } from '#core/vend-ledger.ts';
import { fromProcessEnvironment, type HandlerDependencies } from './shared/dependencies.ts';
import { logger, metrics } from './shared/observability.ts';
import { type RecordEnforcementInput, recordEnforcementInput } from './shared/schemas.ts';

/**
 * Emits the enforcement metrics (EMF) and records the verification in the vend ledger. Account
 * ids go to metadata, never to dimensions.
 */
export function createHandler(dependencies: () => HandlerDependencies) {
  async function recordEnforcement(input: RecordEnforcementInput, _context: Context) {
    const { request, role, regions } = input;
    const summary = summarizeEnforcement(request.vendedAt, role?.assumableAt, regions);
    const outcome = decide.enforcementOutcome(input.roleError !== undefined, request.invited);
    const measured = request.isVend ? await recordVend(dependencies(), input, summary, outcome) : undefined;
    const { accountId } = request;
    if (outcome === 'role-unavailable')
      logger.error('member role never became assumable', { accountId, error: input.roleError?.Error });
    if (outcome === 'awaiting-enrollment')
      logger.info('invited account has no member role yet; Control Tower enrollment will bootstrap it', {
        accountId,
      });
    // Metrics last, with no await after them: the local runtime runs invocations side by side in
    // one process, where an await would let another invocation's flush take these.
    metrics.addDimension('Trigger', request.isVend ? 'vend' : 'request');
    metrics.addMetadata('accountId', accountId);
    metrics.addMetadata('trigger', request.trigger);
    for (const m of decide.enforcementMetrics(summary, outcome, measured))
      metrics.addMetric(m.name, m.unit, m.value);
    logger.info('enforcement recorded', { accountId, outcome, ...summary });
    return decide.enforcementRecord(request, role?.assumableAt, summary, outcome, measured !== undefined);
  }
  return middy()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(parser({ schema: recordEnforcementInput }))
    .handler(recordEnforcement);
}

/**
 * Each region's first verification goes to the ledger. The vend's owner stores the exposure once
 * (returned when it did), or gives its claim up for a later execution.
 */
async function recordVend(
  { config, ledger, now }: HandlerDependencies,
  { request, role, regions, execution }: RecordEnforcementInput,
  summary: EnforcementSummary,
  outcome: decide.EnforcementOutcome,
): Promise<VendMeasurement | undefined> {
  const vend = { accountId: request.accountId, joinedAt: request.vendedAt };
  const record = await ledger.recordVerification(vend, decide.verifiedRegions(regions), role?.assumableAt);
  const measurement = measureVend(record);
  const finish = request.owner ? decide.ownerFinish(measurement, summary, outcome) : undefined;
  const nowIso = new Date(now()).toISOString();
  let measured: VendMeasurement | undefined;
  if (finish && 'measurement' in finish) {
    if (await ledger.finishOwnership(vend, execution, { ...finish, measuredAt: nowIso }))
      measured = measurement;
    // Nothing follows LZA for this vend: settle it now rather than at the reconciler's expiry.
    const note = 'gap measurement is off (lza.measureGap is false)';
    if (measured && !config.lza.measureGap) await ledger.settle(vend, { state: 'closed', note }, nowIso);
  } else if (finish) await ledger.finishOwnership(vend, execution, finish);
  logger.info('vend recorded', {
    ...vend,
    owner: request.owner,
    measures: Boolean(measured),
    ...measurement,
  });
  return measured;
}

export const handler = createHandler(fromProcessEnvironment({ DynamoDBClient, VendLedger }));
