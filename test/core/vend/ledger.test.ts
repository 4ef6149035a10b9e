import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesPattern } from '#core/deploy/event-pattern.ts';
import { capPlan, FOLLOW_UP_CAPS, repairRecord } from '#core/follow-up/plan.ts';
import {
  canClaim,
  classifyRequest,
  followUpEventPattern,
  isDeployStage,
  lzaResetsRunAs,
  measureVend,
  readPipelineActionEvent,
  regionsOfStage,
  roleWaitMinutes,
  runAsVerifiedAt,
} from '#core/vend/ledger.ts';
import { JOINED, vendRecord } from '#test/fixtures/vend-record.ts';

const HOUR = 3_600_000;
const config = { roleWaitTimeoutMinutes: 30, invitedRoleWaitMinutes: 5 };

const record = vendRecord;

function actionEvent(detail: Record<string, unknown>, time = '2026-11-30T11:00:00Z') {
  return {
    version: '0',
    id: 'e1',
    'detail-type': 'CodePipeline Action Execution State Change',
    source: 'aws.codepipeline',
    account: '999999999999',
    time,
    region: 'us-east-1',
    resources: [],
    detail: {
      pipeline: 'AWSAccelerator-Pipeline',
      'execution-id': 'run-1',
      stage: 'Deploy',
      action: 'Customizations',
      state: 'SUCCEEDED',
      ...detail,
    },
  };
}

describe('classifyRequest', () => {
  it('is a vend within vendWindowHours of the join and an enrollment update after it', () => {
    // Act + Assess
    const join = { joinedMethod: 'CREATED', joinedAt: JOINED };
    expect(classifyRequest(join, Date.parse(JOINED) + 24 * HOUR, 24)).toBe('vend');
    expect(classifyRequest(join, Date.parse(JOINED) + 24 * HOUR + 1, 24)).toBe('enrollment-update');
    expect(classifyRequest(join, Date.parse(JOINED) + 400 * 24 * HOUR, 24)).toBe('enrollment-update');
  });

  it('property: the same account is one vend for every event inside the window, whatever its trigger', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 24 * 3600 }), (seconds) => {
        expect(
          classifyRequest(
            { joinedMethod: 'CREATED', joinedAt: JOINED },
            Date.parse(JOINED) + seconds * 1000,
            24,
          ),
        ).toBe('vend');
      }),
    );
  });
});

describe('roleWaitMinutes', () => {
  it('waits the short invited wait for an invited account reached by a join or a replay', () => {
    const invited = { joinedMethod: 'INVITED', joinedAt: JOINED };
    expect(roleWaitMinutes(invited, 'organizations-account-joined', config)).toEqual({
      minutes: 5,
      invited: true,
    });
    expect(roleWaitMinutes(invited, 'replay', config)).toEqual({ minutes: 5, invited: true });
  });

  it('waits the full wait when Control Tower enrolled the invited account (its role exists then)', () => {
    const invited = { joinedMethod: 'INVITED', joinedAt: JOINED };
    expect(roleWaitMinutes(invited, 'controltower-create-managed-account', config)).toEqual({
      minutes: 30,
      invited: false,
    });
    expect(
      roleWaitMinutes({ joinedMethod: 'CREATED', joinedAt: JOINED }, 'organizations-account-joined', config),
    ).toEqual({ minutes: 30, invited: false });
  });
});

describe('canClaim', () => {
  const now = Date.parse(JOINED) + HOUR;
  const owner = (state: 'running' | 'failed' | 'done', leaseMs: number) => ({
    execution: 'a',
    claimedAt: JOINED,
    leaseUntil: new Date(leaseMs).toISOString(),
    state,
  });

  it('lets the first execution claim, and a later one only when the owner failed or went silent', () => {
    expect(canClaim(record(), now)).toBe(true);
    expect(canClaim(record({ owner: owner('running', now + 1) }), now)).toBe(false);
    expect(canClaim(record({ owner: owner('running', now - 1) }), now)).toBe(true);
    expect(canClaim(record({ owner: owner('failed', now + 1) }), now)).toBe(true);
  });

  it('never takes a vend that is verified or settled', () => {
    for (const state of ['verified', 'closed', 'expired'] as const)
      expect(canClaim(record({ state, owner: owner('failed', now - 1) }), now)).toBe(false);
  });
});

describe('measureVend', () => {
  it('ends the exposure at the latest of the earliest verifications of every governed region', () => {
    // Prepare
    const r = record({
      roleAssumableAt: '2026-11-30T10:00:40.000Z',
      regions: {
        'us-east-1': { verifiedAt: '2026-11-30T10:00:45.000Z' },
        'eu-west-1': { verifiedAt: '2026-11-30T10:00:47.500Z' },
      },
    });
    // Act + Assess
    expect(measureVend(r)).toEqual({
      runAsVerifiedAt: '2026-11-30T10:00:47.500Z',
      exposureSeconds: 47.5,
      roleWaitSeconds: 40,
    });
  });

  it('measures nothing until every governed region is verified', () => {
    const r = record({ regions: { 'us-east-1': { verifiedAt: '2026-11-30T10:00:45.000Z' } } });
    expect(measureVend(r)).toBeUndefined();
    expect(runAsVerifiedAt({}, [])).toBeUndefined();
  });
});

describe('repairRecord', () => {
  const planned = {
    accountId: '111111111111',
    joinedAt: JOINED,
    region: 'eu-west-1',
    pipelineExecutionId: 'run-1',
    stage: 'Deploy',
    securityResourcesAt: '2026-11-30T10:30:00.000Z',
  };

  it('counts a rewrite as a repair with its re-exposure, and an unchanged read as a re-verification', () => {
    expect(
      repairRecord(planned, {
        status: 'compliant',
        action: 'updated',
        verifiedAt: '2026-11-30T10:30:04.250Z',
      }),
    ).toMatchObject({ action: 'updated', reexposedSeconds: 4.25 });
    const kept = repairRecord(planned, {
      status: 'compliant',
      action: 'unchanged',
      verifiedAt: '2026-11-30T10:30:02Z',
    });
    expect(kept.action).toBe('unchanged');
    expect(kept).not.toHaveProperty('reexposedSeconds');
    expect(repairRecord(planned, { status: 'failed', error: 'AwsTransientError' })).toMatchObject({
      action: 'failed',
      error: 'AwsTransientError',
    });
  });
});

describe('pipeline action events', () => {
  it('matches Deploy and Deploy-<region> Security_Resources and Customizations successes of the configured pipeline', () => {
    const pattern = followUpEventPattern('AWSAccelerator-Pipeline');
    expect(matchesPattern(pattern, actionEvent({}))).toBe(true);
    expect(
      matchesPattern(pattern, actionEvent({ stage: 'Deploy-eu-west-1', action: 'Security_Resources' })),
    ).toBe(true);
    expect(matchesPattern(pattern, actionEvent({ stage: 'Bootstrap' }))).toBe(false);
    expect(matchesPattern(pattern, actionEvent({ state: 'STARTED' }))).toBe(false);
    expect(matchesPattern(pattern, actionEvent({ action: 'Finalize' }))).toBe(false);
    expect(matchesPattern(pattern, actionEvent({ pipeline: 'Other' }))).toBe(false);
  });

  it('reads the fields the follow-up needs, and nothing from an event of another shape', () => {
    expect(readPipelineActionEvent(actionEvent({ stage: 'Deploy-eu-west-1' }))).toEqual({
      pipeline: 'AWSAccelerator-Pipeline',
      executionId: 'run-1',
      stage: 'Deploy-eu-west-1',
      action: 'Customizations',
      state: 'SUCCEEDED',
      time: '2026-11-30T11:00:00.000Z',
    });
    expect(
      readPipelineActionEvent({
        ...actionEvent({}),
        'detail-type': 'CodePipeline Stage Execution State Change',
      }),
    ).toBeUndefined();
    expect(readPipelineActionEvent(actionEvent({ action: 42 }))).toBeUndefined();
    expect(readPipelineActionEvent(actionEvent({}, 'yesterday'))).toBeUndefined();
    expect(readPipelineActionEvent('not an event')).toBeUndefined();
  });

  it('knows the Deploy stages and the regions each covers', () => {
    expect(isDeployStage('Deploy')).toBe(true);
    expect(isDeployStage('Deploy-eu-west-1')).toBe(true);
    expect(isDeployStage('Bootstrap')).toBe(false);
    expect(regionsOfStage('Deploy', ['us-east-1', 'eu-west-1'])).toEqual(['us-east-1', 'eu-west-1']);
    expect(regionsOfStage('Deploy-eu-west-1', ['us-east-1', 'eu-west-1'])).toEqual(['eu-west-1']);
    expect(regionsOfStage('Deploy-ap-south-1', ['us-east-1'])).toEqual([]);
  });
});

describe('lzaResetsRunAs', () => {
  it('is true below LZA 1.14.0 only, and false when the version is unknown', () => {
    expect(lzaResetsRunAs('1.13.1')).toBe(true);
    expect(lzaResetsRunAs('v1.12.0')).toBe(true);
    expect(lzaResetsRunAs('1.14.0')).toBe(false);
    expect(lzaResetsRunAs('2.0.0')).toBe(false);
    expect(lzaResetsRunAs(undefined)).toBe(false);
  });
});

describe('capPlan', () => {
  it('keeps a plan within one execution and says when the rest must continue', () => {
    // Prepare
    const many = (n: number) => Array.from({ length: n }, (_, i) => i);
    // Act
    const small = capPlan({ repairs: many(3), settlements: many(2), measure: many(1) });
    const large = capPlan({ repairs: many(250), settlements: many(201), measure: many(0) });
    // Assess
    expect(small).toEqual({ repairs: many(3), settlements: many(2), measure: many(1), truncated: false });
    expect(large.truncated).toBe(true);
    expect(large.repairs).toEqual(many(FOLLOW_UP_CAPS.repairs));
    expect(large.settlements).toHaveLength(FOLLOW_UP_CAPS.settlements);
  });
});
