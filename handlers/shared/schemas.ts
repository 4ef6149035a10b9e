import { z } from 'zod';
import { ACCOUNT_ID_PATTERN, REGION_PATTERN } from '#core/config.ts';

/** Inputs the state machine passes to each Task. They never carry credentials. */
const accountId = z.string().regex(ACCOUNT_ID_PATTERN);
const region = z.string().regex(REGION_PATTERN);
const isoTime = z.iso.datetime({ offset: true });

export const resolveRequestInput = z.object({ event: z.unknown() });

export const awaitRoleInput = z.object({ accountId, deadline: isoTime });

export const regionTaskInput = z.object({ accountId, region });

export const request = z.object({
  accountId,
  trigger: z.string(),
  vendedAt: isoTime,
  regions: z.array(region).min(1),
  isVend: z.boolean(),
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
});

export const recordEnforcementInput = z.object({
  request,
  role: z.object({ roleName: z.string(), assumableAt: isoTime }).optional(),
  roleError: z.object({ Error: z.string(), Cause: z.string().optional() }).optional(),
  regions: z.array(regionResult).default([]),
});

export type RegionTaskInput = z.infer<typeof regionTaskInput>;
export type RecordEnforcementInput = z.infer<typeof recordEnforcementInput>;
export type RegionResult = z.infer<typeof regionResult>;

export const regionMilestones = z.object({
  covered: z.boolean(),
  securityResourcesAt: isoTime.optional(),
  customizationsAt: isoTime.optional(),
  reverified: z.boolean().optional(),
});

export const gapState = z.object({
  phase: z.enum(['start', 'skipped', 'waiting', 'reverify', 'complete', 'timed-out']),
  reason: z.string().optional(),
  deadline: isoTime.optional(),
  pollSeconds: z.number().optional(),
  pipelineExecutionId: z.string().optional(),
  regions: z.record(z.string(), regionMilestones).default({}),
  reverifyRegions: z.array(region).default([]),
  regressionsRepaired: z.number().int().min(0).default(0),
  customizationsCompletedAt: isoTime.optional(),
  prepareToCustomizationsSeconds: z.number().optional(),
  gapClosedSeconds: z.number().optional(),
});

export const trackPipelineInput = z.object({
  request,
  summary: z.object({ runAsVerifiedAt: isoTime.optional() }).loose(),
  gap: gapState,
  repairs: z.array(regionResult).default([]),
  /** The enforcement outcome per region: only regions we made compliant are guarded. */
  outcomes: z.array(regionResult).default([]),
});

export const recordGapInput = z.object({
  request,
  summary: z.object({ runAsVerifiedAt: isoTime.optional() }).loose(),
  gap: gapState,
});

export type GapState = z.infer<typeof gapState>;
