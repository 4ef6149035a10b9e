import { Stack, type StackProps } from 'aws-cdk-lib';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import type { Construct } from 'constructs';
import type { BootstrapperConfig } from '#core/config.ts';
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
 * The SCP document: nobody in a member account changes the preferences document except the roles
 * this project assumes and the roles the operator exempts (LZA's, for example). SCPs never apply
 * to the management account or to service-linked roles.
 */
export function guardrailPolicyDocument(config: Pick<BootstrapperConfig, 'memberRoleNames' | 'guardrail'>) {
  const exempt = [...new Set([...config.memberRoleNames, ...config.guardrail.scp.exemptRoleNames])];
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ProtectSessionManagerPreferences',
        Effect: 'Deny',
        Action: [...GUARDED_ACTIONS],
        Resource: [`arn:*:ssm:*:*:document/${PREFERENCES_DOCUMENT_NAME}`],
        Condition: {
          ArnNotLike: { 'aws:PrincipalArn': exempt.map((name) => `arn:*:iam::*:role/${name}`) },
        },
      },
    ],
  };
}

export interface GuardrailStackProps extends StackProps {
  config: BootstrapperConfig;
}

/** Optional (guardrail.scp.enabled): deployed in the management account, attached to the targetIds. */
export class GuardrailStack extends Stack {
  readonly policy: organizations.CfnPolicy;

  constructor(scope: Construct, id: string, props: GuardrailStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.policy = new organizations.CfnPolicy(this, 'PreferencesGuardrail', {
      name: GUARDRAIL_POLICY_NAME,
      description: `Only the runas-bootstrapper member roles and exempt roles may change ${PREFERENCES_DOCUMENT_NAME}`,
      type: 'SERVICE_CONTROL_POLICY',
      // An object, not a string, so CloudFormation drift detection works.
      content: guardrailPolicyDocument(config),
      targetIds: config.guardrail.scp.targetIds,
    });
  }
}
