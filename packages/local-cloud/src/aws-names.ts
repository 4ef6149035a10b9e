import { partition } from '@aws-sdk/util-endpoints';

/**
 * The names AWS accepts, as the cloud enforces them: what Organizations and IAM validate before
 * they look anything up, and which regions exist at all.
 */

/** Organizations: an account id is exactly 12 digits. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/** IAM: a role name is 1-64 characters of letters, digits and `+=,.@_-`. */
export const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;

/**
 * Whether the AWS SDK's partition table names `region` as a real region. The table also lists
 * endpoints that are not places (`aws-global`, `aws-us-gov-global`), which no document lives in.
 */
export function isKnownRegion(region: string): boolean {
  if (/-global$|^aws-/.test(region)) return false;
  return 'description' in partition(region);
}
