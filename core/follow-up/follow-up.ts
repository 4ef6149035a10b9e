/**
 * The follow-up's decisions, pure: whether a pipeline event calls for one, what the open vends
 * need (PlanFollowUp), and what the outcome means for the ledger and the metrics
 * (RecordFollowUp). The handlers read the ledger and the pipeline's history and write the ledger
 * (measuring a vend once through adapters/vend-measurement.ts).
 */

import type { BootstrapperConfig } from '../config/config.ts';
import type { RegionResult } from '../document/region-result.ts';
import { METRIC, type MetricPoint } from '../shared/metrics.ts';
import { isRecord } from '../shared/records.ts';
import { exposureMetrics } from '../vend/enforcement-record.ts';
import {
  canClaim,
  isDeployStage,
  lzaResetsRunAs,
  measureVend,
  type PipelineActionEvent,
  type RepairRecord,
  readPipelineActionEvent,
  type VendKey,
  type VendMeasurement,
  type VendRecord,
  type VendSettlement,
} from '../vend/ledger.ts';
import { type SecurityResourcesRun, sweepFor } from './followed-runs.ts';
import { CUSTOMIZATIONS_ACTION, type PipelineAction, SECURITY_RESOURCES_ACTION } from './gap.ts';
import {
  type FollowUpDecision,
  type PlannedRepair,
  planFollowUp,
  type RunHistory,
  repairRecord,
} from './plan.ts';

const FOLLOWED_ACTIONS = [SECURITY_RESOURCES_ACTION, CUSTOMIZATIONS_ACTION];

export type Settlement = VendKey & { decision: Exclude<FollowUpDecision, { kind: 'wait' }> };

/** PlanFollowUp's output (the ASL's RecordFollowUp and StartRepairSweep read it). */
export interface FollowUpWork {
  mode: 'event' | 'reconcile';
  repairs: PlannedRepair[];
  settlements: Settlement[];
  /** Pending vends whose owner gave up after every region was verified: measure them now. */
  measure: VendKey[];
  /** LZA below 1.14 after Security_Resources: a repair sweep of every account in these regions. */
  sweep?: { repair: true; regions: string[] };
  /** The Security_Resources completions that sweep follows: recorded once it has started. */
  followed: SecurityResourcesRun[];
  /** The reconciler's re-drives (core/vend/redrive.ts), added by PlanFollowUp in reconcile mode. */
  redrive?: Record<string, unknown>[];
  exhausted?: VendKey[];
  /** The named pipeline is missing and these have LZA's stages: LzaPipelineMisnamed (alarmed). */
  misnamedPipelines?: string[];
}

/** What started the follow-up: the reconciler, an LZA action to act on, or something to ignore (and why). */
export type FollowUpTrigger =
  | { mode: 'reconcile'; replan: boolean }
  | { mode: 'event'; event: PipelineActionEvent; replan: boolean }
  | { ignored: string };

/**
 * The reconciler's `{ "reconcile": true }`, or a Deploy-stage Security_Resources or
 * Customizations success of the LZA pipeline. Anything else needs no follow-up.
 */
export function followUpTrigger(input: unknown, pipelineName: string): FollowUpTrigger {
  // The ASL's PlanAgain marks a second plan in the same execution, after it recorded its repairs.
  const replan = isRecord(input) && input.replan === true;
  if (isRecord(input) && input.reconcile === true) return { mode: 'reconcile', replan };
  const event = readPipelineActionEvent(input);
  if (!event) return { ignored: 'not a CodePipeline action state-change event' };
  if (event.pipeline !== pipelineName)
    return { ignored: `pipeline ${event.pipeline} is not ${pipelineName}` };
  if (!isDeployStage(event.stage) || !FOLLOWED_ACTIONS.includes(event.action) || event.state !== 'SUCCEEDED')
    return { ignored: `${event.stage}/${event.action} ${event.state} needs no follow-up` };
  return { mode: 'event', event, replan };
}

/** A second plan in the same execution starts no second repair sweep: the first one did. */
export function withoutRepeatedSweep(work: FollowUpWork, replan: boolean): FollowUpWork {
  if (!replan || !work.sweep) return work;
  const { sweep: _sweep, ...rest } = work;
  return { ...rest, followed: [] };
}

/** The plan for an event that needs no follow-up: the ASL's HasWork ends on `ignored`. */
export function ignoredPlan(reason: string): FollowUpWork & {
  redrive: Record<string, unknown>[];
  exhausted: VendKey[];
  misnamedPipelines: string[];
  truncated: false;
  ignored: string;
} {
  return {
    mode: 'event',
    repairs: [],
    settlements: [],
    measure: [],
    followed: [],
    redrive: [],
    exhausted: [],
    misnamedPipelines: [],
    truncated: false,
    ignored: reason,
  };
}

/** The earliest join of the open vends: the pipeline's history is read from there. */
export function oldestJoin(vends: readonly VendKey[]): string | undefined {
  return vends.map((v) => v.joinedAt).sort()[0];
}

/**
 * A run's actions with the triggering event's own action added when the history does not show it
 * yet, so the event is never lost to a lagging read.
 */
export function withEventAction(
  executionId: string,
  actions: readonly PipelineAction[],
  event: PipelineActionEvent | undefined,
): PipelineAction[] {
  if (!event || event.executionId !== executionId) return [...actions];
  const seen = actions.some(
    (a) => a.stageName === event.stage && a.actionName === event.action && a.status === 'Succeeded',
  );
  if (seen) return [...actions];
  return [
    ...actions,
    { stageName: event.stage, actionName: event.action, status: 'Succeeded', lastUpdateTime: event.time },
  ];
}

/** Every run's actions with the triggering event's own added (see withEventAction); no pipeline stays none. */
export function withEventActions(
  history: readonly RunHistory[] | undefined,
  event: PipelineActionEvent | undefined,
): RunHistory[] | undefined {
  return history?.map(({ run, actions }) => ({
    run,
    actions: withEventAction(run.executionId, actions, event),
  }));
}

export interface FollowUpPlanOptions {
  awaitTimeoutHours: number;
  nowMs: number;
  measureGap: BootstrapperConfig['lza']['measureGap'];
  pipelineName: string;
  /** The LZA version (`lza.version`): below 1.14 a Security_Resources calls for a repair sweep. */
  lzaVersion: string | undefined;
  governedRegions: readonly string[];
  /** Pipelines with LZA's stages under another name, when the named one is missing. */
  misnamedPipelines?: readonly string[];
  /** The reconciler's Security_Resources completions no follow-up has followed (a lost event). */
  unfollowed?: readonly SecurityResourcesRun[];
}

/** The plan's options: the config's LZA settings and governed regions, at `nowMs`. */
export function followUpPlanOptions(
  config: {
    lza: Pick<BootstrapperConfig['lza'], 'awaitTimeoutHours' | 'version' | 'measureGap' | 'pipelineName'>;
    governedRegions: readonly string[];
  },
  nowMs: number,
): FollowUpPlanOptions {
  return {
    awaitTimeoutHours: config.lza.awaitTimeoutHours,
    nowMs,
    measureGap: config.lza.measureGap,
    pipelineName: config.lza.pipelineName,
    lzaVersion: config.lza.version,
    governedRegions: config.governedRegions,
  };
}

/**
 * What the open vends need, uncapped (`capPlan` bounds it for the state payload): repairs after
 * Security_Resources, settlements, vends to measure, and a repair sweep for LZA below 1.14.
 */
export function planOpenVends(
  vends: readonly VendRecord[],
  history: readonly RunHistory[] | undefined,
  event: PipelineActionEvent | undefined,
  options: FollowUpPlanOptions,
): FollowUpWork {
  const repairs: PlannedRepair[] = [];
  const settlements: Settlement[] = [];
  const measure: VendKey[] = [];
  for (const vend of vends) {
    const key = { accountId: vend.accountId, joinedAt: vend.joinedAt };
    // An owner that failed (or went silent) after others verified every region: measure it here.
    if (vend.state === 'pending' && canClaim(vend, options.nowMs) && measureVend(vend)) measure.push(key);
    const plan = planFollowUp(vend, history, options);
    repairs.push(...plan.repairs);
    if (plan.decision.kind !== 'wait') settlements.push({ ...key, decision: plan.decision });
  }
  // The event's own Security_Resources; the reconciler's, those no follow-up followed (lost events).
  const resets = lzaResetsRunAs(options.lzaVersion);
  const toSweep =
    event?.action === SECURITY_RESOURCES_ACTION && resets
      ? [{ pipelineExecutionId: event.executionId, stage: event.stage }]
      : !event && resets
        ? [...(options.unfollowed ?? [])]
        : [];
  const { sweep, followed } = sweepFor(toSweep, options.governedRegions);
  return {
    mode: event ? 'event' : 'reconcile',
    repairs,
    settlements,
    measure,
    followed,
    ...(sweep ? { sweep } : {}),
  };
}

/** A planned repair with the region result the ASL's Repair* Pass states built for it. */
export type RepairResult = PlannedRepair & RegionResult;

/** The results grouped by vend, in first-seen order. */
export function groupByVend<T extends VendKey>(results: readonly T[]): T[][] {
  return resultsByVend(results).map((group) => group.results);
}

/** The results grouped by vend, each group with its vend's key (from its first result), in first-seen order. */
export function resultsByVend<T extends VendKey>(results: readonly T[]): { vend: VendKey; results: T[] }[] {
  const byVend = new Map<string, { vend: VendKey; results: T[] }>();
  for (const result of results) {
    const { accountId, joinedAt } = result;
    const group = byVend.get(`${accountId}|${joinedAt}`);
    if (group) group.results.push(result);
    else byVend.set(`${accountId}|${joinedAt}`, { vend: { accountId, joinedAt }, results: [result] });
  }
  return [...byVend.values()];
}

/**
 * One vend's repairs as the ledger keeps them, and the regions still failing: those that failed
 * before and were not fixed now, and those that failed now.
 */
export function vendRepairs(
  repairsFailedBefore: readonly string[],
  results: readonly RepairResult[],
): { repairs: RepairRecord[]; failing: string[]; stillFailing: string[] } {
  const repairs = results.map((r) => repairRecord(r, r));
  const fixed = repairs.filter((r) => r.action !== 'failed').map((r) => r.region);
  const failing = repairs.filter((r) => r.action === 'failed').map((r) => r.region);
  const stillFailing = [
    ...new Set([...repairsFailedBefore.filter((r) => !fixed.includes(r)), ...failing]),
  ].sort();
  return { repairs, failing, stillFailing };
}

/**
 * The repairs the record does not hold yet: a duplicate pipeline event (or a second follow-up
 * that planned the same repair while the first was still writing) adds no record. A repair is
 * held when its region was already re-verified after the same Security_Resources, or an
 * identical failure is recorded.
 */
export function unrecordedRepairs(
  record: Pick<VendRecord, 'regions' | 'repairs'>,
  repairs: readonly RepairRecord[],
): RepairRecord[] {
  return repairs.filter((repair) => {
    const after = record.regions[repair.region]?.reverifiedAfter;
    if (after !== undefined && after >= repair.securityResourcesAt) return false;
    if (repair.action !== 'failed') return true;
    return !record.repairs.some(
      (r) =>
        r.region === repair.region &&
        r.securityResourcesAt === repair.securityResourcesAt &&
        r.action === 'failed',
    );
  });
}

/** RecordFollowUp's output: what it wrote, counted. */
export interface FollowUpTally {
  repaired: number;
  reverified: number;
  repairsFailed: number;
  closed: number;
  expired: number;
  measured: number;
}

export function emptyTally(): FollowUpTally {
  return { repaired: 0, reverified: 0, repairsFailed: 0, closed: 0, expired: 0, measured: 0 };
}

/**
 * Counts a vend's repairs into the tally and returns the re-exposure each rewrite ended: a
 * repair that rewrote RunAs ended a regression; one that found it in place only re-verified.
 * `failed` is how many of this run's repairs failed (recorded or not: a repeated failure is
 * recorded once but fails every run that meets it); by default, the failed records given.
 */
export function countRepairs(
  tally: FollowUpTally,
  repairs: readonly RepairRecord[],
  failed = repairs.filter((r) => r.action === 'failed').length,
): MetricPoint[] {
  const points: MetricPoint[] = [];
  for (const repair of repairs) {
    if (repair.reexposedSeconds !== undefined) {
      tally.repaired += 1;
      points.push({ name: METRIC.runAsReexposedSeconds, unit: 'Seconds', value: repair.reexposedSeconds });
    } else if (repair.action !== 'failed') tally.reverified += 1;
  }
  tally.repairsFailed += failed;
  return points;
}

/** Whether this vend's repairs rewrote RunAs (it had regressed) or failed: worth a warning. */
export function regressedOrFailed(repairs: readonly RepairRecord[]): boolean {
  return repairs.some((r) => r.reexposedSeconds !== undefined || r.action === 'failed');
}

/** Every re-verification counts, a zero too: it says LZA ran and nothing had regressed. */
export function regressionsMetric(tally: FollowUpTally): MetricPoint[] {
  return tally.repaired + tally.reverified > 0
    ? [{ name: METRIC.runAsRegressionsRepaired, unit: 'Count', value: tally.repaired }]
    : [];
}

/** Repairs that failed after their retries count as failed regions, with the vend-level metrics. */
export function repairsFailedMetrics(tally: FollowUpTally): MetricPoint[] {
  return tally.repairsFailed > 0
    ? [{ name: METRIC.regionsFailed, unit: 'Count', value: tally.repairsFailed }]
    : [];
}

/** Counts a vend this follow-up measured and returns its exposure metrics, emitted once per vend. */
export function countMeasured(tally: FollowUpTally, measured: VendMeasurement): MetricPoint[] {
  tally.measured += 1;
  return exposureMetrics(measured);
}

/** A closure or expiry as the ledger records it, always with its note. */
export type SettlementUpdate = VendSettlement & { note: string };

/** A settlement as the ledger records it, the tally it counts in, and the metrics it emits once. */
export function settlementOf(decision: Settlement['decision']): {
  update: SettlementUpdate;
  counts: 'closed' | 'expired';
  metrics: MetricPoint[];
} {
  if (decision.kind === 'close-unfollowed')
    return { update: { state: 'closed', note: decision.reason }, counts: 'closed', metrics: [] };
  if (decision.kind === 'expire') {
    return {
      update: { state: 'expired', note: decision.reason },
      counts: 'expired',
      metrics: [{ name: METRIC.gapMeasurementTimedOut, unit: 'Count', value: 1 }],
    };
  }
  const { kind: _kind, reason, ...figures } = decision;
  return {
    update: { state: 'closed', note: reason, ...figures },
    counts: 'closed',
    metrics: [
      {
        name: METRIC.prepareToCustomizationsSeconds,
        unit: 'Seconds',
        value: figures.prepareToCustomizationsSeconds,
      },
      ...(figures.gapClosedSeconds !== undefined
        ? [{ name: METRIC.gapClosedSeconds, unit: 'Seconds', value: figures.gapClosedSeconds } as const]
        : []),
    ],
  };
}

/** Counts a settlement this follow-up wrote and returns the metrics it emits once. */
export function countSettlement(
  tally: FollowUpTally,
  settlement: Pick<ReturnType<typeof settlementOf>, 'counts' | 'metrics'>,
): MetricPoint[] {
  tally[settlement.counts] += 1;
  return settlement.metrics;
}
