/**
 * The vend ledger's decisions, pure. A vend is one account joining the organization: keyed by
 * the account and its Organizations JoinedTimestamp, whatever event announced it. Every event
 * about the account within `vendWindowHours` of the join is the same vend; exactly one
 * execution (the owner) measures it; LZA's pipeline events and a reconciler follow it until its
 * gap is closed or it expires. The adapter stores these records; nothing here does I/O.
 */
import type { BootstrapperConfig } from '../config/config.ts';
import type { EventPattern } from '../deploy/event-pattern.ts';
import { CUSTOMIZATIONS_ACTION, SECURITY_RESOURCES_ACTION } from '../follow-up/gap.ts';
import { isRecord } from '../shared/records.ts';
import { secondsBetween } from './enforcement.ts';
import type { Trigger } from './request.ts';

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

/** A vend's identity in the ledger: the account and when it joined. */
export interface VendKey {
  accountId: string;
  joinedAt: string;
}

/** A closure or expiry as the ledger records it. */
export interface VendSettlement {
  state: 'closed' | 'expired';
  note?: string;
  pipelineExecutionId?: string;
  customizationsCompletedAt?: string;
  prepareToCustomizationsSeconds?: number;
  gapClosedSeconds?: number;
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
  /** The owner's execution ARN: a later trigger asks DescribeExecution whether it still runs. */
  executionArn?: string;
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

export interface VendRecord extends VendKey {
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

/** An execution's claim on a vend's measurements, running until `leaseFrom` plus the slack. */
export function runningOwner(
  execution: string,
  claimedAt: string,
  leaseFrom: string,
  executionArn?: string,
): VendOwner {
  return {
    execution,
    ...(executionArn ? { executionArn } : {}),
    claimedAt,
    leaseUntil: leaseUntil(leaseFrom),
    state: 'running',
  };
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
      action: [SECURITY_RESOURCES_ACTION, CUSTOMIZATIONS_ACTION],
      stage: ['Deploy', { prefix: 'Deploy-' }],
    },
  };
}
