import { AwsServiceError } from '../aws-error.ts';
import {
  type PlannedAction,
  type PlannedRun,
  type PlannedStage,
  type StageTemplate,
  standardStages,
} from '../lza-pipeline.ts';
import {
  decodeToken,
  encodeToken,
  epochSeconds,
  type Input,
  type OperationContext,
  optionalString,
  type ServiceDefinition,
} from '../service-definition.ts';

/** CodePipeline history of the simulated LZA pipeline (awsJson1_1, `CodePipeline_20150709.<Op>`). */

type ExecutionStatus = 'InProgress' | 'Succeeded' | 'Failed';

function pipelineArn(ctx: OperationContext, name: string): string {
  return `arn:aws:codepipeline:${ctx.region}:${ctx.accountId}:${name}`;
}

/** The pipeline exists only in its account (the management account by default), in the home region. */
function requirePipeline(ctx: OperationContext, name: string | undefined): string {
  const { world } = ctx;
  const exists = world.scenario.pipeline.exists ?? world.scenario.pipeline.runs.length > 0;
  if (
    !exists ||
    !name ||
    name !== world.pipelineName ||
    ctx.accountId !== world.pipelineAccountId ||
    ctx.region !== world.scenario.homeRegion
  ) {
    throw new AwsServiceError(
      'PipelineNotFoundException',
      `Account '${ctx.accountId}' does not have a pipeline with name '${name ?? ''}'`,
    );
  }
  return name;
}

/** The pipelines of the caller's account and region: LZA's (when it exists) and the scenario's others. */
function pipelinesHere(ctx: OperationContext): string[] {
  const { world } = ctx;
  if (ctx.accountId !== world.pipelineAccountId || ctx.region !== world.scenario.homeRegion) return [];
  const lza = world.scenario.pipeline.exists ?? world.scenario.pipeline.runs.length > 0;
  return [...(lza ? [world.pipelineName] : []), ...world.scenario.pipeline.otherPipelines];
}

/** A pipeline's stages as GetPipeline shows them: LZA's layout, or a Source and a Build stage. */
function layoutOf(ctx: OperationContext, name: string): StageTemplate[] {
  const { pipeline } = ctx.world.scenario;
  if (name === ctx.world.pipelineName)
    return standardStages({
      lzaVersion: pipeline.lzaVersion,
      regions: ctx.world.lzaRegions,
      regionByRegion: false,
      review: pipeline.review,
    });
  return [
    { name: 'Source', actions: [{ name: 'Source', runOrder: 1, category: 'Source', seconds: 10 }] },
    { name: 'Build', actions: [{ name: 'Build', runOrder: 1, category: 'Build', seconds: 60 }] },
  ];
}

function runStatus(run: PlannedRun, now: number): ExecutionStatus {
  return now < run.endMs ? 'InProgress' : run.status;
}

function actionStatus(action: PlannedAction, now: number): ExecutionStatus {
  return now < action.endMs ? 'InProgress' : action.status;
}

function visibleRuns(ctx: OperationContext): PlannedRun[] {
  const now = ctx.world.clock.nowMs();
  return ctx.world.runs.filter((r) => r.startMs <= now).sort((a, b) => b.startMs - a.startMs);
}

function paging(input: Input, limit: number): { offset: number; max: number } {
  const max = input.maxResults === undefined ? limit : Number(input.maxResults);
  if (!Number.isInteger(max) || max < 1 || max > limit) {
    throw new AwsServiceError('ValidationException', `maxResults must be between 1 and ${limit}.`);
  }
  const offset = input.nextToken === undefined ? 0 : decodeToken(input.nextToken);
  if (offset === undefined)
    throw new AwsServiceError(
      'InvalidNextTokenException',
      'The next token was specified in an invalid format. Make sure that the next token you provide is the token returned by a previous call.',
    );
  return { offset, max };
}

function executionSummary(run: PlannedRun, now: number) {
  const status = runStatus(run, now);
  return {
    pipelineExecutionId: run.executionId,
    status,
    ...(status === 'Failed' ? { statusSummary: 'An action in the pipeline failed.' } : {}),
    startTime: epochSeconds(run.startMs),
    lastUpdateTime: epochSeconds(Math.min(now, run.endMs)),
    sourceRevisions: [
      {
        actionName: 'Configuration',
        revisionId: run.executionId.slice(0, 8),
        revisionSummary: 'aws-accelerator-config',
      },
    ],
    trigger: { triggerType: run.triggerType, triggerDetail: 'local-cloud' },
    executionMode: 'QUEUED',
    executionType: 'STANDARD',
  };
}

function actionDetail(
  ctx: OperationContext,
  run: PlannedRun,
  stage: PlannedStage,
  action: PlannedAction,
  now: number,
) {
  const status = actionStatus(action, now);
  return {
    pipelineExecutionId: run.executionId,
    actionExecutionId: action.actionExecutionId,
    pipelineVersion: 1,
    stageName: stage.name,
    actionName: action.actionName,
    startTime: epochSeconds(action.startMs),
    lastUpdateTime: epochSeconds(Math.min(now, action.endMs)),
    status,
    input: {
      actionTypeId: { category: action.category, owner: 'AWS', provider: action.provider, version: '1' },
      configuration:
        action.provider === 'CodeBuild' ? { ProjectName: `${run.pipelineName}-ToolkitProject` } : {},
      resolvedConfiguration: {},
      region: ctx.region,
      inputArtifacts: [],
    },
    output: {
      outputArtifacts: [],
      ...(status === 'InProgress'
        ? {}
        : {
            executionResult: {
              externalExecutionId: action.actionExecutionId,
              externalExecutionSummary: status === 'Failed' ? 'Build failed' : 'Build succeeded',
            },
          }),
      outputVariables: {},
    },
  };
}

export const codePipelineService: ServiceDefinition = {
  id: 'codepipeline',
  protocol: 'json1.1',
  targetPrefix: 'CodePipeline_20150709',
  accessDeniedStatus: 400,
  operations: {
    ListPipelines: {
      resource: (ctx) => pipelineArn(ctx, '*'),
      handle(ctx, input) {
        const { offset, max } = paging(input, 1000);
        const names = pipelinesHere(ctx);
        const created = epochSeconds(ctx.world.clock.nowMs() - 400 * 86_400_000);
        return {
          pipelines: names.slice(offset, offset + max).map((name) => ({
            name,
            version: 1,
            pipelineType: 'V1',
            executionMode: 'QUEUED',
            created,
            updated: created,
          })),
          ...(offset + max < names.length ? { nextToken: encodeToken(offset + max) } : {}),
        };
      },
    },
    GetPipeline: {
      resource: (ctx, input) => pipelineArn(ctx, optionalString(input, 'name') ?? '*'),
      handle(ctx, input) {
        const name = optionalString(input, 'name');
        if (!name || !pipelinesHere(ctx).includes(name)) {
          throw new AwsServiceError(
            'PipelineNotFoundException',
            `Account '${ctx.accountId}' does not have a pipeline with name '${name ?? ''}'`,
          );
        }
        return {
          pipeline: {
            name,
            roleArn: `arn:aws:iam::${ctx.accountId}:role/${name}-Role`,
            version: 1,
            stages: layoutOf(ctx, name).map((stage) => ({
              name: stage.name,
              actions: stage.actions.map((action) => ({
                name: action.name,
                runOrder: action.runOrder,
                actionTypeId: {
                  category: action.category,
                  owner: 'AWS',
                  provider: action.category === 'Source' ? 'CodeCommit' : 'CodeBuild',
                  version: '1',
                },
              })),
            })),
          },
          metadata: { pipelineArn: pipelineArn(ctx, name) },
        };
      },
    },
    ListPipelineExecutions: {
      resource: (ctx, input) => pipelineArn(ctx, optionalString(input, 'pipelineName') ?? '*'),
      handle(ctx, input) {
        requirePipeline(ctx, optionalString(input, 'pipelineName'));
        const { offset, max } = paging(input, 100);
        const now = ctx.world.clock.nowMs();
        const runs = visibleRuns(ctx);
        return {
          pipelineExecutionSummaries: runs.slice(offset, offset + max).map((r) => executionSummary(r, now)),
          ...(offset + max < runs.length ? { nextToken: encodeToken(offset + max) } : {}),
        };
      },
    },
    GetPipelineExecution: {
      resource: (ctx, input) => pipelineArn(ctx, optionalString(input, 'pipelineName') ?? '*'),
      handle(ctx, input) {
        const name = requirePipeline(ctx, optionalString(input, 'pipelineName'));
        const run = visibleRuns(ctx).find((r) => r.executionId === input.pipelineExecutionId);
        if (!run) {
          throw new AwsServiceError(
            'PipelineExecutionNotFoundException',
            `Pipeline execution ${String(input.pipelineExecutionId)} not found for pipeline ${name}`,
          );
        }
        const now = ctx.world.clock.nowMs();
        const summary = executionSummary(run, now);
        return {
          pipelineExecution: {
            pipelineName: name,
            pipelineVersion: 1,
            pipelineExecutionId: run.executionId,
            status: summary.status,
            artifactRevisions: [],
            trigger: summary.trigger,
            executionMode: summary.executionMode,
            executionType: summary.executionType,
          },
        };
      },
    },
    ListActionExecutions: {
      resource: (ctx, input) => pipelineArn(ctx, optionalString(input, 'pipelineName') ?? '*'),
      handle(ctx, input) {
        requirePipeline(ctx, optionalString(input, 'pipelineName'));
        const filter = input.filter as { pipelineExecutionId?: unknown } | undefined;
        const executionId = filter?.pipelineExecutionId;
        const runs = visibleRuns(ctx);
        if (executionId !== undefined && !runs.some((r) => r.executionId === executionId)) {
          throw new AwsServiceError(
            'PipelineExecutionNotFoundException',
            `Pipeline execution ${String(executionId)} not found`,
          );
        }
        const { offset, max } = paging(input, 100);
        const now = ctx.world.clock.nowMs();
        const details = runs
          .filter((r) => executionId === undefined || r.executionId === executionId)
          .flatMap((run) =>
            run.stages.flatMap((stage) =>
              stage.actions.filter((a) => a.startMs <= now).map((action) => ({ run, stage, action })),
            ),
          )
          // Newest first, as CodePipeline lists them.
          .sort((a, b) => b.action.startMs - a.action.startMs || b.action.runOrder - a.action.runOrder);
        return {
          actionExecutionDetails: details
            .slice(offset, offset + max)
            .map(({ run, stage, action }) => actionDetail(ctx, run, stage, action, now)),
          ...(offset + max < details.length ? { nextToken: encodeToken(offset + max) } : {}),
        };
      },
    },
    StartPipelineExecution: {
      resource: (ctx, input) => pipelineArn(ctx, optionalString(input, 'name') ?? '*'),
      handle(ctx, input) {
        requirePipeline(ctx, optionalString(input, 'name'));
        const run = ctx.world.startPipelineRun(
          { startAtSeconds: 0, regionByRegion: false, triggerType: 'StartPipelineExecution' },
          ctx.world.clock.nowMs(),
        );
        return { pipelineExecutionId: run.executionId };
      },
    },
  },
};
