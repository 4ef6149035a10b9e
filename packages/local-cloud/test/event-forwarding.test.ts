import { describe, expect, it } from 'vitest';
import { makeEnvelope } from '../src/bus.ts';
import type { DeployedRule, LocalDeployment } from '../src/deployment.ts';
import { eventReaches, matchesEventPattern } from '../src/event-forwarding.ts';

const HOME = '999999999999';
const PIPELINE = '333333333333';
const PATTERN = {
  source: ['aws.codepipeline'],
  detail: { pipeline: ['AWSAccelerator-Pipeline'], stage: ['Deploy', { prefix: 'Deploy-' }] },
};

function pipelineEvent(stage: string, account = PIPELINE) {
  return makeEnvelope({
    'detail-type': 'CodePipeline Action Execution State Change',
    source: 'aws.codepipeline',
    account,
    region: 'us-east-1',
    time: 0,
    detail: { pipeline: 'AWSAccelerator-Pipeline', stage, action: 'Customizations', state: 'SUCCEEDED' },
  });
}

function deployment(options: {
  policy: boolean;
  state?: 'ENABLED' | 'DISABLED';
  target?: string;
}): LocalDeployment {
  const rule: DeployedRule = {
    name: 'PipelineActionsForward',
    region: 'us-east-1',
    labels: {},
    state: options.state ?? 'ENABLED',
    description: 'forward',
    eventPattern: JSON.stringify(PATTERN),
    targets: [
      {
        Id: 'Target0',
        Arn: options.target ?? `arn:aws:events:us-east-1:${HOME}:event-bus/default`,
        RoleArn: `arn:aws:iam::${PIPELINE}:role/ForwardRole`,
      },
    ],
  };
  return {
    stacks: [],
    rules: [rule],
    stateMachines: [],
    topics: [],
    alarms: [],
    serviceControlPolicies: [],
    eventBusPolicies: options.policy ? [{ account: HOME, region: 'us-east-1', principals: [PIPELINE] }] : [],
  };
}

describe('cross-account event delivery', () => {
  it('matches exact values and prefixes, as EventBridge patterns do', () => {
    // Act / Assess
    expect(matchesEventPattern(PATTERN, pipelineEvent('Deploy-eu-west-1'))).toBe(true);
    expect(matchesEventPattern(PATTERN, pipelineEvent('Deploy'))).toBe(true);
    expect(matchesEventPattern(PATTERN, pipelineEvent('Bootstrap'))).toBe(false);
  });

  it("delivers a forwarded event to the other account's bus when its policy allows the sender", () => {
    // Act / Assess
    expect(eventReaches(deployment({ policy: true }), pipelineEvent('Deploy'), HOME)).toBe(true);
  });

  it('refuses the put when the receiving bus has no policy for the sender', () => {
    // Act / Assess
    expect(eventReaches(deployment({ policy: false }), pipelineEvent('Deploy'), HOME)).toBe(false);
  });

  it('delivers nothing from a disabled rule, a rule aimed at another bus, or an unmatched event', () => {
    // Act / Assess
    expect(eventReaches(deployment({ policy: true, state: 'DISABLED' }), pipelineEvent('Deploy'), HOME)).toBe(
      false,
    );
    const elsewhere = deployment({
      policy: true,
      target: `arn:aws:events:us-east-1:111111111111:event-bus/default`,
    });
    expect(eventReaches(elsewhere, pipelineEvent('Deploy'), HOME)).toBe(false);
    expect(eventReaches(deployment({ policy: true }), pipelineEvent('Bootstrap'), HOME)).toBe(false);
  });

  it("an account's own events are on its own bus, with or without a deployment", () => {
    // Act / Assess
    expect(eventReaches(undefined, pipelineEvent('Deploy', HOME), HOME)).toBe(true);
    expect(eventReaches(undefined, pipelineEvent('Deploy'), HOME)).toBe(false);
  });
});
