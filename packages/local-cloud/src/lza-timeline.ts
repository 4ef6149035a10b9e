/**
 * The LZA timeline: pipeline runs planned by `lza-pipeline.ts`, the CodePipeline state-change
 * events they publish, and the Security_Resources writer that rewrites the preferences
 * document where CloudFormation invokes it (docs/aws-behaviour.md#lza-session-manager-writer).
 */

import { PREFERENCES_DOCUMENT } from './account-vends.ts';
import { thrownMessage } from './aws-error.ts';
import { type EventEnvelope, makeEnvelope } from './bus.ts';
import type { SimulatedClock, SimulatedScheduler } from './clock.ts';
import {
  lzaSessionManagerContent,
  type PlannedAction,
  type PlannedRun,
  type PlannedStage,
  planRun,
  securityResourcesActions,
} from './lza-pipeline.ts';
import type { Organization } from './organization.ts';
import type { Scenario, ScenarioPipelineRun } from './scenario.ts';
import type { DocumentStore } from './ssm-documents.ts';

/** A pipeline run as the timeline or the API asks for it; the newer fields are optional. */
export type PipelineRunRequest = Omit<ScenarioPipelineRun, 'changesSessionManagerSettings' | 'dropEvents'> &
  Partial<Pick<ScenarioPipelineRun, 'changesSessionManagerSettings' | 'dropEvents'>>;

export interface LzaWriteRecord {
  time: string;
  executionId: string;
  stage: string;
  accountId: string;
  region: string;
  outcome: 'updated' | 'created' | 'unchanged' | 'failed';
  /**
   * Why LZA's custom resource ran here (docs/aws-behaviour.md#lza-session-manager-writer): the account's SecurityResources stack
   * was created by this run, or the run changed the session-manager logging settings.
   */
  trigger: 'stack-created' | 'settings-changed';
  version?: string;
  error?: string;
  runAsBefore?: { runAsEnabled: unknown; runAsDefaultUser: unknown };
  runAsAfter: { runAsEnabled: unknown; runAsDefaultUser: unknown };
}

/** What the LZA timeline needs of the world, and the records it keeps there. */
export interface LzaWorld {
  readonly scenario: Scenario;
  readonly clock: SimulatedClock;
  readonly scheduler: SimulatedScheduler;
  readonly org: Organization;
  readonly documents: DocumentStore;
  readonly managementAccountId: string;
  readonly pipelineName: string;
  readonly pipelineArn: string;
  readonly pipelineAccountId: string;
  readonly lzaRegions: string[];
  readonly runs: PlannedRun[];
  readonly lzaWrites: LzaWriteRecord[];
  readonly droppedEvents: { executionId: string; event: string; state: string }[];
  readonly securityStacks: Set<string>;
  publishRepeated(event: EventEnvelope, deliveries: number): void;
}

/** Plan a run starting at `startMs` (simulated epoch ms) and schedule its events and LZA's writes. */
export function startPipelineRun(world: LzaWorld, run: PipelineRunRequest, startMs: number): PlannedRun {
  const plan = planRun({
    pipelineName: world.pipelineName,
    pipeline: world.scenario.pipeline,
    run,
    regions: world.lzaRegions,
    startMs,
  });
  world.runs.push(plan);
  const at = (ms: number, fn: () => void) => world.scheduler.at(world.clock.secondsAt(ms), fn);
  const final = (status: 'Succeeded' | 'Failed') => (status === 'Failed' ? 'FAILED' : 'SUCCEEDED');
  at(plan.startMs, () => pipelineEvent(world, plan, 'STARTED', plan.startMs));
  for (const stage of plan.stages) {
    at(stage.startMs, () => stageEvent(world, plan, stage, 'STARTED', stage.startMs));
    for (const action of stage.actions) {
      at(action.startMs, () => actionEvent(world, plan, stage, action, 'STARTED', action.startMs));
      at(action.endMs, () => actionEvent(world, plan, stage, action, final(action.status), action.endMs));
    }
    at(stage.endMs, () => stageEvent(world, plan, stage, final(stage.status), stage.endMs));
  }
  at(plan.endMs, () => pipelineEvent(world, plan, final(plan.status), plan.endMs));
  const { sendToCloudWatchLogs, sendToS3 } = world.scenario.pipeline.sessionManager;
  if (sendToCloudWatchLogs || sendToS3) {
    for (const { stage, action } of securityResourcesActions(plan)) {
      const writeMs =
        action.startMs + (action.endMs - action.startMs) * world.scenario.pipeline.writeAtFraction;
      at(writeMs, () => lzaWrite(world, plan, stage, writeMs));
    }
  }
  return plan;
}

/**
 * CodePipeline's native state-change events (docs/aws-behaviour.md#pipeline-state-change-events): source `aws.codepipeline`, the
 * pipeline's region (the management account's home region for LZA), delivered at least once
 * (`pipeline.eventDeliveries` copies with the same id) unless the run drops it (`dropEvents`).
 */
function publishPipelineEvent(
  world: LzaWorld,
  plan: PlannedRun,
  dropKey: string | undefined,
  detailType: string,
  detail: Record<string, unknown>,
  timeMs: number,
): void {
  if (dropKey !== undefined && plan.dropEvents.includes(dropKey)) {
    world.droppedEvents.push({ executionId: plan.executionId, event: dropKey, state: String(detail.state) });
    return;
  }
  const event = makeEnvelope({
    'detail-type': detailType,
    source: 'aws.codepipeline',
    account: world.pipelineAccountId,
    time: timeMs,
    region: world.scenario.homeRegion,
    resources: [world.pipelineArn],
    detail,
  });
  world.publishRepeated(event, world.scenario.pipeline.eventDeliveries);
}

function pipelineEvent(world: LzaWorld, plan: PlannedRun, state: string, timeMs: number): void {
  publishPipelineEvent(
    world,
    plan,
    state === 'STARTED' ? undefined : 'pipeline',
    'CodePipeline Pipeline Execution State Change',
    {
      pipeline: plan.pipelineName,
      'execution-id': plan.executionId,
      'start-time': new Date(plan.startMs).toISOString(),
      'execution-trigger': { 'trigger-type': plan.triggerType, 'trigger-detail': 'local-cloud' },
      state,
      version: 1,
      'pipeline-execution-attempt': 1,
    },
    timeMs,
  );
}

function stageEvent(
  world: LzaWorld,
  plan: PlannedRun,
  stage: PlannedStage,
  state: string,
  timeMs: number,
): void {
  publishPipelineEvent(
    world,
    plan,
    state === 'STARTED' ? undefined : stage.name,
    'CodePipeline Stage Execution State Change',
    {
      pipeline: plan.pipelineName,
      'execution-id': plan.executionId,
      'start-time': new Date(plan.startMs).toISOString(),
      stage: stage.name,
      state,
      version: 1,
      'pipeline-execution-attempt': 1,
    },
    timeMs,
  );
}

function actionEvent(
  world: LzaWorld,
  plan: PlannedRun,
  stage: PlannedStage,
  action: PlannedAction,
  state: string,
  timeMs: number,
): void {
  publishPipelineEvent(
    world,
    plan,
    state === 'STARTED' ? undefined : `${stage.name}/${action.actionName}`,
    'CodePipeline Action Execution State Change',
    {
      pipeline: plan.pipelineName,
      'execution-id': plan.executionId,
      'start-time': new Date(plan.startMs).toISOString(),
      stage: stage.name,
      action: action.actionName,
      state,
      // The action's region: LZA's CodeBuild actions all run in the pipeline's (home) region,
      // Deploy-<region> stages included.
      region: world.scenario.homeRegion,
      type: { owner: 'AWS', provider: action.provider, category: action.category, version: '1' },
      version: 1,
      'pipeline-execution-attempt': 1,
      ...(state === 'STARTED'
        ? {}
        : {
            'execution-result': {
              'external-execution-id': action.actionExecutionId,
              'external-execution-summary': `${action.actionName} ${state.toLowerCase()}`,
              'external-execution-state': action.status,
            },
          }),
    },
    timeMs,
  );
}

/**
 * LZA's Security_Resources: its `Custom::SsmSessionManagerSettings` resource writes the
 * preferences document in an account and region only when CloudFormation invokes it
 * (docs/aws-behaviour.md#lza-session-manager-writer): when this run creates the account's SecurityResources stack there (an
 * account that joined since the last deploy), or when the run changes the session-manager
 * logging settings (`runs[].changesSessionManagerSettings`: every ACTIVE account). Its
 * properties hold no run-unique value, so an unchanged stack is not touched.
 */
function lzaWrite(world: LzaWorld, plan: PlannedRun, stage: PlannedStage, writeMs: number): void {
  const regions = stage.region ? [stage.region] : world.lzaRegions;
  const settings = {
    lzaVersion: world.scenario.pipeline.lzaVersion,
    ...world.scenario.pipeline.sessionManager,
    homeRegion: world.scenario.homeRegion,
    logArchiveAccountId:
      world.scenario.accounts.find((a) => /log\s*archive/i.test(a.name))?.accountId ??
      world.managementAccountId,
  };
  const writer = `LZA ${world.scenario.pipeline.lzaVersion} ${stage.name}/Security_Resources`;
  for (const account of world.org.members(writeMs)) {
    if (account.status !== 'ACTIVE') continue;
    for (const region of regions) {
      const stackKey = `${account.accountId}|${region}`;
      let trigger: LzaWriteRecord['trigger'];
      if (!world.securityStacks.has(stackKey)) {
        world.securityStacks.add(stackKey);
        trigger = 'stack-created';
      } else if (plan.changesSessionManagerSettings) {
        trigger = 'settings-changed';
      } else {
        continue;
      }
      const doc = world.documents.find(account.accountId, region, PREFERENCES_DOCUMENT);
      // LZA's GetDocument names no version: it reads the default.
      const current = doc ? world.documents.resolveVersion(doc, '$DEFAULT').content : undefined;
      const content = lzaSessionManagerContent(settings, account.accountId, region, current);
      const base = {
        time: new Date(writeMs).toISOString(),
        executionId: plan.executionId,
        stage: stage.name,
        accountId: account.accountId,
        region,
        trigger,
        runAsAfter: runAsOf(content) ?? { runAsEnabled: undefined, runAsDefaultUser: undefined },
      };
      if (!doc) {
        world.documents.create({
          accountId: account.accountId,
          region,
          name: PREFERENCES_DOCUMENT,
          content,
          documentType: 'Session',
          writer,
        });
        world.lzaWrites.push({ ...base, outcome: 'created', version: '1' });
        continue;
      }
      const before = runAsOf(world.documents.resolveVersion(doc, '$LATEST').content);
      const latest = world.documents.resolveVersion(doc, '$LATEST');
      if (latest.content === content) {
        world.lzaWrites.push({
          ...base,
          outcome: 'unchanged',
          version: doc.latestVersion,
          ...(before ? { runAsBefore: before } : {}),
        });
        continue;
      }
      try {
        const { version } = world.documents.update({
          accountId: account.accountId,
          region,
          name: PREFERENCES_DOCUMENT,
          content,
          documentVersion: '$LATEST',
          writer,
        });
        world.lzaWrites.push({
          ...base,
          outcome: 'updated',
          version: version.version,
          ...(before ? { runAsBefore: before } : {}),
        });
      } catch (error) {
        // e.g. DocumentVersionLimitExceeded: LZA's stack would fail here; record and go on.
        world.lzaWrites.push({ ...base, outcome: 'failed', error: thrownMessage(error) });
      }
    }
  }
}

function runAsOf(content: string): { runAsEnabled: unknown; runAsDefaultUser: unknown } | undefined {
  try {
    const inputs = (JSON.parse(content) as { inputs?: Record<string, unknown> }).inputs ?? {};
    return { runAsEnabled: inputs.runAsEnabled, runAsDefaultUser: inputs.runAsDefaultUser };
  } catch {
    return undefined;
  }
}
