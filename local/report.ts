import { type LocalCloudState, type Scenario, versionContent } from '@runas-bootstrapper/local-cloud';
import type { BootstrapperConfig } from '#core/config/config.ts';
import { PREFERENCES_DOCUMENT_NAME } from '#core/document/preferences.ts';
import { secondsBetween } from '#core/vend/enforcement.ts';
import type { VendRecord } from '#core/vend/ledger.ts';
import { type ExpectedOutcome, expectedOutcome } from './expectations.ts';
import type { ExecutionRecord } from './runtime/execution-record.ts';

export type RegionStatus = 'compliant' | 'failed' | 'refused' | 'skipped';

export interface RegionReport {
  status: RegionStatus;
  /** created | updated | unchanged | refused: the vend ledger's first verification, else the owner's run. */
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
  /** The vend ledger's record: state, triggers seen and the execution that owned the measurements. */
  vend?: { state: string; triggers: string[]; owner?: string; note?: string; closedAt?: string };
  regions: Record<string, RegionReport>;
  /** Per region, the outcome the scenario expects. */
  expected: Record<string, ExpectedOutcome>;
  meetsExpectation: boolean;
}

/** How the report's simulated times were kept, in words: the text and the HTML report both say it. */
export function clockDescription(report: Pick<DemoReport, 'timeScale' | 'latencyModel'>): string {
  const clock =
    report.timeScale === 1
      ? 'virtual time'
      : `scaled wall time, ${report.timeScale} wall seconds per simulated second`;
  return `${clock}, ${report.latencyModel === 'aws' ? 'modelled AWS latencies' : 'no modelled latencies'}`;
}

export interface DemoReport {
  scenario?: string;
  timeScale: number;
  /** The scenario's latency model: `aws` delays each answer, delivery and invocation; `none` does not. */
  latencyModel: 'aws' | 'none';
  /** The simulated LZA version, when the scenario's organization has an LZA pipeline. */
  lzaVersion?: string;
  governedRegions: string[];
  accounts: AccountReport[];
  /** Metric name -> the sum of the values the handlers emitted in the run (their EMF). */
  metrics: Record<string, number>;
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

interface BootstrapRun {
  execution: ExecutionRecord;
  resolved: StateOutput;
}

/** The executions that resolved to a bootstrap, by the request's account, in execution order. */
function bootstrapRunsByAccount(executions: readonly ExecutionRecord[]): Map<string, BootstrapRun[]> {
  const byAccount = new Map<string, BootstrapRun[]>();
  for (const execution of executions) {
    const resolved = exitedOutput(execution, 'ResolveRequest');
    const accountId = resolved?.request?.accountId;
    if (resolved?.action !== 'bootstrap' || accountId === undefined) continue;
    const runs = byAccount.get(accountId) ?? [];
    runs.push({ execution, resolved });
    byAccount.set(accountId, runs);
  }
  return byAccount;
}

export interface ReportInputs {
  /** The local cloud's read-only views. */
  cloud: LocalCloudState;
  scenario: Scenario;
  scenarioName?: string;
  config: BootstrapperConfig;
  executions: ExecutionRecord[];
  /** The vend ledger's records, newest first per account. */
  vends: readonly VendRecord[];
  /** The handlers' metrics, summed per name (local/runtime/emf-metrics.ts). */
  metrics?: Record<string, number>;
}

type ScenarioAccount = Scenario['accounts'][number];

/** One account's bootstrap runs, the one that owned its measurements, and its ledger record. */
interface AccountRuns {
  runs: BootstrapRun[];
  first: BootstrapRun | undefined;
  /** The owner's last RecordEnforcement (or RecordRoleFailure) output. */
  final: StateOutput | undefined;
  vend: VendRecord | undefined;
}

const toSim = (iso: string | undefined) =>
  iso === undefined ? undefined : new Date(Date.parse(iso)).toISOString();

function accountRuns(runsOfAccount: BootstrapRun[] | undefined, vend: VendRecord | undefined): AccountRuns {
  const runs = [...(runsOfAccount ?? [])].sort(
    (a, b) => a.execution.startDate.getTime() - b.execution.startDate.getTime(),
  );
  // The ledger names the execution that owned the vend's measurements; duplicates only confirm it.
  const first = runs.find((r) => r.execution.name === vend?.owner?.execution) ?? runs[0];
  const final = first
    ? (exitedOutput(first.execution, 'RecordEnforcement') ??
      exitedOutput(first.execution, 'RecordRoleFailure'))
    : undefined;
  return { runs, first, final, vend };
}

/** One region of an account: the owner's outcome, the writing execution's action and the document. */
function regionReport(
  cloud: LocalCloudState,
  accountId: string,
  region: string,
  owned: AccountRuns,
): RegionReport {
  const { first, final, vend } = owned;
  const result = final?.regions?.find((r) => r.region === region);
  const doc = cloud.document(accountId, region, PREFERENCES_DOCUMENT_NAME);
  const error =
    result?.status === 'compliant'
      ? undefined
      : (errorMessage(result?.cause) ??
        (first?.execution.error
          ? `${first.execution.error}: ${errorMessage(first.execution.cause)}`
          : undefined));
  return {
    status: result?.status ?? (first ? 'failed' : 'skipped'),
    // Whichever execution made the write (the ledger keeps it), else the owner's own action.
    ...(vend?.writes?.[region]?.action
      ? { action: vend.writes[region].action }
      : result?.action
        ? { action: result.action }
        : {}),
    ...(error ? { error } : {}),
    document: {
      latest: parsed(versionContent(doc, doc?.latestVersion)),
      default: parsed(versionContent(doc, doc?.defaultVersion)),
      ...(doc ? { latestVersion: doc.latestVersion, defaultVersion: doc.defaultVersion } : {}),
    },
  };
}

/** The repairs that wrote RunAs again after LZA's reset. */
function rewritesOf(vend: VendRecord | undefined) {
  return (vend?.repairs ?? []).filter((r) => r.reexposedSeconds !== undefined);
}

/** The account's timings, from the ledger first, else from the owner's run. */
function timings(owned: AccountRuns): Partial<AccountReport> {
  const { first, final, vend } = owned;
  const request = first?.resolved?.request;
  const vendedAt = toSim(vend?.joinedAt ?? request?.vendedAt);
  const roleAssumableAt = toSim(vend?.roleAssumableAt ?? final?.role?.assumableAt);
  const rewrites = rewritesOf(vend);
  const securityResourcesCompletedAt = (vend?.repairs ?? [])
    .map((r) => r.securityResourcesAt)
    .sort()
    .at(-1);
  return {
    ...(request ? { trigger: request.trigger } : {}),
    ...(vendedAt ? { vendedAt } : {}),
    ...(roleAssumableAt ? { roleAssumableAt } : {}),
    ...(vend?.runAsVerifiedAt ? { runAsVerifiedAt: vend.runAsVerifiedAt } : {}),
    // Like the VendToRunAsSeconds metric: stored once per vend, only when RunAs is in effect everywhere.
    ...(vend?.exposureSeconds !== undefined ? { exposureSeconds: vend.exposureSeconds } : {}),
    ...(vend?.roleWaitSeconds !== undefined
      ? { roleWaitSeconds: vend.roleWaitSeconds }
      : vendedAt && roleAssumableAt
        ? { roleWaitSeconds: Math.max(0, secondsBetween(vendedAt, roleAssumableAt)) }
        : {}),
    ...(vend ? { measured: vend.measuredAt !== undefined } : {}),
    ...(securityResourcesCompletedAt ? { securityResourcesCompletedAt } : {}),
    ...(vend?.customizationsCompletedAt ? { customizationsCompletedAt: vend.customizationsCompletedAt } : {}),
    ...(vend?.prepareToCustomizationsSeconds !== undefined
      ? { prepareToCustomizationsSeconds: vend.prepareToCustomizationsSeconds }
      : {}),
    ...(vend?.gapClosedSeconds !== undefined ? { gapClosedSeconds: vend.gapClosedSeconds } : {}),
    ...(rewrites.length > 0
      ? { reexposedSeconds: Math.max(...rewrites.map((r) => r.reexposedSeconds as number)) }
      : {}),
  };
}

/** The ledger's view of the vend: its repairs, how the gap measurement ended, and its record. */
function ledgerFields(vend: VendRecord | undefined): Partial<AccountReport> {
  if (!vend) return {};
  const followed = vend.state !== 'pending' && vend.state !== 'verified';
  return {
    regressionsRepaired: rewritesOf(vend).length,
    gap: `${vend.state}${vend.note ? `: ${vend.note}` : followed ? '' : ': following LZA'}`,
    vend: {
      state: vend.state,
      triggers: vend.triggers.map((t) => t.trigger),
      ...(vend.owner ? { owner: vend.owner.execution } : {}),
      ...(vend.note ? { note: vend.note } : {}),
      // When the ledger closed the vend (its settling write).
      ...(vend.state === 'closed' && vend.gapMeasuredAt ? { closedAt: vend.gapMeasuredAt } : {}),
    },
  };
}

function accountReport(
  account: ScenarioAccount,
  owned: AccountRuns,
  cloud: LocalCloudState,
  config: BootstrapperConfig,
): AccountReport {
  const expected: Record<string, ExpectedOutcome> = {};
  const regions: Record<string, RegionReport> = {};
  for (const region of config.governedRegions) {
    expected[region] = expectedOutcome(account, region);
    regions[region] = regionReport(cloud, account.accountId, region, owned);
  }
  return {
    accountId: account.accountId,
    name: account.name,
    ...timings(owned),
    ...ledgerFields(owned.vend),
    executions: owned.runs.length,
    regions,
    expected,
    meetsExpectation: config.governedRegions.every((r) => regions[r]?.status === expected[r]),
  };
}

/** Build the demo report from the executions and the cloud's final state. */
export function buildReport(options: ReportInputs): DemoReport {
  const { cloud, scenario, config } = options;
  // Each execution's request read once, and each account's ledger record found once: a burst has
  // thousands of accounts and executions.
  const runsByAccount = bootstrapRunsByAccount(options.executions);
  const vends = new Map<string, VendRecord>();
  for (const v of options.vends) if (!vends.has(v.accountId)) vends.set(v.accountId, v);
  const accounts = scenario.accounts
    .filter((a) => a.accountId !== scenario.managementAccountId && a.vend && a.vend.via !== 'none')
    .map((account) => {
      const owned = accountRuns(runsByAccount.get(account.accountId), vends.get(account.accountId));
      return accountReport(account, owned, cloud, config);
    });
  return {
    ...(options.scenarioName ? { scenario: options.scenarioName } : {}),
    timeScale: scenario.timeScale,
    latencyModel: scenario.latency.model,
    ...((scenario.pipeline.exists ?? scenario.pipeline.runs.length > 0)
      ? { lzaVersion: scenario.pipeline.lzaVersion }
      : {}),
    governedRegions: config.governedRegions,
    accounts,
    metrics: options.metrics ?? {},
    ok: accounts.every((a) => a.meetsExpectation),
  };
}
