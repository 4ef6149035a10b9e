/**
 * ResolveRequest's decisions, pure: a normalised event plus the account's Organizations join
 * becomes a bootstrap request (a vend, or an enrollment update), with its role deadline and the
 * vend-ledger entries to write. The handler asks Organizations and writes the ledger.
 */
import type { BootstrapperConfig } from '../config/config.ts';
import {
  type AccountJoin,
  classifyRequest,
  expiresAtFor,
  type RequestKind,
  roleWaitMinutes,
  runningOwner,
  type TriggerSeen,
} from './ledger.ts';
import type { BootstrapRequest, NormalizeResult } from './request.ts';

/** ResolveRequest's output: the ASL's ShouldBootstrap routes on `action`. */
export type ResolvedRequest =
  | {
      action: 'bootstrap';
      request: {
        accountId: string;
        trigger: string;
        /** For a vend: the Organizations JoinedTimestamp. Otherwise the event or request time. */
        vendedAt: string;
        regions: string[];
        /** Within the vend window of the account's join: recorded in the vend ledger. */
        isVend: boolean;
        /** This execution owns the vend's measurements. */
        owner: boolean;
        /**
         * Another execution owns this vend and is working on it: this one stands down (one
         * poller per vend). Replays and enrollment updates are never covered.
         */
        covered: boolean;
        /** An invited account reached by a non-Control-Tower event: a short role wait. */
        invited: boolean;
        roleDeadline: string;
        reason?: string;
      };
    }
  | { action: 'ignore'; code: string; reason: string; accountId?: string };

export function ignoredRequest({ code, reason, accountId }: Extract<NormalizeResult, { kind: 'ignore' }>) {
  return { action: 'ignore', code, reason, ...(accountId ? { accountId } : {}) } satisfies ResolvedRequest;
}

export type RequestConfig = Pick<
  BootstrapperConfig,
  | 'vendWindowHours'
  | 'roleWaitTimeoutMinutes'
  | 'invitedRoleWaitMinutes'
  | 'governedRegions'
  | 'ledgerRetentionDays'
>;

export interface RequestPlan {
  kind: RequestKind;
  join: AccountJoin;
  invited: boolean;
  roleDeadline: string;
  nowIso: string;
}

/**
 * The account's join, not the event, says whether this is a vend. An account Organizations
 * describes without a join time or method is taken as created at the event's time.
 */
export function planRequest(
  request: BootstrapRequest,
  member: { joinedMethod?: string | undefined; joinedAt?: string | undefined },
  nowMs: number,
  config: RequestConfig,
): RequestPlan {
  const join = {
    joinedMethod: member.joinedMethod ?? 'CREATED',
    joinedAt: member.joinedAt ?? request.vendedAt,
  };
  const wait = roleWaitMinutes(join, request.trigger, config);
  return {
    kind: classifyRequest(join, nowMs, config.vendWindowHours),
    join,
    invited: wait.invited,
    roleDeadline: new Date(nowMs + wait.minutes * 60_000).toISOString(),
    nowIso: new Date(nowMs).toISOString(),
  };
}

/** What a vend writes to the ledger: the vend with this trigger, and this execution's claim to own it. */
export function vendEntries(
  request: BootstrapRequest,
  plan: RequestPlan,
  execution: string,
  config: RequestConfig,
  executionArn?: string,
) {
  const vend = { accountId: request.accountId, joinedAt: plan.join.joinedAt };
  return {
    key: vend,
    vend: {
      ...vend,
      joinedMethod: plan.join.joinedMethod,
      governedRegions: config.governedRegions,
      expiresAt: expiresAtFor(plan.join.joinedAt, config.ledgerRetentionDays),
    },
    trigger: {
      trigger: request.trigger,
      at: plan.nowIso,
      execution,
      ...(request.eventId ? { eventId: request.eventId } : {}),
    } satisfies TriggerSeen,
    owner: runningOwner(execution, plan.nowIso, plan.roleDeadline, executionArn),
  };
}

export function bootstrapRequest(
  request: BootstrapRequest,
  plan: RequestPlan,
  owner: boolean,
): ResolvedRequest {
  const isVend = plan.kind === 'vend';
  return {
    action: 'bootstrap',
    request: {
      accountId: request.accountId,
      trigger: request.trigger,
      vendedAt: isVend ? plan.join.joinedAt : request.vendedAt,
      regions: request.regions,
      isVend,
      owner,
      covered: isVend && !owner && request.trigger !== 'replay',
      invited: plan.invited,
      roleDeadline: plan.roleDeadline,
      ...(request.reason ? { reason: request.reason } : {}),
    },
  };
}
