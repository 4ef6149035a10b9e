import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { PipelineHistory } from '#adapters/pipeline-history.ts';
import { secondsBetween } from '#core/enforcement.ts';
import { coveringCandidates, deployedBefore, gapFigures, judgeRun, milestones } from '#core/gap.ts';
import { fromProcessEnvironment, type HandlerDependencies } from './shared/dependencies.ts';
import { logger, tracer } from './shared/observability.ts';
import { type GapState, trackPipelineInput } from './shared/schemas.ts';

/**
 * One poll of the LZA pipeline for a vended account. Says what the workflow does next: wait,
 * re-verify the regions whose Deploy/Security_Resources just finished, record the gap, or stop.
 */
export function createHandler(dependencies: () => HandlerDependencies) {
  return middy(async (input: z.infer<typeof trackPipelineInput>, _context: Context): Promise<GapState> => {
    const { config, pipeline, now } = dependencies();
    const { request, summary } = input;
    const gap: GapState = { ...input.gap, reverifyRegions: [] };
    const skip = (reason: string): GapState => {
      logger.info('gap measurement skipped', { accountId: request.accountId, reason });
      return { ...gap, phase: 'skipped', reason };
    };

    if (input.gap.phase === 'start') {
      if (!config.lza.measureGap) return skip('gap measurement is off (lza.measureGap is false)');
      if (!summary.runAsVerifiedAt) return skip('RunAs was not verified in any region');
      gap.deadline = new Date(
        Date.parse(request.vendedAt) + config.lza.awaitTimeoutHours * 3_600_000,
      ).toISOString();
      gap.pollSeconds = Math.round(config.lza.pollIntervalMinutes * 60);
    }
    // Back from re-verification: count the regions that had regressed and were written again.
    if (input.gap.phase === 'reverify') {
      const repaired = input.repairs.filter(
        (r) => r.status === 'compliant' && (r.action === 'updated' || r.action === 'created'),
      );
      gap.regressionsRepaired += repaired.length;
      for (const r of repaired) {
        const resetBy = gap.regions[r.region]?.securityResourcesAt;
        if (!resetBy || !r.verifiedAt) continue;
        const seconds = Math.max(0, secondsBetween(resetBy, r.verifiedAt));
        gap.reexposedSeconds = Math.max(gap.reexposedSeconds ?? 0, seconds);
      }
      const failed = new Set(input.repairs.filter((r) => r.status !== 'compliant').map((r) => r.region));
      for (const region of input.gap.reverifyRegions) {
        const m = gap.regions[region] ?? { covered: true };
        // A region whose repair failed stays due: the next poll tries it again.
        if (failed.has(region)) continue;
        gap.regions[region] = {
          ...m,
          ...(m.securityResourcesAt ? { reverifiedAfter: m.securityResourcesAt } : {}),
        };
      }
      gap.repairsFailed = [
        ...new Set([...gap.repairsFailed.filter((r) => !input.gap.reverifyRegions.includes(r)), ...failed]),
      ].sort();
      if (repaired.length > 0)
        logger.warn('RunAs regressed after Security_Resources; repaired', {
          accountId: request.accountId,
          regions: repaired.map((r) => r.region),
        });
      if (failed.size > 0)
        logger.error('RunAs regressed after Security_Resources and could not be repaired', {
          accountId: request.accountId,
          regions: [...failed],
          errors: input.repairs.filter((r) => r.status !== 'compliant').map((r) => r.error),
        });
    }
    // Past the deadline, a re-verification that is due still runs; only waiting stops.
    const pastDeadline = gap.deadline !== undefined && now() > Date.parse(gap.deadline);
    const wait = (reason: string): GapState =>
      pastDeadline
        ? {
            ...gap,
            phase: 'timed-out',
            reason: `no covering pipeline run finished Customizations by ${gap.deadline}`,
          }
        : { ...gap, phase: 'waiting', reason };

    const runs = await pipeline.runsSince(request.vendedAt);
    if (!runs) return skip(`pipeline ${config.lza.pipelineName} not found`);
    const guarded = input.outcomes.filter((o) => o.status === 'compliant').map((o) => o.region);
    for (const run of coveringCandidates(runs, request.vendedAt)) {
      const found = milestones(await pipeline.actions(run.executionId), request.regions);
      // A run that was in progress at vend time but had already deployed cannot include the account.
      if (deployedBefore(found, request.vendedAt)) continue;
      const verdict = judgeRun(run, found);
      for (const [region, m] of Object.entries(found)) {
        const reverifiedAfter = gap.regions[region]?.reverifiedAfter;
        gap.regions[region] = { ...m, ...(reverifiedAfter ? { reverifiedAfter } : {}) };
      }
      // Every Deploy/Security_Resources may have rewritten the document, also in a run that then failed
      // and in each later run: re-verify after each one, once (again while a repair keeps failing).
      const toReverify = Object.entries(gap.regions)
        .filter(
          ([region, m]) =>
            m.securityResourcesAt &&
            (!m.reverifiedAfter || m.reverifiedAfter < m.securityResourcesAt) &&
            guarded.includes(region),
        )
        .map(([region]) => region);
      if (verdict.kind !== 'failed') gap.pipelineExecutionId = run.executionId;
      if (
        toReverify.length > 0 &&
        !(input.gap.phase === 'reverify' && sameRegions(toReverify, gap.repairsFailed))
      )
        return {
          ...gap,
          phase: 'reverify',
          reverifyRegions: toReverify,
          reason: `Deploy/Security_Resources finished in ${toReverify.join(', ')}`,
        };
      if (verdict.kind === 'failed') continue;
      if (verdict.kind === 'complete') {
        const figures = gapFigures(request.vendedAt, summary.runAsVerifiedAt as string, gap.regions);
        // The gap is closed only where RunAs is in effect in every governed region, after LZA's
        // writes too; LZA's own window (vend to Customizations) is measured either way.
        const closed = summary.exposureSeconds !== undefined && gap.repairsFailed.length === 0;
        const { gapClosedSeconds, ...window } = figures ?? {};
        const why =
          gap.repairsFailed.length > 0
            ? `RunAs could not be repaired in ${gap.repairsFailed.join(', ')} after LZA reset it`
            : 'RunAs is not in effect in every governed region';
        return {
          ...gap,
          phase: 'complete',
          ...window,
          ...(closed && gapClosedSeconds !== undefined ? { gapClosedSeconds } : {}),
          reason: closed
            ? `pipeline run ${run.executionId} finished Customizations`
            : `pipeline run ${run.executionId} finished Customizations; the gap was not closed: ${why}`,
        };
      }
      return wait(`pipeline run ${run.executionId} in progress`);
    }
    return wait('no pipeline run covering the vend has started yet');
  })
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger))
    .use(parser({ schema: trackPipelineInput }));
}

/** Right after a repair attempt, the regions that still fail wait for the next poll. */
function sameRegions(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((region) => b.includes(region));
}

export const handler = createHandler(fromProcessEnvironment({ CodePipelineClient, PipelineHistory }));
