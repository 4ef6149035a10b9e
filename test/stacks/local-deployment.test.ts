import path from 'node:path';
import { parseScenario } from '@runas-bootstrapper/local-cloud';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '#core/config/config.ts';
import { canonicalJson } from '#core/document/preferences.ts';
import { type DemoRun, runScenario } from '#local/demo.ts';
import { DEPLOYED_ALARM_NAMES, localDeployment } from '#local/runtime/deployment.ts';
import { historyEventsOf } from '#local/runtime/limits.ts';
import { STATE_MACHINE_DIR } from '#stacks/bootstrapper-stack.ts';
import { bootstrapHistoryBound } from '#stacks/service-limits.ts';
import { onVirtualTime } from '#test/virtual-clock.ts';
import {
  MANAGEMENT_ACCOUNT,
  onlyResource,
  required,
  synthApp,
  templateOf,
  testConfig,
} from './stack-fixture.ts';

/** The local deployment of `config` for the management account, home in eu-west-1. */
function deployLocally(config: ReturnType<typeof testConfig>) {
  return localDeployment({
    config,
    managementAccountId: MANAGEMENT_ACCOUNT,
    homeRegion: 'eu-west-1',
    stateMachineArns: { bootstrap: 'arn:b', sweep: 'arn:s', followUp: 'arn:f' },
    definitions: { bootstrap: '{}', sweep: '{}', followUp: '{}' },
    ledgerTableName: 'ledger',
    nowMs: 0,
  });
}

onVirtualTime();

describe('the local deployment mirrors the CDK app', () => {
  it('has the same stacks, outputs, rule count and alarm names as the synthesized templates', () => {
    // Prepare
    const config = testConfig({ homeRegion: 'eu-west-1' });
    const built = synthApp(config, { defaultAccount: MANAGEMENT_ACCOUNT });
    // Act
    const local = deployLocally(config);
    // Assess
    const home = built.templates.bootstrapper.toJSON();
    const forwarder = templateOf(built, 'forwarder').toJSON();
    const localHome = required(
      local.stacks.find((s) => s.name === 'RunAsBootstrapper'),
      'the local home stack',
    );
    const localForwarder = required(
      local.stacks.find((s) => s.name === 'RunAsBootstrapperForwarder'),
      'the local forwarder stack',
    );
    for (const key of Object.keys(localHome.outputs)) expect(Object.keys(home.Outputs), key).toContain(key);
    expect(localHome.outputs.ConfigDigest).toBe(home.Outputs.ConfigDigest.Value);
    expect(Object.keys(localForwarder.outputs)).toEqual(Object.keys(forwarder.Outputs));
    expect(local.rules.filter((r) => r.labels.role === 'home')).toHaveLength(
      Object.keys(built.templates.bootstrapper.findResources('AWS::Events::Rule')).length,
    );
    expect(local.rules.filter((r) => r.labels.role === 'forward')).toHaveLength(
      Object.keys(templateOf(built, 'forwarder').findResources('AWS::Events::Rule')).length,
    );
    const alarmNames = Object.values(built.templates.bootstrapper.findResources('AWS::CloudWatch::Alarm'))
      .map((a) => a.Properties.AlarmName as string)
      .sort();
    expect(alarmNames).toEqual(DEPLOYED_ALARM_NAMES.map((n) => `RunAsBootstrapper-${n}`).sort());
    const topics = Object.values(built.templates.bootstrapper.findResources('AWS::SNS::Topic'));
    expect(topics.map((t) => t.Properties.TopicName)).toEqual(
      local.topics.map((t) => t.arn.split(':').pop()),
    );
    expect(topics).toHaveLength(1);
  });
  it('describes each rule with the event pattern of the synthesized template (`detail-type`, as AWS stores it)', () => {
    // Prepare
    const config = testConfig({ homeRegion: 'eu-west-1' });
    const built = synthApp(config, { defaultAccount: MANAGEMENT_ACCOUNT });
    const sorted = (patterns: unknown[]) => patterns.map(canonicalJson).sort();
    // Act
    const local = deployLocally(config);
    // Assess
    const synthesized = (template: typeof built.templates.bootstrapper) =>
      sorted(
        Object.values(template.findResources('AWS::Events::Rule')).map((r) => r.Properties.EventPattern),
      );
    const described = (role: 'home' | 'forward') =>
      sorted(local.rules.filter((r) => r.labels.role === role).map((r) => JSON.parse(r.eventPattern)));
    expect(described('home')).toEqual(synthesized(built.templates.bootstrapper));
    expect(described('forward')).toEqual(synthesized(built.templates.forwarder!));
    expect(described('home').every((pattern) => !pattern.includes('detailType'))).toBe(true);
  });
});

describe('the local deployment with the guardrail', () => {
  it('lists the guardrail stack where the CDK app puts it, and carries the synthesized SCP', () => {
    // Prepare
    const config = testConfig({ guardrail: { scp: { enabled: true, targetIds: ['r-ab12'] } } });
    const built = synthApp(config, { defaultAccount: MANAGEMENT_ACCOUNT, defaultRegion: 'eu-west-1' });
    // Act
    const local = deployLocally(config);
    // Assess
    expect(local.stacks.map((s) => `${s.name} ${s.region}`).sort()).toEqual(
      [
        built.bootstrapper,
        required(built.forwarder, 'a forwarder stack'),
        required(built.guardrail, 'a guardrail stack'),
      ]
        .map((s) => `${s.stackName} ${s.region}`)
        .sort(),
    );
    const synthesized = onlyResource(templateOf(built, 'guardrail'), 'AWS::Organizations::Policy');
    expect(local.serviceControlPolicies).toEqual([synthesized.Properties.Content]);
  });
});

describe('the synth-time history bound', () => {
  let run: DemoRun | undefined;
  afterEach(async () => {
    run?.runtime.stop();
    await run?.cloud.close();
    run = undefined;
  });

  it('is above the history the local engine records for a vend with a role wait (LZA is followed elsewhere)', async () => {
    // Prepare
    const config = parseConfig({
      runAsDefaultUser: 'ec2-user',
      governedRegions: ['us-east-1', 'eu-west-1'],
      lza: { awaitTimeoutHours: 1 },
    });
    const scenario = parseScenario({
      managementAccountId: '999999999999',
      homeRegion: 'us-east-1',
      accounts: [
        {
          accountId: '111111111111',
          name: 'vended',
          roles: { OrganizationAccountAccessRole: 600 },
          vend: { atSeconds: 1, via: 'organizations', createSeconds: 10 },
        },
      ],
    });
    // Act
    run = await runScenario({ scenario, config, timeoutSeconds: 120 });
    const execution = required(
      run.runtime.executions().find((e) => e.startedBy === 'rule/organizations-create-account-succeeded'),
      'the CreateAccountResult execution',
    );
    const recorded = execution.events.reduce((sum, event) => sum + historyEventsOf(event), 0);
    const bound = bootstrapHistoryBound(config, path.join(STATE_MACHINE_DIR, 'bootstrap.asl.json'));
    // Assess: the run retried the role, and stayed under the bound.
    const attempts = execution.events.filter(
      (e) => e.type === 'StateEntered' && e.state?.name === 'AwaitRole',
    );
    expect(attempts.length).toBeGreaterThan(1);
    expect(recorded).toBeGreaterThan(40);
    expect(recorded).toBeLessThanOrEqual(bound.total);
  });
});
