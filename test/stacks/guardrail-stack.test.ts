import {
  evaluatePolicy,
  evaluateServiceControlPolicies,
  type PolicyDocument,
  parsePolicyDocument,
} from '@runas-bootstrapper/local-cloud';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { sessionPolicy } from '#adapters/member-session.ts';
import { GUARDED_ACTIONS, GUARDRAIL_POLICY_NAME } from '#stacks/guardrail-stack.ts';
import {
  MANAGEMENT_ACCOUNT,
  onlyResource,
  required,
  type SynthesizedApp,
  synthApp,
  templateOf,
  testConfig,
} from './stack-fixture.ts';

const TARGETS = ['r-ab12', 'ou-ab12-cdefgh34'];

describe('GuardrailStack', () => {
  let guarded: SynthesizedApp;

  beforeAll(() => {
    guarded = synthApp(
      testConfig({
        guardrail: {
          scp: {
            enabled: true,
            targetIds: TARGETS,
            exemptRoleArns: ['arn:aws:iam::*:role/platform/break-glass-*'],
          },
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
    const guardrail = required(guarded.guardrail, 'a guardrail stack');
    expect(guardrail.stackName).toBe('RunAsBootstrapperGuardrail');
    expect(guardrail.account).toBe(MANAGEMENT_ACCOUNT);
    expect(guardrail.region).toBe('us-east-1');
    templateOf(guarded, 'guardrail').resourceCountIs('AWS::Organizations::Policy', 1);
  });

  it('attaches a service control policy to the configured roots and OUs', () => {
    // Assess
    templateOf(guarded, 'guardrail').hasResourceProperties('AWS::Organizations::Policy', {
      Name: GUARDRAIL_POLICY_NAME,
      Type: 'SERVICE_CONTROL_POLICY',
      TargetIds: TARGETS,
    });
  });

  it('denies changes to SSM-SessionManagerRunShell except by the member roles, LZA, Control Tower and the exempt roles', () => {
    // Assess
    templateOf(guarded, 'guardrail').hasResourceProperties('AWS::Organizations::Policy', {
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
                  'arn:*:iam::*:role/AWSAccelerator-*',
                  'arn:*:iam::*:role/cdk-accel-*',
                  'arn:aws:iam::*:role/platform/break-glass-*',
                ],
              },
            },
          },
        ],
      }),
    });
  });

  it('guards exactly the write actions that the member session policies allow', () => {
    // Prepare
    const actionsOf = (access: 'read' | 'write' | 'prune') =>
      JSON.parse(sessionPolicy('aws', MANAGEMENT_ACCOUNT, access)).Statement[0].Action as string[];
    // Act
    const writes = [...actionsOf('write'), ...actionsOf('prune')].filter(
      (action) => !actionsOf('read').includes(action),
    );
    // Assess
    expect([...GUARDED_ACTIONS].sort()).toEqual(writes.sort());
  });

  it('lists a role both built in and configured once', () => {
    // Prepare
    const config = testConfig({
      memberRoleNames: ['OrganizationAccountAccessRole'],
      guardrail: {
        scp: { enabled: true, targetIds: TARGETS, exemptRoleArns: ['arn:*:iam::*:role/AWSAccelerator-*'] },
      },
    });
    // Act
    const app = synthApp(config, { defaultAccount: MANAGEMENT_ACCOUNT, defaultRegion: 'us-east-1' });
    // Assess
    const policy = onlyResource(templateOf(app, 'guardrail'), 'AWS::Organizations::Policy');
    expect(policy.Properties.Content.Statement[0].Condition.ArnNotLike['aws:PrincipalArn']).toEqual([
      'arn:*:iam::*:role/OrganizationAccountAccessRole',
      'arn:*:iam::*:role/AWSAccelerator-*',
      'arn:*:iam::*:role/cdk-accel-*',
      'arn:*:iam::*:role/AWSControlTowerExecution',
    ]);
  });

  it('refuses at synth an SCP over the 5,120 characters Organizations allows, naming the field', () => {
    // Prepare
    const many = Array.from({ length: 120 }, (_, i) => `arn:*:iam::*:role/team-${i}-deployment-role-*`);
    const config = testConfig({
      guardrail: { scp: { enabled: true, targetIds: TARGETS, exemptRoleArns: many } },
    });
    // Act
    const synth = () => synthApp(config, { defaultAccount: MANAGEMENT_ACCOUNT, defaultRegion: 'us-east-1' });
    // Assess
    expect(synth).toThrow(/guardrail\.scp\.exemptRoleArns: the SCP would be \d+ characters, over the 5120/);
  });
});

describe('the guardrail SCP, evaluated as Organizations would', () => {
  const MEMBER = '222222222222';
  const DOCUMENT = `arn:aws:ssm:eu-west-1:${MEMBER}:document/SSM-SessionManagerRunShell`;
  let levels: PolicyDocument[][];

  beforeAll(() => {
    const app = synthApp(testConfig({ guardrail: { scp: { enabled: true, targetIds: TARGETS } } }), {
      defaultAccount: MANAGEMENT_ACCOUNT,
      defaultRegion: 'eu-west-1',
    });
    const content = onlyResource(templateOf(app, 'guardrail'), 'AWS::Organizations::Policy').Properties
      .Content;
    // Organizations attaches FullAWSAccess everywhere by default; the guardrail sits on the OU.
    const fullAccess = parsePolicyDocument(
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
    );
    levels = [[fullAccess], [fullAccess, parsePolicyDocument(JSON.stringify(content))], [fullAccess]];
  });

  const decide = (principalArn: string, action = 'ssm:UpdateDocument', resource = DOCUMENT) =>
    evaluateServiceControlPolicies(levels, action, resource, { 'aws:PrincipalArn': principalArn });

  it.each([
    // LZA's writer: the Custom::SsmSessionManagerSettings provider role CloudFormation named.
    `arn:aws:iam::${MEMBER}:role/AWSAccelerator-SecurityResourcesSt-CustomSsmSessionManager-1A2B3C4D5E6F`,
    // LZA's CloudFormation execution role (CDK bootstrap qualifier accel).
    `arn:aws:iam::${MEMBER}:role/cdk-accel-cfn-exec-role-${MEMBER}-eu-west-1`,
    // The member roles this tool assumes: for a role session, aws:PrincipalArn is the role.
    `arn:aws:iam::${MEMBER}:role/AWSControlTowerExecution`,
    `arn:aws:iam::${MEMBER}:role/OrganizationAccountAccessRole`,
  ])('allows %s to create, update, delete and promote the document', (principal) => {
    // Act / Assess
    for (const action of GUARDED_ACTIONS) expect(decide(principal, action), action).toBe('allow');
  });

  it("allows this tool's scoped sessions: the SCP and the session policy both allow its writes", () => {
    // Prepare
    const session = parsePolicyDocument(sessionPolicy('aws', MEMBER, 'write'));
    const principal = `arn:aws:iam::${MEMBER}:role/AWSControlTowerExecution`;
    // Act / Assess
    for (const action of ['ssm:CreateDocument', 'ssm:UpdateDocument', 'ssm:UpdateDocumentDefaultVersion']) {
      expect(decide(principal, action)).toBe('allow');
      expect(evaluatePolicy(session, action, DOCUMENT, { 'aws:PrincipalArn': principal })).toBe('allow');
    }
  });

  it.each([
    `arn:aws:iam::${MEMBER}:role/AWSReservedSSO_AdministratorAccess_0123456789abcdef`,
    `arn:aws:iam::${MEMBER}:role/Admin`,
    `arn:aws:iam::${MEMBER}:user/alice`,
    // A look-alike in a path, or a prefix that only starts like LZA's, is not exempt.
    `arn:aws:iam::${MEMBER}:role/evil/AWSAccelerator-x`,
    `arn:aws:iam::${MEMBER}:role/AWSAcceleratorX`,
  ])('denies %s any change to the document', (principal) => {
    // Act / Assess
    for (const action of GUARDED_ACTIONS) expect(decide(principal, action), action).toBe('explicit-deny');
  });

  it('leaves an account admin free to read it and to change any other document', () => {
    // Prepare
    const admin = `arn:aws:iam::${MEMBER}:role/Admin`;
    // Act / Assess
    expect(decide(admin, 'ssm:GetDocument')).toBe('allow');
    expect(decide(admin, 'ssm:UpdateDocument', DOCUMENT.replace('SSM-SessionManagerRunShell', 'Other'))).toBe(
      'allow',
    );
  });
});
