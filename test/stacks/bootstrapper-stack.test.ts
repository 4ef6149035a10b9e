import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_ENV_VAR } from '#core/config/config.ts';
import { CALLER_ORGANIZATION } from '#core/deploy/member-role-grant.ts';
import {
  BOOTSTRAP_MACHINE,
  FOLLOW_UP_STATE_MACHINE_OUTPUT,
  SWEEP_MACHINE,
  VEND_LEDGER_TABLE_OUTPUT,
} from '#core/shared/names.ts';
import { followUpEventPattern, LEDGER_TABLE_ENV_VAR, OPEN_VENDS_INDEX } from '#core/vend/ledger.ts';
import { vendEventRules } from '#core/vend/rules.ts';
import {
  EVENT_MAX_AGE,
  EVENT_RETRY_ATTEMPTS,
  STATE_MACHINE_DIR,
  STATE_MACHINE_HANDLERS,
  STATE_MACHINES,
} from '#stacks/bootstrapper-stack.ts';
import type { FileStateMachine } from '#stacks/file-state-machine.ts';
import { HANDLERS } from '#stacks/tasks.ts';
import {
  allStatements,
  asArray,
  MANAGEMENT_ACCOUNT,
  onlyResource,
  type PolicyStatementJson,
  partitionArn,
  required,
  resourceById,
  type SynthesizedApp,
  statementsOfRole,
  synthApp,
  testConfig,
} from './stack-fixture.ts';

const ONE_YEAR_DAYS = 365;

let built: SynthesizedApp;
let template: Template;

function logicalId(construct: Parameters<SynthesizedApp['bootstrapper']['getLogicalId']>[0]): string {
  return built.bootstrapper.getLogicalId(construct);
}

/** The stack's state machine with this construct id (a key of STATE_MACHINES). */
function stateMachineOf(id: string) {
  const machines: Record<string, FileStateMachine> = {
    Bootstrap: built.bootstrapper.stateMachine,
    Sweep: built.bootstrapper.sweepStateMachine,
    FollowUp: built.bootstrapper.followUpStateMachine,
  };
  return required(machines[id], `state machine ${id}`);
}

function functionLogicalId(name: (typeof HANDLERS)[number]['name']): string {
  return logicalId(built.bootstrapper.functions[name].node.defaultChild as never);
}

function roleLogicalId(name: (typeof HANDLERS)[number]['name']): string {
  return logicalId(built.bootstrapper.handlerRoles[name].node.defaultChild as never);
}

function actionsOf(statement: PolicyStatementJson): string[] {
  return asArray(statement.Action);
}

/** The first statement that grants `action`; the test fails when none does. */
function statementWith(statements: PolicyStatementJson[], action: string): PolicyStatementJson {
  return required(
    statements.find((s) => actionsOf(s).includes(action)),
    `a statement granting ${action}`,
  );
}

beforeAll(() => {
  built = synthApp(testConfig(), { defaultAccount: MANAGEMENT_ACCOUNT, defaultRegion: 'eu-west-1' });
  template = built.templates.bootstrapper;
});

describe('BootstrapperStack vend rules', () => {
  const rules = vendEventRules({ managementAccountId: MANAGEMENT_ACCOUNT });

  it('creates exactly one rule per core vend rule, plus the LZA follow-up rule', () => {
    // Assess
    template.resourceCountIs('AWS::Events::Rule', rules.length + 1);
  });

  it.each(rules.map((rule) => [rule.id, rule] as const))(
    'matches the %s pattern from core exactly and starts the state machine with the whole event',
    (_id, rule) => {
      // Prepare
      const stateMachine = logicalId(built.bootstrapper.stateMachine.node.defaultChild as never);
      const queue = logicalId(built.bootstrapper.deadLetterQueue.queue.node.defaultChild as never);
      // Assess
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: Match.exact(rule.pattern),
        State: 'ENABLED',
        Targets: Match.exact([
          {
            Id: 'Target0',
            Arn: { Ref: stateMachine },
            RoleArn: Match.anyValue(),
            RetryPolicy: {
              MaximumRetryAttempts: EVENT_RETRY_ATTEMPTS,
              MaximumEventAgeInSeconds: EVENT_MAX_AGE.toSeconds(),
            },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } },
          },
        ]),
      });
    },
  );

  it('restricts replay requests to events put by the management account', () => {
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['runas-bootstrapper'], account: [MANAGEMENT_ACCOUNT] }),
    });
  });

  it('restricts replays to the deploying account when synthesized without an account', () => {
    // Prepare
    const agnostic = synthApp(testConfig(), { defaultRegion: 'us-east-1' });
    // Act
    const replay = required(
      Object.values(agnostic.templates.bootstrapper.findResources('AWS::Events::Rule')).find(
        (rule) => rule.Properties.EventPattern.source[0] === 'runas-bootstrapper',
      ),
      'the replay rule',
    );
    // Assess
    expect(replay.Properties.EventPattern.account).toEqual([{ Ref: 'AWS::AccountId' }]);
  });

  it('lets only the rules it created send to an encrypted, TLS-only dead-letter queue kept 14 days', () => {
    // Prepare
    const queue = logicalId(built.bootstrapper.deadLetterQueue.queue.node.defaultChild as never);
    // Assess
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    const policy = onlyResource(template, 'AWS::SQS::QueuePolicy');
    const statements = policy.Properties.PolicyDocument.Statement as PolicyStatementJson[];
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 'sqs:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    const senders = statements.filter((s) => s.Effect === 'Allow');
    // The vend rules and the LZA follow-up rule.
    expect(senders).toHaveLength(rules.length + 1);
    for (const sender of senders) {
      expect(sender).toMatchObject({
        Action: 'sqs:SendMessage',
        Principal: { Service: 'events.amazonaws.com' },
        Resource: { 'Fn::GetAtt': [queue, 'Arn'] },
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [expect.any(String), 'Arn'] } } },
      });
    }
  });
});

describe('BootstrapperStack state machine', () => {
  it('substitutes every placeholder of every ASL file, and nothing else', () => {
    // Prepare
    const aslFiles = readdirSync(STATE_MACHINE_DIR).filter((file) => file.endsWith('.asl.json'));
    const deployed = Object.entries(STATE_MACHINES) as [string, string][];
    // Assess: no ASL file is left undeployed, and each deployed file's placeholders are all substituted.
    expect(aslFiles.sort()).toEqual(deployed.map(([, file]) => file).sort());
    for (const [constructId, file] of deployed) {
      const text = readFileSync(path.join(STATE_MACHINE_DIR, file), 'utf8');
      const placeholders = new Set([...text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]));
      const stateMachine = stateMachineOf(constructId);
      const resource = resourceById(
        template,
        'AWS::StepFunctions::StateMachine',
        logicalId(stateMachine.node.defaultChild as never),
      );
      const substitutions = Object.keys(
        required(resource.Properties.DefinitionSubstitutions, 'substitutions'),
      );
      expect(new Set(substitutions), file).toEqual(placeholders);
      expect(placeholders.size, file).toBeGreaterThan(0);
    }
  });

  it.each(Object.keys(STATE_MACHINES))('%s maps each placeholder to the ARN of its own function', (id) => {
    // Prepare
    const stateMachine = stateMachineOf(id);
    const handlers = HANDLERS.filter((spec) =>
      STATE_MACHINE_HANDLERS[id as keyof typeof STATE_MACHINES].includes(spec.name),
    );
    // Assess
    const resource = resourceById(
      template,
      'AWS::StepFunctions::StateMachine',
      logicalId(stateMachine.node.defaultChild as never),
    );
    // The follow-up also names the sweep it starts after an LZA < 1.14 Security_Resources, the
    // bootstrap machine that the reconciler's re-drives start, and the stack's partition for the
    // startExecution integration.
    const sweep =
      id === 'FollowUp'
        ? {
            SweepStateMachineArn: {
              Ref: logicalId(built.bootstrapper.sweepStateMachine.node.defaultChild as never),
            },
            Partition: { Ref: 'AWS::Partition' },
            BootstrapStateMachineArn: {
              Ref: logicalId(built.bootstrapper.stateMachine.node.defaultChild as never),
            },
          }
        : {};
    expect(resource.Properties.DefinitionSubstitutions).toEqual({
      ...Object.fromEntries(
        handlers.map((spec) => [
          `${spec.id}FunctionArn`,
          { 'Fn::GetAtt': [functionLogicalId(spec.name), 'Arn'] },
        ]),
      ),
      ...sweep,
    });
  });

  it('logs ALL with execution data to a log group kept one year, and traces, for every state machine', () => {
    // Prepare
    const logGroups = template.findResources('AWS::Logs::LogGroup');
    const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    // Assess
    expect(machines).toHaveLength(Object.keys(STATE_MACHINES).length);
    for (const machine of machines) {
      expect(machine.Properties).toMatchObject({
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
      });
      const destination =
        machine.Properties.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn[
          'Fn::GetAtt'
        ][0];
      expect(required(logGroups[destination], `log group ${destination}`).Properties.RetentionInDays).toBe(
        ONE_YEAR_DAYS,
      );
    }
  });

  it.each([
    ['Bootstrap', () => built.bootstrapper.stateMachineRole],
    ['Sweep', () => built.bootstrapper.sweepRole],
  ] as const)('%s may invoke exactly its own task functions, unqualified', (id, role) => {
    // Prepare
    const statements = statementsOfRole(template, logicalId(role().node.defaultChild as never));
    const expected = STATE_MACHINE_HANDLERS[id].map((name) => ({
      'Fn::GetAtt': [functionLogicalId(name), 'Arn'],
    }));
    // Act
    const invoke = statements.filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    // Assess
    expect(invoke).toHaveLength(1);
    const [only] = invoke as [PolicyStatementJson];
    expect(asArray(only.Resource)).toEqual(expect.arrayContaining(expected));
    expect(asArray(only.Resource)).toHaveLength(expected.length);
  });

  it('lets the sweep start and follow only its own child executions (Distributed Map)', () => {
    // Prepare
    const sweepId = logicalId(built.bootstrapper.sweepStateMachine.node.defaultChild as never);
    const statements = statementsOfRole(
      template,
      logicalId(built.bootstrapper.sweepRole.node.defaultChild as never),
    );
    // Act
    const start = statements.filter((s) => actionsOf(s).includes('states:StartExecution'));
    const follow = statements.filter((s) => actionsOf(s).includes('states:DescribeExecution'));
    const redrive = statements.filter((s) => actionsOf(s).includes('states:RedriveExecution'));
    // Assess
    expect(start).toHaveLength(1);
    expect(statementWith(start, 'states:StartExecution').Resource).toEqual({ Ref: sweepId });
    expect(follow).toHaveLength(1);
    const following = statementWith(follow, 'states:DescribeExecution');
    expect(actionsOf(following).sort()).toEqual(['states:DescribeExecution', 'states:StopExecution']);
    expect(JSON.stringify(following.Resource)).toContain(`"Fn::GetAtt":["${sweepId}","Name"]`);
    expect(JSON.stringify(following.Resource)).toMatch(/:execution:",\{"Fn::GetAtt".*"\/\*"/);
    expect(redrive).toHaveLength(1);
    expect(JSON.stringify(statementWith(redrive, 'states:RedriveExecution').Resource)).toMatch(
      /"\/SweepAccounts:\*"/,
    );
  });

  it('schedules the sweep from the config: daily and repairing by default', () => {
    // Assess
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 day)',
      State: 'ENABLED',
      Target: {
        Arn: { Ref: logicalId(built.bootstrapper.sweepStateMachine.node.defaultChild as never) },
        Input: JSON.stringify({ repair: true }),
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      },
    });
  });

  it('takes the schedule, the mode and the on/off switch from config.sweep', () => {
    // Act
    const other = synthApp(
      testConfig({ sweep: { schedule: 'cron(0 3 ? * MON-FRI *)', repair: false, enabled: false } }),
      { defaultAccount: MANAGEMENT_ACCOUNT, defaultRegion: 'eu-west-1' },
    ).templates.bootstrapper;
    // Assess
    other.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 3 ? * MON-FRI *)',
      State: 'DISABLED',
      Target: { Input: JSON.stringify({ repair: false }) },
    });
  });

  it('exports the state machine ARNs under the output keys the CLI looks up', () => {
    // Assess
    template.hasOutput(BOOTSTRAP_MACHINE.outputKey, {
      Value: { Ref: logicalId(built.bootstrapper.stateMachine.node.defaultChild as never) },
    });
    template.hasOutput(SWEEP_MACHINE.outputKey, {
      Value: { Ref: logicalId(built.bootstrapper.sweepStateMachine.node.defaultChild as never) },
    });
  });
});

describe('BootstrapperStack functions', () => {
  it.each(HANDLERS.map((spec) => [spec.name] as const))(
    '%s runs on nodejs24.x, arm64, traced, logging to its own group kept one year',
    (name) => {
      // Prepare
      const resource = resourceById(template, 'AWS::Lambda::Function', functionLogicalId(name));
      const logGroupId = resource.Properties.LoggingConfig.LogGroup.Ref;
      // Assess
      expect(resource.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
      });
      expect(template.findResources('AWS::Logs::LogGroup')[logGroupId]).toMatchObject({
        Properties: { RetentionInDays: ONE_YEAR_DAYS },
        DeletionPolicy: 'Retain',
      });
    },
  );

  it('passes the validated config, with the management account and home region resolved, and Powertools settings', () => {
    // Prepare
    const resource = resourceById(template, 'AWS::Lambda::Function', functionLogicalId('resolve-request'));
    const variables = resource.Properties.Environment.Variables;
    // Act
    const config = JSON.parse(variables[CONFIG_ENV_VAR]);
    // Assess
    expect(config).toMatchObject({
      ...JSON.parse(JSON.stringify(testConfig())),
      managementAccountId: MANAGEMENT_ACCOUNT,
      homeRegion: 'eu-west-1',
    });
    expect(variables).toMatchObject({
      POWERTOOLS_SERVICE_NAME: 'runas-bootstrapper',
      POWERTOOLS_METRICS_NAMESPACE: 'RunAsBootstrapper',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });
});

describe('BootstrapperStack IAM', () => {
  const memberRoleHandlers = ['await-role', 'apply-preferences', 'verify-preferences'] as const;

  it.each(memberRoleHandlers.map((name) => [name] as const))(
    '%s may assume exactly the configured member role names, in any account',
    (name) => {
      // Prepare
      const statements = statementsOfRole(template, roleLogicalId(name));
      // Act
      const assume = statements.filter((s) => actionsOf(s).includes('sts:AssumeRole'));
      // Assess
      expect(assume).toHaveLength(1);
      expect(actionsOf(assume[0] as PolicyStatementJson)).toEqual(['sts:AssumeRole']);
      expect(asArray((assume[0] as PolicyStatementJson).Resource)).toEqual([
        partitionArn(':iam::*:role/AWSControlTowerExecution'),
        partitionArn(':iam::*:role/OrganizationAccountAccessRole'),
      ]);
    },
  );

  it('lets await-role also read an account of the organization, to end the wait of a suspended or closed one', () => {
    // Prepare
    const statements = statementsOfRole(template, roleLogicalId('await-role'));
    // Assess
    expect(statements.flatMap(actionsOf).sort()).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'organizations:DescribeAccount',
      'sts:AssumeRole',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    expect(statementWith(statements, 'organizations:DescribeAccount').Resource).toEqual(
      partitionArn(`:organizations::${MANAGEMENT_ACCOUNT}:account/o-*/*`),
    );
  });

  it('fences every member-role grant to the organization (aws:ResourceOrgID) and out of the management account', () => {
    // Prepare
    const pinned = synthApp(testConfig({ organizationId: 'o-abcdefghij' }), {
      defaultAccount: MANAGEMENT_ACCOUNT,
      defaultRegion: 'us-east-1',
    });
    // Act
    const grants = (t: Template) => allStatements(t).filter((s) => actionsOf(s).includes('sts:AssumeRole'));
    const byDefault = grants(template);
    const byConfig = grants(pinned.templates.bootstrapper);
    // Assess: unset, IAM compares with the caller's own organization; set, with the configured id.
    expect(byDefault).toHaveLength(memberRoleHandlers.length);
    for (const statement of byDefault) {
      expect(statement.Condition).toEqual({
        StringEquals: { 'aws:ResourceOrgID': CALLER_ORGANIZATION },
        StringNotEquals: { 'aws:ResourceAccount': MANAGEMENT_ACCOUNT },
      });
    }
    expect(byConfig).toHaveLength(memberRoleHandlers.length);
    for (const statement of byConfig) {
      expect(statement.Condition).toEqual({
        StringEquals: { 'aws:ResourceOrgID': 'o-abcdefghij' },
        StringNotEquals: { 'aws:ResourceAccount': MANAGEMENT_ACCOUNT },
      });
    }
  });

  it('follows memberRoleNames from the config', () => {
    // Prepare
    const custom = synthApp(testConfig({ memberRoleNames: ['BootstrapTarget'] }), {
      defaultAccount: MANAGEMENT_ACCOUNT,
      defaultRegion: 'us-east-1',
    });
    const role = custom.bootstrapper.handlerRoles['apply-preferences'];
    // Act
    const assume = statementsOfRole(
      custom.templates.bootstrapper,
      custom.bootstrapper.getLogicalId(role.node.defaultChild as never),
    ).filter((s) => actionsOf(s).includes('sts:AssumeRole'));
    // Assess
    expect(assume.flatMap((s) => asArray(s.Resource))).toEqual([
      partitionArn(':iam::*:role/BootstrapTarget'),
    ]);
  });

  it('grants sts:AssumeRole on "*" nowhere, and to no other role', () => {
    // Prepare
    const assumers = new Set(memberRoleHandlers.map((name) => roleLogicalId(name)));
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    // Act
    const granting = policies.filter((policy) =>
      (policy.Properties.PolicyDocument.Statement as PolicyStatementJson[]).some((s) =>
        actionsOf(s).some((action) => action === 'sts:AssumeRole' || action === 'sts:*' || action === '*'),
      ),
    );
    // Assess
    expect(granting.flatMap((p) => p.Properties.Roles.map((r: { Ref: string }) => r.Ref)).sort()).toEqual(
      [...assumers].sort(),
    );
    for (const statement of allStatements(template).filter((s) => actionsOf(s).includes('sts:AssumeRole'))) {
      expect(asArray(statement.Resource)).not.toContain('*');
    }
  });

  it('lets resolve-request describe accounts of the organization and claim vends, and nothing cross-account', () => {
    // Prepare
    const statements = statementsOfRole(template, roleLogicalId('resolve-request'));
    // Assess
    expect(statements.flatMap(actionsOf).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'organizations:DescribeAccount',
      'states:DescribeExecution',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    expect(statementWith(statements, 'organizations:DescribeAccount').Resource).toEqual(
      partitionArn(`:organizations::${MANAGEMENT_ACCOUNT}:account/o-*/*`),
    );
    // Only the bootstrap machine's executions: a vend's owner is one of them.
    const describe = statements.find((s) => actionsOf(s).includes('states:DescribeExecution'));
    expect(JSON.stringify(describe?.Resource)).toMatch(/:execution:".*Bootstrap[0-9A-F]{8}.*:\*"/);
  });

  it('gives record-enforcement only the vend ledger items, the LZA pipeline history, its own log group and X-Ray', () => {
    // Prepare
    const statements = statementsOfRole(template, roleLogicalId('record-enforcement'));
    // Assess: under lza.measureGap auto it asks whether the pipeline exists, or one with LZA's stages.
    expect(statements.flatMap(actionsOf).sort()).toEqual([
      'codepipeline:GetPipeline',
      'codepipeline:ListActionExecutions',
      'codepipeline:ListPipelineExecutions',
      'codepipeline:ListPipelines',
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    expect(statementWith(statements, 'logs:PutLogEvents').Resource).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^RecordEnforcementLogs/), 'Arn'],
    });
  });

  it('lets plan-follow-up only read the configured LZA pipeline history and query the open vends', () => {
    // Prepare
    const statements = statementsOfRole(template, roleLogicalId('plan-follow-up'));
    // Assess
    expect(statements.flatMap(actionsOf).sort()).toEqual([
      'codepipeline:GetPipeline',
      'codepipeline:ListActionExecutions',
      'codepipeline:ListPipelineExecutions',
      'codepipeline:ListPipelines',
      'dynamodb:GetItem',
      'dynamodb:Query',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    const pipeline = statementWith(statements, 'codepipeline:ListActionExecutions');
    expect(JSON.stringify(pipeline.Resource)).toContain(`:${MANAGEMENT_ACCOUNT}:AWSAccelerator-Pipeline`);
    expect(JSON.stringify(pipeline.Resource)).toContain('AWS::Partition');
    // A pipeline's layout only under the names LZA's installer gives.
    const layouts = statementWith(statements, 'codepipeline:GetPipeline');
    expect(JSON.stringify(layouts.Resource)).toContain(`:${MANAGEMENT_ACCOUNT}:*-pipeline`);
    expect(JSON.stringify(layouts.Resource)).toContain(`:${MANAGEMENT_ACCOUNT}:*-Pipeline`);
    expect(asArray(layouts.Resource)).toHaveLength(2);
  });

  it('allows "*" resources only for X-Ray, log-delivery, ListAccounts and ListPipelines, which have no resource-level permissions', () => {
    // Act
    const wildcard = allStatements(template).filter((s) => asArray(s.Resource).includes('*'));
    // Assess
    expect(wildcard.length).toBeGreaterThan(0);
    for (const statement of wildcard) {
      for (const action of actionsOf(statement))
        expect(action).toMatch(
          /^(xray:|logs:[A-Za-z]*(Deliver|Resource|LogGroups)|organizations:ListAccounts$|codepipeline:ListPipelines$)/,
        );
    }
  });

  it('uses no AWS managed policies', () => {
    // Assess
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('BootstrapperStack vend ledger and LZA follow-up', () => {
  it('keeps the ledger on demand, encrypted, recoverable to any second, with TTL and the open-vends index', () => {
    // Assess
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'accountId', KeyType: 'HASH' },
          { AttributeName: 'joinedAt', KeyType: 'RANGE' },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        GlobalSecondaryIndexes: [
          Match.objectLike({
            IndexName: OPEN_VENDS_INDEX,
            KeySchema: [
              { AttributeName: 'open', KeyType: 'HASH' },
              { AttributeName: 'joinedAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          }),
        ],
      }),
    });
    template.hasOutput(VEND_LEDGER_TABLE_OUTPUT, {
      Value: { Ref: logicalId(built.bootstrapper.ledger.node.defaultChild as never) },
    });
  });

  it('names the table to every handler and lets each only the item actions it uses', () => {
    // Prepare
    const table = logicalId(built.bootstrapper.ledger.node.defaultChild as never);
    const ledgerActions = (name: (typeof HANDLERS)[number]['name']) =>
      statementsOfRole(template, roleLogicalId(name))
        .filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')))
        .map((s) => ({ actions: actionsOf(s).sort(), resource: JSON.stringify(s.Resource) }));
    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [LEDGER_TABLE_ENV_VAR]: { Ref: table } }) },
    });
    expect(ledgerActions('resolve-request')).toEqual([
      {
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resource: expect.stringContaining(table),
      },
    ]);
    expect(required(ledgerActions('record-enforcement')[0], 'a ledger statement').actions).toEqual([
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
    ]);
    expect(required(ledgerActions('record-follow-up')[0], 'a ledger statement').actions).toEqual([
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
    ]);
    // The open vends from the index; by key, the markers of followed Security_Resources.
    expect(ledgerActions('plan-follow-up')).toEqual([
      { actions: ['dynamodb:Query'], resource: expect.stringContaining(`/index/${OPEN_VENDS_INDEX}`) },
      { actions: ['dynamodb:GetItem'], resource: expect.not.stringContaining('/index/') },
    ]);
    expect(ledgerActions('plan-follow-up')[1]?.resource).toContain(table);
    for (const name of ['await-role', 'apply-preferences', 'verify-preferences', 'list-accounts'] as const)
      expect(ledgerActions(name)).toEqual([]);
  });

  it("starts the follow-up on the LZA pipeline's Deploy-stage action events, with the DLQ, and on the reconcile schedule", () => {
    // Prepare
    const followUp = logicalId(built.bootstrapper.followUpStateMachine.node.defaultChild as never);
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.exact(followUpEventPattern('AWSAccelerator-Pipeline')),
      Targets: [Match.objectLike({ Arn: { Ref: followUp }, DeadLetterConfig: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Target: Match.objectLike({ Arn: { Ref: followUp }, Input: JSON.stringify({ reconcile: true }) }),
    });
    template.hasOutput(FOLLOW_UP_STATE_MACHINE_OUTPUT, { Value: { Ref: followUp } });
  });

  it('lets the follow-up start only the repair sweep, re-drives of the bootstrap, and its own continuation', () => {
    // Prepare
    const role = logicalId(built.bootstrapper.followUpStateMachine.role.node.defaultChild as never);
    const sweep = logicalId(built.bootstrapper.sweepStateMachine.node.defaultChild as never);
    const bootstrap = logicalId(built.bootstrapper.stateMachine.node.defaultChild as never);
    const followUp = logicalId(built.bootstrapper.followUpStateMachine.node.defaultChild as never);
    // Assess
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.Roles).includes(role),
    );
    const resources = policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement as PolicyStatementJson[])
      .filter((s) => actionsOf(s).includes('states:StartExecution'))
      .map((s) => JSON.stringify(s.Resource))
      .sort();
    expect(resources).toEqual(
      [
        JSON.stringify({ Ref: followUp }),
        JSON.stringify({ Ref: sweep }),
        JSON.stringify({ Ref: bootstrap }),
      ].sort(),
    );
  });
});
