import type { BootstrapperConfig } from '../config/config.ts';
import { PREFERENCES_DOCUMENT_NAME } from '../document/preferences.ts';

/**
 * The optional SCP guardrail on the preferences document, as a pure policy document: the CDK app
 * deploys it (stacks/guardrail-stack.ts) and the local cloud enforces it on member accounts.
 */

export const GUARDED_ACTIONS = [
  'ssm:CreateDocument',
  'ssm:UpdateDocument',
  'ssm:DeleteDocument',
  'ssm:UpdateDocumentDefaultVersion',
] as const;

/**
 * Roles exempt from the guardrail in every configuration, as `aws:PrincipalArn` patterns (for a
 * role session, `aws:PrincipalArn` is the role's ARN, so one pattern covers every session):
 * - LZA's writer of the document is the `Custom::SsmSessionManagerSettings` provider Lambda in its
 *   SecurityResources stack, whose role CloudFormation names `AWSAccelerator-SecurityResources…-<random>`;
 *   LZA's other roles share the `AWSAccelerator-` prefix.
 * - LZA deploys its stacks with its CDK bootstrap (qualifier `accel`), whose CloudFormation
 *   execution role is `cdk-accel-cfn-exec-role-<account>-<region>`.
 * - Control Tower's execution role, which Control Tower and LZA use to administer member accounts.
 * The member roles this tool assumes are added from `memberRoleNames`.
 */
export const BUILT_IN_EXEMPT_ROLE_ARNS = [
  'arn:*:iam::*:role/AWSAccelerator-*',
  'arn:*:iam::*:role/cdk-accel-*',
  'arn:*:iam::*:role/AWSControlTowerExecution',
] as const;

/** Every exempt pattern, deduplicated, in a stable order: member roles, built-ins, then the operator's. */
export function exemptRoleArns(config: Pick<BootstrapperConfig, 'memberRoleNames' | 'guardrail'>): string[] {
  return [
    ...new Set([
      ...config.memberRoleNames.map((name) => `arn:*:iam::*:role/${name}`),
      ...BUILT_IN_EXEMPT_ROLE_ARNS,
      ...config.guardrail.scp.exemptRoleArns,
    ]),
  ];
}

/**
 * The SCP document: nobody in a member account changes the preferences document except the exempt
 * roles. SCPs never apply to the management account or to service-linked roles.
 */
export function guardrailPolicyDocument(config: Pick<BootstrapperConfig, 'memberRoleNames' | 'guardrail'>) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ProtectSessionManagerPreferences',
        Effect: 'Deny',
        Action: [...GUARDED_ACTIONS],
        Resource: [`arn:*:ssm:*:*:document/${PREFERENCES_DOCUMENT_NAME}`],
        Condition: { ArnNotLike: { 'aws:PrincipalArn': exemptRoleArns(config) } },
      },
    ],
  };
}
