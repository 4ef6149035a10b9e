import type { BootstrapperConfig } from '#core/config.ts';
import { secondsBetween } from '#core/enforcement.ts';
import { PREFERENCES_DOCUMENT_NAME } from '#core/preferences.ts';
import type { CloudWorld } from './cloud/cloud-world.ts';
import type { ExpectedOutcome, Scenario } from './cloud/scenario.ts';
import type { ExecutionRecord } from './runtime/runtime.ts';

export type RegionStatus = 'compliant' | 'failed' | 'refused' | 'skipped';

export interface RegionReport {
  status: RegionStatus;
  /** created | updated | unchanged | refused, from the first execution that reached the region. */
  action?: string;
  error?: string;
  document: { latest: unknown; default: unknown; latestVersion?: string; defaultVersion?: string };
}

export interface AccountReport {
  accountId: string;
  name: string;
  trigger?: string;
  vendedAt?: string;
  roleAssumableAt?: string;
  runAsVerifiedAt?: string;
  /** Vend to RunAs verified in every region, in simulated seconds. */
  exposureSeconds?: number;
  /** Vend to role assumable, in simulated seconds. */
  roleWaitSeconds?: number;
  /**
   * Whether the first run wrote RunAs on a vend, so vend to verified is a real exposure. False
   * when RunAs was already set in the first region or the run was not a vend.
   */
  measured?: boolean;
  /** The latest Deploy-stage Security_Resources finish over the governed regions (covering LZA run). */
  securityResourcesCompletedAt?: string;
  /** From the LZA pipeline run covering the vend (absent when not measured). */
  customizationsCompletedAt?: string;
  prepareToCustomizationsSeconds?: number;
  /** Customizations finished minus RunAs verified: how much of the gap the bootstrapper closed. */
  gapClosedSeconds?: number;
  /** Regions whose RunAs LZA wiped at Security_Resources and the bootstrapper wrote again. */
  regressionsRepaired?: number;
  /** At least how long RunAs was off again after LZA's reset, until the repair (longest region). */
  reexposedSeconds?: number;
  /** Why the gap was not measured, or how the measurement ended. */
  gap?: string;
  /** Executions started for the account (duplicate deliveries and both vend events count). */
  executions: number;
  regions: Record<string, RegionReport>;
  /** Per region, the outcome the scenario expects. */
  expected: Record<string, ExpectedOutcome>;
  meetsExpectation: boolean;
}

export interface DemoReport {
  scenario?: string;
  timeScale: number;
  /** The simulated LZA version, when the scenario's organization has an LZA pipeline. */
  lzaVersion?: string;
  governedRegions: string[];
  accounts: AccountReport[];
  /** Every account reached the outcome its scenario expects. */
  ok: boolean;
}

interface StateOutput {
  action?: string;
  request?: { accountId: string; trigger: string; vendedAt: string; regions: string[] };
  role?: { assumableAt: string };
  regions?: {
    region: string;
    status: 'compliant' | 'failed' | 'refused';
    action?: string;
    error?: string;
    cause?: string;
    verifiedAt?: string;
  }[];
  summary?: {
    runAsVerifiedAt?: string;
    exposureSeconds?: number;
    roleWaitSeconds?: number;
    measures?: boolean;
  };
  gap?: {
    phase: string;
    reason?: string;
    customizationsCompletedAt?: string;
    prepareToCustomizationsSeconds?: number;
    gapClosedSeconds?: number;
    regressionsRepaired?: number;
    reexposedSeconds?: number;
    regions?: Record<string, { securityResourcesAt?: string; customizationsAt?: string }>;
  };
}

/** The output of the last time `stateName` exited in an execution. */
function exitedOutput(execution: ExecutionRecord, stateName: string): StateOutput | undefined {
  const exited = execution.events.filter((e) => e.type === 'StateExited' && e.state?.name === stateName);
  return exited.at(-1)?.state?.output as StateOutput | undefined;
}

function errorMessage(cause: string | undefined): string | undefined {
  if (!cause) return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    return parsed.errorMessage ?? cause;
  } catch {
    return cause;
  }
}

function parsed(content: string | undefined): unknown {
  if (content === undefined) return null;
  try {
    return JSON.parse(content);
  } catch {
    return content;
  }
}

/** Build the demo report from the executions and the cloud's final state. */
export function buildReport(options: {
  world: CloudWorld;
  scenario: Scenario;
  scenarioName?: string;
  config: BootstrapperConfig;
  executions: ExecutionRecord[];
}): DemoReport {
  const { world, scenario, config } = options;
  const toSim = (iso: string | undefined) =>
    iso === undefined ? undefined : new Date(Date.parse(iso)).toISOString();
  const accounts: AccountReport[] = [];
  for (const account of scenario.accounts) {
    if (account.accountId === scenario.managementAccountId) continue;
    if (!account.vend || account.vend.via === 'none') continue;
    const runs = options.executions
      .map((execution) => ({ execution, resolved: exitedOutput(execution, 'ResolveRequest') }))
      .filter(
        (r) => r.resolved?.action === 'bootstrap' && r.resolved.request?.accountId === account.accountId,
      )
      .sort((a, b) => a.execution.startDate.getTime() - b.execution.startDate.getTime());
    const finalOf = (e: ExecutionRecord) =>
      exitedOutput(e, 'RecordEnforcement') ?? exitedOutput(e, 'RecordRoleFailure');
    // The execution that won the first write measures the vend; duplicates only confirm it.
    const first = runs.find((r) => finalOf(r.execution)?.summary?.measures) ?? runs[0];
    const final = first ? finalOf(first.execution) : undefined;
    const gap = first
      ? (exitedOutput(first.execution, 'RecordGap') ?? exitedOutput(first.execution, 'TrackPipeline'))?.gap
      : undefined;
    const expected: Record<string, ExpectedOutcome> = {};
    const regions: Record<string, RegionReport> = {};
    for (const region of config.governedRegions) {
      expected[region] = account.expect?.regions?.[region] ?? 'compliant';
      const result = final?.regions?.find((r) => r.region === region);
      const doc = world.documents.find(account.accountId, region, PREFERENCES_DOCUMENT_NAME);
      const error =
        result?.status === 'compliant'
          ? undefined
          : (errorMessage(result?.cause) ??
            (first?.execution.error
              ? `${first.execution.error}: ${errorMessage(first.execution.cause)}`
              : undefined));
      regions[region] = {
        status: result?.status ?? (first ? 'failed' : 'skipped'),
        ...(result?.action ? { action: result.action } : {}),
        ...(error ? { error } : {}),
        document: {
          latest: parsed(doc?.versions.get(doc.latestVersion)?.content),
          default: parsed(doc?.versions.get(doc.defaultVersion)?.content),
          ...(doc ? { latestVersion: doc.latestVersion, defaultVersion: doc.defaultVersion } : {}),
        },
      };
    }
    const request = first?.resolved?.request;
    const vendedAt = toSim(request?.vendedAt);
    const roleAssumableAt = toSim(final?.role?.assumableAt);
    const securityResourcesCompletedAt = config.governedRegions
      .map((region) => gap?.regions?.[region]?.securityResourcesAt)
      .filter((at): at is string => at !== undefined)
      .sort()
      .at(-1);
    const report: AccountReport = {
      accountId: account.accountId,
      name: account.name,
      ...(request ? { trigger: request.trigger } : {}),
      ...(vendedAt ? { vendedAt } : {}),
      ...(roleAssumableAt ? { roleAssumableAt } : {}),
      ...(final?.summary?.runAsVerifiedAt ? { runAsVerifiedAt: final.summary.runAsVerifiedAt } : {}),
      // Like the VendToRunAsSeconds metric: only for a vend this run measured (not one whose
      // documents were already compliant), and only when RunAs is in effect everywhere.
      ...(final?.summary?.exposureSeconds !== undefined && final.summary.measures !== false
        ? { exposureSeconds: final.summary.exposureSeconds }
        : {}),
      ...(vendedAt && roleAssumableAt
        ? { roleWaitSeconds: Math.max(0, secondsBetween(vendedAt, roleAssumableAt)) }
        : {}),
      ...(final?.summary?.measures !== undefined ? { measured: final.summary.measures } : {}),
      ...(securityResourcesCompletedAt ? { securityResourcesCompletedAt } : {}),
      ...(gap?.customizationsCompletedAt ? { customizationsCompletedAt: gap.customizationsCompletedAt } : {}),
      ...(gap?.prepareToCustomizationsSeconds !== undefined
        ? { prepareToCustomizationsSeconds: gap.prepareToCustomizationsSeconds }
        : {}),
      ...(gap?.gapClosedSeconds !== undefined ? { gapClosedSeconds: gap.gapClosedSeconds } : {}),
      ...(gap?.reexposedSeconds !== undefined ? { reexposedSeconds: gap.reexposedSeconds } : {}),
      ...(gap
        ? {
            regressionsRepaired: gap.regressionsRepaired ?? 0,
            gap: `${gap.phase}${gap.reason ? `: ${gap.reason}` : ''}`,
          }
        : {}),
      executions: runs.length,
      regions,
      expected,
      meetsExpectation: config.governedRegions.every((r) => regions[r]?.status === expected[r]),
    };
    accounts.push(report);
  }
  return {
    ...(options.scenarioName ? { scenario: options.scenarioName } : {}),
    timeScale: scenario.timeScale,
    ...((scenario.pipeline.exists ?? scenario.pipeline.runs.length > 0)
      ? { lzaVersion: scenario.pipeline.lzaVersion }
      : {}),
    governedRegions: config.governedRegions,
    accounts,
    ok: accounts.every((a) => a.meetsExpectation),
  };
}
