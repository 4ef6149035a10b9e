/**
 * The IAM grant that lets the product's Lambdas assume member roles, fenced to the organization
 * (ARCHITECTURE decision 14): `aws:ResourceOrgID` must be the organization's id, so a role of the
 * same name in an account outside the organization cannot be assumed even if code asked; and
 * `aws:ResourceAccount` must not be the management account, which LZA manages and this tool never
 * bootstraps. One source for the CDK stack and the local runtime's deployment.
 */

/**
 * The organization id when the config does not name one: resolved by IAM at request time to the
 * caller's own organization (a global condition key used as a policy variable: IAM User Guide,
 * "IAM policy elements: Variables and tags"). The Lambdas run in the management account, whose
 * organization is the members'.
 */
// biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template.
export const CALLER_ORGANIZATION = '${aws:PrincipalOrgID}';

export function memberRoleGrantCondition(
  organizationId: string | undefined,
  managementAccountId: string,
): Record<string, Record<string, string>> {
  return {
    StringEquals: { 'aws:ResourceOrgID': organizationId ?? CALLER_ORGANIZATION },
    StringNotEquals: { 'aws:ResourceAccount': managementAccountId },
  };
}

/** The whole statement, with the member role ARNs in every account (`arn:<partition>:iam::*:role/<name>`). */
export function memberRoleGrantStatement(options: {
  partition: string;
  roleNames: readonly string[];
  organizationId: string | undefined;
  managementAccountId: string;
}) {
  return {
    Sid: 'AssumeMemberRoles',
    Effect: 'Allow' as const,
    Action: ['sts:AssumeRole'],
    Resource: options.roleNames.map((name) => `arn:${options.partition}:iam::*:role/${name}`),
    Condition: memberRoleGrantCondition(options.organizationId, options.managementAccountId),
  };
}
