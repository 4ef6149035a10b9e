import { secondsBetween } from '../vend/enforcement.ts';

/**
 * Gap arithmetic: which LZA pipeline run covers a vend, when its Deploy-stage
 * Security_Resources and Customizations actions finished per region, and how much of the
 * PREPARE-to-CUSTOMIZATIONS gap the bootstrapper closed. Pure: the adapter supplies history.
 */

export type RunStatus =
  | 'InProgress'
  | 'Succeeded'
  | 'Failed'
  | 'Stopped'
  | 'Stopping'
  | 'Superseded'
  | 'Cancelled'
  | string;

export interface PipelineRun {
  executionId: string;
  status: RunStatus;
  /** ISO-8601. */
  startTime: string;
  lastUpdateTime: string;
}

export interface PipelineAction {
  stageName: string;
  actionName: string;
  status: string;
  startTime?: string;
  lastUpdateTime?: string;
}

export const SECURITY_RESOURCES_ACTION = 'Security_Resources';
export const CUSTOMIZATIONS_ACTION = 'Customizations';
const DEPLOY_STAGE = 'Deploy';
const FAILED_RUN: readonly string[] = ['Failed', 'Stopped', 'Superseded', 'Cancelled'];

/** The stage that deploys `region`: `Deploy-<region>` in region-by-region mode, else `Deploy`. */
export function deployStageFor(region: string, actions: readonly PipelineAction[]): string {
  const regional = `${DEPLOY_STAGE}-${region}`;
  return actions.some((a) => a.stageName === regional) ? regional : DEPLOY_STAGE;
}

/**
 * When the named action finished successfully in the region's Deploy stage. Stage AND action
 * must match: Security_Resources and Customizations also run in the Bootstrap stage.
 */
export function actionFinishedAt(
  actions: readonly PipelineAction[],
  region: string,
  actionName: string,
): string | undefined {
  const stage = deployStageFor(region, actions);
  const done = actions
    .filter(
      (a) =>
        a.stageName === stage && a.actionName === actionName && a.status === 'Succeeded' && a.lastUpdateTime,
    )
    .map((a) => a.lastUpdateTime as string)
    .sort();
  return done.at(-1);
}

export interface RegionMilestones {
  /** False in region-by-region mode when the run has no `Deploy-<region>` stage: LZA does not deploy it. */
  covered: boolean;
  securityResourcesAt?: string;
  customizationsAt?: string;
}

export function milestones(
  actions: readonly PipelineAction[],
  regions: readonly string[],
): Record<string, RegionMilestones> {
  const regionByRegion = actions.some((a) => a.stageName.startsWith(`${DEPLOY_STAGE}-`));
  const out: Record<string, RegionMilestones> = {};
  for (const region of regions) {
    const securityResourcesAt = actionFinishedAt(actions, region, SECURITY_RESOURCES_ACTION);
    const customizationsAt = actionFinishedAt(actions, region, CUSTOMIZATIONS_ACTION);
    out[region] = {
      covered: !regionByRegion || actions.some((a) => a.stageName === `${DEPLOY_STAGE}-${region}`),
      ...(securityResourcesAt ? { securityResourcesAt } : {}),
      ...(customizationsAt ? { customizationsAt } : {}),
    };
  }
  return out;
}

/**
 * The runs that may cover a vend, in the order to try them: the one running at vend time,
 * then every run started after it. A run that ended before the vend cannot cover it.
 */
export function coveringCandidates(runs: readonly PipelineRun[], vendedAt: string): PipelineRun[] {
  const vend = Date.parse(vendedAt);
  return [...runs]
    .filter((run) => {
      const start = Date.parse(run.startTime);
      const end = run.status === 'InProgress' ? Number.POSITIVE_INFINITY : Date.parse(run.lastUpdateTime);
      return start >= vend || end >= vend;
    })
    .sort((a, b) => Date.parse(a.startTime) - Date.parse(b.startTime));
}

/**
 * Whether the run had already deployed (finished Deploy-stage Customizations) in some governed
 * region before the vend: it was in progress at vend time, but too far along to include the
 * new account, so it does not cover the vend.
 */
export function deployedBefore(
  regionMilestones: Record<string, RegionMilestones>,
  vendedAt: string,
): boolean {
  const vend = Date.parse(vendedAt);
  return Object.values(regionMilestones).some(
    (m) => m.customizationsAt !== undefined && Date.parse(m.customizationsAt) < vend,
  );
}

export type CoverVerdict =
  /** This run covers the vend and has finished Customizations in every region. */
  | { kind: 'complete' }
  /** This run covers the vend and is still going. */
  | { kind: 'running' }
  /** This run failed before Customizations finished everywhere: the next run covers the vend. */
  | { kind: 'failed' };

export function judgeRun(run: PipelineRun, regionMilestones: Record<string, RegionMilestones>): CoverVerdict {
  const all = Object.values(regionMilestones);
  const measured = all.filter((m) => m.customizationsAt);
  if (all.length > 0 && measured.length === all.length) return { kind: 'complete' };
  // A finished region-by-region run need not deploy every governed region.
  if (
    run.status === 'Succeeded' &&
    measured.length > 0 &&
    all.every((m) => m.customizationsAt || !m.covered)
  ) {
    return { kind: 'complete' };
  }
  if (FAILED_RUN.includes(run.status) || run.status === 'Succeeded') return { kind: 'failed' };
  return { kind: 'running' };
}

export interface GapFigures {
  /** When Customizations finished in the last governed region. */
  customizationsCompletedAt: string;
  /** Vend to Customizations done: the window LZA alone leaves open. */
  prepareToCustomizationsSeconds: number;
  /** Customizations done minus RunAs verified: negative if the bootstrapper was later than LZA. */
  gapClosedSeconds: number;
}

export function gapFigures(
  vendedAt: string,
  runAsVerifiedAt: string,
  regionMilestones: Record<string, RegionMilestones>,
): GapFigures | undefined {
  const done = Object.values(regionMilestones)
    .map((m) => m.customizationsAt)
    .filter((d): d is string => d !== undefined)
    .sort();
  const customizationsCompletedAt = done.at(-1);
  if (!customizationsCompletedAt) return undefined;
  return {
    customizationsCompletedAt,
    prepareToCustomizationsSeconds: secondsBetween(vendedAt, customizationsCompletedAt),
    gapClosedSeconds: secondsBetween(runAsVerifiedAt, customizationsCompletedAt),
  };
}
