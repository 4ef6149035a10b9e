/**
 * The follow-up's plan for one open vend, pure: from the LZA pipeline's history, which regions
 * to re-verify and repair after Security_Resources, and whether the vend closes, waits or
 * expires; with the caps that keep one follow-up execution within Step Functions' limits.
 */

import type { MeasureGap } from '../config/config.ts';
import { secondsBetween } from '../vend/enforcement.ts';
import { canClaim, measureVend, type RepairRecord, type VendRecord } from '../vend/ledger.ts';
import { mayMove } from '../vend/transitions.ts';
import {
  coveringCandidates,
  deployedBefore,
  deployStageFor,
  gapFigures,
  judgeRun,
  milestones,
  type PipelineAction,
  type PipelineRun,
} from './gap.ts';

/**
 * What one follow-up execution carries at most. Its plan travels in the state (256 KiB) and each
 * repair adds about a dozen history events (25,000 per execution): these caps keep a plan under
 * about 100 KiB and 2,000 events. A plan cut to them continues in a new execution at once.
 */
export const FOLLOW_UP_CAPS = { repairs: 100, settlements: 200, measure: 100, redrives: 25 } as const;

export function capPlan<T extends { repairs: unknown[]; settlements: unknown[]; measure: unknown[] }>(
  plan: T,
): T & { truncated: boolean } {
  const truncated =
    plan.repairs.length > FOLLOW_UP_CAPS.repairs ||
    plan.settlements.length > FOLLOW_UP_CAPS.settlements ||
    plan.measure.length > FOLLOW_UP_CAPS.measure;
  return {
    ...plan,
    repairs: plan.repairs.slice(0, FOLLOW_UP_CAPS.repairs),
    settlements: plan.settlements.slice(0, FOLLOW_UP_CAPS.settlements),
    measure: plan.measure.slice(0, FOLLOW_UP_CAPS.measure),
    truncated,
  };
}

/** One run of the LZA pipeline with its action history. */
export interface RunHistory {
  run: PipelineRun;
  actions: PipelineAction[];
}

export interface PlannedRepair {
  accountId: string;
  joinedAt: string;
  region: string;
  pipelineExecutionId: string;
  stage: string;
  securityResourcesAt: string;
}

export type FollowUpDecision =
  | { kind: 'wait'; reason: string }
  | {
      kind: 'close';
      pipelineExecutionId: string;
      customizationsCompletedAt: string;
      prepareToCustomizationsSeconds: number;
      /** Absent when RunAs is not in effect everywhere (a region unverified or a repair failing). */
      gapClosedSeconds?: number;
      reason: string;
    }
  | { kind: 'expire'; reason: string }
  /** `lza.measureGap` auto in an organization without the LZA pipeline: nothing to follow. */
  | { kind: 'close-unfollowed'; reason: string };

export interface FollowUpPlan {
  repairs: PlannedRepair[];
  decision: FollowUpDecision;
}

export interface FollowUpOptions {
  awaitTimeoutHours: number;
  nowMs: number;
  /** `auto` (the default): a missing pipeline means no LZA, not an error. */
  measureGap?: MeasureGap;
  pipelineName?: string;
  /**
   * Pipelines with LZA's stages under another name, found when the named one is missing: LZA
   * is there and the config misnames it, so `auto` does not read the organization as "no LZA".
   */
  misnamedPipelines?: readonly string[];
}

/**
 * What to do next for one open vend, from the pipeline's history. The same decision serves an
 * LZA action event (which only says "look now") and the scheduled reconciler (which catches the
 * events that were missed), so a duplicate or lost event changes nothing.
 *
 * - A Deploy/Security_Resources that finished after RunAs was verified in a region, and after
 *   that region's last re-verification, may have reset it (LZA ≤ 1.13): re-verify and repair.
 * - The covering run's Deploy/Customizations done everywhere closes the vend, once no repair is due.
 * - Past `awaitTimeoutHours` from the join, the vend expires.
 */
export function planFollowUp(
  record: VendRecord,
  history: readonly RunHistory[] | undefined,
  options: FollowUpOptions,
): FollowUpPlan {
  const deadline = Date.parse(record.joinedAt) + options.awaitTimeoutHours * 3_600_000;
  // Never under a live owner: a pending vend whose owner runs within its lease waits for it.
  const expired = options.nowMs > deadline && mayMove(record, 'expired', options.nowMs);
  const expire = (why: string): FollowUpDecision => ({
    kind: 'expire',
    reason: `${why} within lza.awaitTimeoutHours (${options.awaitTimeoutHours} h)`,
  });
  if (history === undefined) return withoutPipeline(record, options, expired);
  // Verified by the owner, or by executions whose owner gave up before measuring (measured now).
  const verified = record.runAsVerifiedAt ?? measureVend(record)?.runAsVerifiedAt;
  const byId = new Map(history.map((h) => [h.run.executionId, h]));
  // One repair per region, after the latest Security_Resources that may have reset it.
  const due = new Map<string, PlannedRepair>();
  const repairsOf = () => [...due.values()];
  for (const run of coveringCandidates(
    history.map((h) => h.run),
    record.joinedAt,
  )) {
    const actions = byId.get(run.executionId)?.actions ?? [];
    const found = milestones(actions, record.governedRegions);
    if (deployedBefore(found, record.joinedAt)) continue;
    for (const [region, m] of Object.entries(found)) {
      const done = record.regions[region];
      if (!m.securityResourcesAt || !done) continue;
      const after = [done.verifiedAt, done.reverifiedAfter]
        .filter((t): t is string => t !== undefined)
        .sort()
        .at(-1);
      if (after !== undefined && m.securityResourcesAt <= after && !record.repairsFailed.includes(region))
        continue;
      const previous = due.get(region);
      if (previous && previous.securityResourcesAt >= m.securityResourcesAt) continue;
      due.set(region, {
        accountId: record.accountId,
        joinedAt: record.joinedAt,
        region,
        pipelineExecutionId: run.executionId,
        stage: deployStageFor(region, actions),
        securityResourcesAt: m.securityResourcesAt,
      });
    }
    const verdict = judgeRun(run, found);
    const repairs = repairsOf();
    if (verdict.kind === 'failed') continue;
    if (verdict.kind === 'running') {
      return expired
        ? { repairs, decision: expire(`run ${run.executionId} did not finish Customizations`) }
        : { repairs, decision: { kind: 'wait', reason: `pipeline run ${run.executionId} in progress` } };
    }
    if (!verified && !canClaim(record, options.nowMs)) {
      return expired
        ? { repairs, decision: expire('RunAs was not verified in every region') }
        : { repairs, decision: { kind: 'wait', reason: 'RunAs is not verified in every region yet' } };
    }
    if (repairs.length > 0) {
      return {
        repairs,
        decision: { kind: 'wait', reason: 'a repair after Security_Resources is due first' },
      };
    }
    // Nobody is still working on an unverified vend: LZA's window is measured, no gap is closed.
    const figures = gapFigures(record.joinedAt, verified ?? record.joinedAt, found);
    if (!figures) continue;
    const inEffect = verified !== undefined && record.repairsFailed.length === 0;
    const why = verified
      ? `RunAs could not be repaired in ${record.repairsFailed.join(', ')}`
      : 'RunAs is not in effect in every governed region';
    return {
      repairs,
      decision: {
        kind: 'close',
        pipelineExecutionId: run.executionId,
        customizationsCompletedAt: figures.customizationsCompletedAt,
        prepareToCustomizationsSeconds: figures.prepareToCustomizationsSeconds,
        ...(inEffect ? { gapClosedSeconds: figures.gapClosedSeconds } : {}),
        reason: inEffect
          ? `pipeline run ${run.executionId} finished Customizations`
          : `pipeline run ${run.executionId} finished Customizations; the gap was not closed: ${why}`,
      },
    };
  }
  const repairs = repairsOf();
  if (expired) return { repairs, decision: expire('no covering pipeline run finished Customizations') };
  return {
    repairs,
    decision: { kind: 'wait', reason: 'no pipeline run covering the vend has finished yet' },
  };
}

/**
 * No pipeline of the configured name. Under `auto` that is an organization without LZA: a
 * verified vend closes with a note, and nothing expires (a pending vend is its owner's, or the
 * reconciler's re-drive). Under `auto` with a pipeline of LZA's stages under another name, it is
 * a misnamed pipeline: the vend stays open (followed once lza.pipelineName names it) and expires
 * only at lza.awaitTimeoutHours. Under `true` it is an error: the vend expires, once its owner
 * is gone.
 */
function withoutPipeline(record: VendRecord, options: FollowUpOptions, expired: boolean): FollowUpPlan {
  const name = options.pipelineName ?? '(unnamed)';
  const misnamed = options.misnamedPipelines ?? [];
  if (options.measureGap === 'auto' && misnamed.length > 0) {
    const why = `no LZA pipeline ${name}, but ${misnamed.join(', ')} has LZA's stages: set lza.pipelineName`;
    return expired
      ? {
          repairs: [],
          decision: { kind: 'expire', reason: `${why}; not followed within lza.awaitTimeoutHours` },
        }
      : { repairs: [], decision: { kind: 'wait', reason: why } };
  }
  if (options.measureGap === 'auto') {
    return record.state === 'verified'
      ? {
          repairs: [],
          decision: {
            kind: 'close-unfollowed',
            reason: `no LZA pipeline ${name}: closed at verification (lza.measureGap auto)`,
          },
        }
      : {
          repairs: [],
          decision: { kind: 'wait', reason: `no LZA pipeline ${name}; RunAs not verified yet` },
        };
  }
  return mayMove(record, 'expired', options.nowMs)
    ? { repairs: [], decision: { kind: 'expire', reason: `the LZA pipeline ${name} does not exist` } }
    : { repairs: [], decision: { kind: 'wait', reason: 'the owner is still working on the vend' } };
}

/** A repair's outcome as the ledger keeps it, with the re-exposure it ended. */
export function repairRecord(
  planned: PlannedRepair,
  outcome: {
    status: string;
    action?: string;
    verifiedAt?: string;
    error?: string;
    apply?: { pruned?: string[] };
  },
): RepairRecord {
  const ok = outcome.status === 'compliant';
  const rewrote = ok && (outcome.action === 'updated' || outcome.action === 'created');
  return {
    pipelineExecutionId: planned.pipelineExecutionId,
    stage: planned.stage,
    region: planned.region,
    securityResourcesAt: planned.securityResourcesAt,
    action: ok ? (outcome.action ?? 'unchanged') : 'failed',
    ...(outcome.verifiedAt ? { verifiedAt: outcome.verifiedAt } : {}),
    ...(rewrote && outcome.verifiedAt
      ? { reexposedSeconds: Math.max(0, secondsBetween(planned.securityResourcesAt, outcome.verifiedAt)) }
      : {}),
    ...(outcome.apply?.pruned?.length ? { pruned: outcome.apply.pruned } : {}),
    ...(outcome.error ? { error: outcome.error } : {}),
  };
}
