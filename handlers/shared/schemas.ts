import { describeIssues } from '#core/config/config.ts';
import {
  isoTime,
  region,
  regionResult,
  regionResultWith,
  sweepRegionResult,
} from '#core/document/region-result.ts';
import { ACCOUNT_ID_PATTERN } from '#core/shared/arn.ts';
import { InvalidRequestError } from '#core/shared/errors.ts';
import { isRecord } from '#core/shared/records.ts';
import type { SweepBatch, SweepOptions, SweepRequest, SweepTotals } from '#core/sweep/sweep.ts';
import '#core/shared/validation.ts';
import * as z from 'zod/mini';

/** Inputs the state machine passes to each Task. They never carry credentials. */
const accountId = z.string().check(z.regex(ACCOUNT_ID_PATTERN));
const executionName = z.string().check(z.minLength(1), z.maxLength(80));
const count = z.number().check(z.int());

export const resolveRequestInput = z.object({
  event: z.unknown(),
  /** The execution's name (`$$.Execution.Name`): the vend ledger records its owner by it. */
  execution: executionName,
  /** The execution's ARN (`$$.Execution.Id`): a later trigger asks DescribeExecution about it. */
  executionArn: z.optional(z.string().check(z.regex(/^arn:[\w-]+:states:/))),
});

export type ResolveRequestInput = z.infer<typeof resolveRequestInput>;

export const awaitRoleInput = z.object({
  accountId,
  deadline: isoTime,
  /** The session to prove: `write` for a bootstrap (and cached for it), `read` for a check-only sweep. */
  access: z._default(z.enum(['read', 'write']), 'write'),
  /** What started the wait: it implies which role to try first (core/vend/role-wait.ts rolesInOrder). */
  trigger: z.optional(z.string()),
  /** An invited account waits invitedRoleWaitMinutes: where its wait began follows from that. */
  invited: z._default(z.boolean(), false),
  /** The wait so far (`$.role`): after a refused attempt, the attempt it planned next. */
  previous: z.optional(
    z.object({
      next: z.optional(
        z.object({
          at: z.number().check(z.nonnegative()),
          fallback: z.optional(z.int().check(z.nonnegative())),
          final: z.boolean(),
        }),
      ),
    }),
  ),
});

export const regionTaskInput = z.object({ accountId, region });

export const request = z.object({
  accountId,
  trigger: z.string(),
  vendedAt: isoTime,
  regions: z.array(region).check(z.minLength(1)),
  isVend: z.boolean(),
  owner: z._default(z.boolean(), false),
  invited: z._default(z.boolean(), false),
  roleDeadline: isoTime,
  reason: z.optional(z.string()),
});

/** A Catch's error output: `{ Error, Cause }`. */
const taskError = z.object({ Error: z.string(), Cause: z.optional(z.string()) });

export const recordEnforcementInput = z.object({
  request,
  execution: executionName,
  role: z.optional(z.object({ roleName: z.string(), assumableAt: isoTime })),
  roleError: z.optional(taskError),
  regions: z._default(z.array(regionResult), []),
});

export type RegionTaskInput = z.infer<typeof regionTaskInput>;
export type RecordEnforcementInput = z.infer<typeof recordEnforcementInput>;

/** The follow-up's input: a CodePipeline action event, or the reconciler's `{ "reconcile": true }`. */
export const planFollowUpInput = z.object({ input: z.unknown() });
export type PlanFollowUpInput = z.infer<typeof planFollowUpInput>;

const vendKey = z.object({ accountId, joinedAt: isoTime });

const plannedRepair = z.extend(vendKey, {
  region,
  pipelineExecutionId: z.string(),
  stage: z.string(),
  securityResourcesAt: isoTime,
});

const followUpDecision = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('close'),
    pipelineExecutionId: z.string(),
    customizationsCompletedAt: isoTime,
    prepareToCustomizationsSeconds: z.number(),
    gapClosedSeconds: z.optional(z.number()),
    reason: z.string(),
  }),
  z.object({ kind: z.literal('expire'), reason: z.string() }),
  z.object({ kind: z.literal('close-unfollowed'), reason: z.string() }),
]);

export const followUpPlan = z.object({
  mode: z.enum(['event', 'reconcile']),
  repairs: z.array(plannedRepair),
  settlements: z.array(z.extend(vendKey, { decision: followUpDecision })),
  /** Pending vends whose owner gave up after every region was verified: measure them now. */
  measure: z.array(vendKey),
  /** LZA below 1.14 after Security_Resources: a repair sweep of every account in these regions. */
  sweep: z.optional(z.object({ repair: z.literal(true), regions: z.array(region).check(z.minLength(1)) })),
  /** The Security_Resources completions the sweep follows; RecordFollowUp records them once it started. */
  followed: z._default(z.array(z.object({ pipelineExecutionId: z.string(), stage: z.string() })), []),
  /** The reconciler's re-drives: bootstrap requests to start, and vends past MAX_REDRIVES. */
  redrive: z._default(z.array(z.record(z.string(), z.unknown())), []),
  exhausted: z._default(z.array(vendKey), []),
  /** The named LZA pipeline is missing and these have its stages (lza.measureGap auto). */
  misnamedPipelines: z._default(z.array(z.string()), []),
  /** The plan was cut to FOLLOW_UP_CAPS: a new execution continues with the rest. */
  truncated: z._default(z.boolean(), false),
  ignored: z.optional(z.string()),
});

export type FollowUpPlanOutput = z.infer<typeof followUpPlan>;

export const recordFollowUpInput = z.object({
  execution: executionName,
  plan: followUpPlan,
  /** Each planned repair with its region result (RepairVerified, RepairRefused, RepairFailed). */
  results: z._default(z.array(regionResultWith(plannedRepair.shape)), []),
});

const concurrency = z.number().check(z.int(), z.gte(1), z.lte(1000));

/** The sweep's options: the execution input (Scheduler or CLI), defaults from config. */
export const sweepOptions = z.strictObject({
  repair: z.optional(z.boolean()),
  maxConcurrency: z.optional(concurrency),
  regions: z.optional(z.array(region).check(z.minLength(1))),
}) satisfies z.ZodMiniType<SweepRequest>;

export const sweepOptionsResolved = z.object({
  repair: z.boolean(),
  maxConcurrency: concurrency,
  regions: z.array(region).check(z.minLength(1)),
  startedAt: isoTime,
}) satisfies z.ZodMiniType<SweepOptions>;

const sweepPage = z.object({
  accountIds: z._default(z.array(accountId), []),
  nextToken: z.optional(z.string()),
  roleDeadline: z.optional(isoTime),
  skipped: z._default(z.object({ inactive: count, excluded: count }), { inactive: 0, excluded: 0 }),
}) satisfies z.ZodMiniType<SweepBatch>;

const sweepFinding = z.object({
  accountId,
  status: z.enum(['drifted', 'repaired', 'refused', 'failed', 'role-unavailable']),
  regions: z.record(z.string(), sweepRegionResult.shape.status),
  error: z.optional(z.string()),
});

export const sweepTotals = z.object({
  accountsChecked: count,
  accountsCompliant: count,
  driftDetected: count,
  driftRepaired: count,
  regionsRefused: count,
  regionsFailed: count,
  accountsRoleUnavailable: count,
  accountsFailed: count,
  batchesFailed: count,
  accountsUnswept: count,
  skippedInactive: count,
  skippedExcluded: count,
  findings: z.array(sweepFinding),
  findingsOmitted: count,
}) satisfies z.ZodMiniType<SweepTotals>;

/** The sweep state carried from batch to batch. */
export const sweepState = z.object({ options: sweepOptionsResolved, page: sweepPage, totals: sweepTotals });

/** The execution input, validated so that a typo gets a message naming it. */
export function parseSweepRequest(input: unknown): z.infer<typeof sweepOptions> {
  const parsed = sweepOptions.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  throw new InvalidRequestError(
    `invalid sweep input ${JSON.stringify(input)}: ${describeIssues(parsed.error).join('; ')} (expected { repair?, maxConcurrency?, regions? })`,
  );
}

/**
 * The sweep state carried between batches, or undefined on the first call: the state carries
 * `totals`, the execution's own input (a user's) never does.
 */
export function continuingSweep(input: unknown): z.infer<typeof sweepState> | undefined {
  const continuing = isRecord(input) && 'totals' in input;
  return continuing ? sweepState.parse(input) : undefined;
}

/**
 * What ListAccounts receives: the execution input on the first call (flat options, validated
 * by the handler so that a typo gets a clear message), then the sweep state on every batch.
 */
export const listAccountsInput = z.object({ sweep: z.unknown() });

export const recordSweepInput = z.object({
  options: sweepOptionsResolved,
  page: sweepPage,
  totals: sweepTotals,
  /** The batch's account results; absent when its Map failed as a whole (`batchError`). */
  results: z._default(
    z.array(
      z.object({
        accountId,
        regions: z.optional(z.array(sweepRegionResult)),
        roleError: z.optional(z.string()),
      }),
    ),
    [],
  ),
  batchError: z.optional(taskError),
});

export type RecordSweepInput = z.infer<typeof recordSweepInput>;
export type ListAccountsInput = z.infer<typeof listAccountsInput>;
export type RecordFollowUpInput = z.infer<typeof recordFollowUpInput>;
