/**
 * A hub account (the AFT pattern, docs/organization-shapes.md): the product runs in the hub; the
 * management account holds only event forwarding and one hop role. The hub's Lambdas chain
 * hub role -> hop role -> member role; a chained session lasts at most one hour (IAM user
 * guide, "Role chaining"), and the member sessions the product opens last 15 minutes.
 */

/** The hop role in the management account, trusted only by the hub's Lambda roles. */
export const HOP_ROLE_NAME = 'runas-bootstrapper-hop';

/** The stack id suffix of the management account's stack in a hub deployment. */
export const MANAGEMENT_SUFFIX = 'Management';

/** The hub account, or undefined when the product runs in the management account. */
export function hubAccount(config: {
  managementAccountId?: string | undefined;
  hubAccountId?: string | undefined;
}): string | undefined {
  const hub = config.hubAccountId;
  return hub && hub !== config.managementAccountId ? hub : undefined;
}

/** The hop role's ARN in the management account. */
export function hopRoleArn(partition: string, managementAccountId: string): string {
  return `arn:${partition}:iam::${managementAccountId}:role/${HOP_ROLE_NAME}`;
}

/** The IAM policy variable for the caller's organization id, as a condition value. */
export const PRINCIPAL_ORG_ID_VARIABLE = `$${'{'}aws:PrincipalOrgID}`;
