import { Template } from 'aws-cdk-lib/assertions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Context } from 'aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { FAILURE_TOPIC_OUTPUT } from '#core/deploy/deployment.ts';
import { emptySweepTotals } from '#core/sweep/sweep.ts';
import {
  type ApplyPreferencesDependencies,
  createHandler as applyPreferences,
} from '#handlers/apply-preferences.ts';
import {
  type RecordEnforcementDependencies,
  createHandler as recordEnforcement,
} from '#handlers/record-enforcement.ts';
import {
  type RecordFollowUpDependencies,
  createHandler as recordFollowUp,
} from '#handlers/record-follow-up.ts';
import { createHandler as recordSweep } from '#handlers/record-sweep.ts';
import { buildApp } from '#stacks/app.ts';
import { SERVICE_NAME } from '#stacks/bootstrapper-stack.ts';
import { dashboardUrl } from '#stacks/dashboard.ts';
import { METRIC_TRIGGERS, type MetricName } from '#stacks/handler-metrics.ts';
import { DASHBOARD_NAME_OUTPUT, DASHBOARD_URL_OUTPUT } from '#stacks/monitoring.ts';
import { captureEmf, type EmfRecord } from '#test/emf.ts';
import { memoryLedger } from '#test/memory-ledger.ts';
import {
  CDK_JSON_CONTEXT,
  MANAGEMENT_ACCOUNT,
  onlyResource,
  type PolicyStatementJson,
  partitionArn,
  required,
  type SynthesizedApp,
  synthApp,
  testConfig,
} from './stack-fixture.ts';

// Metrics are off in Powertools dev mode; the contract suite reads the EMF the handlers print.
vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
});

const STACK = 'RunAsBootstrapper';
const REGION = 'eu-west-1';
const LATENCIES: MetricName[] = [
  'VendToRunAsSeconds',
  'RoleWaitSeconds',
  'PrepareToCustomizationsSeconds',
  'GapClosedSeconds',
  'RunAsReexposedSeconds',
];
const COUNTS: MetricName[] = [
  'RegionsCompliant',
  'RegionsFailed',
  'RegionsRefused',
  'RunAsRegressionsRepaired',
  'GapMeasurementTimedOut',
];
const SWEEP_METRICS: MetricName[] = ['AccountsChecked', 'DriftDetected', 'DriftRepaired', 'SweepFailures'];
const EXECUTION_METRICS = [
  'ExecutionsStarted',
  'ExecutionsSucceeded',
  'ExecutionsFailed',
  'ExecutionsTimedOut',
  'ExecutionsAborted',
];

/** Latencies whose figures run into thousands of seconds: charted in minutes. */
const IN_MINUTES: readonly MetricName[] = ['PrepareToCustomizationsSeconds', 'GapClosedSeconds'];

/** One line of a dashboard metric widget: a metric, or a math expression. */
interface Line {
  namespace?: string;
  name?: string;
  dimensions: Record<string, string>;
  stat?: string;
  period?: number;
  id?: string;
  expression?: string;
  label?: string;
  visible?: boolean;
}

interface Widget {
  type: string;
  x?: number;
  y?: number;
  width?: number;
  properties: {
    title?: string;
    view?: string;
    metrics?: unknown[][];
    alarms?: string[];
    annotations?: { horizontal?: { value: number }[] };
  };
}

interface Dashboard {
  widgets: Widget[];
  periodOverride?: string;
  tokens: unknown[];
}

/** The dashboard body, with each CloudFormation token replaced by `@@<index into tokens>@@`. */
function dashboardOf(template: Template): Dashboard {
  const body = onlyResource(template, 'AWS::CloudWatch::Dashboard').Properties.DashboardBody;
  const parts: unknown[] = typeof body === 'string' ? [body] : body['Fn::Join'][1];
  const tokens: unknown[] = [];
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      tokens.push(part);
      return `@@${tokens.length - 1}@@`;
    })
    .join('');
  return { ...JSON.parse(text), tokens };
}

function resolveToken(dashboard: Dashboard, value: string): unknown {
  const match = /^@@(\d+)@@$/.exec(value);
  return match ? dashboard.tokens[Number(match[1])] : value;
}

function linesOf(widget: Widget): Line[] {
  return (widget.properties.metrics ?? []).map((entry) => {
    const options = (typeof entry.at(-1) === 'object' ? entry.at(-1) : {}) as Partial<Line>;
    if (typeof entry[0] === 'object') return { ...(entry[0] as Partial<Line>), dimensions: {} };
    const [namespace, name, ...rest] = entry.filter((part) => typeof part === 'string') as string[];
    const dimensions: Record<string, string> = {};
    for (let i = 0; i + 1 < rest.length; i += 2) dimensions[rest[i] as string] = rest[i + 1] as string;
    return { ...options, namespace, name, dimensions };
  });
}

function allLines(dashboard: Dashboard): Line[] {
  return dashboard.widgets.flatMap(linesOf);
}

/** The dimensions a handler metric carries, per METRIC_TRIGGERS. */
function expectedDimensions(trigger?: string): Record<string, string> {
  return { service: SERVICE_NAME, ...(trigger ? { Trigger: trigger } : {}) };
}

/** One CloudWatch series: a metric name and its exact dimension set, in any key order. */
function seriesKey(name: string | undefined, dimensions: Record<string, unknown>): string {
  const pairs = Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b));
  return `${name} ${JSON.stringify(pairs)}`;
}

function alarmsOf(template: Template): Record<string, { Properties: Record<string, unknown> }> {
  return template.findResources('AWS::CloudWatch::Alarm') as Record<
    string,
    { Properties: Record<string, unknown> }
  >;
}

function alarmNamed(template: Template, suffix: string): Record<string, unknown> {
  const alarm = Object.values(alarmsOf(template)).find(
    (a) => a.Properties.AlarmName === `${STACK}-${suffix}`,
  );
  if (!alarm) throw new Error(`no alarm ${STACK}-${suffix}`);
  return alarm.Properties;
}

interface AlarmMetricJson {
  Id: string;
  Expression?: string;
  ReturnData?: boolean;
  MetricStat?: {
    Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: unknown }[] };
    Period: number;
    Stat: string;
  };
}

function dimensionsOf(metric: AlarmMetricJson): Record<string, unknown> {
  return Object.fromEntries((metric.MetricStat?.Metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));
}

function findings(built: SynthesizedApp | ReturnType<typeof buildApp>): string[] {
  const report = new AwsSolutionsChecks().validateScope(built.app);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}`),
  );
}

let built: SynthesizedApp;
let template: Template;
let dashboard: Dashboard;
let topicId: string;

function logicalId(construct: { node: { defaultChild?: unknown } }): string {
  return built.bootstrapper.getLogicalId(construct.node.defaultChild as never);
}

beforeAll(() => {
  built = synthApp(testConfig(), { defaultAccount: MANAGEMENT_ACCOUNT, defaultRegion: REGION });
  template = built.templates.bootstrapper;
  dashboard = dashboardOf(template);
  topicId = logicalId(built.bootstrapper.monitoring.topic);
});

describe('Monitoring dashboard', () => {
  it.each(LATENCIES.map((name) => [name] as const))(
    'charts %s daily (p50, p90, max; or average, min, max when it can be negative) with the dimensions its EMF carries',
    (name) => {
      // Prepare
      const trigger = METRIC_TRIGGERS[name]?.[0];
      const graph = required(
        dashboard.widgets.find(
          (w) => w.properties.view === 'timeSeries' && linesOf(w).some((line) => line.name === name),
        ),
        `a graph of ${name}`,
      );
      // Act
      const lines = linesOf(graph).filter((line) => line.name === name);
      const expressions = linesOf(graph).filter((line) => line.expression !== undefined);
      // Assess
      // GapClosedSeconds can be negative, and CloudWatch has no percentiles for such a period.
      // A dashboard line without `stat` is an Average, CloudWatch's default.
      expect(lines.map((line) => line.stat ?? 'Average')).toEqual(
        name === 'GapClosedSeconds' ? ['Average', 'Minimum', 'Maximum'] : ['p50', 'p90', 'Maximum'],
      );
      // LZA's window runs into thousands of seconds: those graphs say minutes, one series per
      // statistic, each its hidden metric divided by 60.
      const unit = IN_MINUTES.includes(name) ? 'minutes' : 'seconds';
      expect(graph.properties.title).toMatch(new RegExp(`\\(${unit}\\)$`));
      if (unit === 'minutes') {
        expect(expressions.map((line) => line.expression)).toEqual(lines.map((line) => `${line.id} / 60`));
        for (const line of lines) expect(line).toMatchObject({ visible: false });
      } else {
        expect(expressions).toEqual([]);
      }
      for (const line of lines) {
        expect(line).toMatchObject({
          namespace: 'RunAsBootstrapper',
          name,
          dimensions: expectedDimensions(trigger),
          period: 86_400,
        });
      }
    },
  );

  it.each(COUNTS.map((name) => [name] as const))(
    'charts the hourly Sum of %s over every dimension set it is emitted with',
    (name) => {
      // Prepare
      const triggers = METRIC_TRIGGERS[name] ?? [undefined];
      // Act
      const lines = allLines(dashboard).filter((line) => line.name === name);
      // Assess
      expect(lines.map((line) => line.dimensions)).toEqual(
        triggers.map((trigger) => expectedDimensions(trigger)),
      );
      for (const line of lines) expect(line).toMatchObject({ stat: 'Sum', period: 3600 });
      if (triggers.length > 1) {
        const expression = required(
          allLines(dashboard).find((line) =>
            lines.every((metric) => line.expression?.includes(`FILL(${metric.id}, 0)`)),
          ),
          'the sum of the lines',
        );
        expect(expression.period).toBe(3600);
      }
    },
  );

  it('reserves a daily row for the sweep summary, with the service dimension only', () => {
    // Act
    const lines = allLines(dashboard).filter((line) => SWEEP_METRICS.includes(line.name as MetricName));
    // Assess
    expect(lines.map((line) => line.name)).toEqual(SWEEP_METRICS);
    for (const line of lines) {
      expect(line).toMatchObject({ stat: 'Sum', period: 86_400, dimensions: { service: SERVICE_NAME } });
    }
  });

  it('shows the latest daily exposure p90 and average gap closed as single values', () => {
    // Act
    const singles = dashboard.widgets
      .filter((w) => w.properties.view === 'singleValue')
      .flatMap(linesOf)
      .map((line) => [line.name, line.stat ?? 'Average', line.period]);
    // Assess: the math expression's inputs are hidden lines (name and stat given per line).
    expect(singles).toEqual([
      ['VendToRunAsSeconds', 'p90', 86_400],
      // The gap closed runs into thousands of seconds: shown in minutes, the metric divided by 60.
      [undefined, 'Average', 86_400],
      ['GapClosedSeconds', 'Average', 86_400],
      [undefined, 'Average', 86_400],
      ['GapClosedSeconds', 'Sum', 86_400],
      ['PrepareToCustomizationsSeconds', 'Sum', 86_400],
    ]);
  });

  it('shows the % of the LZA window closed as a number: gap closed over vend to Customizations', () => {
    // Act
    const widget = required(
      dashboard.widgets.find((w) => w.properties.title === 'LZA window closed, latest day (%)'),
      'the LZA window widget',
    );
    // Assess
    expect(widget.properties.view).toBe('singleValue');
    const [expression] = linesOf(widget);
    expect(required(expression, 'its expression').expression).toBe('100 * closed / window');
  });

  it('leaves no empty cell: every row of widgets fills the 24 columns', () => {
    // Act
    const rows = new Map<number, number>();
    for (const w of dashboard.widgets)
      rows.set(w.y as number, (rows.get(w.y as number) ?? 0) + (w.width as number));
    // Assess
    expect(rows.size).toBeGreaterThan(4);
    expect([...rows.values()].every((width) => width === 24)).toBe(true);
  });

  it('charts every execution outcome of the bootstrap, sweep and follow-up state machines', () => {
    // Prepare
    const machines = [
      built.bootstrapper.stateMachine,
      built.bootstrapper.sweepStateMachine,
      built.bootstrapper.followUpStateMachine,
    ].map((sm) => JSON.stringify({ Ref: logicalId(sm) }));
    // Act
    const lines = allLines(dashboard).filter((line) => line.namespace === 'AWS/States');
    // Assess
    for (const machine of machines) {
      const own = lines.filter(
        (line) =>
          JSON.stringify(resolveToken(dashboard, line.dimensions.StateMachineArn as string)) === machine,
      );
      expect(own.map((line) => line.name).sort()).toEqual([...EXECUTION_METRICS].sort());
    }
    expect(lines).toHaveLength(EXECUTION_METRICS.length * machines.length);
    for (const line of lines) expect(line).toMatchObject({ stat: 'Sum', period: 3600 });
  });

  it('charts the messages visible in the vend dead-letter queue', () => {
    // Prepare
    const queue = logicalId(built.bootstrapper.deadLetterQueue.queue);
    // Act
    const [first, ...others] = allLines(dashboard).filter((l) => l.namespace === 'AWS/SQS');
    const line = required(first, 'a dead-letter queue line');
    // Assess
    expect(others).toEqual([]);
    expect(line.name).toBe('ApproximateNumberOfMessagesVisible');
    expect(resolveToken(dashboard, line.dimensions.QueueName as string)).toEqual({
      'Fn::GetAtt': [queue, 'QueueName'],
    });
  });

  it('shows the state of every alarm, and keeps each widget period', () => {
    // Prepare
    const alarmArns = Object.keys(alarmsOf(template)).map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] }));
    // Act
    const shown = dashboard.widgets
      .filter((w) => w.type === 'alarm')
      .flatMap((w) => w.properties.alarms ?? [])
      .map((arn) => resolveToken(dashboard, arn));
    // Assess
    expect(shown).toHaveLength(11);
    expect(shown).toEqual(expect.arrayContaining(alarmArns));
    expect(dashboard.periodOverride).toBe('inherit');
  });

  it('titles every graph with its unit', () => {
    // Act
    const titles = dashboard.widgets
      .filter((w) => w.type === 'metric')
      .map((w) => w.properties.title ?? '(untitled)');
    // Assess
    for (const title of titles)
      expect(title).toMatch(/\((seconds|minutes|count per (hour|day)|messages|%)\)$/);
  });
});

describe('Monitoring alarms', () => {
  it('creates exactly eleven alarms, each named after the stack and notifying the failure topic', () => {
    // Act
    const alarms = Object.values(alarmsOf(template)).map((a) => a.Properties);
    // Assess: failed bootstrap, sweep and follow-up executions, RegionsFailed, SweepFailures, a
    // dropped scheduled sweep, exposure p90, the document version limit, DLQ, re-drives exhausted.
    expect(alarms).toHaveLength(11);
    expect(alarmNamed(template, 'VendRedrivesExhausted').AlarmDescription).toMatch(/replay --account-id/);
    expect(alarmNamed(template, 'LzaPipelineMisnamed').AlarmDescription).toMatch(/lza\.pipelineName/);
    expect(alarmNamed(template, 'FollowUpExecutionsFailed').AlarmActions).toEqual([{ Ref: topicId }]);
    expect(alarmNamed(template, 'DocumentVersionLimitReached').AlarmDescription).toMatch(
      /documentVersionPruning/,
    );
    expect(alarmNamed(template, 'SweepExecutionsFailed').AlarmActions).toEqual([{ Ref: topicId }]);
    for (const alarm of alarms) {
      expect(alarm.AlarmName).toMatch(new RegExp(`^${STACK}-`));
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm).toMatchObject({
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        TreatMissingData: 'notBreaching',
      });
      expect(JSON.stringify(alarm.AlarmDescription).length).toBeGreaterThan(100);
    }
  });

  it('alarms on any failed, timed-out or aborted bootstrap execution', () => {
    // Prepare
    const stateMachine = { Ref: logicalId(built.bootstrapper.stateMachine) };
    // Act
    const alarm = alarmNamed(template, 'BootstrapExecutionsFailed');
    const metrics = alarm.Metrics as AlarmMetricJson[];
    // Assess
    expect(alarm.Threshold).toBe(0);
    expect(alarm.OKActions).toBeUndefined();
    const expression = required(
      metrics.find((m) => m.ReturnData !== false),
      'the alarm expression',
    );
    expect(expression.Expression).toBe('FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)');
    const inputs = metrics.filter((m) => m.MetricStat);
    expect(inputs.map((m) => [m.Id, m.MetricStat?.Metric.MetricName])).toEqual([
      ['failed', 'ExecutionsFailed'],
      ['timedOut', 'ExecutionsTimedOut'],
      ['aborted', 'ExecutionsAborted'],
    ]);
    for (const input of inputs) {
      expect(input.MetricStat).toMatchObject({ Period: 300, Stat: 'Sum' });
      expect(input.MetricStat?.Metric.Namespace).toBe('AWS/States');
      expect(dimensionsOf(input)).toEqual({ StateMachineArn: stateMachine });
    }
  });

  it('alarms when the sweep could not check or repair a region, though its execution succeeded', () => {
    // Act
    const alarm = alarmNamed(template, 'SweepFailures');
    const metrics = alarm.Metrics as AlarmMetricJson[];
    // Assess
    expect(alarm).toMatchObject({ Threshold: 0, TreatMissingData: 'notBreaching' });
    const inputs = metrics.filter((m) => m.MetricStat);
    expect(inputs).toHaveLength(1);
    expect(dimensionsOf(inputs[0]!)).toEqual(expectedDimensions(undefined));
    expect(required(inputs[0], 'the alarm metric').MetricStat).toMatchObject({
      Metric: { Namespace: 'RunAsBootstrapper', MetricName: 'SweepFailures' },
      Period: 6 * 3600,
      Stat: 'Sum',
    });
    expect(JSON.stringify(alarm.AlarmDescription)).toContain('sweep finding');
  });

  it('alarms when Scheduler dropped a scheduled sweep after its retries', () => {
    // Act
    const alarm = alarmNamed(template, 'SweepScheduleDropped');
    // Assess
    expect(alarm).toMatchObject({ Threshold: 0, TreatMissingData: 'notBreaching' });
    expect(alarm.Metrics).toEqual([
      expect.objectContaining({
        MetricStat: {
          Metric: {
            Namespace: 'AWS/Scheduler',
            MetricName: 'InvocationDroppedCount',
            Dimensions: [{ Name: 'ScheduleGroup', Value: 'default' }],
          },
          Period: 3600,
          Stat: 'Sum',
        },
      }),
    ]);
  });

  it('alarms when any region failed, summing vends and requests', () => {
    // Act
    const alarm = alarmNamed(template, 'RegionsFailed');
    const metrics = alarm.Metrics as AlarmMetricJson[];
    // Assess
    expect(alarm.Threshold).toBe(0);
    const inputs = metrics.filter((m) => m.MetricStat);
    expect(inputs.map((m) => dimensionsOf(m))).toEqual(
      (METRIC_TRIGGERS.RegionsFailed ?? []).map((trigger) => expectedDimensions(trigger)),
    );
    for (const input of inputs) {
      expect(input.MetricStat).toMatchObject({
        Metric: { Namespace: 'RunAsBootstrapper', MetricName: 'RegionsFailed' },
        Period: 300,
        Stat: 'Sum',
      });
    }
    expect(
      required(
        metrics.find((m) => m.ReturnData !== false),
        'the alarm expression',
      ).Expression,
    ).toBe(inputs.map((m) => `FILL(${m.Id}, 0)`).join(' + '));
  });

  it.each([[600], [2700]])(
    'alarms when the hourly VendToRunAsSeconds p90 is above the configured %i seconds',
    (seconds) => {
      // Prepare
      const configured = synthApp(testConfig({ notifications: { exposureP90AlarmSeconds: seconds } }), {
        defaultAccount: MANAGEMENT_ACCOUNT,
        defaultRegion: REGION,
        nag: false,
      });
      // Act
      const alarm = alarmNamed(configured.templates.bootstrapper, 'VendToRunAsP90');
      const [metric, ...others] = alarm.Metrics as AlarmMetricJson[];
      // Assess
      expect(others).toEqual([]);
      expect(alarm.Threshold).toBe(seconds);
      expect(required(metric, 'the alarm metric').MetricStat).toMatchObject({
        Metric: { Namespace: 'RunAsBootstrapper', MetricName: 'VendToRunAsSeconds' },
        Period: 3600,
        Stat: 'p90',
      });
      expect(dimensionsOf(metric as AlarmMetricJson)).toEqual(expectedDimensions('vend'));
      const exposure = required(
        dashboardOf(configured.templates.bootstrapper).widgets.find((w) =>
          linesOf(w).some((line) => line.name === 'VendToRunAsSeconds' && line.stat === 'Maximum'),
        ),
        'the exposure graph',
      );
      expect(exposure.properties.annotations?.horizontal?.map((a) => a.value)).toEqual([seconds]);
    },
  );

  it('alarms while the vend dead-letter queue holds a message, and says so when it is drained', () => {
    // Prepare
    const queue = logicalId(built.bootstrapper.deadLetterQueue.queue);
    // Act
    const alarm = alarmNamed(template, 'VendEventDeadLetters');
    const [metric] = alarm.Metrics as AlarmMetricJson[];
    // Assess
    expect(alarm.Threshold).toBe(0);
    expect(alarm.OKActions).toEqual([{ Ref: topicId }]);
    expect(required(metric, 'the alarm metric').MetricStat).toMatchObject({
      Metric: { Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible' },
      Period: 300,
      Stat: 'Maximum',
    });
    expect(dimensionsOf(metric as AlarmMetricJson)).toEqual({
      QueueName: { 'Fn::GetAtt': [queue, 'QueueName'] },
    });
  });

  it('adds a state machine monitored later to the failure alarms, the graphs and the alarm widget', () => {
    // Prepare
    const app = buildApp(testConfig(), {
      appProps: { context: CDK_JSON_CONTEXT },
      bundling: false,
      nag: false,
      defaultAccount: MANAGEMENT_ACCOUNT,
      defaultRegion: REGION,
    });
    const sweep = new sfn.StateMachine(app.bootstrapper, 'LaterProbe', {
      definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(app.bootstrapper, 'Nothing')),
    });
    // Act
    const alarm = app.bootstrapper.monitoring.monitorStateMachine(sweep, 'Later');
    const later = Template.fromStack(app.bootstrapper);
    // Assess
    const sweepRef = { Ref: app.bootstrapper.getLogicalId(sweep.node.defaultChild as never) };
    const alarmId = app.bootstrapper.getLogicalId(alarm.node.defaultChild as never);
    expect(alarmNamed(later, 'LaterExecutionsFailed').AlarmActions).toEqual([
      { Ref: app.bootstrapper.getLogicalId(app.bootstrapper.monitoring.topic.node.defaultChild as never) },
    ]);
    const body = dashboardOf(later);
    const sweepLines = allLines(body).filter(
      (line) =>
        line.namespace === 'AWS/States' &&
        JSON.stringify(resolveToken(body, line.dimensions.StateMachineArn as string)) ===
          JSON.stringify(sweepRef),
    );
    expect(sweepLines.map((line) => line.name).sort()).toEqual([...EXECUTION_METRICS].sort());
    const shown = body.widgets
      .flatMap((w) => w.properties.alarms ?? [])
      .map((arn) => resolveToken(body, arn));
    expect(shown).toContainEqual({ 'Fn::GetAtt': [alarmId, 'Arn'] });
    expect(() => app.bootstrapper.monitoring.monitorStateMachine(sweep, 'Later')).toThrow(
      /already monitored/,
    );
    expect(() =>
      app.bootstrapper.monitoring.monitorStateMachine(app.bootstrapper.sweepStateMachine, 'Sweep'),
    ).toThrow(/already monitored/);
  });
});

describe('Monitoring failure topic', () => {
  const alarmArns = partitionArn(`:cloudwatch:${REGION}:${MANAGEMENT_ACCOUNT}:alarm:${STACK}-*`);
  const topicArn = partitionArn(`:sns:${REGION}:${MANAGEMENT_ACCOUNT}:${STACK}-failures`);

  it('is encrypted with its own rotating KMS key', () => {
    // Prepare
    const key = logicalId(built.bootstrapper.monitoring.topicKey);
    // Assess
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: `${STACK}-failures`,
      KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('refuses publishing without TLS and lets CloudWatch publish only for this stack’s alarms', () => {
    // Prepare
    const policy = onlyResource(template, 'AWS::SNS::TopicPolicy');
    // Act
    const statements = policy.Properties.PolicyDocument.Statement as PolicyStatementJson[];
    // Assess
    expect(policy.Properties.Topics).toEqual([{ Ref: topicId }]);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 'sns:Publish',
        Principal: '*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      expect.objectContaining({
        Action: 'sns:Publish',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Resource: { Ref: topicId },
        Condition: {
          StringEquals: { 'aws:SourceAccount': MANAGEMENT_ACCOUNT },
          ArnLike: { 'aws:SourceArn': alarmArns },
        },
      }),
    ]);
  });

  it('lets CloudWatch use the key for this topic and this stack’s alarms, without a reference cycle', () => {
    // Prepare
    const key = onlyResource(template, 'AWS::KMS::Key');
    // Act
    const statements = key.Properties.KeyPolicy.Statement as (PolicyStatementJson & {
      Principal: unknown;
    })[];
    const cloudWatch = statements.filter((s) => JSON.stringify(s.Principal).includes('cloudwatch'));
    // Assess
    expect(cloudWatch).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: {
          StringEquals: {
            'aws:SourceAccount': MANAGEMENT_ACCOUNT,
            'kms:EncryptionContext:aws:sns:topicArn': topicArn,
          },
          ArnLike: { 'aws:SourceArn': alarmArns },
        },
      }),
    ]);
    expect(JSON.stringify(key)).not.toContain(topicId);
  });

  it('has no subscription unless an e-mail address is configured', () => {
    // Assess
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('subscribes the configured e-mail address', () => {
    // Prepare
    const withEmail = synthApp(testConfig({ notifications: { email: 'oncall@example.com' } }), {
      defaultAccount: MANAGEMENT_ACCOUNT,
      defaultRegion: REGION,
      nag: false,
    });
    const topic = withEmail.bootstrapper.getLogicalId(
      withEmail.bootstrapper.monitoring.topic.node.defaultChild as never,
    );
    // Assess
    withEmail.templates.bootstrapper.resourceCountIs('AWS::SNS::Subscription', 1);
    withEmail.templates.bootstrapper.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: { Ref: topic },
    });
  });

  it('outputs the topic ARN, the dashboard name and its console URL', () => {
    // Act
    const outputs = template.findOutputs('*');
    // Assess
    const output = (key: string) => required(outputs[key], `output ${key}`).Value;
    expect(output(FAILURE_TOPIC_OUTPUT)).toEqual({ Ref: topicId });
    expect(output(DASHBOARD_NAME_OUTPUT)).toBe(STACK);
    expect(output(DASHBOARD_URL_OUTPUT)).toBe(
      `https://console.aws.amazon.com/cloudwatch/home?region=${REGION}#dashboards/dashboard/${STACK}`,
    );
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: STACK });
  });

  it.each([
    [
      'us-gov-west-1',
      'https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1#dashboards/dashboard/D',
    ],
    ['cn-north-1', 'https://console.amazonaws.cn/cloudwatch/home?region=cn-north-1#dashboards/dashboard/D'],
    ['us-iso-east-1', undefined],
  ])('links the dashboard in %s to the partition’s console, if it has a public one', (region, url) => {
    // Act
    const actual = dashboardUrl(region, 'D');
    // Assess
    expect(actual).toBe(url);
  });
});

describe('Monitoring cdk-nag', () => {
  it('reports zero unacknowledged findings with an e-mail subscription and a third state machine', () => {
    // Prepare
    const app = buildApp(testConfig({ notifications: { email: 'oncall@example.com' } }), {
      appProps: { context: CDK_JSON_CONTEXT },
      bundling: false,
      nag: false,
      defaultAccount: MANAGEMENT_ACCOUNT,
      defaultRegion: REGION,
    });
    const extra = sfn.StateMachine.fromStateMachineName(app.bootstrapper, 'Extra', 'extra');
    app.bootstrapper.monitoring.monitorStateMachine(extra, 'Extra');
    // Act
    const unacknowledged = findings(app);
    // Assess
    expect(unacknowledged).toEqual([]);
  });
});

/**
 * A hand-written SSM fake at the version limit: three versions (1 old, 2 default, 3 latest);
 * the first UpdateDocument is refused with DocumentVersionLimitExceeded.
 */
function versionLimitDependencies(pruningEnabled: boolean): () => ApplyPreferencesDependencies {
  const lza = JSON.stringify({
    schemaVersion: '1.0',
    sessionType: 'Standard_Stream',
    inputs: { runAsEnabled: false, runAsDefaultUser: '' },
  });
  let updates = 0;
  const ssm = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      switch (command.constructor.name) {
        case 'GetDocumentCommand':
          return { Content: lza, DocumentVersion: '3', Status: 'Active', DocumentFormat: 'JSON' };
        case 'DescribeDocumentCommand':
          return { Document: { Status: 'Active', LatestVersion: '4', DefaultVersion: '2' } };
        case 'UpdateDocumentCommand':
          updates += 1;
          if (updates === 1) {
            throw Object.assign(new Error('limit'), { name: 'DocumentVersionLimitExceeded', $metadata: {} });
          }
          return { DocumentDescription: { DocumentVersion: '4' } };
        case 'ListDocumentVersionsCommand':
          return {
            DocumentVersions: [
              { DocumentVersion: '1' },
              { DocumentVersion: '2', IsDefaultVersion: true },
              { DocumentVersion: '3' },
            ],
          };
        default:
          return {};
      }
    },
  };
  const deps = {
    runAs: { enabled: true, defaultUser: 'ec2-user' },
    config: { documentVersionPruning: { enabled: pruningEnabled, keepNewest: 1, deleteCount: 10 } },
    sessions: { open: async () => ({ ssm: () => ssm }) },
  };
  return () => deps as unknown as ApplyPreferencesDependencies;
}

describe('Monitoring metric contract with the handlers', () => {
  const context = { functionName: 'f', awsRequestId: 'r', getRemainingTimeInMillis: () => 1000 } as Context;
  const ledger = memoryLedger();
  const dependencies = () =>
    ({
      ledger,
      config: testConfig(),
      now: () => Date.UTC(2026, 0, 1, 0, 8),
      // measureGap auto asks, once a vend is measured, whether the LZA pipeline exists: here it does.
      pipeline: { exists: async () => true, misnamed: async () => [] },
    }) as unknown as RecordEnforcementDependencies & RecordFollowUpDependencies;
  const emf: EmfRecord[] = [];
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();
  const request = (isVend: boolean) => ({
    accountId: '222222222222',
    trigger: isVend ? 'organizations-create-account' : 'replay',
    vendedAt: at(0),
    regions: ['us-east-1', 'eu-west-1'],
    isVend,
    owner: isVend,
    invited: false,
    roleDeadline: at(30),
  });

  beforeAll(async () => {
    // Prepare: capture the EMF lines Powertools prints.
    const log = captureEmf(emf);
    // Act: a measured vend, a replay with a failed region, invited accounts without a role, a
    // follow-up that repairs a region and closes the gap, a sweep batch.
    await ledger.recordTrigger(
      {
        accountId: '222222222222',
        joinedAt: at(0),
        joinedMethod: 'CREATED',
        governedRegions: ['us-east-1', 'eu-west-1'],
        expiresAt: 0,
      },
      { trigger: 'organizations-create-account', at: at(0), execution: 'owner' },
    );
    await ledger.claim(
      { accountId: '222222222222', joinedAt: at(0) },
      { execution: 'owner', claimedAt: at(0), leaseUntil: at(45), state: 'running' },
      at(0),
    );
    await recordEnforcement(dependencies)(
      {
        execution: 'owner',
        request: request(true),
        role: { roleName: 'AWSControlTowerExecution', assumableAt: at(5) },
        regions: [
          { region: 'us-east-1', status: 'compliant', action: 'created', verifiedAt: at(6) },
          { region: 'eu-west-1', status: 'compliant', action: 'created', verifiedAt: at(7) },
        ],
      },
      context,
    );
    await ledger.recordTrigger(
      {
        accountId: '444444444444',
        joinedAt: at(0),
        joinedMethod: 'INVITED',
        governedRegions: ['us-east-1', 'eu-west-1'],
        expiresAt: 0,
      },
      { trigger: 'organizations-account-joined', at: at(0), execution: 'invited-true' },
    );
    for (const isVend of [true, false]) {
      await recordEnforcement(dependencies)(
        {
          execution: `invited-${isVend}`,
          request: { ...request(isVend), accountId: '444444444444', owner: false, invited: true },
          roleError: { Error: 'RoleWaitTimeoutError', Cause: 'no member role' },
          regions: [],
        },
        context,
      );
    }
    await recordEnforcement(dependencies)(
      {
        execution: 'replay',
        request: request(false),
        regions: [
          { region: 'us-east-1', status: 'compliant', action: 'unchanged', verifiedAt: at(6) },
          { region: 'eu-west-1', status: 'failed', error: 'ThrottlingException' },
        ],
      },
      context,
    );
    const repair = {
      accountId: '222222222222',
      joinedAt: at(0),
      region: 'eu-west-1',
      pipelineExecutionId: 'run-1',
      stage: 'Deploy',
      securityResourcesAt: at(20),
    };
    await recordFollowUp(dependencies)(
      {
        execution: 'follow-up',
        plan: {
          redrive: [],
          exhausted: [],
          misnamedPipelines: [],
          followed: [],
          mode: 'event',
          repairs: [repair],
          settlements: [
            {
              accountId: '222222222222',
              joinedAt: at(0),
              decision: {
                kind: 'close',
                pipelineExecutionId: 'run-1',
                customizationsCompletedAt: at(50),
                prepareToCustomizationsSeconds: 3000,
                gapClosedSeconds: 2580,
                reason: 'pipeline run run-1 finished Customizations',
              },
            },
          ],
          measure: [],
          truncated: false,
        },
        results: [{ ...repair, status: 'compliant', action: 'updated', verifiedAt: at(21) }],
      },
      context,
    );
    await ledger.recordTrigger(
      {
        accountId: '555555555555',
        joinedAt: at(0),
        joinedMethod: 'CREATED',
        governedRegions: ['us-east-1'],
        expiresAt: 0,
      },
      { trigger: 'organizations-create-account', at: at(0), execution: 'never-settled' },
    );
    await recordFollowUp(dependencies)(
      {
        execution: 'reconcile',
        plan: {
          redrive: [],
          exhausted: [{ accountId: '555555555555', joinedAt: at(0) }],
          // The named LZA pipeline is missing and acme-pipeline has its stages (LzaPipelineMisnamed).
          misnamedPipelines: ['acme-pipeline'],
          followed: [],
          mode: 'reconcile',
          repairs: [],
          settlements: [
            { accountId: '555555555555', joinedAt: at(0), decision: { kind: 'expire', reason: 'late' } },
          ],
          measure: [],
          truncated: false,
        },
        results: [{ ...repair, status: 'failed', error: 'AwsTransientError' }],
      },
      context,
    );
    // ApplyPreferences at the version limit: once pruning (DocumentVersionsPruned), once with
    // pruning off (DocumentVersionLimitReached, and the error propagates).
    for (const enabled of [true, false]) {
      const attempt = applyPreferences(versionLimitDependencies(enabled))(
        { accountId: '222222222222', region: 'us-east-1' },
        context,
      );
      if (enabled) await expect(attempt).resolves.toMatchObject({ pruned: ['1'] });
      else await expect(attempt).rejects.toMatchObject({ name: 'DocumentVersionLimitError' });
    }
    await recordSweep(dependencies)(
      {
        options: { repair: true, maxConcurrency: 10, regions: ['us-east-1'], startedAt: at(0) },
        page: { accountIds: [], skipped: { inactive: 0, excluded: 0 } },
        totals: emptySweepTotals(),
        results: [{ accountId: '333333333333', regions: [{ region: 'us-east-1', status: 'repaired' }] }],
      },
      context,
    );
    log.restore();
  });

  /** Every (metric, dimensions) pair the handlers emitted. */
  function emitted(): { name: string; namespace: string; dimensions: Record<string, unknown> }[] {
    return emf.flatMap((record) =>
      record._aws.CloudWatchMetrics.flatMap((directive) =>
        directive.Metrics.flatMap((metric) =>
          directive.Dimensions.map((set) => ({
            name: metric.Name,
            namespace: directive.Namespace,
            dimensions: Object.fromEntries(set.map((key) => [key, record[key]])),
          })),
        ),
      ),
    );
  }

  it('emits every metric with exactly the dimensions the dashboard and alarms use', () => {
    // Prepare
    const expected = (Object.entries(METRIC_TRIGGERS) as [MetricName, readonly string[] | null][]).flatMap(
      ([name, triggers]) =>
        (triggers ?? [undefined]).map((trigger) => seriesKey(name, expectedDimensions(trigger))),
    );
    // Act
    const actual = emitted();
    // Assess
    expect([...new Set(actual.map((m) => seriesKey(m.name, m.dimensions)))].sort()).toEqual(expected.sort());
    for (const metric of actual) expect(metric.namespace).toBe(testConfig().metricsNamespace);
  });

  it('charts only series the handlers emit', () => {
    // Prepare
    const emittedKeys = new Set(emitted().map((m) => seriesKey(m.name, m.dimensions)));
    // Act
    const charted = allLines(dashboard).filter((line) => line.namespace === 'RunAsBootstrapper');
    // Assess
    expect(charted.length).toBeGreaterThan(0);
    for (const line of charted) expect(emittedKeys).toContain(seriesKey(line.name, line.dimensions));
  });
});
