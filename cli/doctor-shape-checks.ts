import { hasName } from '#adapters/aws-errors.ts';
import type { ManagementAccount } from '#adapters/management-account.ts';
import { hopRoleArn, hubAccount } from '#core/deploy/hub.ts';
import { landingZoneRegion, type Standing, standingOf } from '#core/deploy/organization-shape.ts';
import { externalPipelineAccount } from '#core/deploy/pipeline-account.ts';
import { describeError } from '#core/shared/error-text.ts';
import type { DoctorCheck } from './doctor-check.ts';
import type { OperatorContext } from './operator-context.ts';

/** What doctor learns of the organization's shape before it judges the installation. */
export interface ShapeFacts {
  standing: Standing | { kind: 'unknown'; error: string };
  /** The adapters that reach the organization: the caller's, or through the hop role from a hub. */
  access: ManagementAccount;
  /** From a hub: whether the hop role could be assumed (the first link of the chain). */
  hop?: { roleArn: string; error?: string };
  lza: LzaFacts;
  controlTower: ControlTowerFacts;
}

export type ControlTowerFacts =
  | { kind: 'none' }
  | { kind: 'landing-zone'; arn: string; homeRegion: string; version?: string }
  | { kind: 'unreadable'; error: string };

export type LzaFacts =
  | { kind: 'off' }
  | { kind: 'configured'; name: string }
  /** LZA's external pipeline account: only PlanFollowUp's role may read it there. */
  | { kind: 'external'; name: string; account: string }
  /** The configured pipeline is missing; `found` are the pipelines with LZA's name and stages. */
  | { kind: 'missing'; name: string; found: string[]; others: string[]; error: string }
  | { kind: 'unreadable'; name: string; error: string };

async function standing(ctx: OperatorContext): Promise<ShapeFacts['standing']> {
  try {
    const caller = await ctx.aws.callerAccount();
    const management = await ctx.aws.shape().managementAccountId();
    return standingOf(caller, management, ctx.config.managementAccountId, hubAccount(ctx.config));
  } catch (error) {
    return { kind: 'unknown', error: describeError(error) };
  }
}

async function lzaFacts(ctx: OperatorContext, aws: ManagementAccount): Promise<LzaFacts> {
  const { measureGap, pipelineName: name } = ctx.config.lza;
  if (measureGap === false) return { kind: 'off' };
  const account = externalPipelineAccount(ctx.config);
  if (account) return { kind: 'external', name, account };
  try {
    await aws.probe().assertPipelineReadable(name);
    return { kind: 'configured', name };
  } catch (error) {
    if (!hasName(error, 'PipelineNotFoundException'))
      return { kind: 'unreadable', name, error: describeError(error) };
    // List the account's pipelines, and look inside those LZA's installer could have named.
    const { found, others } = await aws.shape().lzaShaped();
    return {
      kind: 'missing',
      name,
      found,
      others,
      error: describeError(error),
    };
  }
}

async function controlTowerFacts(aws: ManagementAccount): Promise<ControlTowerFacts> {
  try {
    const reader = aws.landingZones();
    const arn = await reader.landingZoneArn();
    const homeRegion = arn ? landingZoneRegion(arn) : undefined;
    if (!arn || !homeRegion) return { kind: 'none' };
    const zone = await reader.landingZone(arn);
    return { kind: 'landing-zone', arn, homeRegion, ...(zone.version ? { version: zone.version } : {}) };
  } catch (error) {
    return { kind: 'unreadable', error: describeError(error) };
  }
}

/**
 * Read the organization's shape: where doctor stands, which pipeline is LZA's, where Control Tower
 * lives. From a hub account the organization is read through the hop role, as the product does.
 */
export async function inspectShape(ctx: OperatorContext): Promise<ShapeFacts> {
  const where = await standing(ctx);
  let access = ctx.aws;
  let hop: ShapeFacts['hop'];
  if (where.kind === 'hub') {
    const roleArn = hopRoleArn(ctx.partition, where.management);
    access = ctx.aws.throughRole(roleArn, 'runas-bootstrapper-doctor');
    hop = await access.callerAccount().then(
      () => ({ roleArn }),
      (error: unknown) => ({ roleArn, error: describeError(error) }),
    );
  }
  const [lza, controlTower] = await Promise.all([lzaFacts(ctx, access), controlTowerFacts(access)]);
  return { standing: where, access, ...(hop ? { hop } : {}), lza, controlTower };
}

/** From a hub, the first link of the chain: the hop role in the management account. */
export function hopCheck(facts: ShapeFacts): DoctorCheck | undefined {
  if (!facts.hop) return undefined;
  return facts.hop.error
    ? {
        check: 'hop role',
        status: 'fail',
        detail: `${facts.hop.roleArn}: ${facts.hop.error}`,
        fix: 'deploy RunAsBootstrapperManagement in the management account (it holds the hop role, trusted by the hub task roles)',
      }
    : { check: 'hop role', status: 'ok', detail: `${facts.hop.roleArn} assumable from the hub` };
}

/**
 * Control Tower's home region against homeRegion: its lifecycle events (CreateManagedAccount)
 * arrive only in its home region (docs/organization-shapes.md).
 */
export function controlTowerCheck(facts: ShapeFacts, home: string): DoctorCheck {
  const ct = facts.controlTower;
  const check = 'Control Tower';
  if (ct.kind === 'none')
    return { check, status: 'skip', detail: `no landing zone (ListLandingZones in ${home} lists none)` };
  if (ct.kind === 'unreadable')
    return {
      check,
      status: 'warn',
      detail: `cannot read the landing zone: ${ct.error}`,
      fix: 'allow controltower:ListLandingZones and controltower:GetLandingZone',
    };
  const version = ct.version ? ` (landing zone ${ct.version})` : '';
  return ct.homeRegion === home
    ? { check, status: 'ok', detail: `home region ${ct.homeRegion}${version}` }
    : {
        check,
        status: 'fail',
        detail: `Control Tower's home region is ${ct.homeRegion}${version}, homeRegion is ${home}: CreateManagedAccount and UpdateManagedAccount never reach ${home}`,
        fix: `set homeRegion to "${ct.homeRegion}" and redeploy the product there (npx cdk deploy --all)`,
      };
}

function lzaSummary(lza: LzaFacts): string {
  if (lza.kind === 'off') return 'gap measurement off';
  if (lza.kind === 'configured') return `LZA pipeline ${lza.name}`;
  if (lza.kind === 'external') return `LZA pipeline ${lza.name} in pipeline account ${lza.account}`;
  if (lza.kind === 'unreadable') return 'LZA pipeline unreadable';
  return lza.found.length > 0 ? `LZA pipeline ${lza.found.join(', ')}` : 'no LZA pipeline';
}

/**
 * The first line of the report: which organization doctor sees and where it stands in it. Run
 * from the wrong account it fails here, naming the management account, before any other line.
 */
export function shapeCheck(facts: ShapeFacts): DoctorCheck {
  const where = facts.standing;
  const ct = facts.controlTower;
  const lza = `${ct.kind === 'landing-zone' ? `Control Tower in ${ct.homeRegion}; ` : ''}${lzaSummary(facts.lza)}`;
  switch (where.kind) {
    case 'management':
      return {
        check: 'organization',
        status: 'ok',
        detail: `caller ${where.caller} is the management account; ${lza}`,
      };
    case 'hub':
      return {
        check: 'organization',
        status: 'ok',
        detail: `caller ${where.caller} is the hub (hubAccountId) of management account ${where.management}; ${lza}`,
      };
    case 'not-management':
      return {
        check: 'organization',
        status: 'fail',
        detail: `caller ${where.caller} is not the management account ${where.management} (DescribeOrganization): the checks below look at the wrong account`,
        fix: `run doctor with credentials of the management account ${where.management}`,
      };
    case 'config-mismatch':
      return {
        check: 'organization',
        status: 'fail',
        detail: `managementAccountId ${where.configured} in the config, but the organization's management account is ${where.management}`,
        fix: `set managementAccountId to ${where.management} (or remove it), then redeploy`,
      };
    case 'no-organization':
      return {
        check: 'organization',
        status: 'fail',
        detail: `caller ${where.caller} is in no organization (AWSOrganizationsNotInUseException)`,
        fix: 'run doctor with credentials of the organization management account',
      };
    default:
      return {
        check: 'organization',
        status: 'fail',
        detail: `cannot tell where doctor stands: ${where.error}`,
        fix: 'allow sts:GetCallerIdentity and organizations:DescribeOrganization',
      };
  }
}

/** The LZA pipeline line: found as configured, found under another name, or absent. */
export function lzaPipelineCheck(facts: ShapeFacts, home: string, measureGap: boolean | 'auto'): DoctorCheck {
  const lza = facts.lza;
  const check = 'LZA pipeline';
  if (lza.kind === 'off') return { check, status: 'skip', detail: 'lza.measureGap is false' };
  if (lza.kind === 'configured') return { check, status: 'ok', detail: `${lza.name} found in ${home}` };
  if (lza.kind === 'external')
    return {
      check,
      status: 'skip',
      detail: `${lza.name} runs in the pipeline account ${lza.account}, whose reader role trusts only PlanFollowUp; check its PipelineAccount stack there`,
    };
  if (lza.kind === 'unreadable')
    return {
      check,
      status: 'fail',
      detail: `${lza.name} in ${home}: ${lza.error}`,
      fix: 'allow codepipeline:ListPipelineExecutions on the LZA pipeline',
    };
  const listed = lza.others.length > 0 ? `; other pipelines: ${lza.others.join(', ')}` : '';
  if (lza.found.length > 0)
    return {
      check,
      status: 'fail',
      detail: `${lza.name} not found in ${home}; LZA runs here as ${lza.found.join(', ')}${listed}`,
      fix: `set lza.pipelineName to "${lza.found[0]}" (an installer qualifier names the pipeline <qualifier>-pipeline; docs/organization-shapes.md)`,
    };
  if (measureGap === 'auto')
    return {
      check,
      status: 'ok',
      detail: `no LZA pipeline: gap not measured (lza.measureGap auto; no pipeline with LZA's stages in ${home}${listed})`,
    };
  return {
    check,
    status: 'fail',
    detail: `${lza.name} not found in ${home}, and no pipeline there has LZA's stages${listed}`,
    fix: 'without LZA set lza.measureGap to "auto" or false; with LZA in an external pipeline account see docs/organization-shapes.md',
  };
}

/** The member-role fix: from the wrong account the role is not the problem, where doctor runs is. */
export function memberRoleFix(facts: ShapeFacts, memberRoleNames: readonly string[]): string {
  return facts.standing.kind === 'not-management'
    ? `doctor runs in ${facts.standing.caller}, not the management account ${facts.standing.management}: see the organization line first`
    : `check memberRoleNames (${memberRoleNames.join(', ')}): the role must exist and trust the management account`;
}
