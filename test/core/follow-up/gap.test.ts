import { readFileSync } from 'node:fs';
import {
  CodePipelineClient,
  ListActionExecutionsCommand,
  type ListActionExecutionsCommandInput,
  type ListActionExecutionsOutput,
  ListPipelineExecutionsCommand,
  type ListPipelineExecutionsOutput,
} from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { PipelineHistory } from '#adapters/pipeline-history.ts';
import {
  actionFinishedAt,
  CUSTOMIZATIONS_ACTION,
  coveringCandidates,
  deployedBefore,
  deployStageFor,
  gapFigures,
  judgeRun,
  milestones,
  type PipelineAction,
  type PipelineRun,
  type RegionMilestones,
  SECURITY_RESOURCES_ACTION,
} from '#core/follow-up/gap.ts';
import { planFollowUp, type RunHistory } from '#core/follow-up/plan.ts';
import type { VendRecord } from '#core/vend/ledger.ts';

/**
 * The fixtures are ListPipelineExecutions / ListActionExecutions responses of the LZA pipeline
 * (SDK output shape, timestamps as ISO text). They reach core/follow-up/gap.ts through the real adapter,
 * PipelineHistory, on a mocked CodePipeline client: the same mapping production uses.
 */

const PIPELINE = 'AWSAccelerator-Pipeline';
const REGIONS = ['us-east-1', 'eu-west-1'];

const DEPLOY = {
  older: '9d0c7e21-5a44-4f18-8c3b-e71a06d9b2f5',
  covering: '4f3a2b1c-8e6d-4c0a-9b7e-52d1f0c8a3e7',
  running: 'c71e5a80-3b9d-4e22-a7f1-0d58e3b6c914',
};
const REGION_BY_REGION = {
  done: '5a8c1f3e-2d7b-4e90-a6c4-b3f8d0e917a2',
  running: 'e2b94d17-60c3-4a8f-b5d2-9c1f7a3e0b68',
};
const FAILED_THEN_SUCCEEDED = {
  failed: '1f6d3c9b-4e8a-4b27-9d05-a3c7e2f8b610',
  succeeded: '7be0d4a2-91c5-4f3d-8e6a-0c2b5f9d1e47',
};
const STAGE_RETRY = 'b39f0e6c-7d21-4a58-bc4e-1e8a6d2f5c03';

interface RecordedResponses {
  description: string;
  pipelineName: string;
  ListPipelineExecutions: ListPipelineExecutionsOutput;
  /** Keyed by the `filter.pipelineExecutionId` the call was made with. */
  ListActionExecutions: Record<string, ListActionExecutionsOutput>;
}

interface Recorded {
  pipeline: PipelineHistory;
  /** Every run, as the adapter maps it. */
  runs: PipelineRun[];
  actions: Map<string, PipelineAction[]>;
}

/** The SDK deserializes CodePipeline timestamps to Date. */
function reviveDates(key: string, value: unknown): unknown {
  return (key === 'startTime' || key === 'lastUpdateTime') && typeof value === 'string'
    ? new Date(value)
    : value;
}

async function record(file: string): Promise<Recorded> {
  const text = readFileSync(new URL(`../../fixtures/pipeline-history/${file}`, import.meta.url), 'utf8');
  const responses = JSON.parse(text, reviveDates) as RecordedResponses;
  const client = new CodePipelineClient({ region: 'us-east-1' });
  const mock = mockClient(client);
  mock
    .on(ListPipelineExecutionsCommand, { pipelineName: responses.pipelineName })
    .resolves(responses.ListPipelineExecutions);
  mock.on(ListActionExecutionsCommand).callsFake((input: ListActionExecutionsCommandInput) => {
    const page = responses.ListActionExecutions[input.filter?.pipelineExecutionId ?? ''];
    if (!page || input.pipelineName !== responses.pipelineName) throw new Error(`not recorded: ${file}`);
    return page;
  });
  const pipeline = new PipelineHistory(client, PIPELINE);
  const runs = (await pipeline.runsSince('2000-01-01T00:00:00.000Z')) ?? [];
  const actions = new Map<string, PipelineAction[]>();
  for (const run of runs) actions.set(run.executionId, await pipeline.actions(run.executionId));
  return { pipeline, runs, actions };
}

function actionsOf(recorded: Recorded, executionId: string): PipelineAction[] {
  const actions = recorded.actions.get(executionId);
  expect(actions, executionId).toBeDefined();
  return actions as PipelineAction[];
}

function runOf(recorded: Recorded, executionId: string): PipelineRun {
  const run = recorded.runs.find((r) => r.executionId === executionId);
  expect(run, executionId).toBeDefined();
  return run as PipelineRun;
}

/** What the follow-up does first: the candidate runs that may cover the vend, oldest first. */
async function candidateIds(recorded: Recorded, vendedAt: string): Promise<string[]> {
  const since = (await recorded.pipeline.runsSince(vendedAt)) ?? [];
  return coveringCandidates(since, vendedAt).map((r) => r.executionId);
}

let deployStage: Recorded;
let regionByRegion: Recorded;
let failedThenSucceeded: Recorded;
let stageRetry: Recorded;

beforeAll(async () => {
  [deployStage, regionByRegion, failedThenSucceeded, stageRetry] = await Promise.all([
    record('deploy-stage.json'),
    record('region-by-region.json'),
    record('failed-then-succeeded.json'),
    record('stage-retry.json'),
  ]);
});

describe('recorded LZA pipeline history through PipelineHistory', () => {
  it('maps every run and action execution, with Bootstrap and Deploy both holding Security_Resources and Customizations', () => {
    // Assess
    expect(deployStage.runs).toEqual([
      {
        executionId: DEPLOY.running,
        status: 'InProgress',
        startTime: '2024-05-14T15:00:04.118Z',
        lastUpdateTime: '2024-05-14T15:41:46.716Z',
      },
      {
        executionId: DEPLOY.covering,
        status: 'Succeeded',
        startTime: '2024-05-14T09:00:02.731Z',
        lastUpdateTime: '2024-05-14T09:52:53.652Z',
      },
      {
        executionId: DEPLOY.older,
        status: 'Succeeded',
        startTime: '2024-05-13T21:30:01.250Z',
        lastUpdateTime: '2024-05-13T22:21:17.581Z',
      },
    ]);
    const covering = actionsOf(deployStage, DEPLOY.covering);
    expect(covering).toHaveLength(20);
    expect([...new Set(covering.map((a) => a.stageName))].reverse()).toEqual([
      'Source',
      'Prepare',
      'Accounts',
      'Bootstrap',
      'Logging',
      'Organization',
      'SecurityAudit',
      'Deploy',
      'Finalize',
    ]);
    for (const name of [SECURITY_RESOURCES_ACTION, CUSTOMIZATIONS_ACTION]) {
      expect(
        covering.filter((a) => a.actionName === name).map((a) => a.stageName),
        name,
      ).toEqual(['Deploy', 'Bootstrap']);
    }
    expect(covering.find((a) => a.stageName === 'Deploy' && a.actionName === CUSTOMIZATIONS_ACTION)).toEqual({
      stageName: 'Deploy',
      actionName: 'Customizations',
      status: 'Succeeded',
      startTime: '2024-05-14T09:45:57.462Z',
      lastUpdateTime: '2024-05-14T09:51:33.801Z',
    });
  });
});

describe('vend before a run: the first run started after the vend covers it', () => {
  const vendedAt = '2024-05-14T08:42:17.000Z';
  const runAsVerifiedAt = '2024-05-14T08:43:05.250Z';

  it('offers the covering run first, then the one in progress; the older finished run is out', async () => {
    // Act
    const ids = await candidateIds(deployStage, vendedAt);
    // Assess
    expect(ids).toEqual([DEPLOY.covering, DEPLOY.running]);
  });

  it("takes the Deploy stage's finish times for every region, not the Bootstrap stage's", () => {
    // Act
    const found = milestones(actionsOf(deployStage, DEPLOY.covering), REGIONS);
    // Assess: one Deploy stage deploys every region, so all regions share its times.
    const deploy = {
      covered: true,
      securityResourcesAt: '2024-05-14T09:42:20.245Z',
      customizationsAt: '2024-05-14T09:51:33.801Z',
    };
    expect(found).toEqual({ 'us-east-1': deploy, 'eu-west-1': deploy });
    // The Bootstrap-stage decoys finished 26 and 36 minutes earlier.
    const bootstrap = actionsOf(deployStage, DEPLOY.covering).filter((a) => a.stageName === 'Bootstrap');
    expect(bootstrap.find((a) => a.actionName === SECURITY_RESOURCES_ACTION)?.lastUpdateTime).toBe(
      '2024-05-14T09:15:45.610Z',
    );
    expect(bootstrap.find((a) => a.actionName === CUSTOMIZATIONS_ACTION)?.lastUpdateTime).toBe(
      '2024-05-14T09:15:36.209Z',
    );
  });

  it('judges the covering run complete and measures the gap in seconds', () => {
    // Prepare
    const found = milestones(actionsOf(deployStage, DEPLOY.covering), REGIONS);
    // Act
    const verdict = judgeRun(runOf(deployStage, DEPLOY.covering), found);
    const figures = gapFigures(vendedAt, runAsVerifiedAt, found);
    // Assess: 08:42:17.000 -> 09:51:33.801 and 08:43:05.250 -> 09:51:33.801.
    expect(verdict).toEqual({ kind: 'complete' });
    expect(figures).toEqual({
      customizationsCompletedAt: '2024-05-14T09:51:33.801Z',
      prepareToCustomizationsSeconds: 4156.801,
      gapClosedSeconds: 4108.551,
    });
  });
});

describe('vend during a run: the run in progress at vend time covers it', () => {
  it('offers the run that was in progress at the vend first, and measures against it', async () => {
    // Prepare: vended during the covering run's Accounts stage.
    const vendedAt = '2024-05-14T09:07:30.000Z';
    // Act
    const ids = await candidateIds(deployStage, vendedAt);
    const found = milestones(actionsOf(deployStage, DEPLOY.covering), REGIONS);
    const figures = gapFigures(vendedAt, '2024-05-14T09:08:12.500Z', found);
    // Assess
    expect(ids).toEqual([DEPLOY.covering, DEPLOY.running]);
    expect(judgeRun(runOf(deployStage, DEPLOY.covering), found)).toEqual({ kind: 'complete' });
    expect(figures).toEqual({
      customizationsCompletedAt: '2024-05-14T09:51:33.801Z',
      prepareToCustomizationsSeconds: 2643.801,
      gapClosedSeconds: 2601.301,
    });
  });

  it('keeps a run still in progress "running" after Deploy/Security_Resources, with no Customizations time yet', async () => {
    // Prepare: vended between the two last runs; the newest was recorded during Deploy runOrder 3.
    const vendedAt = '2024-05-14T12:00:00.000Z';
    // Act
    const ids = await candidateIds(deployStage, vendedAt);
    const found = milestones(actionsOf(deployStage, DEPLOY.running), REGIONS);
    // Assess
    expect(ids).toEqual([DEPLOY.running]);
    const partial = { covered: true, securityResourcesAt: '2024-05-14T15:41:12.911Z' };
    expect(found).toEqual({ 'us-east-1': partial, 'eu-west-1': partial });
    expect(judgeRun(runOf(deployStage, DEPLOY.running), found)).toEqual({ kind: 'running' });
    expect(gapFigures(vendedAt, '2024-05-14T12:00:41.000Z', found)).toBeUndefined();
  });

  it('counts a finished run that ended exactly at the vend, and one that started exactly at it', () => {
    // Prepare
    const covering = runOf(deployStage, DEPLOY.covering);
    // Act + Assess
    expect(coveringCandidates([covering], covering.lastUpdateTime)).toEqual([covering]);
    expect(coveringCandidates([covering], covering.startTime)).toEqual([covering]);
    expect(coveringCandidates([covering], '2024-05-14T09:52:53.653Z')).toEqual([]);
  });
});

describe('vend after the last run: nothing covers it yet', () => {
  it('offers no candidate, so the workflow keeps waiting', async () => {
    // Prepare: both runs of this history finished before 13:00.
    const vendedAt = '2024-07-22T13:00:00.000Z';
    // Act
    const since = await failedThenSucceeded.pipeline.runsSince(vendedAt);
    // Assess: the adapter already drops both runs, and the core agrees on the full history.
    expect(since).toEqual([]);
    expect(coveringCandidates(failedThenSucceeded.runs, vendedAt)).toEqual([]);
  });
});

describe('Bootstrap-stage decoys', () => {
  it('does not take a Bootstrap-stage Customizations for the Deploy one in a run still before Deploy', () => {
    // Prepare: the running run's Deploy stage has not reached Customizations; Bootstrap's has succeeded.
    const actions = actionsOf(deployStage, DEPLOY.running);
    expect(
      actions.find((a) => a.stageName === 'Bootstrap' && a.actionName === CUSTOMIZATIONS_ACTION)?.status,
    ).toBe('Succeeded');
    // Act + Assess
    expect(actionFinishedAt(actions, 'us-east-1', CUSTOMIZATIONS_ACTION)).toBeUndefined();
    expect(actionFinishedAt(actions, 'us-east-1', SECURITY_RESOURCES_ACTION)).toBe(
      '2024-05-14T15:41:12.911Z',
    );
  });

  it('ignores the Bootstrap stage when only Bootstrap has run (recorded right after it)', () => {
    // Prepare: the covering run as it was at 09:20, before Deploy started.
    const early = actionsOf(deployStage, DEPLOY.covering).filter(
      (a) => a.startTime !== undefined && a.startTime <= '2024-05-14T09:20:00.000Z',
    );
    expect(early.filter((a) => a.stageName === 'Bootstrap')).toHaveLength(3);
    // Act
    const found = milestones(early, REGIONS);
    // Assess
    expect(found).toEqual({ 'us-east-1': { covered: true }, 'eu-west-1': { covered: true } });
    expect(judgeRun({ ...runOf(deployStage, DEPLOY.covering), status: 'InProgress' }, found)).toEqual({
      kind: 'running',
    });
  });

  it('property: adding any Bootstrap-stage actions never changes the Deploy-stage milestones', () => {
    // Prepare
    const actions = actionsOf(regionByRegion, REGION_BY_REGION.done);
    const expected = milestones(actions, [...REGIONS, 'ap-southeast-2']);
    const decoy = fc.record({
      stageName: fc.constant('Bootstrap'),
      actionName: fc.constantFrom(SECURITY_RESOURCES_ACTION, CUSTOMIZATIONS_ACTION, 'Bootstrap'),
      status: fc.constantFrom('Succeeded', 'Failed', 'InProgress'),
      lastUpdateTime: fc
        .integer({ min: Date.parse('2024-06-03T07:00:00Z'), max: Date.parse('2024-06-03T23:59:59Z') })
        .map((ms) => new Date(ms).toISOString()),
    });
    // Act + Assess
    fc.assert(
      fc.property(
        fc.array(decoy, { maxLength: 12 }),
        fc.integer({ min: 0, max: actions.length }),
        (extra, at) => {
          const mixed = [...actions.slice(0, at), ...extra, ...actions.slice(at)];
          expect(milestones(mixed, [...REGIONS, 'ap-southeast-2'])).toEqual(expected);
        },
      ),
    );
  });
});

describe('region-by-region mode (Deploy-<region> stages)', () => {
  const vendedAt = '2024-06-03T07:02:44.000Z';
  const runAsVerifiedAt = '2024-06-03T07:03:39.125Z';

  it('measures each region against its own Deploy stage', () => {
    // Prepare
    const actions = actionsOf(regionByRegion, REGION_BY_REGION.done);
    // Act
    const found = milestones(actions, REGIONS);
    // Assess: eu-west-1 deploys after us-east-1, about 21 minutes later.
    expect(deployStageFor('us-east-1', actions)).toBe('Deploy-us-east-1');
    expect(deployStageFor('eu-west-1', actions)).toBe('Deploy-eu-west-1');
    expect(found).toEqual({
      'us-east-1': {
        covered: true,
        securityResourcesAt: '2024-06-03T07:57:27.580Z',
        customizationsAt: '2024-06-03T08:06:05.024Z',
      },
      'eu-west-1': {
        covered: true,
        securityResourcesAt: '2024-06-03T08:18:52.495Z',
        customizationsAt: '2024-06-03T08:27:56.472Z',
      },
    });
  });

  it('takes the last region to finish Customizations for the gap, and each region alone for its own', async () => {
    // Prepare
    const found = milestones(actionsOf(regionByRegion, REGION_BY_REGION.done), REGIONS);
    // Act
    const ids = await candidateIds(regionByRegion, vendedAt);
    const all = gapFigures(vendedAt, runAsVerifiedAt, found);
    const usEast1 = gapFigures(vendedAt, runAsVerifiedAt, {
      'us-east-1': found['us-east-1'] as RegionMilestones,
    });
    // Assess
    expect(ids).toEqual([REGION_BY_REGION.done, REGION_BY_REGION.running]);
    expect(judgeRun(runOf(regionByRegion, REGION_BY_REGION.done), found)).toEqual({ kind: 'complete' });
    expect(all).toEqual({
      customizationsCompletedAt: '2024-06-03T08:27:56.472Z',
      prepareToCustomizationsSeconds: 5112.472,
      gapClosedSeconds: 5057.347,
    });
    expect(usEast1).toEqual({
      customizationsCompletedAt: '2024-06-03T08:06:05.024Z',
      prepareToCustomizationsSeconds: 3801.024,
      gapClosedSeconds: 3745.899,
    });
  });

  it('marks a governed region LZA does not deploy as not covered, and still completes a finished run', () => {
    // Prepare: ap-southeast-2 is governed by the bootstrapper but not enabled in LZA.
    const regions = [...REGIONS, 'ap-southeast-2'];
    // Act
    const found = milestones(actionsOf(regionByRegion, REGION_BY_REGION.done), regions);
    // Assess
    expect(found['ap-southeast-2']).toEqual({ covered: false });
    expect(judgeRun(runOf(regionByRegion, REGION_BY_REGION.done), found)).toEqual({ kind: 'complete' });
    expect(gapFigures(vendedAt, runAsVerifiedAt, found)?.prepareToCustomizationsSeconds).toBe(5112.472);
  });

  it('keeps a run in progress "running" while later regions have no Deploy stage yet', () => {
    // Prepare: recorded while Deploy-us-east-1 ran Customizations; Deploy-eu-west-1 had not started.
    const actions = actionsOf(regionByRegion, REGION_BY_REGION.running);
    // Act
    const found = milestones(actions, REGIONS);
    // Assess
    expect(deployStageFor('eu-west-1', actions)).toBe('Deploy');
    expect(found).toEqual({
      'us-east-1': { covered: true, securityResourcesAt: '2024-06-03T13:46:28.049Z' },
      'eu-west-1': { covered: false },
    });
    expect(judgeRun(runOf(regionByRegion, REGION_BY_REGION.running), found)).toEqual({ kind: 'running' });
  });

  it('does not complete a run in progress whose first region finished while the next has not started', () => {
    // Prepare: the finished run as it was just after Deploy-us-east-1.
    const run = runOf(regionByRegion, REGION_BY_REGION.done);
    const actions = actionsOf(regionByRegion, REGION_BY_REGION.done).filter(
      (a) => a.startTime !== undefined && a.startTime <= '2024-06-03T08:06:05.024Z',
    );
    // Act
    const found = milestones(actions, REGIONS);
    // Assess: only a finished run may leave regions uncovered.
    expect(found['us-east-1']?.customizationsAt).toBe('2024-06-03T08:06:05.024Z');
    expect(found['eu-west-1']).toEqual({ covered: false });
    expect(judgeRun({ ...run, status: 'InProgress' }, found)).toEqual({ kind: 'running' });
    expect(judgeRun(run, found)).toEqual({ kind: 'complete' });
  });
});

describe('a failed run followed by a successful one', () => {
  const vendedAt = '2024-07-22T09:58:03.000Z';
  const runAsVerifiedAt = '2024-07-22T09:58:51.640Z';

  it('judges the failed run "failed" although Bootstrap/Customizations succeeded in it', () => {
    // Prepare
    const actions = actionsOf(failedThenSucceeded, FAILED_THEN_SUCCEEDED.failed);
    expect(
      actions.filter((a) => a.actionName === CUSTOMIZATIONS_ACTION).map((a) => `${a.stageName}:${a.status}`),
    ).toEqual(['Deploy:Failed', 'Bootstrap:Succeeded']);
    // Act
    const found = milestones(actions, REGIONS);
    // Assess: Security_Resources did finish (it may have rewritten the document) but not Customizations.
    const partial = { covered: true, securityResourcesAt: '2024-07-22T10:43:46.038Z' };
    expect(found).toEqual({ 'us-east-1': partial, 'eu-west-1': partial });
    expect(judgeRun(runOf(failedThenSucceeded, FAILED_THEN_SUCCEEDED.failed), found)).toEqual({
      kind: 'failed',
    });
  });

  it('lets the next run cover the vend and measures against it', async () => {
    // Act
    const ids = await candidateIds(failedThenSucceeded, vendedAt);
    const found = milestones(actionsOf(failedThenSucceeded, FAILED_THEN_SUCCEEDED.succeeded), REGIONS);
    // Assess
    expect(ids).toEqual([FAILED_THEN_SUCCEEDED.failed, FAILED_THEN_SUCCEEDED.succeeded]);
    expect(judgeRun(runOf(failedThenSucceeded, FAILED_THEN_SUCCEEDED.succeeded), found)).toEqual({
      kind: 'complete',
    });
    expect(gapFigures(vendedAt, runAsVerifiedAt, found)).toEqual({
      customizationsCompletedAt: '2024-07-22T12:21:02.053Z',
      prepareToCustomizationsSeconds: 8579.053,
      gapClosedSeconds: 8530.413,
    });
  });

  it('offers only the successful run for a vend between the two', async () => {
    // Act + Assess: the failed run ended at 10:49:20.767; the next started at 11:31:12.590.
    expect(await candidateIds(failedThenSucceeded, '2024-07-22T11:00:00.000Z')).toEqual([
      FAILED_THEN_SUCCEEDED.succeeded,
    ]);
  });
});

describe('a Deploy stage retried after Customizations failed', () => {
  it('takes the latest successful execution of each Deploy action', () => {
    // Prepare: each Deploy action ran twice under the same execution id.
    const actions = actionsOf(stageRetry, STAGE_RETRY);
    expect(actions.filter((a) => a.stageName === 'Deploy')).toHaveLength(16);
    // Act
    const found = milestones(actions, REGIONS);
    // Assess: the retry's times, not the first attempt's 06:42:44.043 Security_Resources.
    const retried = {
      covered: true,
      securityResourcesAt: '2024-08-05T07:23:27.653Z',
      customizationsAt: '2024-08-05T07:33:05.710Z',
    };
    expect(found).toEqual({ 'us-east-1': retried, 'eu-west-1': retried });
    expect(judgeRun(runOf(stageRetry, STAGE_RETRY), found)).toEqual({ kind: 'complete' });
    expect(gapFigures('2024-08-05T05:51:20.000Z', '2024-08-05T05:52:02.875Z', found)).toEqual({
      customizationsCompletedAt: '2024-08-05T07:33:05.710Z',
      prepareToCustomizationsSeconds: 6105.71,
      gapClosedSeconds: 6062.835,
    });
  });
});

describe('gapFigures', () => {
  it('is negative when RunAs was verified after Customizations finished', () => {
    // Prepare
    const found = milestones(actionsOf(deployStage, DEPLOY.covering), REGIONS);
    // Act
    const figures = gapFigures('2024-05-14T09:07:30.000Z', '2024-05-14T09:55:00.000Z', found);
    // Assess: verified 3 min 26.199 s after 09:51:33.801.
    expect(figures?.gapClosedSeconds).toBe(-206.199);
    expect(figures?.prepareToCustomizationsSeconds).toBe(2643.801);
  });

  it('is undefined when no region has a Customizations time', () => {
    // Act + Assess
    expect(gapFigures('2024-05-14T09:07:30.000Z', '2024-05-14T09:08:00.000Z', {})).toBeUndefined();
    expect(
      gapFigures('2024-05-14T09:07:30.000Z', '2024-05-14T09:08:00.000Z', { 'us-east-1': { covered: false } }),
    ).toBeUndefined();
  });

  it('property: gapClosed = customizations done - RunAs verified; prepareToCustomizations = done - vend', () => {
    // Prepare
    const base = Date.parse('2024-01-01T00:00:00.000Z');
    const instant = fc
      .integer({ min: 0, max: 7 * 24 * 3_600_000 })
      .map((ms) => new Date(base + ms).toISOString());
    const region = fc.record(
      { covered: fc.boolean(), customizationsAt: instant, securityResourcesAt: instant },
      { requiredKeys: ['covered'] },
    );
    // Act + Assess
    fc.assert(
      fc.property(
        instant,
        instant,
        fc.dictionary(fc.constantFrom(...REGIONS, 'us-west-2', 'ap-southeast-2'), region),
        (vendedAt, verifiedAt, regions) => {
          const done = Object.values(regions)
            .map((m) => m.customizationsAt)
            .filter((t): t is string => t !== undefined);
          const figures = gapFigures(vendedAt, verifiedAt, regions);
          if (done.length === 0) {
            expect(figures).toBeUndefined();
            return;
          }
          const last = Math.max(...done.map((t) => Date.parse(t)));
          expect(figures?.customizationsCompletedAt).toBe(new Date(last).toISOString());
          expect(figures?.gapClosedSeconds).toBe((last - Date.parse(verifiedAt)) / 1000);
          expect(figures?.prepareToCustomizationsSeconds).toBe((last - Date.parse(vendedAt)) / 1000);
        },
      ),
    );
  });
});

describe('actionFinishedAt', () => {
  const deploy = (status: string, lastUpdateTime?: string): PipelineAction => ({
    stageName: 'Deploy',
    actionName: CUSTOMIZATIONS_ACTION,
    status,
    ...(lastUpdateTime ? { lastUpdateTime } : {}),
  });

  it('ignores executions that did not succeed or carry no finish time', () => {
    // Act + Assess
    expect(
      actionFinishedAt([deploy('InProgress', '2024-01-01T00:10:00.000Z')], 'us-east-1', 'Customizations'),
    ).toBe(undefined);
    expect(
      actionFinishedAt([deploy('Failed', '2024-01-01T00:10:00.000Z')], 'us-east-1', 'Customizations'),
    ).toBe(undefined);
    expect(actionFinishedAt([deploy('Succeeded')], 'us-east-1', 'Customizations')).toBeUndefined();
    expect(actionFinishedAt([], 'us-east-1', 'Customizations')).toBeUndefined();
  });

  it('reads only the Deploy stage when the run has no Deploy-<region> stage', () => {
    // Prepare
    const actions = actionsOf(deployStage, DEPLOY.covering);
    // Act + Assess
    expect(deployStageFor('ap-southeast-2', actions)).toBe('Deploy');
    expect(actionFinishedAt(actions, 'ap-southeast-2', CUSTOMIZATIONS_ACTION)).toBe(
      '2024-05-14T09:51:33.801Z',
    );
  });
});

describe('judgeRun', () => {
  const done: Record<string, RegionMilestones> = {
    'us-east-1': { covered: true, customizationsAt: '2024-01-01T01:00:00.000Z' },
  };
  const partial: Record<string, RegionMilestones> = {
    'us-east-1': { covered: true, securityResourcesAt: '2024-01-01T00:50:00.000Z' },
  };
  const run = (status: string): PipelineRun => ({
    executionId: 'x',
    status,
    startTime: '2024-01-01T00:00:00.000Z',
    lastUpdateTime: '2024-01-01T01:05:00.000Z',
  });

  it.each(['Failed', 'Stopped', 'Superseded', 'Cancelled', 'Succeeded'])(
    'judges a %s run without Customizations everywhere "failed"',
    (status) => {
      // Act + Assess
      expect(judgeRun(run(status), partial)).toEqual({ kind: 'failed' });
    },
  );

  it.each(['InProgress', 'Stopping'])(
    'judges a %s run without Customizations everywhere "running"',
    (status) => {
      // Act + Assess
      expect(judgeRun(run(status), partial)).toEqual({ kind: 'running' });
    },
  );

  it('judges a run complete once Customizations finished everywhere, whatever happened after (e.g. Finalize failed)', () => {
    // Act + Assess
    for (const status of ['InProgress', 'Failed', 'Succeeded']) {
      expect(judgeRun(run(status), done), status).toEqual({ kind: 'complete' });
    }
  });

  it('never judges complete with no regions to measure', () => {
    // Act + Assess
    expect(judgeRun(run('Succeeded'), {})).toEqual({ kind: 'failed' });
    expect(judgeRun(run('InProgress'), {})).toEqual({ kind: 'running' });
  });

  it('judges a finished run that deployed none of the governed regions "failed"', () => {
    // Act + Assess
    expect(judgeRun(run('Succeeded'), { 'ap-southeast-2': { covered: false } })).toEqual({ kind: 'failed' });
  });
});

describe('coveringCandidates', () => {
  it('property: keeps exactly the runs going at or started after the vend, oldest first, whatever the input order', async () => {
    // Prepare
    const runs = [
      ...deployStage.runs,
      ...failedThenSucceeded.runs,
      ...regionByRegion.runs,
      ...stageRetry.runs,
    ];
    const vend = fc
      .integer({ min: Date.parse('2024-05-13T00:00:00Z'), max: Date.parse('2024-08-06T00:00:00Z') })
      .map((ms) => new Date(ms).toISOString());
    // Act + Assess
    fc.assert(
      fc.property(fc.shuffledSubarray(runs), vend, (subset, vendedAt) => {
        const picked = coveringCandidates(subset, vendedAt);
        const expected = subset
          .filter((r) => r.status === 'InProgress' || r.startTime >= vendedAt || r.lastUpdateTime >= vendedAt)
          .map((r) => r.executionId)
          .sort();
        expect(picked.map((r) => r.executionId).sort()).toEqual(expected);
        for (let i = 1; i < picked.length; i += 1) {
          expect((picked[i - 1] as PipelineRun).startTime <= (picked[i] as PipelineRun).startTime).toBe(true);
        }
      }),
    );
  });
});

describe('planFollowUp on recorded history', () => {
  const HOUR = 3_600_000;

  function vendRecord(joinedAt: string, runAsVerifiedAt: string | undefined, verified: string[]): VendRecord {
    return {
      accountId: '111111111111',
      joinedAt,
      joinedMethod: 'CREATED',
      firstSeenAt: joinedAt,
      triggers: [],
      state: runAsVerifiedAt ? 'verified' : 'pending',
      governedRegions: REGIONS,
      regions: Object.fromEntries(verified.map((r) => [r, { verifiedAt: runAsVerifiedAt ?? joinedAt }])),
      writes: {},
      ...(runAsVerifiedAt ? { runAsVerifiedAt } : {}),
      repairs: [],
      repairsFailed: [],
      expiresAt: 0,
    };
  }

  function historyOf(recorded: Recorded): RunHistory[] {
    return recorded.runs.map((run) => ({ run, actions: actionsOf(recorded, run.executionId) }));
  }

  function plan(recorded: Recorded, record: VendRecord, nowMs = Date.parse(record.joinedAt) + HOUR) {
    return planFollowUp(record, historyOf(recorded), { awaitTimeoutHours: 6, nowMs });
  }

  it('waits when no run covers the vend yet', () => {
    // Act
    const result = plan(
      failedThenSucceeded,
      vendRecord('2024-07-22T13:00:00.000Z', '2024-07-22T13:00:47.000Z', REGIONS),
    );
    // Assess
    expect(result).toEqual({
      repairs: [],
      decision: { kind: 'wait', reason: 'no pipeline run covering the vend has finished yet' },
    });
  });

  it('re-verifies the verified regions once Deploy/Security_Resources finished in the run in progress', () => {
    // Act
    const result = plan(
      deployStage,
      vendRecord('2024-05-14T12:00:00.000Z', '2024-05-14T12:00:41.000Z', REGIONS),
    );
    // Assess
    expect(result.repairs.map((r) => [r.region, r.pipelineExecutionId, r.stage])).toEqual([
      ['us-east-1', DEPLOY.running, 'Deploy'],
      ['eu-west-1', DEPLOY.running, 'Deploy'],
    ]);
    expect(result.decision).toEqual({ kind: 'wait', reason: `pipeline run ${DEPLOY.running} in progress` });
  });

  it('re-verifies a region only once per Security_Resources: not again after its re-verification', () => {
    // Prepare
    const record = vendRecord('2024-05-14T12:00:00.000Z', '2024-05-14T12:00:41.000Z', REGIONS);
    const first = plan(deployStage, record);
    for (const repair of first.repairs)
      record.regions[repair.region] = {
        ...(record.regions[repair.region] as { verifiedAt: string }),
        reverifiedAfter: repair.securityResourcesAt,
      };
    // Act
    const again = plan(deployStage, record);
    // Assess
    expect(first.repairs).toHaveLength(2);
    expect(again.repairs).toEqual([]);
  });

  it('skips the failed run and closes on the next, with the core figures', () => {
    // Act: first while the owner is still verifying, then verified after every Security_Resources.
    const working = vendRecord('2024-07-22T09:58:03.000Z', undefined, []);
    working.owner = {
      execution: 'owner',
      claimedAt: working.joinedAt,
      leaseUntil: '2024-07-22T14:00:00.000Z',
      state: 'running',
    };
    const result = plan(failedThenSucceeded, working, Date.parse('2024-07-22T13:00:00.000Z'));
    // Assess
    expect(result.decision).toMatchObject({
      kind: 'wait',
      reason: 'RunAs is not verified in every region yet',
    });
    const verified = vendRecord('2024-07-22T09:58:03.000Z', '2024-07-22T09:58:51.640Z', REGIONS);
    verified.regions = Object.fromEntries(
      REGIONS.map((r) => [r, { verifiedAt: '2024-07-22T13:00:00.000Z' }]),
    );
    const closed = plan(failedThenSucceeded, verified, Date.parse('2024-07-22T13:00:00.000Z'));
    expect(closed).toEqual({
      repairs: [],
      decision: {
        kind: 'close',
        pipelineExecutionId: FAILED_THEN_SUCCEEDED.succeeded,
        customizationsCompletedAt: '2024-07-22T12:21:02.053Z',
        prepareToCustomizationsSeconds: 8579.053,
        gapClosedSeconds: 8530.413,
        reason: `pipeline run ${FAILED_THEN_SUCCEEDED.succeeded} finished Customizations`,
      },
    });
  });

  it("measures LZA's window but closes no gap when the owner gave up with a region unverified", () => {
    // Prepare: one region refused, so the owner failed; the other was verified.
    const record = vendRecord('2024-07-22T09:58:03.000Z', undefined, ['us-east-1']);
    record.regions['us-east-1'] = {
      verifiedAt: record.joinedAt,
      reverifiedAfter: '2024-07-22T23:00:00.000Z',
    };
    record.owner = {
      execution: 'owner',
      claimedAt: record.joinedAt,
      leaseUntil: record.joinedAt,
      state: 'failed',
    };
    // Act
    const result = plan(failedThenSucceeded, record, Date.parse('2024-07-22T13:00:00.000Z'));
    // Assess
    expect(result.decision).toMatchObject({
      kind: 'close',
      prepareToCustomizationsSeconds: 8579.053,
      reason: expect.stringMatching(
        /the gap was not closed: RunAs is not in effect in every governed region$/,
      ),
    });
    expect(result.decision).not.toHaveProperty('gapClosedSeconds');
  });

  it("measures LZA's window but closes no gap while a repair keeps failing", () => {
    // Prepare: both regions re-verified after every Security_Resources, one repair still failing.
    const record = vendRecord('2024-07-22T09:58:03.000Z', '2024-07-22T09:58:51.640Z', REGIONS);
    for (const region of REGIONS)
      record.regions[region] = {
        verifiedAt: '2024-07-22T09:58:51.640Z',
        reverifiedAfter: '2024-07-22T23:00:00.000Z',
      };
    record.repairsFailed = ['eu-west-1'];
    const history = historyOf(failedThenSucceeded).map((h) => ({
      ...h,
      actions: h.actions.filter(
        (a) => !(a.actionName === SECURITY_RESOURCES_ACTION && a.stageName === 'Deploy'),
      ),
    }));
    // Act
    const result = planFollowUp(record, history, {
      awaitTimeoutHours: 6,
      nowMs: Date.parse('2024-07-22T13:00:00.000Z'),
    });
    // Assess
    expect(result.decision).toMatchObject({
      kind: 'close',
      prepareToCustomizationsSeconds: 8579.053,
      reason: expect.stringMatching(/the gap was not closed: RunAs could not be repaired in eu-west-1$/),
    });
    expect(result.decision).not.toHaveProperty('gapClosedSeconds');
  });

  it('skips a run that was in progress at vend time but had already deployed: the next run covers', () => {
    // Prepare: run A started long before the vend and finished Deploy at 00:50 (now in Finalize);
    // the vend is at 00:55; run B starts at 01:10 and completes.
    const action = (stageName: string, actionName: string, lastUpdateTime: string): PipelineAction => ({
      stageName,
      actionName,
      status: 'Succeeded',
      startTime: lastUpdateTime,
      lastUpdateTime,
    });
    const deployed = (at: (minutes: number) => string, sr: number, cz: number) => [
      action('Deploy', SECURITY_RESOURCES_ACTION, at(sr)),
      action('Deploy', CUSTOMIZATIONS_ACTION, at(cz)),
    ];
    const at = (minutes: number) => new Date(Date.UTC(2024, 8, 1, 0, minutes)).toISOString();
    const history: RunHistory[] = [
      {
        run: { executionId: 'A', status: 'InProgress', startTime: at(0), lastUpdateTime: at(52) },
        actions: deployed(at, 40, 50),
      },
      {
        run: { executionId: 'B', status: 'Succeeded', startTime: at(70), lastUpdateTime: at(130) },
        actions: deployed(at, 100, 120),
      },
    ];
    const record = vendRecord(at(55), at(56), REGIONS);
    for (const region of REGIONS) record.regions[region] = { verifiedAt: at(56), reverifiedAfter: at(100) };
    // Act
    const result = planFollowUp(record, history, { awaitTimeoutHours: 6, nowMs: Date.parse(at(131)) });
    // Assess: without the rule, run A would give -300 s and -360 s.
    expect(deployedBefore(milestones(history[0]!.actions, REGIONS), at(55))).toBe(true);
    expect(deployedBefore(milestones(history[1]!.actions, REGIONS), at(55))).toBe(false);
    expect(result.decision).toMatchObject({
      kind: 'close',
      pipelineExecutionId: 'B',
      prepareToCustomizationsSeconds: 65 * 60,
      gapClosedSeconds: 64 * 60,
    });
  });

  it('expires a vend that nothing covered within awaitTimeoutHours, and one whose pipeline does not exist', () => {
    // Prepare
    const record = vendRecord('2024-07-22T13:00:00.000Z', '2024-07-22T13:00:47.000Z', REGIONS);
    // Act
    const late = plan(failedThenSucceeded, record, Date.parse('2024-07-22T19:00:01.000Z'));
    const none = planFollowUp(record, undefined, {
      awaitTimeoutHours: 6,
      nowMs: Date.parse(record.joinedAt),
      measureGap: true,
      pipelineName: 'AWSAccelerator-Pipeline',
    });
    // Assess
    expect(late.decision).toEqual({
      kind: 'expire',
      reason: 'no covering pipeline run finished Customizations within lza.awaitTimeoutHours (6 h)',
    });
    expect(none.decision).toEqual({
      kind: 'expire',
      reason: 'the LZA pipeline AWSAccelerator-Pipeline does not exist',
    });
  });
});
