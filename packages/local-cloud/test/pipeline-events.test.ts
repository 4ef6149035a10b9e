import { CodePipelineClient, ListActionExecutionsCommand } from '@aws-sdk/client-codepipeline';
import { describe, expect, it } from 'vitest';
import type { EventEnvelope, LocalCloud, ScenarioInput } from '../src/index.ts';
import { worldOf } from '../src/server.ts';
import {
  baseScenario,
  clientConfig,
  eventually,
  MANAGEMENT,
  MEMBER,
  OTHER_MEMBER,
  startCloud,
} from '../src/testing.ts';

const VENDED = '555555555555';
const LATE = '666666666666';
const REGIONS = ['us-east-1', 'eu-west-1'];
/** An hour of simulated time: more than any timeline below needs. */
const HOUR_MS = 3_600_000;
const ACTION = 'CodePipeline Action Execution State Change';

/** A short LZA-like layout: the Deploy stage's Security_Resources, then Customizations. */
const shortStages = [
  { name: 'Prepare', actions: [{ name: 'Prepare', seconds: 20 }] },
  {
    name: 'Bootstrap',
    actions: [
      { name: 'Security_Resources', seconds: 5 },
      { name: 'Customizations', seconds: 5 },
    ],
  },
  {
    name: 'Deploy',
    actions: [
      { name: 'Security_Resources', runOrder: 1, seconds: 60 },
      { name: 'Customizations', runOrder: 2, seconds: 60 },
    ],
  },
];

function pipelineScenario(overrides: Partial<ScenarioInput> = {}): ScenarioInput {
  return baseScenario({ homeRegion: 'eu-west-1', ...overrides });
}

/** Start the timeline and wait until `runs` runs have ended (a dropped final event counts). */
async function runAll(cloud: LocalCloud, runs: number): Promise<void> {
  cloud.startTimeline();
  await eventually(() => {
    const ended = cloud.bus
      .history()
      .filter(
        (e) =>
          e['detail-type'] === 'CodePipeline Pipeline Execution State Change' && e.detail.state !== 'STARTED',
      ).length;
    const dropped = worldOf(cloud).droppedEvents.filter((d) => d.event === 'pipeline').length;
    return ended + dropped >= runs ? true : undefined;
  }, HOUR_MS);
}

function actionEvents(cloud: LocalCloud, stage: string, action: string): EventEnvelope[] {
  return cloud.bus
    .history()
    .filter((e) => e['detail-type'] === ACTION && e.detail.stage === stage && e.detail.action === action);
}

describe('CodePipeline state-change events (docs/aws-behaviour.md#pipeline-state-change-events)', () => {
  it("have AWS's envelope and detail fields", async () => {
    // Prepare
    const cloud = await startCloud(
      pipelineScenario({ pipeline: { runs: [{ startAtSeconds: 0, stages: shortStages }] } }),
    );
    // Act
    await runAll(cloud, 1);
    // Assess
    const [started, succeeded] = actionEvents(cloud, 'Deploy', 'Security_Resources');
    expect(succeeded).toMatchObject({
      version: '0',
      source: 'aws.codepipeline',
      'detail-type': ACTION,
      account: MANAGEMENT,
      region: 'eu-west-1',
      resources: [`arn:aws:codepipeline:eu-west-1:${MANAGEMENT}:AWSAccelerator-Pipeline`],
      detail: {
        pipeline: 'AWSAccelerator-Pipeline',
        'execution-id': started!.detail['execution-id'],
        'pipeline-execution-attempt': 1,
        stage: 'Deploy',
        action: 'Security_Resources',
        state: 'SUCCEEDED',
        region: 'eu-west-1',
        type: { owner: 'AWS', category: 'Build', provider: 'CodeBuild', version: '1' },
        version: 1,
      },
    });
    expect(started!.detail.state).toBe('STARTED');
    const stages = cloud.bus
      .history()
      .filter((e) => e['detail-type'] === 'CodePipeline Stage Execution State Change');
    expect(stages.map((e) => `${e.detail.stage}:${e.detail.state}`)).toEqual([
      'Prepare:STARTED',
      'Prepare:SUCCEEDED',
      'Bootstrap:STARTED',
      'Bootstrap:SUCCEEDED',
      'Deploy:STARTED',
      'Deploy:SUCCEEDED',
    ]);
  });

  it('delivers every event pipeline.eventDeliveries times with the same id', async () => {
    // Prepare
    const cloud = await startCloud(
      pipelineScenario({
        pipeline: { eventDeliveries: 2, runs: [{ startAtSeconds: 0, stages: shortStages }] },
      }),
    );
    // Act
    await runAll(cloud, 1);
    // Assess
    const events = cloud.bus.history().filter((e) => e.source === 'aws.codepipeline');
    const ids = new Map<string, number>();
    for (const e of events) ids.set(e.id, (ids.get(e.id) ?? 0) + 1);
    // 1 pipeline + 3 stages + 5 actions, each STARTED and final, each twice.
    expect(events).toHaveLength(2 * 2 * (1 + 3 + 5));
    expect([...ids.values()].every((n) => n === 2)).toBe(true);
    expect(actionEvents(cloud, 'Deploy', 'Customizations').map((e) => e.detail.state)).toEqual([
      'STARTED',
      'STARTED',
      'SUCCEEDED',
      'SUCCEEDED',
    ]);
  });

  it('drops the final events a run names in dropEvents, while the history still shows them', async () => {
    // Prepare
    const cloud = await startCloud(
      pipelineScenario({
        pipeline: {
          runs: [
            {
              startAtSeconds: 0,
              stages: shortStages,
              dropEvents: ['Deploy/Customizations', 'Deploy', 'pipeline'],
            },
          ],
        },
      }),
    );
    const codepipeline = new CodePipelineClient(clientConfig(cloud, 'eu-west-1'));
    // Act
    cloud.startTimeline();
    await cloud.bus.waitFor(
      (e) =>
        e['detail-type'] === ACTION && e.detail.action === 'Customizations' && e.detail.stage === 'Deploy',
      HOUR_MS,
    );
    await eventually(() => (worldOf(cloud).droppedEvents.length >= 3 ? true : undefined), HOUR_MS);
    const history = await codepipeline.send(
      new ListActionExecutionsCommand({ pipelineName: 'AWSAccelerator-Pipeline' }),
    );
    // Assess
    expect(actionEvents(cloud, 'Deploy', 'Customizations').map((e) => e.detail.state)).toEqual(['STARTED']);
    expect(actionEvents(cloud, 'Bootstrap', 'Customizations').map((e) => e.detail.state)).toEqual([
      'STARTED',
      'SUCCEEDED',
    ]);
    expect(actionEvents(cloud, 'Deploy', 'Security_Resources').map((e) => e.detail.state)).toEqual([
      'STARTED',
      'SUCCEEDED',
    ]);
    const deployStage = cloud.bus
      .history()
      .filter(
        (e) =>
          e['detail-type'] === 'CodePipeline Stage Execution State Change' && e.detail.stage === 'Deploy',
      );
    expect(deployStage.map((e) => e.detail.state)).toEqual(['STARTED']);
    expect(
      cloud.bus
        .history()
        .filter((e) => e['detail-type'] === 'CodePipeline Pipeline Execution State Change')
        .map((e) => e.detail.state),
    ).toEqual(['STARTED']);
    expect(worldOf(cloud).droppedEvents.map((d) => `${d.event}:${d.state}`)).toEqual([
      'Deploy/Customizations:SUCCEEDED',
      'Deploy:SUCCEEDED',
      'pipeline:SUCCEEDED',
    ]);
    const customizations = history.actionExecutionDetails?.find(
      (d) => d.stageName === 'Deploy' && d.actionName === 'Customizations',
    );
    expect(customizations?.status).toBe('Succeeded');
  });
});

describe("LZA's session-manager writer (docs/aws-behaviour.md#lza-session-manager-writer)", () => {
  const accounts: ScenarioInput['accounts'] = [
    { accountId: MEMBER, name: 'existing', roles: { OrganizationAccountAccessRole: 0 } },
    { accountId: OTHER_MEMBER, name: 'suspended', status: 'SUSPENDED', roles: {} },
    { accountId: VENDED, name: 'vended', vend: { atSeconds: 0, via: 'organizations', createSeconds: 10 } },
    // Created while the first run's Security_Resources is already past.
    { accountId: LATE, name: 'late', vend: { atSeconds: 100, via: 'organizations', createSeconds: 10 } },
  ];

  it('writes where a run creates the SecurityResources stack, and everywhere only when a run changes the settings', async () => {
    // Prepare
    const cloud = await startCloud(
      pipelineScenario({
        accounts,
        pipeline: {
          lzaVersion: '1.13.0',
          regions: REGIONS,
          runs: [
            { startAtSeconds: 20, stages: shortStages },
            { startAtSeconds: 400, stages: shortStages },
            { startAtSeconds: 800, stages: shortStages },
            { startAtSeconds: 1200, stages: shortStages, changesSessionManagerSettings: true },
          ],
        },
      }),
    );
    // Act
    await runAll(cloud, 4);
    // Assess
    const runIds = worldOf(cloud).runs.map((r) => r.executionId);
    const writes = cloud.state
      .lzaWrites()
      .map((w) => `${runIds.indexOf(w.executionId)}:${w.accountId}:${w.region}:${w.trigger}`);
    expect(writes).toEqual([
      // Run 0: only the new account gets its stack, so only it is written, in every LZA region.
      `0:${VENDED}:eu-west-1:stack-created`,
      `0:${VENDED}:us-east-1:stack-created`,
      // Run 1: the account created during run 0 gets its stack.
      `1:${LATE}:eu-west-1:stack-created`,
      `1:${LATE}:us-east-1:stack-created`,
      // Run 2: nothing changed, nothing written. Run 3: new logging settings, every ACTIVE account.
      ...[MANAGEMENT, MEMBER, VENDED, LATE].flatMap((id) => [
        `3:${id}:eu-west-1:settings-changed`,
        `3:${id}:us-east-1:settings-changed`,
      ]),
    ]);
    // Below 1.14 the write wipes RunAs; the new account's document was created by LZA.
    expect(cloud.state.document(VENDED, 'eu-west-1')?.versions[0]?.writer).toBe(
      'LZA 1.13.0 Deploy/Security_Resources',
    );
    expect(cloud.state.document(MEMBER, 'eu-west-1')?.versions.map((v) => v.writer)).toEqual([
      'LZA 1.13.0 Deploy/Security_Resources',
    ]);
  });

  it('creates the stack per region stage in region-by-region runs', async () => {
    // Prepare
    const cloud = await startCloud(
      pipelineScenario({
        accounts: [
          {
            accountId: VENDED,
            name: 'vended',
            vend: { atSeconds: 0, via: 'organizations', createSeconds: 10 },
          },
        ],
        pipeline: {
          regions: REGIONS,
          durations: { Prepare: 20, Accounts: 20, Bootstrap: 20 },
          runs: [{ startAtSeconds: 20, regionByRegion: true }],
        },
      }),
    );
    // Act
    await runAll(cloud, 1);
    // Assess
    expect(cloud.state.lzaWrites().map((w) => `${w.stage}:${w.accountId}:${w.region}`)).toEqual([
      `Deploy-eu-west-1:${VENDED}:eu-west-1`,
      `Deploy-us-east-1:${VENDED}:us-east-1`,
    ]);
  });
});
