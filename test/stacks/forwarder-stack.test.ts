import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { vendEventRules } from '#core/vend/rules.ts';
import { forwarderRegionFor } from '#stacks/forwarder-stack.ts';
import {
  allStatements,
  MANAGEMENT_ACCOUNT,
  partitionArn,
  required,
  type SynthesizedApp,
  synthApp,
  templateOf,
  testConfig,
} from './stack-fixture.ts';

const forwardedRules = vendEventRules().filter((rule) => rule.deliveredIn === 'us-east-1');

function templateJson(app: SynthesizedApp): string {
  return JSON.stringify(Object.values(app.templates).map((template) => template.toJSON()));
}

describe('forwarderRegionFor', () => {
  it.each([
    ['eu-west-1', 'us-east-1'],
    ['us-east-1', undefined],
    ['us-gov-east-1', 'us-gov-west-1'],
    ['us-gov-west-1', undefined],
    ['cn-north-1', 'cn-northwest-1'],
    ['us-iso-east-1', undefined],
  ])('for home region %s is %s', (home, expected) => {
    // Act
    const region = forwarderRegionFor(home);
    // Assess
    expect(region).toBe(expected);
  });
});

describe('ForwarderStack', () => {
  let away: SynthesizedApp;

  beforeAll(() => {
    away = synthApp(testConfig({ homeRegion: 'eu-west-1' }), { defaultAccount: MANAGEMENT_ACCOUNT });
  });

  it('is deployed to us-east-1 in the management account when home is elsewhere', () => {
    // Assess
    const forwarder = required(away.forwarder, 'a forwarder stack');
    expect(forwarder.region).toBe('us-east-1');
    expect(forwarder.account).toBe(MANAGEMENT_ACCOUNT);
    expect(forwarder.stackName).toBe('RunAsBootstrapperForwarder');
    expect(away.bootstrapper.region).toBe('eu-west-1');
  });

  it('forwards exactly the rules delivered in us-east-1', () => {
    // Assess
    expect(forwardedRules.map((rule) => rule.id).sort()).toEqual([
      'organizations-account-joined',
      'organizations-create-account-succeeded',
    ]);
    templateOf(away, 'forwarder').resourceCountIs('AWS::Events::Rule', forwardedRules.length);
  });

  it.each(forwardedRules.map((rule) => [rule.id, rule] as const))(
    'forwards %s unchanged to the default bus of the home region, with a role and a DLQ',
    (_id, rule) => {
      // Prepare
      const forwarder = required(away.forwarder, 'a forwarder stack');
      const queue = forwarder.getLogicalId(forwarder.deadLetterQueue.queue.node.defaultChild as never);
      const role = forwarder.getLogicalId(forwarder.role.node.defaultChild as never);
      // Assess
      templateOf(away, 'forwarder').hasResourceProperties('AWS::Events::Rule', {
        EventPattern: Match.exact(rule.pattern),
        Targets: Match.exact([
          {
            Id: 'Target0',
            Arn: partitionArn(`:events:eu-west-1:${MANAGEMENT_ACCOUNT}:event-bus/default`),
            RoleArn: { 'Fn::GetAtt': [role, 'Arn'] },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } },
          },
        ]),
      });
    },
  );

  it('may put events on the home default bus only', () => {
    // Act
    const statements = allStatements(templateOf(away, 'forwarder'));
    // Assess
    expect(statements).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: partitionArn(`:events:eu-west-1:${MANAGEMENT_ACCOUNT}:event-bus/default`),
      }),
    ]);
  });

  it('keeps a TLS-only, encrypted dead-letter queue for 14 days', () => {
    // Assess
    templateOf(away, 'forwarder').hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    templateOf(away, 'forwarder').hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('is absent when home is us-east-1, where the Organizations events arrive natively', () => {
    // Act
    const home = synthApp(testConfig({ homeRegion: 'us-east-1' }), { defaultAccount: MANAGEMENT_ACCOUNT });
    // Assess
    expect(home.forwarder).toBeUndefined();
    expect(home.app.synth().stacks.map((stack) => stack.stackName)).toEqual(['RunAsBootstrapper']);
    // Every vend rule in the home stack, plus the LZA follow-up rule.
    home.templates.bootstrapper.resourceCountIs('AWS::Events::Rule', vendEventRules().length + 1);
  });

  it('takes the home region from the CLI environment when the config names none', () => {
    // Act
    const fromEnv = synthApp(testConfig(), {
      defaultAccount: MANAGEMENT_ACCOUNT,
      defaultRegion: 'ap-southeast-2',
    });
    // Assess
    expect(fromEnv.bootstrapper.region).toBe('ap-southeast-2');
    expect(required(fromEnv.forwarder, 'a forwarder stack').region).toBe('us-east-1');
  });
});

describe('partition handling', () => {
  it('builds every ARN from AWS::Partition in GovCloud, with no literal arn:aws:', () => {
    // Prepare
    const gov = synthApp(testConfig({ homeRegion: 'us-gov-east-1', governedRegions: ['us-gov-east-1'] }), {
      defaultAccount: MANAGEMENT_ACCOUNT,
    });
    // Act
    const json = templateJson(gov);
    // Assess
    expect(required(gov.forwarder, 'a forwarder stack').region).toBe('us-gov-west-1');
    expect(json).not.toMatch(/arn:aws[:-]/);
    expect(json).toContain('"Ref":"AWS::Partition"');
    templateOf(gov, 'forwarder').hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        Match.objectLike({
          Arn: partitionArn(`:events:us-gov-east-1:${MANAGEMENT_ACCOUNT}:event-bus/default`),
        }),
      ],
    });
  });

  it('writes no literal arn:aws: in the commercial partition either', () => {
    // Prepare
    const commercial = synthApp(testConfig({ homeRegion: 'eu-west-1' }), {
      defaultAccount: MANAGEMENT_ACCOUNT,
    });
    // Act
    const json = templateJson(commercial);
    // Assess
    expect(json).not.toMatch(/arn:aws[:-]/);
  });
});
