import { type SecurityResourcesRun, securityResourcesSince } from '#core/follow-up/followed-runs.ts';
import type { RunHistory } from '#core/follow-up/plan.ts';
import { lzaResetsRunAs } from '#core/vend/ledger.ts';
import type { FollowedRuns } from './followed-runs.ts';
import type { PipelineHistory } from './pipeline-history.ts';

/** What only the reconciler looks for, beyond the open vends: what events cannot tell. */
export interface ReconcileFindings {
  /** The named LZA pipeline is missing and these have its stages (lza.measureGap auto). */
  misnamedPipelines: string[];
  /** LZA below 1.14: Security_Resources completions no follow-up followed (their event was lost). */
  unfollowed: SecurityResourcesRun[];
}

/**
 * The reconciler's own reads. `runs` is the history already read from the oldest open vend's join
 * (`oldest`; undefined: none open), undefined when the pipeline does not exist. Security_Resources
 * is looked for back to `lza.awaitTimeoutHours` ago, the window a vend is followed in.
 */
export async function reconcileFindings(
  reads: {
    pipeline: Pick<PipelineHistory, 'exists' | 'misnamed' | 'runHistory'>;
    followedRuns: Pick<FollowedRuns, 'unfollowed'>;
  },
  config: { lza: { measureGap: boolean | 'auto'; version?: string | undefined; awaitTimeoutHours: number } },
  nowMs: number,
  known: { oldest: string | undefined; runs: RunHistory[] | undefined },
): Promise<ReconcileFindings> {
  const { pipeline } = reads;
  const missing = known.runs === undefined || (known.oldest === undefined && !(await pipeline.exists()));
  // `auto` never reads a misnamed LZA pipeline as "no LZA": look for LZA's stages under another name.
  const misnamedPipelines = missing && config.lza.measureGap === 'auto' ? await pipeline.misnamed() : [];
  if (missing || !lzaResetsRunAs(config.lza.version)) return { misnamedPipelines, unfollowed: [] };
  const since = new Date(nowMs - config.lza.awaitTimeoutHours * 3_600_000).toISOString();
  const history =
    known.oldest !== undefined && known.oldest <= since ? known.runs : await pipeline.runHistory(since);
  const done = securityResourcesSince(history ?? [], since);
  const unfollowed = done.length > 0 ? await reads.followedRuns.unfollowed(done) : [];
  return { misnamedPipelines, unfollowed };
}
