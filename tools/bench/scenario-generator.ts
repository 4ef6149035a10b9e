import {
  parseScenario,
  type Scenario,
  type ScenarioInput,
  SeededRandom,
} from '@runas-bootstrapper/local-cloud';
import { type BootstrapperConfig, parseConfig } from '#core/config/config.ts';
import { sessionDocument } from '#core/document/preferences.ts';
import { type FaultProfileName, faultProfile } from './fault-profiles.ts';

/** What a region's document looks like before the vend. */
export type SeedKind = 'missing' | 'lza-logging' | 'compliant';

export const RUN_AS_USER = 'ec2-user';
export const MANAGEMENT_ACCOUNT_ID = '999999999999';
export const HOME_REGION = 'us-east-1';

/** Commercial regions, home region first; a bench with R regions governs the first R. */
export const BENCH_REGIONS = [
  'us-east-1',
  'eu-west-1',
  'us-west-2',
  'ap-southeast-2',
  'eu-central-1',
  'ap-northeast-1',
  'ca-central-1',
  'sa-east-1',
];

export interface GeneratorOptions {
  accounts: number;
  regions: number;
  faults: FaultProfileName;
  seed?: number;
  /** Wall seconds per simulated second; 1 (the default) plays on virtual time. */
  timeScale?: number;
  /** Modelled AWS latencies (packages/local-cloud/src/latency.ts): `aws` by default, `none` to leave them out. */
  latency?: 'aws' | 'none';
  /** Request-rate quotas the local cloud enforces per caller account (scenario `rateLimits`). */
  rateLimits?: Record<string, { perSecond: number; burst: number }>;
  /** Simulated seconds between consecutive vends, on average. */
  meanVendGapSeconds?: number;
  /** Simulated seconds from account creation until its role is assumable. */
  roleDelaySeconds?: { min: number; max: number };
  /** No member role ever appears (a suspended account, a broken vend): the stuck-role price. */
  roleNeverAppears?: boolean;
  /** Simulated seconds from the CreateAccount request to the account's creation. */
  createSeconds?: number;
  /** Fractions of account-regions seeded with each kind; the rest are missing. */
  mix?: { lzaLogging: number; compliant: number };
  /**
   * Whether each CreateAccount also logs its join (AWS does: docs/aws-behaviour.md#accountjoinedorganization-event). Off models one poller
   * per vend: the join's execution no longer polls once it stands down (issue 22).
   */
  joinEvents?: boolean;
  /** Product config fields over the bench's own (a role-wait schedule, a longer wait). */
  config?: Record<string, unknown>;
}

export interface GeneratedAccount {
  accountId: string;
  /** Region -> the seeded content (undefined: no document). */
  seeds: Record<string, { kind: SeedKind; content?: Record<string, unknown> }>;
  roleDelaySeconds: number;
  vendAtSeconds: number;
}

export interface GeneratedScenario {
  scenario: Scenario;
  config: BootstrapperConfig;
  accounts: GeneratedAccount[];
  regions: string[];
}

/** LZA's logging document, as its Security_Resources action writes it (RunAs off, extra keys kept). */
export function lzaLoggingDocument(
  accountId: string,
  region: string,
  variant: number,
): Record<string, unknown> {
  return sessionDocument({
    s3BucketName: `aws-accelerator-central-logs-${MANAGEMENT_ACCOUNT_ID}-${region}`,
    s3KeyPrefix: `session/${accountId}`,
    s3EncryptionEnabled: true,
    cloudWatchLogGroupName: 'aws-accelerator-sessionmanager-logs',
    cloudWatchEncryptionEnabled: true,
    cloudWatchStreamingEnabled: variant % 2 === 0,
    kmsKeyId: `arn:aws:kms:${region}:${accountId}:key/00000000-0000-4000-8000-${String(variant).padStart(12, '0')}`,
    runAsEnabled: false,
    runAsDefaultUser: '',
    ...(variant % 3 === 0 ? { idleSessionTimeout: '30' } : {}),
    ...(variant % 5 === 0 ? { customerTag: { owner: 'platform', keep: [variant, 'x'] } } : {}),
  });
}

/** A document that already carries the bench's RunAs setting: the bootstrapper must not touch it. */
export function compliantDocument(region: string, variant: number): Record<string, unknown> {
  return sessionDocument({
    s3BucketName: '',
    s3KeyPrefix: '',
    s3EncryptionEnabled: true,
    cloudWatchLogGroupName: `/ssm/sessions/${region}`,
    cloudWatchEncryptionEnabled: true,
    cloudWatchStreamingEnabled: false,
    kmsKeyId: '',
    runAsEnabled: true,
    runAsDefaultUser: RUN_AS_USER,
    idleSessionTimeout: String(10 + (variant % 50)),
    maxSessionDuration: '',
    shellProfile: { windows: '', linux: 'exec bash -l' },
  });
}

/** The product config every bench and soak run uses. The gap measurement is off: no pipeline runs. */
export function benchConfig(regions: string[], override: Record<string, unknown> = {}): BootstrapperConfig {
  return parseConfig({
    runAsDefaultUser: RUN_AS_USER,
    governedRegions: regions,
    managementAccountId: MANAGEMENT_ACCOUNT_ID,
    homeRegion: HOME_REGION,
    lza: { measureGap: false },
    ...override,
  });
}

function accountIdFor(index: number): string {
  return String(100_000_000_000 + index * 7919).padStart(12, '0');
}

/**
 * A reproducible organization: N accounts vended through Organizations, spread over simulated
 * time (exponential gaps), each with a role delay and a per-region mix of seeded documents.
 */
export function generateScenario(options: GeneratorOptions): GeneratedScenario {
  const seed = options.seed ?? 42;
  const random = new SeededRandom(seed);
  const regions = BENCH_REGIONS.slice(0, options.regions);
  if (regions.length !== options.regions) {
    throw new RangeError(`--regions must be between 1 and ${BENCH_REGIONS.length}`);
  }
  const roleDelay = options.roleDelaySeconds ?? { min: 5, max: 60 };
  const mix = options.mix ?? { lzaLogging: 0.3, compliant: 0.2 };
  const meanGap = options.meanVendGapSeconds ?? 5;
  const accounts: GeneratedAccount[] = [];
  const scenarioAccounts: ScenarioInput['accounts'] = [];
  let at = 1;
  for (let index = 0; index < options.accounts; index += 1) {
    const accountId = accountIdFor(index + 1);
    const seeds: GeneratedAccount['seeds'] = {};
    const documents: Record<string, Record<string, unknown>> = {};
    for (const region of regions) {
      const roll = random.next();
      const variant = random.int(0, 1_000_000);
      if (roll < mix.lzaLogging) {
        const content = lzaLoggingDocument(accountId, region, variant);
        seeds[region] = { kind: 'lza-logging', content };
        documents[region] = content;
      } else if (roll < mix.lzaLogging + mix.compliant) {
        const content = compliantDocument(region, variant);
        seeds[region] = { kind: 'compliant', content };
        documents[region] = content;
      } else {
        seeds[region] = { kind: 'missing' };
      }
    }
    const roleDelaySeconds = random.int(roleDelay.min, roleDelay.max);
    const vendAtSeconds = Math.round(at * 1000) / 1000;
    accounts.push({ accountId, seeds, roleDelaySeconds, vendAtSeconds });
    scenarioAccounts.push({
      accountId,
      name: `bench-${index + 1}`,
      roles: options.roleNeverAppears ? {} : { OrganizationAccountAccessRole: roleDelaySeconds },
      documents,
      vend: { atSeconds: vendAtSeconds, via: 'organizations', createSeconds: options.createSeconds ?? 30 },
    });
    at += -Math.log(1 - random.next()) * meanGap;
  }
  const scenario = parseScenario({
    description: `Generated: ${options.accounts} accounts x ${options.regions} regions, faults ${options.faults}, seed ${seed}`,
    managementAccountId: MANAGEMENT_ACCOUNT_ID,
    homeRegion: HOME_REGION,
    timeScale: options.timeScale ?? 1,
    latency: { model: options.latency ?? 'aws', seed },
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
    ...(options.joinEvents === false ? { organizations: { emitJoinEvents: false } } : {}),
    accounts: scenarioAccounts,
    faults: { seed, ...faultProfile(options.faults) },
  });
  return { scenario, config: benchConfig(regions, options.config), accounts, regions };
}
