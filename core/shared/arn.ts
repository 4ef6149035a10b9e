import { InvalidRequestError } from './errors.ts';
import { PREFERENCES_DOCUMENT_NAME } from './names.ts';
import { isKnownRegion, type Partition, partitionOf } from './regions.ts';

/** The shape of a region name; whether it exists is the SDK partition table's call (`isKnownRegion`). */
export const REGION_PATTERN = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
/** IAM role names: 1-64 of letters, digits and `+=,.@_-`. */
export const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;

export { type Partition, partitionOf };

/** Throws InvalidRequestError unless `accountId` is exactly 12 ASCII digits. */
export function assertAccountId(accountId: unknown, what = 'account id'): asserts accountId is string {
  if (typeof accountId !== 'string' || !ACCOUNT_ID_PATTERN.test(accountId)) {
    throw new InvalidRequestError(`${what} ${JSON.stringify(accountId)} is not a 12-digit AWS account id`);
  }
}

export function assertRegion(region: unknown): asserts region is string {
  if (typeof region !== 'string' || !isKnownRegion(region)) {
    throw new InvalidRequestError(
      `region ${JSON.stringify(region)} is not an AWS region name (not in the AWS SDK's partition table)`,
    );
  }
}

/** Validated before use: an account id never reaches an ARN unchecked. */
export function roleArn(partition: Partition, accountId: string, roleName: string): string {
  assertAccountId(accountId);
  if (!ROLE_NAME_PATTERN.test(roleName))
    throw new InvalidRequestError(`role name ${JSON.stringify(roleName)} is invalid`);
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/** The preferences document in every region of one account. */
export function preferencesDocumentArn(partition: Partition, accountId: string, region = '*'): string {
  assertAccountId(accountId);
  return `arn:${partition}:ssm:${region}:${accountId}:document/${PREFERENCES_DOCUMENT_NAME}`;
}
