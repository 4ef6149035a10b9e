import { partition } from '@aws-sdk/util-endpoints';

/**
 * Regions and partitions from the AWS SDK's own partition table (the data the SDK resolves
 * endpoints with), not from a hand-written list. Pure data: no I/O, no client.
 */

export type Partition = string;

/** Pseudo-regions in the table that are not places a document can live (`aws-global`, …). */
const PSEUDO_REGION = /-global$|^aws-/;

/** Whether the SDK's partition table lists `region` by name. */
export function isKnownRegion(region: string): boolean {
  if (PSEUDO_REGION.test(region)) return false;
  return 'description' in partition(region);
}

/** The partition of a known region (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso-e`, …). */
export function partitionOf(region: string): Partition {
  return partition(region).name;
}
