import {
  type LatencyDistribution,
  SeededRandom,
  sampleLogNormal,
  seedFromString,
} from '@runas-bootstrapper/local-cloud';

/**
 * CloudFormation StackSets with automatic deployment to the OU. AWS publishes no latency: the
 * docs say only that adding an account to a target OU queues a create operation, and a
 * StackSet deploys its regions one after another unless told otherwise
 * (StackSetOperationPreferences, RegionConcurrencyType SEQUENTIAL by default). Public reports
 * put a simple StackSet deployment at 2-5 minutes. Modelled: the trigger, then each region in
 * turn. Shared by the demo's comparison and the bench's anchors.
 */
export const STACKSETS_MODEL = {
  trigger: {
    medianMs: 120_000,
    p99Ms: 600_000,
    source:
      'assumption: CloudFormation docs (automatic deployments) say the operation is queued when the account joins the OU, with no figure; 1-3 minutes typical',
  },
  perRegion: {
    medianMs: 120_000,
    p99Ms: 360_000,
    source:
      'prowler-cloud/prowler PR 12512: a StackSet deployment typically takes 2-5 minutes; regions in sequence (StackSetOperationPreferences default)',
  },
} satisfies Record<string, LatencyDistribution>;

/** One seeded draw, in seconds: the same account and region always draw the same value. */
export function drawSeconds(distribution: LatencyDistribution, seed: number, key: string): number {
  return sampleLogNormal(distribution, new SeededRandom(seedFromString(`${seed}|${key}`))) / 1000;
}

/** Seconds from an account's join to StackSets' last region deployed, drawn from STACKSETS_MODEL. */
export function stackSetsSeconds(accountId: string, regions: readonly string[], seed: number): number {
  let seconds = drawSeconds(STACKSETS_MODEL.trigger, seed, `stacksets|${accountId}`);
  for (const region of regions)
    seconds += drawSeconds(STACKSETS_MODEL.perRegion, seed, `stacksets|${accountId}|${region}`);
  return Number(seconds.toFixed(1));
}

/**
 * When AFT's wait first finds a role that became assumable `roleSeconds` after the vend
 * (docs/aws-behaviour.md#aft-role-wait, observed prior art): AssumeRole every 5 s for a minute, a 65 s sleep, then its
 * state machine's retries after 60 s with back-off 1.5 (about 13 minutes in all).
 */
export function aftRoleFoundSeconds(roleSeconds: number): number {
  if (roleSeconds <= 60) return Math.ceil(roleSeconds / 5) * 5;
  let at = 60 + 65;
  let interval = 60;
  while (at < roleSeconds) {
    at += interval;
    interval *= 1.5;
  }
  return at;
}
