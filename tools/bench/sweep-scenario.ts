import {
  parseScenario,
  type Scenario,
  type ScenarioInput,
  SeededRandom,
} from '@runas-bootstrapper/local-cloud';
import type { BootstrapperConfig } from '#core/config/config.ts';
import { required } from '#core/shared/required.ts';
import { type FaultProfileName, faultProfile } from './fault-profiles.ts';
import {
  BENCH_REGIONS,
  benchConfig,
  compliantDocument,
  HOME_REGION,
  lzaLoggingDocument,
  MANAGEMENT_ACCOUNT_ID,
} from './scenario-generator.ts';

/**
 * What an existing member account looks like when the sweep visits it:
 * - `compliant`: every region already carries the bench's RunAs setting;
 * - `lza-logging`: LZA's logging document (RunAs off) in every region;
 * - `missing`: no document in any region;
 * - `foreign`: one region holds a document of another session type under the RunShell name
 *   (refused, left alone), the other regions are compliant;
 * - `no-role`: no member role to assume (its regions hold LZA's document, out of reach).
 */
export type SweepAccountKind = 'compliant' | 'lza-logging' | 'missing' | 'foreign' | 'no-role';

/** What one account × region holds before the first sweep. */
export type SweepRegionKind = 'compliant' | 'lza-logging' | 'missing' | 'foreign' | 'no-role';

/** The default organization: mostly compliant, some drift, a few documents and accounts out of reach. */
export const SWEEP_MIX: Record<SweepAccountKind, number> = {
  compliant: 0.7,
  'lza-logging': 0.15,
  missing: 0.1,
  foreign: 0.03,
  'no-role': 0.02,
};

const KINDS = Object.keys(SWEEP_MIX) as SweepAccountKind[];

/** A Port-forwarding document stored under the RunShell name: not ours to change. */
export function foreignDocument(variant: number): Record<string, unknown> {
  return {
    schemaVersion: '1.0',
    description: 'Port forwarding stored under the RunShell name',
    sessionType: 'Port',
    inputs: { portNumber: String(22 + (variant % 3)) },
  };
}

export interface SweepOrgAccount {
  accountId: string;
  kind: SweepAccountKind;
  regions: Record<string, SweepRegionKind>;
}

export interface SweepOrganization {
  scenario: Scenario;
  config: BootstrapperConfig;
  regions: string[];
  /** The ACTIVE members (the management account aside), in listing order. */
  accounts: SweepOrgAccount[];
  suspended: string[];
  counts: Record<SweepAccountKind, number>;
}

export interface SweepOrgOptions {
  accounts: number;
  regions: number;
  seed: number;
  timeScale: number;
  faults: FaultProfileName;
  /** SUSPENDED members besides the N active ones; default 1% of N, at least 2. */
  suspended?: number;
  mix?: Record<SweepAccountKind, number>;
}

/** Exact counts per kind for n accounts (largest remainder), so that totals are predictable. */
export function kindCounts(
  n: number,
  mix: Record<SweepAccountKind, number>,
): Record<SweepAccountKind, number> {
  const sum = KINDS.reduce((s, k) => s + mix[k], 0);
  const exact = KINDS.map((k) => (n * mix[k]) / sum);
  const counts = exact.map(Math.floor);
  const order = exact
    .map((x, i) => ({ i, rest: x - Math.floor(x) }))
    .sort((a, b) => b.rest - a.rest || a.i - b.i);
  // What the floors left is the sum of the remainders, each below 1: fewer than the kinds.
  const left = n - counts.reduce((s, c) => s + c, 0);
  for (const { i } of order.slice(0, left)) counts[i] = (counts[i] ?? 0) + 1;
  return Object.fromEntries(KINDS.map((k, i) => [k, counts[i] ?? 0])) as Record<SweepAccountKind, number>;
}

function accountIdFor(index: number): string {
  return String(300_000_000_000 + index * 7919).padStart(12, '0');
}

/**
 * A reproducible organization of N existing (`via: none`) ACTIVE accounts plus a few SUSPENDED
 * ones, with the mix of documents a sweep meets in an organization the bootstrapper already runs in.
 */
export function generateSweepOrganization(options: SweepOrgOptions): SweepOrganization {
  const random = new SeededRandom(options.seed);
  const regions = BENCH_REGIONS.slice(0, options.regions);
  if (regions.length !== options.regions) {
    throw new RangeError(`--regions must be between 1 and ${BENCH_REGIONS.length}`);
  }
  const counts = kindCounts(options.accounts, options.mix ?? SWEEP_MIX);
  const kinds = KINDS.flatMap((k) => Array.from({ length: counts[k] }, () => k));
  // Fisher-Yates with the seeded generator: the kinds spread over the batches.
  for (let i = kinds.length - 1; i > 0; i -= 1) {
    const j = random.int(0, i);
    [kinds[i], kinds[j]] = [required(kinds[j], `kind ${j}`), required(kinds[i], `kind ${i}`)];
  }
  const accounts: SweepOrgAccount[] = [];
  const scenarioAccounts: NonNullable<ScenarioInput['accounts']> = [];
  kinds.forEach((kind, index) => {
    const accountId = accountIdFor(index + 1);
    const documents: Record<string, Record<string, unknown>> = {};
    const regionKinds: Record<string, SweepRegionKind> = {};
    const foreignRegion = kind === 'foreign' ? regions[random.int(0, regions.length - 1)] : undefined;
    for (const region of regions) {
      const variant = random.int(0, 1_000_000);
      if (kind === 'compliant' || (kind === 'foreign' && region !== foreignRegion)) {
        documents[region] = compliantDocument(region, variant);
        regionKinds[region] = 'compliant';
      } else if (kind === 'foreign') {
        documents[region] = foreignDocument(variant);
        regionKinds[region] = 'foreign';
      } else if (kind === 'lza-logging' || kind === 'no-role') {
        documents[region] = lzaLoggingDocument(accountId, region, variant);
        regionKinds[region] = kind;
      } else {
        regionKinds[region] = 'missing';
      }
    }
    accounts.push({ accountId, kind, regions: regionKinds });
    scenarioAccounts.push({
      accountId,
      name: `sweep-${index + 1}`,
      // `via: none` members get both member roles at once; `no-role` has neither.
      ...(kind === 'no-role' ? { roles: {} } : {}),
      documents,
      vend: { atSeconds: 0, via: 'none' },
    });
  });
  const suspendedCount = options.suspended ?? Math.max(2, Math.round(options.accounts * 0.01));
  const suspended = Array.from({ length: suspendedCount }, (_, i) => accountIdFor(options.accounts + i + 1));
  for (const [i, accountId] of suspended.entries()) {
    scenarioAccounts.push({
      accountId,
      name: `suspended-${i + 1}`,
      status: 'SUSPENDED',
      vend: { atSeconds: 0, via: 'none' },
    });
  }
  const scenario = parseScenario({
    description: `Sweep: ${options.accounts} existing accounts (+${suspendedCount} suspended) x ${options.regions} regions, faults ${options.faults}, seed ${options.seed}`,
    managementAccountId: MANAGEMENT_ACCOUNT_ID,
    homeRegion: HOME_REGION,
    timeScale: options.timeScale,
    // On virtual time (timeScale 1) the sweep pays modelled AWS latencies like the bench.
    latency: { model: options.timeScale === 1 ? 'aws' : 'none', seed: options.seed },
    accounts: scenarioAccounts,
    faults: { seed: options.seed, ...faultProfile(options.faults) },
  });
  return { scenario, config: benchConfig(regions), regions, accounts, suspended, counts };
}
