import { Stack, type StackProps } from 'aws-cdk-lib';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import type { Construct } from 'constructs';
import type { BootstrapperConfig } from '#core/config.ts';
import { ConfigurationError } from '#core/errors.ts';
import { PREFERENCES_DOCUMENT_NAME } from '#core/preferences.ts';

/** Appended to the bootstrapper's stack name: `RunAsBootstrapperGuardrail` by default. */
export const GUARDRAIL_SUFFIX = 'Guardrail';
export const GUARDRAIL_POLICY_NAME = 'runas-bootstrapper-preferences-guardrail';

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

/** SCPs are limited to 5,120 characters (minified JSON). */
export const MAX_SCP_CHARACTERS = 5120;

export interface GuardrailStackProps extends StackProps {
  config: BootstrapperConfig;
}

/** Optional (guardrail.scp.enabled): deployed in the management account, attached to the targetIds. */
export class GuardrailStack extends Stack {
  readonly policy: organizations.CfnPolicy;

  constructor(scope: Construct, id: string, props: GuardrailStackProps) {
    super(scope, id, props);
    const { config } = props;
    const content = guardrailPolicyDocument(config);
    const size = JSON.stringify(content).length;
    if (size > MAX_SCP_CHARACTERS) {
      throw new ConfigurationError(
        `guardrail.scp.exemptRoleArns: the SCP would be ${size} characters, over the ${MAX_SCP_CHARACTERS} Organizations allows; list fewer or broader patterns`,
      );
    }
    this.policy = new organizations.CfnPolicy(this, 'PreferencesGuardrail', {
      name: GUARDRAIL_POLICY_NAME,
      description: `Only the runas-bootstrapper member roles, LZA, Control Tower and exempt roles may change ${PREFERENCES_DOCUMENT_NAME}`,
      type: 'SERVICE_CONTROL_POLICY',
      // An object, not a string, so CloudFormation drift detection works.
      content,
      targetIds: config.guardrail.scp.targetIds,
    });
  }
}
