import { randomUUID } from 'node:crypto';
import type { ScenarioPipeline, ScenarioPipelineRun } from './scenario.ts';

/**
 * The simulated LZA CodePipeline (docs/aws-behaviour.md#lza-pipeline-stages). A run is planned up front; the API answers
 * from the plan according to the simulated time, and the timeline publishes the state-change
 * events at the planned instants. Times are simulated epoch ms.
 */

export type ActionCategory = 'Source' | 'Build' | 'Approval' | 'Deploy' | 'Invoke' | 'Test';

export interface ActionTemplate {
  name: string;
  runOrder: number;
  category: ActionCategory;
  seconds: number;
}

export interface StageTemplate {
  name: string;
  /** Deploy-<region> stages in region-by-region mode. */
  region?: string;
  actions: ActionTemplate[];
}

export interface PlannedAction {
  stageName: string;
  actionName: string;
  runOrder: number;
  category: ActionCategory;
  provider: string;
  actionExecutionId: string;
  startMs: number;
  endMs: number;
  status: 'Succeeded' | 'Failed';
}

export interface PlannedStage {
  name: string;
  region?: string;
  startMs: number;
  endMs: number;
  status: 'Succeeded' | 'Failed';
  actions: PlannedAction[];
}

export interface PlannedRun {
  executionId: string;
  pipelineName: string;
  startMs: number;
  endMs: number;
  status: 'Succeeded' | 'Failed';
  triggerType: string;
  regionByRegion: boolean;
  /** The run changes LZA's session-manager logging settings (docs/aws-behaviour.md#lza-session-manager-writer): LZA writes everywhere. */
  changesSessionManagerSettings: boolean;
  /** Final state-change events never delivered: `Stage/Action`, `Stage` or `pipeline`. */
  dropEvents: string[];
  stages: PlannedStage[];
}

/** Simulated seconds between one runOrder group or stage and the next. */
export const TRANSITION_SECONDS = 2;

const DEPLOY_ACTIONS: ActionTemplate[] = [
  { name: 'Network_Prepare', runOrder: 1, category: 'Build', seconds: 180 },
  { name: 'Security', runOrder: 1, category: 'Build', seconds: 300 },
  { name: 'Operations', runOrder: 1, category: 'Build', seconds: 240 },
  { name: 'Network_VPCs', runOrder: 2, category: 'Build', seconds: 240 },
  { name: 'Security_Resources', runOrder: 2, category: 'Build', seconds: 420 },
  { name: 'Identity_Center', runOrder: 3, category: 'Build', seconds: 120 },
  { name: 'Network_Associations', runOrder: 3, category: 'Build', seconds: 180 },
  { name: 'Customizations', runOrder: 4, category: 'Build', seconds: 300 },
];

export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split('.').map(Number);
  const pb = b.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i += 1) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** The LZA stage and action list for a version and mode (about 45 simulated minutes in total). */
export function standardStages(options: {
  lzaVersion: string;
  regions: string[];
  regionByRegion: boolean;
  review: boolean;
}): StageTemplate[] {
  const stages: StageTemplate[] = [
    {
      name: 'Source',
      actions: [
        { name: 'Accelerator', runOrder: 1, category: 'Source', seconds: 20 },
        { name: 'Configuration', runOrder: 1, category: 'Source', seconds: 15 },
      ],
    },
  ];
  if (compareVersions(options.lzaVersion, '1.13.0') < 0) {
    stages.push({
      name: 'Build',
      actions: [{ name: 'Build', runOrder: 1, category: 'Build', seconds: 240 }],
    });
  }
  stages.push(
    { name: 'Prepare', actions: [{ name: 'Prepare', runOrder: 1, category: 'Build', seconds: 300 }] },
    { name: 'Accounts', actions: [{ name: 'Accounts', runOrder: 1, category: 'Build', seconds: 300 }] },
    {
      // Same action names as in Deploy: consumers must match stage AND action.
      name: 'Bootstrap',
      actions: [
        { name: 'Bootstrap', runOrder: 1, category: 'Build', seconds: 180 },
        { name: 'Security_Resources', runOrder: 2, category: 'Build', seconds: 30 },
        { name: 'Customizations', runOrder: 2, category: 'Build', seconds: 30 },
      ],
    },
  );
  if (options.review) {
    stages.push({
      name: 'Review',
      actions: [{ name: 'Approve', runOrder: 1, category: 'Approval', seconds: 120 }],
    });
  }
  stages.push(
    {
      name: 'Logging',
      actions: [
        { name: 'Key', runOrder: 1, category: 'Build', seconds: 60 },
        { name: 'Logging', runOrder: 2, category: 'Build', seconds: 180 },
      ],
    },
    {
      name: 'Organization',
      actions: [{ name: 'Organization', runOrder: 1, category: 'Build', seconds: 180 }],
    },
    {
      name: 'SecurityAudit',
      actions: [{ name: 'SecurityAudit', runOrder: 1, category: 'Build', seconds: 180 }],
    },
  );
  if (options.regionByRegion) {
    for (const region of options.regions) {
      stages.push({ name: `Deploy-${region}`, region, actions: DEPLOY_ACTIONS.map((a) => ({ ...a })) });
    }
  } else {
    stages.push({ name: 'Deploy', actions: DEPLOY_ACTIONS.map((a) => ({ ...a })) });
  }
  stages.push({
    name: 'Finalize',
    actions: [{ name: 'Finalize', runOrder: 1, category: 'Build', seconds: 60 }],
  });
  return stages;
}

function providerFor(category: ActionCategory, actionName: string): string {
  if (category === 'Source') return actionName === 'Configuration' ? 'CodeCommit' : 'S3';
  if (category === 'Approval') return 'Manual';
  return 'CodeBuild';
}

function durationFor(
  stage: StageTemplate,
  action: ActionTemplate,
  durations: Record<string, number>,
): number {
  const keys = [`${stage.name}/${action.name}`];
  if (stage.name.startsWith('Deploy-')) keys.push(`Deploy/${action.name}`);
  keys.push(action.name);
  for (const key of keys) {
    const value = durations[key];
    if (value !== undefined) return value;
  }
  return action.seconds;
}

/** Lay a run out in time. `secondsToMs` converts simulated seconds to a duration in simulated ms. */
export function planRun(options: {
  pipelineName: string;
  pipeline: ScenarioPipeline;
  run: Pick<ScenarioPipelineRun, 'regionByRegion' | 'durations' | 'failAt' | 'stages' | 'triggerType'> &
    Partial<Pick<ScenarioPipelineRun, 'changesSessionManagerSettings' | 'dropEvents'>>;
  regions: string[];
  startMs: number;
}): PlannedRun {
  const { pipeline, run } = options;
  const templates: StageTemplate[] =
    run.stages?.map((s) => ({ name: s.name, actions: s.actions })) ??
    standardStages({
      lzaVersion: pipeline.lzaVersion,
      regions: options.regions,
      regionByRegion: run.regionByRegion,
      review: pipeline.review,
    });
  const durations = { ...(pipeline.durations ?? {}), ...(run.durations ?? {}) };
  const stages: PlannedStage[] = [];
  let t = options.startMs;
  let failed = false;
  for (const template of templates) {
    const stageStart = t;
    const actions: PlannedAction[] = [];
    const orders = [...new Set(template.actions.map((a) => a.runOrder))].sort((a, b) => a - b);
    for (const [index, order] of orders.entries()) {
      if (index > 0) t += TRANSITION_SECONDS * 1000;
      let groupEnd = t;
      for (const action of template.actions.filter((a) => a.runOrder === order)) {
        const endMs = t + durationFor(template, action, durations) * 1000;
        const isFailure = run.failAt === `${template.name}/${action.name}`;
        failed ||= isFailure;
        actions.push({
          stageName: template.name,
          actionName: action.name,
          runOrder: order,
          category: action.category,
          provider: providerFor(action.category, action.name),
          actionExecutionId: randomUUID(),
          startMs: t,
          endMs,
          status: isFailure ? 'Failed' : 'Succeeded',
        });
        groupEnd = Math.max(groupEnd, endMs);
      }
      t = groupEnd;
      if (failed) break;
    }
    stages.push({
      name: template.name,
      ...(template.region ? { region: template.region } : {}),
      startMs: stageStart,
      endMs: t,
      status: failed ? 'Failed' : 'Succeeded',
      actions,
    });
    if (failed) break;
    t += TRANSITION_SECONDS * 1000;
  }
  const last = stages[stages.length - 1];
  return {
    executionId: randomUUID(),
    pipelineName: options.pipelineName,
    startMs: options.startMs,
    endMs: last ? last.endMs : options.startMs,
    status: failed ? 'Failed' : 'Succeeded',
    triggerType: run.triggerType ?? 'StartPipelineExecution',
    regionByRegion: run.regionByRegion,
    changesSessionManagerSettings: run.changesSessionManagerSettings ?? false,
    dropEvents: run.dropEvents ?? [],
    stages,
  };
}

/** The Deploy-stage Security_Resources actions of a run (one per Deploy-<region> stage in region-by-region mode). */
export function securityResourcesActions(run: PlannedRun): { stage: PlannedStage; action: PlannedAction }[] {
  const out: { stage: PlannedStage; action: PlannedAction }[] = [];
  for (const stage of run.stages) {
    if (stage.name !== 'Deploy' && !stage.name.startsWith('Deploy-')) continue;
    for (const action of stage.actions)
      if (action.actionName === 'Security_Resources') out.push({ stage, action });
  }
  return out;
}

export interface LzaSessionManagerSettings {
  lzaVersion: string;
  sendToCloudWatchLogs: boolean;
  sendToS3: boolean;
  homeRegion: string;
  logArchiveAccountId: string;
}

/**
 * The content LZA's Security_Resources custom resource writes (docs/aws-behaviour.md#what-lza-writes-into-the-document): the whole
 * `inputs` map is rewritten; before 1.14.0 RunAs is forced off, from 1.14.0 the current
 * `runAsEnabled`/`runAsDefaultUser` are kept. Other keys are dropped.
 */
export function lzaSessionManagerContent(
  settings: LzaSessionManagerSettings,
  accountId: string,
  region: string,
  currentContent: string | undefined,
): string {
  let runAsEnabled: unknown = false;
  let runAsDefaultUser: unknown = '';
  if (compareVersions(settings.lzaVersion, '1.14.0') >= 0 && currentContent !== undefined) {
    try {
      const inputs = (JSON.parse(currentContent) as { inputs?: Record<string, unknown> }).inputs ?? {};
      if ('runAsEnabled' in inputs) runAsEnabled = inputs.runAsEnabled;
      if ('runAsDefaultUser' in inputs) runAsDefaultUser = inputs.runAsDefaultUser;
    } catch {
      // Unparseable current content: LZA falls back to its defaults.
    }
  }
  // LZA's custom resource writes the Session document in the console's shape, description included.
  return JSON.stringify({
    schemaVersion: '1.0',
    description: 'Document to hold regional settings for Session Manager',
    sessionType: 'Standard_Stream',
    inputs: {
      cloudWatchEncryptionEnabled: settings.sendToCloudWatchLogs,
      cloudWatchLogGroupName: settings.sendToCloudWatchLogs ? 'aws-accelerator-sessionmanager-logs' : '',
      kmsKeyId: `arn:aws:kms:${region}:${accountId}:alias/accelerator/sessionmanager-logs/session`,
      s3BucketName: settings.sendToS3
        ? `aws-accelerator-central-logs-${settings.logArchiveAccountId}-${settings.homeRegion}`
        : '',
      s3EncryptionEnabled: settings.sendToS3,
      s3KeyPrefix: settings.sendToS3 ? `session/${accountId}/` : '',
      runAsEnabled,
      runAsDefaultUser,
    },
  });
}
