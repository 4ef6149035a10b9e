import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { buildApp } from '#stacks/app.ts';
import { CDK_JSON_CONTEXT, MANAGEMENT_ACCOUNT, testConfig } from './stack-fixture.ts';

/** Unacknowledged AwsSolutions findings as `rule at construct path`, so a failure names each one. */
function findings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}`),
  );
}

function build(override: unknown, options: { defaultAccount?: string; defaultRegion?: string }) {
  return buildApp(testConfig(override), {
    appProps: { context: CDK_JSON_CONTEXT },
    bundling: false,
    nag: false,
    ...options,
  });
}

const guardrailOn = { guardrail: { scp: { enabled: true, targetIds: ['r-ab12'] } } };

describe('cdk-nag AwsSolutions', () => {
  it.each([
    [
      'the default config, with the forwarder',
      {},
      { defaultAccount: MANAGEMENT_ACCOUNT, defaultRegion: 'eu-west-1' },
    ],
    // Synth needs a region now; the account may still come from the deployment.
    ['the default config, account-agnostic', {}, { defaultRegion: 'us-east-1' }],
    [
      'the SCP guardrail enabled',
      guardrailOn,
      { defaultAccount: MANAGEMENT_ACCOUNT, defaultRegion: 'eu-west-1' },
    ],
    ['a GovCloud home region', { homeRegion: 'us-gov-east-1' }, { defaultAccount: MANAGEMENT_ACCOUNT }],
    [
      'a hub account',
      { hubAccountId: '333333333333', managementAccountId: MANAGEMENT_ACCOUNT },
      { defaultAccount: MANAGEMENT_ACCOUNT, defaultRegion: 'eu-west-1' },
    ],
    [
      'LZA in an external pipeline account',
      { lza: { pipelineAccountId: '222222222222' } },
      { defaultAccount: MANAGEMENT_ACCOUNT, defaultRegion: 'eu-west-1' },
    ],
  ])('reports zero unacknowledged findings for %s', (_label, override, options) => {
    // Prepare
    const { app } = build(override, options);
    // Act
    const unacknowledged = findings(app);
    // Assess
    expect(unacknowledged).toEqual([]);
  });

  it('checks every stack of the app', () => {
    // Prepare
    const { app, bootstrapper, forwarder, guardrail } = build(guardrailOn, {
      defaultAccount: MANAGEMENT_ACCOUNT,
      defaultRegion: 'eu-west-1',
    });
    // Assess
    expect([bootstrapper, forwarder, guardrail].every(Boolean)).toBe(true);
    expect(app.node.children).toHaveLength(3);
  });

  it('still flags a new wildcard on a member-role Lambda: the acknowledgements are that narrow', () => {
    // Prepare
    const { app, bootstrapper } = build(
      {},
      { defaultAccount: MANAGEMENT_ACCOUNT, defaultRegion: 'us-east-1' },
    );
    bootstrapper.handlerRoles['apply-preferences'].addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['ssm:GetDocument'], resources: ['*'] }),
    );
    // Act
    const unacknowledged = findings(app);
    // Assess
    expect(unacknowledged).toEqual([
      'AwsSolutions-IAM5[Resource::*] at RunAsBootstrapper/Tasks/ApplyPreferencesRole/DefaultPolicy/Resource',
    ]);
  });

  it('still flags a member role name that the config does not list', () => {
    // Prepare
    const { app, bootstrapper } = build(
      {},
      { defaultAccount: MANAGEMENT_ACCOUNT, defaultRegion: 'us-east-1' },
    );
    bootstrapper.handlerRoles['await-role'].addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['sts:AssumeRole'],
        resources: [
          bootstrapper.formatArn({
            service: 'iam',
            region: '',
            account: '*',
            resource: 'role',
            resourceName: 'Admin',
          }),
        ],
      }),
    );
    // Act
    const unacknowledged = findings(app);
    // Assess
    expect(unacknowledged).toEqual([
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/Admin] at RunAsBootstrapper/Tasks/AwaitRoleRole/DefaultPolicy/Resource',
    ]);
  });
});
