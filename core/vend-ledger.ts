/**
 * The vend ledger's decisions, pure. A vend is one account joining the organization: keyed by
 * the account and its Organizations JoinedTimestamp, whatever event announced it. Every event
 * about the account within `vendWindowHours` of the join is the same vend; exactly one
 * execution (the owner) measures it; LZA's pipeline events and a reconciler follow it until its
 * gap is closed or it expires. The adapter stores these records; nothing here does I/O.
 */
import type { BootstrapperConfig } from './config.ts';
import { secondsBetween } from './enforcement.ts';
import type { EventPattern } from './event-pattern.ts';
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
import { isRecord } from './records.ts';
import type { Trigger } from './vend-request.ts';

/** The table's keys and its index of open vends: one definition for the stack and the local runtime. */
export const LEDGER_KEYS = { partition: 'accountId', sort: 'joinedAt' } as const;
export const OPEN_VENDS_INDEX = 'open-vends';
/** Present (always this value) only while a vend is open: a sparse index of what is still followed. */
export const OPEN_MARKER = 'OPEN';
export const LEDGER_TTL_ATTRIBUTE = 'expiresAt';
/** The environment variable that names the ledger's table for the handlers. */
export const LEDGER_TABLE_ENV_VAR = 'VEND_LEDGER_TABLE';
/** The most triggers and repairs a record keeps (an item is at most 400 KB). */
export const MAX_RECORDED_TRIGGERS = 50;
export const MAX_RECORDED_REPAIRS = 100;
/** How long past the role deadline an owner that went silent (a crash, a timeout) keeps its claim. */
export const OWNER_LEASE_SLACK_MINUTES = 15;

export type JoinedMethod = 'CREATED' | 'INVITED';

export interface AccountJoin {
  joinedMethod: JoinedMethod | string;
  /** ISO-8601 UTC. */
  joinedAt: string;
}

export type RequestKind =
  /** The account joined within the vend window: one vend, measured once. */
  | 'vend'
  /** An older account (a landing-zone update, an OU re-register, a late replay): enforce only. */
  | 'enrollment-update';

const CONTROL_TOWER_TRIGGERS: readonly Trigger[] = [
  'controltower-create-managed-account',
  'controltower-update-managed-account',
];

export function classifyRequest(join: AccountJoin, nowMs: number, vendWindowHours: number): RequestKind {
  const age = nowMs - Date.parse(join.joinedAt);
  return age <= vendWindowHours * 3_600_000 ? 'vend' : 'enrollment-update';
}

/**
 * How long to wait for a member role. An invited account has none until someone creates one
 * (Control Tower enrollment does, and then fires its own event): wait briefly, then stop.
 */
export function roleWaitMinutes(
  join: AccountJoin,
  trigger: Trigger,
  config: Pick<BootstrapperConfig, 'roleWaitTimeoutMinutes' | 'invitedRoleWaitMinutes'>,
): { minutes: number; invited: boolean } {
  const invited = join.joinedMethod === 'INVITED' && !CONTROL_TOWER_TRIGGERS.includes(trigger);
  return invited
    ? { minutes: Math.min(config.invitedRoleWaitMinutes, config.roleWaitTimeoutMinutes), invited }
    : { minutes: config.roleWaitTimeoutMinutes, invited };
}

export type VendState =
  /** Claimed; RunAs not yet verified in every region. */
  | 'pending'
  /** RunAs verified everywhere; following LZA until Customizations covers the vend. */
  | 'verified'
  /** The covering LZA run finished Customizations; the gap is measured (or could not be). */
  | 'closed'
  /** Not settled within `lza.awaitTimeoutHours`. */
  | 'expired'
  /** An invited account without a member role: Control Tower enrollment will bootstrap it. */
  | 'awaiting-enrollment';

export interface TriggerSeen {
  trigger: Trigger | string;
  /** When the execution saw it (ISO). */
  at: string;
  execution: string;
  eventId?: string;
}

export interface VendOwner {
  execution: string;
  claimedAt: string;
  /** A silent owner loses its claim after this. */
  leaseUntil: string;
  state: 'running' | 'failed' | 'done';
}

export interface RegionVerification {
  /** The first time any execution verified RunAs here. */
  verifiedAt: string;
  action?: string;
  latestVersion?: string;
  defaultVersion?: string;
  /** The Deploy/Security_Resources finish after which this region was last re-verified. */
  reverifiedAfter?: string;
  /** Versions the write deleted at SSM's version limit (documentVersionPruning). */
  pruned?: string[];
}

/** The write that set RunAs in a region, and the old versions it deleted at SSM's version limit. */
export interface RegionWrite {
  action: string;
  version?: string;
  verifiedAt: string;
  pruned?: string[];
}

export interface RepairRecord {
  pipelineExecutionId: string;
  stage: string;
  region: string;
  /** When Deploy/Security_Resources finished (LZA wrote during it). */
  securityResourcesAt: string;
  verifiedAt?: string;
  /** `updated`/`created`: LZA had reset RunAs; `unchanged`: it had kept it; `failed`. */
  action: string;
  /** At least how long RunAs was off again: Security_Resources finished to the repair verified. */
  reexposedSeconds?: number;
  /** Versions the repair deleted at SSM's version limit. */
  pruned?: string[];
  error?: string;
}

export interface VendRecord {
  accountId: string;
  joinedAt: string;
  joinedMethod: string;
  firstSeenAt: string;
  triggers: TriggerSeen[];
  owner?: VendOwner;
  state: VendState;
  /** The governed regions when the vend was first seen. */
  governedRegions: string[];
  roleAssumableAt?: string;
  /** Per region, the earliest verification by any execution: when RunAs took effect there. */
  regions: Record<string, RegionVerification>;
  /** Per region, the write that set RunAs (created or updated), by whichever execution made it. */
  writes: Record<string, RegionWrite>;
  runAsVerifiedAt?: string;
  exposureSeconds?: number;
  roleWaitSeconds?: number;
  /** When the owner emitted the vend's exposure metrics (once). */
  measuredAt?: string;
  pipelineExecutionId?: string;
  customizationsCompletedAt?: string;
  prepareToCustomizationsSeconds?: number;
  gapClosedSeconds?: number;
  /** When the gap metrics were emitted (once). */
  gapMeasuredAt?: string;
  repairs: RepairRecord[];
  /** Regions whose repair after LZA's reset failed; retried by the next event or the reconciler. */
  repairsFailed: string[];
  /** Why the vend was closed or expired without a full measurement. */
  note?: string;
  /** DynamoDB TTL, epoch seconds. */
  expiresAt: number;
}

export function expiresAtFor(joinedAt: string, retentionDays: number): number {
  return Math.floor(Date.parse(joinedAt) / 1000) + retentionDays * 86_400;
}

export function leaseUntil(roleDeadline: string): string {
  return new Date(Date.parse(roleDeadline) + OWNER_LEASE_SLACK_MINUTES * 60_000).toISOString();
}

/** Whether an execution may claim the vend's measurements now. */
export function canClaim(record: Pick<VendRecord, 'owner' | 'state'>, nowMs: number): boolean {
  if (record.state !== 'pending') return false;
  const owner = record.owner;
  if (!owner) return true;
  if (owner.state === 'failed') return true;
  return owner.state === 'running' && Date.parse(owner.leaseUntil) < nowMs;
}

/**
 * RunAs verified in every governed region, at the earliest time any execution verified each:
 * the vend's exposure ends at the latest of those. Undefined until every region is verified.
 */
export function runAsVerifiedAt(
  regions: Record<string, RegionVerification>,
  governedRegions: readonly string[],
): string | undefined {
  const times = governedRegions.map((region) => regions[region]?.verifiedAt);
  if (times.length === 0 || times.some((t) => t === undefined)) return undefined;
  return (times as string[]).sort().at(-1);
}

export interface VendMeasurement {
  runAsVerifiedAt: string;
  exposureSeconds: number;
  roleWaitSeconds?: number;
}

export function measureVend(record: VendRecord): VendMeasurement | undefined {
  const verifiedAt = runAsVerifiedAt(record.regions, record.governedRegions);
  if (!verifiedAt) return undefined;
  return {
    runAsVerifiedAt: verifiedAt,
    exposureSeconds: Math.max(0, secondsBetween(record.joinedAt, verifiedAt)),
    ...(record.roleAssumableAt
      ? { roleWaitSeconds: Math.max(0, secondsBetween(record.joinedAt, record.roleAssumableAt)) }
      : {}),
  };
}

/**
 * What one follow-up execution carries at most. Its plan travels in the state (256 KiB) and each
 * repair adds about a dozen history events (25,000 per execution): these caps keep a plan under
 * about 100 KiB and 2,000 events. A plan cut to them continues in a new execution at once.
 */
export const FOLLOW_UP_CAPS = { repairs: 100, settlements: 200, measure: 100 } as const;

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
  | { kind: 'expire'; reason: string };

export interface FollowUpPlan {
  repairs: PlannedRepair[];
  decision: FollowUpDecision;
}

export interface FollowUpOptions {
  awaitTimeoutHours: number;
  nowMs: number;
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
  const expired = options.nowMs > deadline;
  const expire = (why: string): FollowUpDecision => ({
    kind: 'expire',
    reason: `${why} within lza.awaitTimeoutHours (${options.awaitTimeoutHours} h)`,
  });
  if (history === undefined) {
    return { repairs: [], decision: { kind: 'expire', reason: 'the LZA pipeline does not exist' } };
  }
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

/** Whether a pipeline event is one the follow-up acts on: a Deploy-stage Security_Resources or Customizations success. */
export interface PipelineActionEvent {
  pipeline: string;
  executionId: string;
  stage: string;
  action: string;
  state: string;
  time: string;
}

export function readPipelineActionEvent(event: unknown): PipelineActionEvent | undefined {
  if (!isRecord(event) || event.source !== 'aws.codepipeline') return undefined;
  if (event['detail-type'] !== 'CodePipeline Action Execution State Change') return undefined;
  const detail = event.detail;
  if (!isRecord(detail)) return undefined;
  const fields = [detail.pipeline, detail['execution-id'], detail.stage, detail.action, detail.state];
  if (!fields.every((f) => typeof f === 'string' && f !== '')) return undefined;
  const time =
    typeof event.time === 'string' && !Number.isNaN(Date.parse(event.time)) ? event.time : undefined;
  if (!time) return undefined;
  return {
    pipeline: detail.pipeline as string,
    executionId: detail['execution-id'] as string,
    stage: detail.stage as string,
    action: detail.action as string,
    state: detail.state as string,
    time: new Date(Date.parse(time)).toISOString(),
  };
}

/** The Deploy stage (`Deploy` or `Deploy-<region>`), never Bootstrap, whose actions share names. */
export function isDeployStage(stage: string): boolean {
  return stage === 'Deploy' || stage.startsWith('Deploy-');
}

/** LZA below 1.14.0 resets RunAs wherever its Security_Resources writes the document. */
export function lzaResetsRunAs(version: string | undefined): boolean {
  if (!version) return false;
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return (major ?? 0) < 1 || (major === 1 && (minor ?? 0) < 14);
}

/** The regions a Deploy stage covers: its own region in region-by-region mode, else every governed one. */
export function regionsOfStage(stage: string, governedRegions: readonly string[]): string[] {
  if (stage === 'Deploy') return [...governedRegions];
  const region = stage.slice('Deploy-'.length);
  return governedRegions.includes(region) ? [region] : [];
}

/** The follow-up rule's id (construct ids and the local router use it). */
export const FOLLOW_UP_RULE_ID = 'lza-follow-up';

/**
 * The follow-up rule: the LZA pipeline's Deploy-stage Security_Resources and Customizations
 * successes (native CodePipeline events, home region, at least once). One source for the CDK rule
 * and the local router.
 */
export function followUpEventPattern(pipelineName: string): EventPattern {
  return {
    source: ['aws.codepipeline'],
    'detail-type': ['CodePipeline Action Execution State Change'],
    detail: {
      pipeline: [pipelineName],
      state: ['SUCCEEDED'],
      action: ['Security_Resources', 'Customizations'],
      stage: ['Deploy', { prefix: 'Deploy-' }],
    },
  };
}
