import { REGION_PATTERN } from '../shared/arn.ts';
import '../shared/validation.ts';
import * as z from 'zod/mini';

/**
 * The per-region result of enforcing RunAs, defined once. ApplyPreferences and VerifyPreferences
 * return `ApplyResult` and `VerifyResult`; the ASL's RegionCompliant, RegionRefused and
 * RegionFailed Pass states (RepairVerified, RepairRefused and RepairFailed in the follow-up) build a
 * `RegionResult` from them or from the caught error; RecordEnforcement and RecordFollowUp parse it.
 * A contract test runs those Pass states and checks what they build against these schemas.
 */

/** A region in state-machine data: the config already checked it against the SDK's partition table. */
export const region = z.string().check(z.regex(REGION_PATTERN));
/** An ISO-8601 time with an offset, as the handlers write them. */
export const isoTime = z.iso.datetime({ offset: true });

/** What ApplyPreferences did. A refusal is never an action: the store throws it (see PreferencesStore.apply). */
export const applyResult = z.object({
  region,
  action: z.enum(['created', 'updated', 'unchanged']),
  /** Latest version before the call; absent when the document did not exist. */
  versionBefore: z.optional(z.string()),
  /** Latest (and default) version after the call. */
  versionAfter: z.optional(z.string()),
  /** Whether a version was made the default. */
  promoted: z.boolean(),
  /** A Failed `$LATEST` was replaced by a new version built from this (default) version. */
  repairedFrom: z.optional(z.string()),
  /** Old versions deleted under the pruning policy at SSM's version limit. */
  pruned: z.optional(z.array(z.string())),
});

/** What VerifyPreferences read back: both versions Active and carrying the setting. */
export const verifyResult = z.object({
  region,
  verifiedAt: isoTime,
  latestVersion: z.string(),
  defaultVersion: z.string(),
});

/** A Catch's `{ Error, Cause }`, as the Pass states copy it. */
const failure = { error: z.string(), cause: z.optional(z.string()) };

/**
 * The ASL always builds every field here (the contract test holds it to that); the readers need
 * only the status, action and time, so the versions and ApplyPreferences' output stay optional.
 */
const compliantRegion = z.object({
  region,
  status: z.literal('compliant'),
  action: applyResult.shape.action,
  verifiedAt: isoTime,
  latestVersion: z.optional(z.string()),
  defaultVersion: z.optional(z.string()),
  /** ApplyPreferences' own output: versions it pruned, a Failed version it repaired. */
  apply: z.optional(applyResult),
});

/** The document is one we may not merge into (PreferencesDocumentInvalidError): left as it is. */
const refusedRegion = z.object({
  region,
  status: z.literal('refused'),
  action: z.literal('refused'),
  ...failure,
});

/** Any other error, after the ASL's retries. */
const failedRegion = z.object({ region, status: z.literal('failed'), ...failure });

export const regionResult = z.discriminatedUnion('status', [compliantRegion, refusedRegion, failedRegion]);

/** The same result with the fields of the work item that produced it (the follow-up's planned repair). */
export function regionResultWith<Shape extends z.core.$ZodShape>(shape: Shape) {
  return z.discriminatedUnion('status', [
    z.extend(compliantRegion, shape),
    z.extend(refusedRegion, shape),
    z.extend(failedRegion, shape),
  ]);
}

/**
 * One account × region of a sweep, as the sweep ASL's Region* Pass states build it:
 * - `compliant`: RunAs in effect, nothing written;
 * - `drifted`: missing or not as configured (check mode: reported, not changed);
 * - `repaired`: was missing or drifted, written and verified (repair mode);
 * - `refused`: a document we will not change (foreign or invalid), left as it is;
 * - `failed`: could not be read or written after retries.
 */
export const sweepRegionResult = z.object({
  region,
  status: z.enum(['compliant', 'drifted', 'repaired', 'refused', 'failed']),
  /** The error name for drifted, refused and failed regions. */
  error: z.optional(z.string()),
});

export type SweepRegionResult = z.infer<typeof sweepRegionResult>;
export type SweepRegionStatus = SweepRegionResult['status'];
export type ApplyResult = z.infer<typeof applyResult>;
export type ApplyAction = ApplyResult['action'];
export type VerifyResult = z.infer<typeof verifyResult>;
export type RegionResult = z.infer<typeof regionResult>;
export type RegionStatus = RegionResult['status'];
