import { type Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { NAG_REASONS } from './nag-reasons.ts';

/**
 * What `lza.measureGap` auto needs to tell a misnamed LZA pipeline from an organization without
 * LZA (adapters/organization-shape.ts `lzaShaped`): the account's pipeline names, and the layout
 * of those LZA's installer could have named (`<qualifier>-pipeline`, `AWSAccelerator-Pipeline`).
 * ListPipelines has no resource-level permissions (CodePipeline permissions reference,
 * https://docs.aws.amazon.com/codepipeline/latest/userguide/permissions-reference.html).
 */
export function pipelineLayoutStatements(stack: Stack): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ListPipelineNames',
      actions: ['codepipeline:ListPipelines'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ReadLzaShapedPipelineLayouts',
      actions: ['codepipeline:GetPipeline'],
      resources: ['*-pipeline', '*-Pipeline'].map((resource) =>
        stack.formatArn({ service: 'codepipeline', resource }),
      ),
    }),
  ];
}

/** The cdk-nag acknowledgements of `pipelineLayoutStatements` on the policy that holds them. */
export function acknowledgePipelineLayouts(
  stack: Stack,
  policy: IConstruct,
  /** false where the policy's `Resource::*` finding is already acknowledged (the hop role's ListAccounts). */
  wildcard = true,
): void {
  // cdk-nag names the resource as synthesized: a literal region and account, or their pseudo-parameters.
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  if (wildcard)
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: NAG_REASONS.listPipelines,
    });
  for (const suffix of ['pipeline', 'Pipeline'])
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:codepipeline:${region}:${account}:*-${suffix}]`,
      reason: NAG_REASONS.lzaShapedPipelines,
    });
}
