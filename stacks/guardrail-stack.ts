import { Stack, type StackProps } from 'aws-cdk-lib';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import type { Construct } from 'constructs';
import type { BootstrapperConfig } from '#core/config/config.ts';
import { guardrailPolicyDocument } from '#core/deploy/guardrail.ts';
import { PREFERENCES_DOCUMENT_NAME } from '#core/document/preferences.ts';
import { ConfigurationError } from '#core/shared/errors.ts';

export { GUARDRAIL_SUFFIX } from '#core/deploy/deployment.ts';
export const GUARDRAIL_POLICY_NAME = 'runas-bootstrapper-preferences-guardrail';

export {
  BUILT_IN_EXEMPT_ROLE_ARNS,
  exemptRoleArns,
  GUARDED_ACTIONS,
  guardrailPolicyDocument,
} from '#core/deploy/guardrail.ts';

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
