import { versionContent } from '@runas-bootstrapper/local-cloud';
import { runAsSetting } from '#core/config/config.ts';
import { createDefault, PREFERENCES_DOCUMENT_NAME } from '#core/document/preferences.ts';
import type { DemoRun } from '#local/demo.ts';
import type { EventLog } from '#local/runtime/state-machine-events.ts';
import type { FaultProfileName } from './fault-profiles.ts';
import type { RunFigures } from './measure.ts';
import { playGenerated } from './play.ts';
import { type GeneratedScenario, generateScenario } from './scenario-generator.ts';

export interface SoakOptions {
  accounts: number;
  regions: number;
  faults?: FaultProfileName;
  seed?: number;
  /** 1 (the default) plays on virtual time: CPU load cannot stretch sessions past expiry. */
  timeScale?: number;
  meanVendGapSeconds?: number;
  timeoutSeconds?: number;
  onProgress?: (finished: number, started: number) => void;
}

export interface SoakResult {
  options: Omit<SoakOptions, 'onProgress'>;
  figures: RunFigures;
  faults: {
    injected: number;
    /** Error code -> attempts answered with it, over every account and region. */
    byCode: Record<string, number>;
  };
  /** StateRetried events per state, over every execution. */
  aslRetries: Record<string, number>;
  /** Regions that did not end compliant, by error name. */
  failuresByError: Record<string, number>;
  /** Failed executions (first 10): where they failed and how often each retrier had fired. */
  failedExecutions: { name: string; error?: string; retries: Record<string, number> }[];
  checks: {
    accountRegions: number;
    documentsCompared: number;
    versionsCreatedMax: number;
    executionsUnfinished: number;
  };
  /** Every broken invariant; empty when the soak passed. */
  violations: string[];
}

const MAX_LISTED = 50;

/**
 * The invariants of a finished run: every account compliant, every final document (latest and
 * default) equal to its seed with only the RunAs keys changed, at most one new version per region,
 * and no execution left running.
 */
export function checkInvariants(
  generated: GeneratedScenario,
  run: DemoRun,
): SoakResult['checks'] & {
  violations: string[];
} {
  const violations: string[] = [];
  const runAs = runAsSetting(generated.config);
  const byAccount = new Map(run.report.accounts.map((a) => [a.accountId, a]));
  let documentsCompared = 0;
  let versionsCreatedMax = 0;
  for (const account of generated.accounts) {
    const row = byAccount.get(account.accountId);
    for (const region of generated.regions) {
      const where = `${account.accountId}/${region}`;
      const status = row?.regions[region]?.status;
      if (status !== 'compliant') {
        violations.push(`${where}: ${status ?? 'no report'} (${row?.regions[region]?.error ?? 'no error'})`);
      }
      const seed = account.seeds[region];
      const doc = run.cloud.state.document(account.accountId, region, PREFERENCES_DOCUMENT_NAME);
      if (!doc) {
        violations.push(`${where}: no document at the end`);
        continue;
      }
      const created = doc.versions.filter((v) => v.writer !== 'scenario').length;
      versionsCreatedMax = Math.max(versionsCreatedMax, created);
      if (created > 1) violations.push(`${where}: ${created} versions created (at most 1 allowed)`);
      if (seed?.kind === 'compliant' && created > 0) {
        violations.push(`${where}: an already-compliant document was rewritten (${created} new versions)`);
      }
      const expected =
        seed?.content === undefined
          ? createDefault(runAs)
          : {
              ...seed.content,
              inputs: {
                ...(seed.content.inputs as Record<string, unknown>),
                runAsEnabled: runAs.enabled,
                runAsDefaultUser: runAs.defaultUser,
              },
            };
      // Order-sensitive on purpose: the merge promises every key keeps its position.
      const want = JSON.stringify(expected);
      for (const [label, version] of [
        ['latest', doc.latestVersion],
        ['default', doc.defaultVersion],
      ] as const) {
        const content = versionContent(doc, version);
        documentsCompared += 1;
        let got: string;
        try {
          got = JSON.stringify(JSON.parse(content ?? 'null'));
        } catch {
          got = `(not JSON) ${content?.slice(0, 80)}`;
        }
        if (got !== want)
          violations.push(`${where}: ${label} v${version} differs from its seed beyond RunAs`);
      }
    }
  }
  const unfinished = run.runtime.executions().filter((e) => !e.stopDate || e.status === 'RUNNING');
  for (const execution of unfinished) violations.push(`execution ${execution.name} never finished`);
  return {
    accountRegions: generated.accounts.length * generated.regions.length,
    documentsCompared,
    versionsCreatedMax,
    executionsUnfinished: unfinished.length,
    violations,
  };
}

/** Play N accounts under injected faults and check every invariant. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const generated = generateScenario({
    accounts: options.accounts,
    regions: options.regions,
    faults: options.faults ?? 'soak',
    seed: options.seed ?? 7,
    timeScale: options.timeScale ?? 1,
    latency: 'none',
    ...(options.meanVendGapSeconds !== undefined ? { meanVendGapSeconds: options.meanVendGapSeconds } : {}),
  });
  let checks: ReturnType<typeof checkInvariants> | undefined;
  const byCode: Record<string, number> = {};
  const aslRetries: Record<string, number> = {};
  const failuresByError: Record<string, number> = {};
  const failedExecutions: SoakResult['failedExecutions'] = [];
  let injected = 0;
  const figures = await playGenerated(generated, {
    label: 'soak',
    timeoutSeconds: options.timeoutSeconds ?? 3600,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    inspect: (run) => {
      checks = checkInvariants(generated, run);
      injected = run.cloud.state.faultsInjected();
      for (const call of run.cloud.state.calls()) {
        for (const [code, n] of Object.entries(call.errors)) byCode[code] = (byCode[code] ?? 0) + n;
      }
      for (const execution of run.runtime.executions()) {
        for (const event of execution.events) {
          if (event.type !== 'StateRetried' || !event.state) continue;
          aslRetries[event.state.name] = (aslRetries[event.state.name] ?? 0) + 1;
        }
      }
      for (const execution of run.runtime.executions()) {
        if (execution.status !== 'FAILED' || failedExecutions.length >= 10) continue;
        const retries: Record<string, number> = {};
        for (const event of execution.events as (EventLog & {
          retry?: { retrier?: { ErrorEquals?: string[] } };
        })[]) {
          if (event.type !== 'StateRetried') continue;
          const key = `${event.state?.name} [${event.retry?.retrier?.ErrorEquals?.[0] ?? '?'}…]`;
          retries[key] = (retries[key] ?? 0) + 1;
        }
        failedExecutions.push({
          name: execution.name,
          ...(execution.error ? { error: execution.error } : {}),
          retries,
        });
      }
      for (const account of run.report.accounts) {
        for (const region of Object.values(account.regions)) {
          if (region.status === 'compliant') continue;
          const name = region.error?.split(':')[0] ?? region.status;
          failuresByError[name] = (failuresByError[name] ?? 0) + 1;
        }
      }
    },
  });
  const { violations, ...rest } = checks ?? {
    violations: ['the run was not inspected'],
    accountRegions: 0,
    documentsCompared: 0,
    versionsCreatedMax: 0,
    executionsUnfinished: 0,
  };
  const { onProgress: _ignored, ...shown } = options;
  return {
    options: shown,
    figures,
    faults: { injected, byCode },
    aslRetries,
    failuresByError,
    failedExecutions,
    checks: rest,
    violations:
      violations.length > MAX_LISTED
        ? [...violations.slice(0, MAX_LISTED), `... and ${violations.length - MAX_LISTED} more`]
        : violations,
  };
}
