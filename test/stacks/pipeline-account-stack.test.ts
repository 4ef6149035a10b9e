import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PIPELINE_READER_ROLE_NAME } from '#core/deploy/pipeline-account.ts';
import { followUpEventPattern } from '#core/vend/ledger.ts';
import {
  MANAGEMENT_ACCOUNT,
  type SynthesizedApp,
  statementsOfRole,
  synthApp,
  testConfig,
} from './stack-fixture.ts';

const PIPELINE_ACCOUNT = '222222222222';
let built: SynthesizedApp;

beforeAll(() => {
  built = synthApp(
    testConfig({ lza: { pipelineAccountId: PIPELINE_ACCOUNT, pipelineName: 'acme-pipeline' } }),
    {
      defaultAccount: MANAGEMENT_ACCOUNT,
      defaultRegion: 'eu-west-1',
      nag: false,
    },
  );
});

describe('LZA with an external pipeline account', () => {
  it('puts a stack in the pipeline account, in the home region', () => {
    // Assess
    const stack = built.pipelineAccount;
    expect(stack).toBeDefined();
    expect(stack!.account).toBe(PIPELINE_ACCOUNT);
    expect(stack!.region).toBe('eu-west-1');
  });

  it("forwards the follow-up's pipeline events to the management account's home bus, with a role", () => {
    // Prepare
    const template = built.templates.pipelineAccount!;
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: followUpEventPattern('acme-pipeline'),
      Targets: [
        Match.objectLike({
          Arn: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                `:events:eu-west-1:${MANAGEMENT_ACCOUNT}:event-bus/default`,
              ],
            ],
          },
          RoleArn: Match.anyValue(),
          DeadLetterConfig: Match.anyValue(),
        }),
      ],
    });
  });

  it('holds a read-only role that only the home PlanFollowUp role may assume', () => {
    // Prepare
    const template = built.templates.pipelineAccount!;
    const roles = template.findResources('AWS::IAM::Role', {
      Properties: { RoleName: PIPELINE_READER_ROLE_NAME },
    });
    const [logicalId] = Object.keys(roles);
    // Assess
    expect(logicalId).toBeDefined();
    const trust = roles[logicalId!]!.Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toHaveLength(1);
    expect(JSON.stringify(trust[0].Principal)).toContain(`:iam::${MANAGEMENT_ACCOUNT}:root`);
    expect(JSON.stringify(trust[0].Condition.ArnLike['aws:PrincipalArn'])).toContain(
      `:iam::${MANAGEMENT_ACCOUNT}:role/RunAsBootstrapper-PlanFollowUpRole*`,
    );
    const statements = statementsOfRole(template, logicalId!);
    // Under lza.measureGap auto also the account's pipeline names and LZA-named layouts (a misnamed pipeline).
    expect(statements.flatMap((s) => [s.Action].flat()).sort()).toEqual([
      'codepipeline:GetPipeline',
      'codepipeline:ListActionExecutions',
      'codepipeline:ListPipelineExecutions',
      'codepipeline:ListPipelines',
    ]);
    expect(
      JSON.stringify(
        statements.find((s) => [s.Action].flat().includes('codepipeline:GetPipeline'))?.Resource,
      ),
    ).toContain(`:codepipeline:eu-west-1:${PIPELINE_ACCOUNT}:*-pipeline`);
    expect(JSON.stringify(statements[0]?.Resource)).toContain(
      `:codepipeline:eu-west-1:${PIPELINE_ACCOUNT}:acme-pipeline`,
    );
  });

  it('lets the home bus accept the pipeline account, and PlanFollowUp assume only the reader role', () => {
    // Prepare
    const template = built.templates.bootstrapper;
    const role = built.bootstrapper.handlerRoles['plan-follow-up'];
    const statements = statementsOfRole(
      template,
      built.bootstrapper.getLogicalId(role.node.defaultChild as never),
    );
    // Assess
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: 'default',
      Action: 'events:PutEvents',
      Principal: PIPELINE_ACCOUNT,
    });
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).toContain('sts:AssumeRole');
    expect(actions.filter((a) => a.startsWith('codepipeline:'))).toEqual([]);
    const assume = statements.find((s) => [s.Action].flat().includes('sts:AssumeRole'));
    expect(JSON.stringify(assume?.Resource)).toContain(
      `:iam::${PIPELINE_ACCOUNT}:role/${PIPELINE_READER_ROLE_NAME}`,
    );
  });

  it('is absent when the pipeline runs in the management account', () => {
    // Act
    const plain = synthApp(testConfig({ lza: { pipelineAccountId: MANAGEMENT_ACCOUNT } }), {
      defaultAccount: MANAGEMENT_ACCOUNT,
      defaultRegion: 'eu-west-1',
      nag: false,
    });
    // Assess
    expect(plain.pipelineAccount).toBeUndefined();
    expect(Object.keys(plain.templates.bootstrapper.findResources('AWS::Events::EventBusPolicy'))).toEqual(
      [],
    );
  });
});
