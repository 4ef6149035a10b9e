import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { sessionPolicy } from '#adapters/member-session.ts';
import { GUARDED_ACTIONS, GUARDRAIL_POLICY_NAME } from '#stacks/guardrail-stack.ts';
import { MANAGEMENT_ACCOUNT, type SynthesizedApp, synthApp, testConfig } from './stack-fixture.ts';

const TARGETS = ['r-ab12', 'ou-ab12-cdefgh34'];

describe('GuardrailStack', () => {
  let guarded: SynthesizedApp;

  beforeAll(() => {
    guarded = synthApp(
      testConfig({
        guardrail: {
          scp: { enabled: true, targetIds: TARGETS, exemptRoleNames: ['cdk-accel-cfn-exec-role'] },
        },
      }),
      { defaultAccount: MANAGEMENT_ACCOUNT, defaultRegion: 'us-east-1' },
    );
  });

  it('is absent by default', () => {
    // Act
    const plain = synthApp(testConfig(), { defaultAccount: MANAGEMENT_ACCOUNT, defaultRegion: 'us-east-1' });
    // Assess
    expect(plain.guardrail).toBeUndefined();
    expect(JSON.stringify(plain.templates.bootstrapper.toJSON())).not.toContain('AWS::Organizations::Policy');
  });

  it('is a stack of its own in the management account and home region when enabled', () => {
    // Assess
    expect(guarded.guardrail?.stackName).toBe('RunAsBootstrapperGuardrail');
    expect(guarded.guardrail?.account).toBe(MANAGEMENT_ACCOUNT);
    expect(guarded.guardrail?.region).toBe('us-east-1');
    guarded.templates.guardrail?.resourceCountIs('AWS::Organizations::Policy', 1);
  });

  it('attaches a service control policy to the configured roots and OUs', () => {
    // Assess
    guarded.templates.guardrail?.hasResourceProperties('AWS::Organizations::Policy', {
      Name: GUARDRAIL_POLICY_NAME,
      Type: 'SERVICE_CONTROL_POLICY',
      TargetIds: TARGETS,
    });
  });

  it('denies changes to SSM-SessionManagerRunShell except by the member roles and the exempt roles', () => {
    // Assess
    guarded.templates.guardrail?.hasResourceProperties('AWS::Organizations::Policy', {
      Content: Match.exact({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ProtectSessionManagerPreferences',
            Effect: 'Deny',
            Action: [
              'ssm:CreateDocument',
              'ssm:UpdateDocument',
              'ssm:DeleteDocument',
              'ssm:UpdateDocumentDefaultVersion',
            ],
            Resource: ['arn:*:ssm:*:*:document/SSM-SessionManagerRunShell'],
            Condition: {
              ArnNotLike: {
                'aws:PrincipalArn': [
                  'arn:*:iam::*:role/AWSControlTowerExecution',
                  'arn:*:iam::*:role/OrganizationAccountAccessRole',
                  'arn:*:iam::*:role/cdk-accel-cfn-exec-role',
                ],
              },
            },
          },
        ],
      }),
    });
  });

  it('guards exactly the write actions that the member session policy allows', () => {
    // Prepare
    const actionsOf = (access: 'read' | 'write') =>
      JSON.parse(sessionPolicy('aws', MANAGEMENT_ACCOUNT, access)).Statement[0].Action as string[];
    // Act
    const writes = actionsOf('write').filter((action) => !actionsOf('read').includes(action));
    // Assess
    expect([...GUARDED_ACTIONS].sort()).toEqual(writes.sort());
  });

  it('lists a role named in both memberRoleNames and exemptRoleNames once', () => {
    // Prepare
    const config = testConfig({
      guardrail: {
        scp: { enabled: true, targetIds: TARGETS, exemptRoleNames: ['AWSControlTowerExecution'] },
      },
    });
    // Act
    const app = synthApp(config, { defaultAccount: MANAGEMENT_ACCOUNT, defaultRegion: 'us-east-1' });
    // Assess
    const policy = Object.values(app.templates.guardrail!.findResources('AWS::Organizations::Policy'))[0];
    expect(policy?.Properties.Content.Statement[0].Condition.ArnNotLike['aws:PrincipalArn']).toEqual([
      'arn:*:iam::*:role/AWSControlTowerExecution',
      'arn:*:iam::*:role/OrganizationAccountAccessRole',
    ]);
  });
});
