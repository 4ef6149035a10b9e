import * as z from 'zod';
import { ACCOUNT_ID_PATTERN, REGION_PATTERN } from '#core/config.ts';
import type { SweepOptions, SweepRequest, SweepTotals } from '#core/sweep.ts';

/** Inputs the state machine passes to each Task. They never carry credentials. */
const accountId = z.string().regex(ACCOUNT_ID_PATTERN);
// State-machine input: the regions were checked against the SDK's partition table in the config.
const region = z.string().regex(REGION_PATTERN);
const isoTime = z.iso.datetime({ offset: true });

export const resolveRequestInput = z.object({
  event: z.unknown(),
  /** The execution's name (`$$.Execution.Name`): the vend ledger records its owner by it. */
  execution: z.string().min(1).max(80),
});

export const awaitRoleInput = z.object({
  accountId,
  deadline: isoTime,
  /** The session to prove: `write` for a bootstrap (and cached for it), `read` for a check-only sweep. */
  access: z.enum(['read', 'write']).default('write'),
});

export const regionTaskInput = z.object({ accountId, region });

export const request = z.object({
  accountId,
  trigger: z.string(),
  vendedAt: isoTime,
  regions: z.array(region).min(1),
  isVend: z.boolean(),
  owner: z.boolean().default(false),
  invited: z.boolean().default(false),
  roleDeadline: isoTime,
  reason: z.string().optional(),
});

export const regionResult = z.object({
  region,
  status: z.enum(['compliant', 'failed', 'refused']),
  action: z.string().optional(),
  verifiedAt: isoTime.optional(),
  latestVersion: z.string().optional(),
  defaultVersion: z.string().optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
  /** ApplyPreferences' own output: versions it pruned at the version limit, a Failed version it repaired. */
  apply: z
    .object({ pruned: z.array(z.string()).optional(), repairedFrom: z.string().optional() })
    .loose()
    .optional(),
});

export const recordEnforcementInput = z.object({
  request,
  execution: z.string().min(1).max(80),
  role: z.object({ roleName: z.string(), assumableAt: isoTime }).optional(),
  roleError: z.object({ Error: z.string(), Cause: z.string().optional() }).optional(),
  regions: z.array(regionResult).default([]),
});

export type RegionTaskInput = z.infer<typeof regionTaskInput>;
export type RecordEnforcementInput = z.infer<typeof recordEnforcementInput>;
export type RegionResult = z.infer<typeof regionResult>;

/** The follow-up's input: a CodePipeline action event, or the reconciler's `{ "reconcile": true }`. */
export const planFollowUpInput = z.object({ input: z.unknown() });

const vendKey = z.object({ accountId, joinedAt: isoTime });

const plannedRepair = vendKey.extend({
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
    gapClosedSeconds: z.number().optional(),
    reason: z.string(),
  }),
  z.object({ kind: z.literal('expire'), reason: z.string() }),
]);

export const followUpPlan = z.object({
  mode: z.enum(['event', 'reconcile']),
  repairs: z.array(plannedRepair),
  settlements: z.array(vendKey.extend({ decision: followUpDecision })),
  /** Pending vends whose owner gave up after every region was verified: measure them now. */
  measure: z.array(vendKey),
  /** LZA below 1.14 after Security_Resources: a repair sweep of every account in these regions. */
  sweep: z.object({ repair: z.literal(true), regions: z.array(region).min(1) }).optional(),
  /** The plan was cut to FOLLOW_UP_CAPS: a new execution continues with the rest. */
  truncated: z.boolean().default(false),
  ignored: z.string().optional(),
});

export type FollowUpPlanOutput = z.infer<typeof followUpPlan>;

export const recordFollowUpInput = z.object({
  execution: z.string().min(1).max(80),
  plan: followUpPlan,
  results: z.array(plannedRepair.extend(regionResult.omit({ region: true }).shape)).default([]),
});

/** The sweep's options: the execution input (Scheduler or CLI), defaults from config. */
export const sweepOptions = z.strictObject({
  repair: z.boolean().optional(),
  maxConcurrency: z.number().int().min(1).max(1000).optional(),
  regions: z.array(region).min(1).optional(),
}) satisfies z.ZodType<SweepRequest>;

export const sweepOptionsResolved = z.object({
  repair: z.boolean(),
  maxConcurrency: z.number().int().min(1).max(1000),
  regions: z.array(region).min(1),
  startedAt: isoTime,
}) satisfies z.ZodType<SweepOptions>;

const sweepPage = z.object({
  accountIds: z.array(accountId).default([]),
  nextToken: z.string().optional(),
  roleDeadline: isoTime.optional(),
  skipped: z
    .object({ inactive: z.number().int(), excluded: z.number().int() })
    .default({ inactive: 0, excluded: 0 }),
});

const sweepRegionResult = z.object({
  region,
  status: z.enum(['compliant', 'drifted', 'repaired', 'refused', 'failed']),
  error: z.string().optional(),
});

const sweepFinding = z.object({
  accountId,
  status: z.enum(['drifted', 'repaired', 'refused', 'failed', 'role-unavailable']),
  regions: z.record(z.string(), sweepRegionResult.shape.status),
  error: z.string().optional(),
});

export const sweepTotals = z.object({
  accountsChecked: z.number().int(),
  accountsCompliant: z.number().int(),
  driftDetected: z.number().int(),
  driftRepaired: z.number().int(),
  regionsRefused: z.number().int(),
  regionsFailed: z.number().int(),
  accountsRoleUnavailable: z.number().int(),
  accountsFailed: z.number().int(),
  batchesFailed: z.number().int(),
  accountsUnswept: z.number().int(),
  skippedInactive: z.number().int(),
  skippedExcluded: z.number().int(),
  findings: z.array(sweepFinding),
  findingsOmitted: z.number().int(),
}) satisfies z.ZodType<SweepTotals>;

/** The sweep state carried from batch to batch. */
export const sweepState = z.object({ options: sweepOptionsResolved, page: sweepPage, totals: sweepTotals });

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
  results: z
    .array(
      z.object({
        accountId,
        regions: z.array(sweepRegionResult).optional(),
        roleError: z.string().optional(),
      }),
    )
    .default([]),
  batchError: z.object({ Error: z.string(), Cause: z.string().optional() }).optional(),
});

export type SweepPage = z.infer<typeof sweepPage>;
