/**
 * LZA below 1.14 resets RunAs wherever its Deploy-stage Security_Resources writes, so each such
 * completion calls for one repair sweep of the regions its stage covers. The pipeline event
 * starts it; the reconciler starts it for any completion in the pipeline's history that no
 * follow-up has recorded as followed (a lost event). Pure: the ledger holds the markers
 * (adapters/followed-runs.ts).
 */

import { isDeployStage, regionsOfStage } from '../vend/ledger.ts';
import { SECURITY_RESOURCES_ACTION } from './gap.ts';
import type { RunHistory } from './plan.ts';

/** One Deploy-stage Security_Resources of one pipeline run: what a repair sweep follows. */
export interface SecurityResourcesRun {
  pipelineExecutionId: string;
  stage: string;
}

/** The marker's key in the ledger's table: a sort key below any ISO time, so no vend read meets it. */
export function followedKey(run: SecurityResourcesRun): { accountId: string; joinedAt: string } {
  return { accountId: `lza-run/${run.pipelineExecutionId}`, joinedAt: `#followed/${run.stage}` };
}

/**
 * The Deploy-stage Security_Resources that succeeded at or after `sinceIso`, one per run and
 * stage, in the history's order.
 */
export function securityResourcesSince(
  history: readonly RunHistory[],
  sinceIso: string,
): SecurityResourcesRun[] {
  const found = new Map<string, SecurityResourcesRun>();
  for (const { run, actions } of history) {
    for (const action of actions) {
      const done = action.lastUpdateTime ?? action.startTime;
      if (action.actionName !== SECURITY_RESOURCES_ACTION || action.status !== 'Succeeded') continue;
      if (!isDeployStage(action.stageName) || done === undefined || done < sinceIso) continue;
      const key = `${run.executionId}|${action.stageName}`;
      found.set(key, { pipelineExecutionId: run.executionId, stage: action.stageName });
    }
  }
  return [...found.values()];
}

/** The repair sweep for the runs given, over the regions their stages cover; none when they cover none. */
export function sweepFor(
  runs: readonly SecurityResourcesRun[],
  governedRegions: readonly string[],
): { sweep?: { repair: true; regions: string[] }; followed: SecurityResourcesRun[] } {
  const regions = [...new Set(runs.flatMap((r) => regionsOfStage(r.stage, governedRegions)))];
  return regions.length > 0 ? { sweep: { repair: true, regions }, followed: [...runs] } : { followed: [] };
}
