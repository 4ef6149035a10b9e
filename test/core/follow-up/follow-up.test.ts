import { describe, expect, it } from 'vitest';
import {
  countRepairs,
  emptyTally,
  followUpTrigger,
  groupByVend,
  ignoredPlan,
  oldestJoin,
  planOpenVends,
  type RepairResult,
  regressionsMetric,
  settlementOf,
  unrecordedRepairs,
  vendRepairs,
  withEventAction,
} from '#core/follow-up/follow-up.ts';
import { METRIC } from '#core/shared/metrics.ts';
import type { PipelineActionEvent } from '#core/vend/ledger.ts';
import { JOINED, vendRecord } from '#test/fixtures/vend-record.ts';

const PIPELINE = 'AWSAccelerator-Pipeline';

function actionEvent(detail: Record<string, unknown>) {
  return {
    source: 'aws.codepipeline',
    'detail-type': 'CodePipeline Action Execution State Change',
    time: '2026-11-30T11:00:00Z',
    detail: {
      pipeline: PIPELINE,
      'execution-id': 'run-1',
      stage: 'Deploy',
      action: 'Security_Resources',
      state: 'SUCCEEDED',
      ...detail,
    },
  };
}

const vend = vendRecord;

describe('followUpTrigger', () => {
  it('follows the reconciler and Deploy-stage Security_Resources or Customizations successes of the LZA pipeline', () => {
    // Act + Assess
    expect(followUpTrigger({ reconcile: true }, PIPELINE)).toEqual({ mode: 'reconcile', replan: false });
    expect(followUpTrigger({ reconcile: true, replan: true }, PIPELINE)).toEqual({
      mode: 'reconcile',
      replan: true,
    });
    expect(followUpTrigger(actionEvent({}), PIPELINE)).toMatchObject({
      mode: 'event',
      event: { action: 'Security_Resources', stage: 'Deploy', executionId: 'run-1' },
    });
    expect(
      followUpTrigger(actionEvent({ stage: 'Deploy-eu-west-1', action: 'Customizations' }), PIPELINE),
    ).toMatchObject({ mode: 'event' });
  });

  it('ignores anything else, saying why', () => {
    // Act + Assess
    expect(followUpTrigger({ reconcile: 'yes' }, PIPELINE)).toEqual({
      ignored: 'not a CodePipeline action state-change event',
    });
    expect(followUpTrigger(actionEvent({ pipeline: 'other' }), PIPELINE)).toEqual({
      ignored: `pipeline other is not ${PIPELINE}`,
    });
    expect(followUpTrigger(actionEvent({ stage: 'Bootstrap' }), PIPELINE)).toEqual({
      ignored: 'Bootstrap/Security_Resources SUCCEEDED needs no follow-up',
    });
    expect(followUpTrigger(actionEvent({ action: 'Prepare' }), PIPELINE)).toHaveProperty('ignored');
    expect(followUpTrigger(actionEvent({ state: 'FAILED' }), PIPELINE)).toHaveProperty('ignored');
  });

  it('gives an ignored event a plan with no work that the ASL ends on', () => {
    expect(ignoredPlan('why')).toEqual({
      mode: 'event',
      repairs: [],
      settlements: [],
      measure: [],
      followed: [],
      redrive: [],
      exhausted: [],
      misnamedPipelines: [],
      truncated: false,
      ignored: 'why',
    });
  });
});

describe('withEventAction', () => {
  const event: PipelineActionEvent = {
    pipeline: PIPELINE,
    executionId: 'run-1',
    stage: 'Deploy',
    action: 'Security_Resources',
    state: 'SUCCEEDED',
    time: '2026-11-30T11:00:00.000Z',
  };

  it('adds the event’s action to its own run when the history lags, and only then', () => {
    // Act
    const lagging = withEventAction('run-1', [], event);
    const current = withEventAction(
      'run-1',
      [{ stageName: 'Deploy', actionName: 'Security_Resources', status: 'Succeeded', lastUpdateTime: 'x' }],
      event,
    );
    // Assess
    expect(lagging).toEqual([
      {
        stageName: 'Deploy',
        actionName: 'Security_Resources',
        status: 'Succeeded',
        lastUpdateTime: event.time,
      },
    ]);
    expect(current).toHaveLength(1);
    expect(current[0]!.lastUpdateTime).toBe('x');
    expect(withEventAction('run-2', [], event)).toEqual([]);
    expect(withEventAction('run-1', [], undefined)).toEqual([]);
  });
});

describe('planOpenVends', () => {
  const options = {
    awaitTimeoutHours: 24,
    nowMs: Date.parse(JOINED) + 3_600_000,
    governedRegions: ['us-east-1'],
    measureGap: 'auto' as boolean | 'auto',
    pipelineName: PIPELINE,
  };
  const securityResources: PipelineActionEvent = {
    pipeline: PIPELINE,
    executionId: 'run-1',
    stage: 'Deploy',
    action: 'Security_Resources',
    state: 'SUCCEEDED',
    time: '2026-11-30T11:00:00.000Z',
  };

  it('asks for a repair sweep of the stage’s regions after Security_Resources on LZA below 1.14 only', () => {
    // Act
    const old = planOpenVends([], [], securityResources, { ...options, lzaVersion: '1.13.0' });
    const current = planOpenVends([], [], securityResources, { ...options, lzaVersion: '1.14.0' });
    const reconcile = planOpenVends([], [], undefined, { ...options, lzaVersion: '1.13.0' });
    const lost = { pipelineExecutionId: 'run-0', stage: 'Deploy-us-east-1' };
    const reconcileLost = planOpenVends([], [], undefined, {
      ...options,
      lzaVersion: '1.13.0',
      unfollowed: [lost],
    });
    const reconcileLostCurrent = planOpenVends([], [], undefined, {
      ...options,
      lzaVersion: '1.14.0',
      unfollowed: [lost],
    });
    // Assess
    expect(old).toEqual({
      mode: 'event',
      repairs: [],
      settlements: [],
      measure: [],
      followed: [{ pipelineExecutionId: 'run-1', stage: securityResources.stage }],
      sweep: { repair: true, regions: ['us-east-1'] },
    });
    expect(current).not.toHaveProperty('sweep');
    expect(current.followed).toEqual([]);
    expect(reconcile).toEqual({ mode: 'reconcile', repairs: [], settlements: [], measure: [], followed: [] });
    // A Security_Resources whose event was lost: the reconciler sweeps for it (LZA below 1.14 only).
    expect(reconcileLost.sweep).toEqual({ repair: true, regions: ['us-east-1'] });
    expect(reconcileLost.followed).toEqual([lost]);
    expect(reconcileLostCurrent).not.toHaveProperty('sweep');
  });

  it('measures a pending vend whose owner gave up after every region was verified, and expires one without a pipeline', () => {
    // Prepare
    const verified = { verifiedAt: '2026-11-30T10:05:00.000Z' };
    const abandoned = vend({
      owner: { execution: 'a', claimedAt: JOINED, leaseUntil: JOINED, state: 'failed' },
      regions: { 'us-east-1': verified, 'eu-west-1': verified },
    });
    // Act
    const plan = planOpenVends([abandoned], undefined, undefined, {
      ...options,
      measureGap: true,
      lzaVersion: undefined,
    });
    // Assess
    expect(plan.measure).toEqual([{ accountId: abandoned.accountId, joinedAt: JOINED }]);
    expect(plan.settlements).toEqual([
      {
        accountId: abandoned.accountId,
        joinedAt: JOINED,
        decision: { kind: 'expire', reason: `the LZA pipeline ${PIPELINE} does not exist` },
      },
    ]);
  });

  it('without a pipeline under auto, closes a verified vend with a note and never expires a pending one', () => {
    // Prepare: a day past the await timeout; one verified vend, one pending with a failed owner.
    const late = {
      ...options,
      lzaVersion: undefined,
      nowMs: Date.parse(JOINED) + 30 * 3_600_000,
      measureGap: 'auto' as const,
    };
    const verified = vend({ accountId: '400000000001', state: 'verified' });
    const pending = vend({
      accountId: '400000000002',
      owner: { execution: 'a', claimedAt: JOINED, leaseUntil: JOINED, state: 'failed' },
    });
    // Act
    const plan = planOpenVends([verified, pending], undefined, undefined, late);
    // Assess
    expect(plan.settlements).toEqual([
      {
        accountId: '400000000001',
        joinedAt: JOINED,
        decision: {
          kind: 'close-unfollowed',
          reason: `no LZA pipeline ${PIPELINE}: closed at verification (lza.measureGap auto)`,
        },
      },
    ]);
  });

  it("under auto with LZA's pipeline under another name, keeps a verified vend open until the await timeout", () => {
    // Prepare: the named pipeline is missing, acme-pipeline has LZA's stages.
    const misnamed = {
      ...options,
      lzaVersion: undefined,
      measureGap: 'auto' as const,
      misnamedPipelines: ['acme-pipeline'],
    };
    const verified = vend({ accountId: '400000000003', state: 'verified' });
    // Act
    const early = planOpenVends([verified], undefined, undefined, {
      ...misnamed,
      nowMs: Date.parse(JOINED) + 3_600_000,
    });
    const late = planOpenVends([verified], undefined, undefined, {
      ...misnamed,
      nowMs: Date.parse(JOINED) + 30 * 3_600_000,
    });
    // Assess: not closed as "no LZA"; expired only past lza.awaitTimeoutHours, naming the pipeline.
    expect(early.settlements).toEqual([]);
    expect(late.settlements).toEqual([
      {
        accountId: '400000000003',
        joinedAt: JOINED,
        decision: {
          kind: 'expire',
          reason: `no LZA pipeline ${PIPELINE}, but acme-pipeline has LZA's stages: set lza.pipelineName; not followed within lza.awaitTimeoutHours`,
        },
      },
    ]);
  });

  it('never expires a pending vend whose owner is within its lease, even without a pipeline under true', () => {
    // Prepare
    const now = Date.parse(JOINED) + 30 * 3_600_000;
    const live = vend({
      owner: {
        execution: 'a',
        claimedAt: JOINED,
        leaseUntil: new Date(now + 60_000).toISOString(),
        state: 'running',
      },
    });
    // Act
    const strict = planOpenVends([live], undefined, undefined, {
      ...options,
      lzaVersion: undefined,
      nowMs: now,
      measureGap: true,
    });
    const withRuns = planOpenVends([live], [], undefined, {
      ...options,
      lzaVersion: undefined,
      nowMs: now,
      measureGap: true,
    });
    // Assess
    expect(strict.settlements).toEqual([]);
    expect(withRuns.settlements).toEqual([]);
  });

  it('starts reading the history at the oldest open vend', () => {
    expect(oldestJoin([vend({ joinedAt: '2026-12-02T00:00:00Z' }), vend()])).toBe(JOINED);
    expect(oldestJoin([])).toBeUndefined();
  });
});

describe('recording a follow-up', () => {
  const planned = {
    accountId: '111111111111',
    joinedAt: JOINED,
    pipelineExecutionId: 'run-1',
    stage: 'Deploy',
    securityResourcesAt: '2026-11-30T11:00:00.000Z',
  };
  const verifiedRepair = (region: string, action: 'updated' | 'unchanged'): RepairResult => ({
    ...planned,
    region,
    status: 'compliant',
    action,
    verifiedAt: '2026-11-30T11:00:30.000Z',
  });
  const rewritten = (region: string) => verifiedRepair(region, 'updated');
  const inPlace = (region: string) => verifiedRepair(region, 'unchanged');
  const failed = (region: string): RepairResult => ({
    ...planned,
    region,
    status: 'failed',
    error: 'AwsTransientError',
  });

  it('groups results by vend in first-seen order', () => {
    const other = { ...rewritten('us-east-1'), accountId: '222222222222' };
    expect(groupByVend([rewritten('us-east-1'), other, failed('eu-west-1')])).toEqual([
      [rewritten('us-east-1'), failed('eu-west-1')],
      [other],
    ]);
  });

  it('keeps a region failing until a repair fixes it', () => {
    // Act
    const { failing, stillFailing } = vendRepairs(
      ['ap-south-1', 'us-east-1'],
      [inPlace('us-east-1'), failed('eu-west-1')],
    );
    // Assess
    expect(failing).toEqual(['eu-west-1']);
    expect(stillFailing).toEqual(['ap-south-1', 'eu-west-1']);
  });

  it('counts a rewrite as a repaired regression with its re-exposure, a read-back as a re-verification', () => {
    // Prepare
    const tally = emptyTally();
    const { repairs } = vendRepairs([], [rewritten('us-east-1'), inPlace('eu-west-1'), failed('ap-south-1')]);
    // Act
    const reexposed = countRepairs(tally, repairs);
    // Assess
    expect(tally).toMatchObject({ repaired: 1, reverified: 1, repairsFailed: 1 });
    expect(reexposed).toEqual([{ name: METRIC.runAsReexposedSeconds, unit: 'Seconds', value: 30 }]);
    expect(regressionsMetric(tally)).toEqual([
      { name: METRIC.runAsRegressionsRepaired, unit: 'Count', value: 1 },
    ]);
    expect(regressionsMetric(emptyTally())).toEqual([]);
  });

  it('records a closure with its figures and metrics, an expiry with the timeout metric', () => {
    // Act
    const closed = settlementOf({
      kind: 'close',
      pipelineExecutionId: 'run-1',
      customizationsCompletedAt: '2026-11-30T12:00:00.000Z',
      prepareToCustomizationsSeconds: 7200,
      gapClosedSeconds: 7000,
      reason: 'done',
    });
    const unclosed = settlementOf({
      kind: 'close',
      pipelineExecutionId: 'run-1',
      customizationsCompletedAt: '2026-11-30T12:00:00.000Z',
      prepareToCustomizationsSeconds: 7200,
      reason: 'not in effect',
    });
    const expired = settlementOf({ kind: 'expire', reason: 'too long' });
    // Assess
    expect(closed).toEqual({
      update: {
        state: 'closed',
        note: 'done',
        pipelineExecutionId: 'run-1',
        customizationsCompletedAt: '2026-11-30T12:00:00.000Z',
        prepareToCustomizationsSeconds: 7200,
        gapClosedSeconds: 7000,
      },
      counts: 'closed',
      metrics: [
        { name: METRIC.prepareToCustomizationsSeconds, unit: 'Seconds', value: 7200 },
        { name: METRIC.gapClosedSeconds, unit: 'Seconds', value: 7000 },
      ],
    });
    expect(unclosed.metrics.map((m) => m.name)).toEqual([METRIC.prepareToCustomizationsSeconds]);
    expect(expired).toEqual({
      update: { state: 'expired', note: 'too long' },
      counts: 'expired',
      metrics: [{ name: METRIC.gapMeasurementTimedOut, unit: 'Count', value: 1 }],
    });
  });
});

describe('unrecordedRepairs', () => {
  const repair = (region: string, action: string, securityResourcesAt = '2026-11-30T11:00:00.000Z') => ({
    pipelineExecutionId: 'run-1',
    stage: 'Deploy',
    region,
    securityResourcesAt,
    action,
  });

  it('leaves out a repair whose region was re-verified after the same Security_Resources, and a repeated failure', () => {
    // Prepare
    const record = vendRecord({
      regions: {
        'us-east-1': { verifiedAt: JOINED, reverifiedAfter: '2026-11-30T11:00:00.000Z' },
        'eu-west-1': { verifiedAt: JOINED },
      },
      repairs: [repair('eu-west-1', 'failed')],
    });
    // Act
    const fresh = unrecordedRepairs(record, [
      repair('us-east-1', 'updated'),
      repair('us-east-1', 'updated', '2026-11-30T12:00:00.000Z'),
      repair('eu-west-1', 'failed'),
      repair('eu-west-1', 'unchanged'),
    ]);
    // Assess
    expect(fresh.map((r) => `${r.region}:${r.action}:${r.securityResourcesAt.slice(11, 13)}`)).toEqual([
      'us-east-1:updated:12',
      'eu-west-1:unchanged:11',
    ]);
  });
});
