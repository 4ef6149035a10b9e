import {
  CodePipelineClient,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import { GetDocumentCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { type EventEnvelope, type ScenarioInput, standardStages } from '../src/index.ts';
import {
  assumeRole,
  baseScenario,
  clientConfig,
  DOC,
  errorOf,
  MANAGEMENT,
  MEMBER,
  OTHER_MEMBER,
  sessionDocumentWith,
  startCloud,
} from '../src/testing.ts';

const PIPELINE = 'AWSAccelerator-Pipeline';
/** An hour of simulated time: a default LZA run takes about 45 simulated minutes. */
const HOUR_MS = 3_600_000;

const customDocument = sessionDocumentWith({
  s3BucketName: '',
  s3EncryptionEnabled: true,
  cloudWatchLogGroupName: '',
  cloudWatchEncryptionEnabled: true,
  cloudWatchStreamingEnabled: true,
  runAsEnabled: true,
  runAsDefaultUser: 'ec2-user',
  idleSessionTimeout: '20',
  maxSessionDuration: '60',
  shellProfile: { linux: 'exec bash -l', windows: '' },
});

function lzaScenario(lzaVersion: string, extra: Partial<ScenarioInput['pipeline']> = {}): ScenarioInput {
  return baseScenario({
    accounts: [
      {
        accountId: MEMBER,
        name: 'member',
        roles: { OrganizationAccountAccessRole: 0 },
        documents: { 'us-east-1': customDocument, 'us-west-2': customDocument },
      },
    ],
    // A run that changes the logging settings: LZA's writer runs in every account (docs/aws-behaviour.md#lza-session-manager-writer).
    pipeline: {
      lzaVersion,
      regions: ['us-east-1', 'us-west-2'],
      runs: [{ startAtSeconds: 0, changesSessionManagerSettings: true }],
      ...extra,
    },
  });
}

async function runToCompletion(scenario: ScenarioInput) {
  const cloud = await startCloud(scenario);
  cloud.startTimeline();
  await cloud.bus.waitFor(
    (e) =>
      e['detail-type'] === 'CodePipeline Pipeline Execution State Change' && e.detail.state !== 'STARTED',
    HOUR_MS,
  );
  return cloud;
}

async function latestInputs(cloud: Awaited<ReturnType<typeof startCloud>>, region: string) {
  const ssm = new SSMClient(clientConfig(cloud, region, await assumeRole(cloud, MEMBER)));
  const latest = await ssm.send(new GetDocumentCommand({ Name: DOC, DocumentVersion: '$LATEST' }));
  const byDefault = await ssm.send(new GetDocumentCommand({ Name: DOC }));
  return {
    latest: JSON.parse(latest.Content!).inputs,
    latestVersion: latest.DocumentVersion,
    defaultVersion: byDefault.DocumentVersion,
  };
}

describe('LZA pipeline layout', () => {
  it('has the LZA stages, with Security_Resources and Customizations in both Bootstrap and Deploy', () => {
    // Prepare
    const options = { lzaVersion: '1.15.0', regions: ['us-east-1', 'eu-west-1'], review: false };
    // Act
    const single = standardStages({ ...options, regionByRegion: false });
    const byRegion = standardStages({ ...options, regionByRegion: true });
    const old = standardStages({ ...options, lzaVersion: '1.12.0', regionByRegion: false });
    // Assess
    expect(single.map((s) => s.name)).toEqual([
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
    expect(byRegion.map((s) => s.name)).toContain('Deploy-eu-west-1');
    expect(old.map((s) => s.name)[1]).toBe('Build');
    const deploy = single.find((s) => s.name === 'Deploy')!;
    expect(deploy.actions.find((a) => a.name === 'Security_Resources')?.runOrder).toBe(2);
    expect(deploy.actions.find((a) => a.name === 'Customizations')?.runOrder).toBe(4);
    expect(single.find((s) => s.name === 'Bootstrap')?.actions.map((a) => a.name)).toEqual(
      expect.arrayContaining(['Security_Resources', 'Customizations']),
    );
    const total = single.reduce((sum, s) => {
      const orders = [...new Set(s.actions.map((a) => a.runOrder))];
      return (
        sum +
        orders.reduce(
          (t, o) => t + Math.max(...s.actions.filter((a) => a.runOrder === o).map((a) => a.seconds)),
          0,
        )
      );
    }, 0);
    expect(total / 60).toBeGreaterThan(40);
    expect(total / 60).toBeLessThan(50);
  });
});

describe('CodePipeline history', () => {
  it('lists executions and per-action history, and publishes stage and action events as they happen', async () => {
    // Prepare
    const events: EventEnvelope[] = [];
    const cloud = await startCloud(lzaScenario('1.15.0'));
    cloud.bus.subscribe((e) => {
      if (e.source === 'aws.codepipeline') events.push(e);
    });
    const pipeline = new CodePipelineClient(clientConfig(cloud));
    // Act
    cloud.startTimeline();
    await cloud.bus.waitFor((e) => e.detail.stage === 'Prepare' && e.detail.state === 'STARTED', HOUR_MS);
    const during = await pipeline.send(new ListPipelineExecutionsCommand({ pipelineName: PIPELINE }));
    await cloud.bus.waitFor(
      (e) =>
        e['detail-type'] === 'CodePipeline Pipeline Execution State Change' && e.detail.state === 'SUCCEEDED',
      HOUR_MS,
    );
    const after = await pipeline.send(new ListPipelineExecutionsCommand({ pipelineName: PIPELINE }));
    const id = after.pipelineExecutionSummaries![0]!.pipelineExecutionId!;
    const actions = await pipeline.send(
      new ListActionExecutionsCommand({ pipelineName: PIPELINE, filter: { pipelineExecutionId: id } }),
    );
    // Assess
    expect(during.pipelineExecutionSummaries?.[0]?.status).toBe('InProgress');
    expect(after.pipelineExecutionSummaries?.[0]).toMatchObject({
      status: 'Succeeded',
      pipelineExecutionId: id,
    });
    const details = actions.actionExecutionDetails!;
    const deploySecurity = details.find(
      (d) => d.stageName === 'Deploy' && d.actionName === 'Security_Resources',
    )!;
    const deployCustom = details.find((d) => d.stageName === 'Deploy' && d.actionName === 'Customizations')!;
    const bootstrapCustom = details.find(
      (d) => d.stageName === 'Bootstrap' && d.actionName === 'Customizations',
    )!;
    expect(deploySecurity.status).toBe('Succeeded');
    expect(deployCustom.startTime!.getTime()).toBeGreaterThan(deploySecurity.lastUpdateTime!.getTime());
    expect(bootstrapCustom.lastUpdateTime!.getTime()).toBeLessThan(deploySecurity.startTime!.getTime());
    const runMinutes =
      (after.pipelineExecutionSummaries![0]!.lastUpdateTime!.getTime() -
        after.pipelineExecutionSummaries![0]!.startTime!.getTime()) /
      60_000;
    expect(runMinutes).toBeGreaterThan(40);
    expect(runMinutes).toBeLessThan(50);
    const actionEvent = events.find(
      (e) =>
        e.detail.stage === 'Deploy' && e.detail.action === 'Customizations' && e.detail.state === 'SUCCEEDED',
    )!;
    expect(actionEvent).toMatchObject({
      'detail-type': 'CodePipeline Action Execution State Change',
      account: MANAGEMENT,
      region: 'us-east-1',
      resources: [`arn:aws:codepipeline:us-east-1:${MANAGEMENT}:${PIPELINE}`],
      detail: { pipeline: PIPELINE, 'execution-id': id, type: { category: 'Build', provider: 'CodeBuild' } },
    });
    const stageStates = events
      .filter(
        (e) =>
          e['detail-type'] === 'CodePipeline Stage Execution State Change' && e.detail.stage === 'Deploy',
      )
      .map((e) => e.detail.state);
    expect(stageStates).toEqual(['STARTED', 'SUCCEEDED']);
  });

  it('pages ListActionExecutions and knows the pipeline only in the management account home region', async () => {
    // Prepare
    const cloud = await runToCompletion(lzaScenario('1.15.0'));
    const pipeline = new CodePipelineClient(clientConfig(cloud));
    // Act
    const page = await pipeline.send(
      new ListActionExecutionsCommand({ pipelineName: PIPELINE, maxResults: 5 }),
    );
    const next = await pipeline.send(
      new ListActionExecutionsCommand({ pipelineName: PIPELINE, maxResults: 5, nextToken: page.nextToken }),
    );
    const elsewhere = await errorOf(
      new CodePipelineClient(clientConfig(cloud, 'us-west-2')).send(
        new ListPipelineExecutionsCommand({ pipelineName: PIPELINE }),
      ),
    );
    const wrongName = await errorOf(
      pipeline.send(new ListPipelineExecutionsCommand({ pipelineName: 'Nope' })),
    );
    // Assess
    expect(page.actionExecutionDetails).toHaveLength(5);
    expect(next.actionExecutionDetails).toHaveLength(5);
    expect(page.actionExecutionDetails![0]!.stageName).toBe('Finalize');
    expect(elsewhere.name).toBe('PipelineNotFoundException');
    expect(wrongName.name).toBe('PipelineNotFoundException');
  });

  it('runs Deploy-<region> stages in region-by-region mode and stops at a failed action', async () => {
    // Prepare
    const scenario = lzaScenario('1.15.0');
    scenario.pipeline!.runs = [
      { startAtSeconds: 0, regionByRegion: true, failAt: 'Deploy-us-west-2/Network_VPCs' },
    ];
    // Act
    const cloud = await runToCompletion(scenario);
    const [execution] = cloud.state.pipelineExecutions();
    // Assess
    expect(execution?.status).toBe('Failed');
    const stages = [...new Set(execution!.actions.map((a) => a.stage))];
    expect(stages.slice(-2)).toEqual(['Deploy-us-east-1', 'Deploy-us-west-2']);
    expect(
      execution!.actions.find((a) => a.stage === 'Deploy-us-west-2' && a.action === 'Network_VPCs')?.status,
    ).toBe('Failed');
    expect(
      execution!.actions.some((a) => a.stage === 'Deploy-us-west-2' && a.action === 'Customizations'),
    ).toBe(false);
  });

  it('has no pipeline when the scenario declares no runs (an organization without LZA)', async () => {
    // Prepare
    const cloud = await startCloud(baseScenario());
    const pipeline = new CodePipelineClient(clientConfig(cloud));
    // Act
    const listed = pipeline.send(new ListPipelineExecutionsCommand({ pipelineName: PIPELINE }));
    // Assess
    await expect(listed).rejects.toMatchObject({ name: 'PipelineNotFoundException' });
  });

  it('starts a run on StartPipelineExecution', async () => {
    // Prepare
    const cloud = await startCloud(baseScenario({ pipeline: { exists: true } }));
    const pipeline = new CodePipelineClient(clientConfig(cloud));
    // Act
    const started = await pipeline.send(new StartPipelineExecutionCommand({ name: PIPELINE }));
    const listed = await pipeline.send(new ListPipelineExecutionsCommand({ pipelineName: PIPELINE }));
    // Assess
    expect(listed.pipelineExecutionSummaries?.[0]?.pipelineExecutionId).toBe(started.pipelineExecutionId);
  });
});

describe('LZA Security_Resources', () => {
  it('below 1.14.0 wipes RunAs and drops unmanaged keys via $LATEST, without promoting the default', async () => {
    // Prepare / Act
    const cloud = await runToCompletion(lzaScenario('1.13.0'));
    const east = await latestInputs(cloud, 'us-east-1');
    const west = await latestInputs(cloud, 'us-west-2');
    // Assess
    for (const region of [east, west]) {
      expect(region.latest.runAsEnabled).toBe(false);
      expect(region.latest.runAsDefaultUser).toBe('');
      expect(region.latest.cloudWatchLogGroupName).toBe('aws-accelerator-sessionmanager-logs');
      for (const dropped of [
        'idleSessionTimeout',
        'maxSessionDuration',
        'shellProfile',
        'cloudWatchStreamingEnabled',
      ]) {
        expect(region.latest).not.toHaveProperty(dropped);
      }
      expect(region.latestVersion).toBe('2');
      expect(region.defaultVersion).toBe('1');
    }
    expect(
      cloud.state
        .lzaWrites()
        .filter((w) => w.accountId === MEMBER)
        .map((w) => w.outcome),
    ).toEqual(['updated', 'updated']);
  });

  it('from 1.14.0 keeps RunAs but still drops unmanaged keys', async () => {
    // Prepare / Act
    const cloud = await runToCompletion(lzaScenario('1.14.0'));
    const east = await latestInputs(cloud, 'us-east-1');
    // Assess
    expect(east.latest.runAsEnabled).toBe(true);
    expect(east.latest.runAsDefaultUser).toBe('ec2-user');
    expect(east.latest).not.toHaveProperty('idleSessionTimeout');
  });

  it('creates the document where none exists, in every active account, and skips when logging is off', async () => {
    // Prepare
    const withLogging = lzaScenario('1.13.0');
    withLogging.accounts!.push({
      accountId: OTHER_MEMBER,
      name: 'other',
      roles: { OrganizationAccountAccessRole: 0 },
    });
    const noLogging = lzaScenario('1.13.0', {
      sessionManager: { sendToCloudWatchLogs: false, sendToS3: false },
    });
    // Act
    const cloud = await runToCompletion(withLogging);
    const quiet = await runToCompletion(noLogging);
    // Assess
    expect(cloud.state.document(OTHER_MEMBER, 'us-west-2')?.versions[0]?.writer).toBe(
      'LZA 1.13.0 Deploy/Security_Resources',
    );
    expect(cloud.state.document(MANAGEMENT, 'us-east-1')).toBeDefined();
    expect(quiet.state.lzaWrites()).toEqual([]);
    expect(quiet.state.document(MEMBER, 'us-east-1')?.latestVersion).toBe('1');
  });
});
