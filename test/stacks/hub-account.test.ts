import { beforeAll, describe, expect, it } from 'vitest';
import { HOP_ROLE_NAME, PRINCIPAL_ORG_ID_VARIABLE } from '#core/deploy/hub.ts';
import { HANDLERS } from '#stacks/tasks.ts';
import {
  allStatements,
  MANAGEMENT_ACCOUNT,
  type SynthesizedApp,
  statementsOfRole,
  synthApp,
  testConfig,
} from './stack-fixture.ts';

const HUB = '333333333333';
let built: SynthesizedApp;

beforeAll(() => {
  built = synthApp(testConfig({ hubAccountId: HUB, managementAccountId: MANAGEMENT_ACCOUNT }), {
    defaultAccount: MANAGEMENT_ACCOUNT,
    defaultRegion: 'eu-west-1',
    nag: false,
  });
});

const actionsOf = (statements: { Action: string | string[] }[]) =>
  statements.flatMap((s) => [s.Action].flat());

describe('a hub account (hubAccountId)', () => {
  it('puts the product in the hub, and in the management account only stacks without a Lambda', () => {
    // Prepare
    const inManagement = [built.management, built.forwarder].filter((stack) => stack !== undefined);
    // Assess
    expect(built.bootstrapper.account).toBe(HUB);
    expect(built.management?.account).toBe(MANAGEMENT_ACCOUNT);
    expect(built.forwarder?.account).toBe(MANAGEMENT_ACCOUNT);
    expect(inManagement).toHaveLength(2);
    expect(Object.keys(built.templates.management!.findResources('AWS::Lambda::Function'))).toEqual([]);
    expect(Object.keys(built.templates.forwarder!.findResources('AWS::Lambda::Function'))).toEqual([]);
    expect(Object.keys(built.templates.bootstrapper.findResources('AWS::Lambda::Function')).length).toBe(
      HANDLERS.length,
    );
  });

  it("forwards Control Tower, Organizations and LZA events to the hub's bus, which allows the management account", () => {
    // Prepare
    const hubBus = `:events:eu-west-1:${HUB}:event-bus/default`;
    const targetsOf = (template: NonNullable<SynthesizedApp['templates']['management']>) =>
      Object.values(template.findResources('AWS::Events::Rule')).flatMap(
        (r) => (r as { Properties: { Targets: { Arn: unknown; RoleArn?: unknown }[] } }).Properties.Targets,
      );
    // Assess
    const management = targetsOf(built.templates.management!);
    const forwarder = targetsOf(built.templates.forwarder!);
    expect(management.length).toBe(3);
    expect(forwarder.length).toBeGreaterThan(0);
    for (const target of [...management, ...forwarder]) {
      expect(JSON.stringify(target.Arn)).toContain(hubBus);
      expect(target.RoleArn).toBeDefined();
    }
    built.templates.bootstrapper.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Action: 'events:PutEvents',
      Principal: MANAGEMENT_ACCOUNT,
    });
  });

  it("holds one hop role, trusted only by the hub's task roles, with the product's reads and member roles in the org", () => {
    // Prepare
    const template = built.templates.management!;
    const roles = template.findResources('AWS::IAM::Role', { Properties: { RoleName: HOP_ROLE_NAME } });
    const [logicalId] = Object.keys(roles);
    // Assess
    expect(logicalId).toBeDefined();
    const [trust, ...others] = roles[logicalId!]!.Properties.AssumeRolePolicyDocument.Statement;
    expect(others).toEqual([]);
    expect(JSON.stringify(trust.Principal)).toContain(`:iam::${HUB}:root`);
    const trusted = JSON.stringify(trust.Condition.ArnLike['aws:PrincipalArn']);
    for (const spec of HANDLERS.filter((h) => h.access !== 'none'))
      expect(trusted).toContain(`:iam::${HUB}:role/RunAsBootstrapper-${spec.id}Role*`);
    const statements = statementsOfRole(template, logicalId!);
    // Under lza.measureGap auto also the account's pipeline names and LZA-named layouts (a misnamed pipeline).
    expect(actionsOf(statements).sort()).toEqual([
      'codepipeline:GetPipeline',
      'codepipeline:ListActionExecutions',
      'codepipeline:ListPipelineExecutions',
      'codepipeline:ListPipelines',
      'organizations:DescribeAccount',
      'organizations:ListAccounts',
      'sts:AssumeRole',
    ]);
    const assume = statements.find((s) => actionsOf([s]).includes('sts:AssumeRole'));
    expect(assume?.Condition).toEqual({ StringEquals: { 'aws:ResourceOrgID': PRINCIPAL_ORG_ID_VARIABLE } });
    expect(PRINCIPAL_ORG_ID_VARIABLE).toBe(['$', '{aws:PrincipalOrgID}'].join(''));
  });

  it("gives the hub's Lambdas no Organizations, member-role or pipeline grant: only the hop role", () => {
    // Prepare
    const statements = allStatements(built.templates.bootstrapper);
    // Act
    const actions = actionsOf(statements);
    const assumes = statements.filter((s) => actionsOf([s]).includes('sts:AssumeRole'));
    // Assess
    expect(actions.filter((a) => a.startsWith('organizations:') || a.startsWith('codepipeline:'))).toEqual(
      [],
    );
    expect(assumes.length).toBe(HANDLERS.filter((h) => h.access !== 'none').length);
    for (const statement of assumes)
      expect(JSON.stringify(statement.Resource)).toContain(
        `:iam::${MANAGEMENT_ACCOUNT}:role/${HOP_ROLE_NAME}`,
      );
  });

  it('forwards Organizations events from the management stack itself when home is us-east-1', () => {
    // Act
    const east = synthApp(testConfig({ hubAccountId: HUB, managementAccountId: MANAGEMENT_ACCOUNT }), {
      defaultAccount: MANAGEMENT_ACCOUNT,
      defaultRegion: 'us-east-1',
      nag: false,
    });
    // Assess: no forwarder stack, so the management stack forwards every vend rule but replay.
    expect(east.forwarder).toBeUndefined();
    const rules = Object.values(east.templates.management!.findResources('AWS::Events::Rule'));
    const sources = rules.flatMap(
      (r) => (r as { Properties: { EventPattern: { source: string[] } } }).Properties.EventPattern.source,
    );
    expect(new Set(sources)).toEqual(new Set(['aws.organizations', 'aws.controltower', 'aws.codepipeline']));
  });
});
