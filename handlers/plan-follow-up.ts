import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { PipelineHistory } from '#adapters/pipeline-history.ts';
import { VendLedger } from '#adapters/vend-ledger.ts';
import type { PipelineAction } from '#core/gap.ts';
import {
  canClaim,
  capPlan,
  isDeployStage,
  lzaResetsRunAs,
  measureVend,
  type PipelineActionEvent,
  type PlannedRepair,
  planFollowUp,
  type RunHistory,
  readPipelineActionEvent,
  regionsOfStage,
} from '#core/vend-ledger.ts';
import { fromProcessEnvironment, type HandlerDependencies } from './shared/dependencies.ts';
import { logger } from './shared/observability.ts';
import { type FollowUpPlanOutput, planFollowUpInput } from './shared/schemas.ts';

const FOLLOWED_ACTIONS = ['Security_Resources', 'Customizations'];

/**
 * What LZA's progress means for the open vends. Started by a Deploy-stage Security_Resources or
 * Customizations action event ("look now") or by the reconciler's schedule (catch what events
 * missed). Reads only: the ledger's open vends and the pipeline's history.
 */
export function createHandler(dependencies: () => HandlerDependencies) {
  return middy(
    async (input: z.infer<typeof planFollowUpInput>, _context: Context): Promise<FollowUpPlanOutput> => {
      const { config, ledger, now } = dependencies();
      const reconcile = isRecord(input.input) && input.input.reconcile === true;
      const event = reconcile ? undefined : readPipelineActionEvent(input.input);
      const ignore = (reason: string): FollowUpPlanOutput => {
        logger.info('pipeline event ignored', { reason });
        return {
          mode: 'event',
          repairs: [],
          settlements: [],
          measure: [],
          truncated: false,
          ignored: reason,
        };
      };
      if (!reconcile) {
        if (!event) return ignore('not a CodePipeline action state-change event');
        if (event.pipeline !== config.lza.pipelineName)
          return ignore(`pipeline ${event.pipeline} is not ${config.lza.pipelineName}`);
        if (
          !isDeployStage(event.stage) ||
          !FOLLOWED_ACTIONS.includes(event.action) ||
          event.state !== 'SUCCEEDED'
        )
          return ignore(`${event.stage}/${event.action} ${event.state} needs no follow-up`);
      }
      const nowMs = now();
      const vends = await ledger.openVends();
      const oldest = vends.map((v) => v.joinedAt).sort()[0];
      const history = oldest === undefined ? [] : await loadHistory(dependencies(), oldest, event);
      const repairs: PlannedRepair[] = [];
      const settlements: FollowUpPlanOutput['settlements'] = [];
      const measure: FollowUpPlanOutput['measure'] = [];
      for (const vend of vends) {
        const key = { accountId: vend.accountId, joinedAt: vend.joinedAt };
        // An owner that failed (or went silent) after others verified every region: measure it here.
        if (vend.state === 'pending' && canClaim(vend, nowMs) && measureVend(vend)) measure.push(key);
        const plan = planFollowUp(vend, history, { awaitTimeoutHours: config.lza.awaitTimeoutHours, nowMs });
        repairs.push(...plan.repairs);
        if (plan.decision.kind !== 'wait') settlements.push({ ...key, decision: plan.decision });
      }
      const sweepRegions =
        event?.action === 'Security_Resources' && lzaResetsRunAs(config.lza.version)
          ? regionsOfStage(event.stage, config.governedRegions)
          : [];
      logger.info('follow-up planned', {
        mode: event ? 'event' : 'reconcile',
        openVends: vends.length,
        repairs: repairs.length,
        settlements: settlements.length,
        measure: measure.length,
        sweepRegions,
      });
      // Bounded so the plan fits the state payload and the history; the rest continues at once.
      return capPlan({
        mode: event ? ('event' as const) : ('reconcile' as const),
        repairs,
        settlements,
        measure,
        ...(sweepRegions.length > 0 ? { sweep: { repair: true as const, regions: sweepRegions } } : {}),
      });
    },
  )
    .use(injectLambdaContext(logger))
    .use(parser({ schema: planFollowUpInput }));
}

/**
 * The runs that may cover any open vend, with their actions. The event's own action is added
 * when the history does not show it yet, so the event is never lost to a lagging read.
 */
async function loadHistory(
  { pipeline }: HandlerDependencies,
  since: string,
  event: PipelineActionEvent | undefined,
): Promise<RunHistory[] | undefined> {
  const runs = await pipeline.runsSince(since);
  if (!runs) return undefined;
  return Promise.all(
    runs.map(async (run) => {
      const actions: PipelineAction[] = await pipeline.actions(run.executionId);
      if (
        event &&
        event.executionId === run.executionId &&
        !actions.some(
          (a) => a.stageName === event.stage && a.actionName === event.action && a.status === 'Succeeded',
        )
      ) {
        actions.push({
          stageName: event.stage,
          actionName: event.action,
          status: 'Succeeded',
          lastUpdateTime: event.time,
        });
      }
      return { run, actions };
    }),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const handler = createHandler(
  fromProcessEnvironment({ CodePipelineClient, PipelineHistory, DynamoDBClient, VendLedger }),
);
