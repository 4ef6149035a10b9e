import { ACCOUNT_ID_PATTERN, ROLE_NAME_PATTERN } from '../shared/arn.ts';
import { ConfigurationError } from '../shared/errors.ts';
import { parseJsonWithPositions } from '../shared/json-position.ts';
import { isRecord } from '../shared/records.ts';
import { isKnownRegion } from '../shared/regions.ts';
import {
  DEFAULT_ROLE_WAIT_SCHEDULE,
  deniedCallsPerStuckHour,
  MAX_DENIED_CALLS_PER_HOUR,
} from './role-wait-schedule.ts';
import '../shared/validation.ts';
import * as z from 'zod/mini';

/**
 * A portable Linux user name (useradd's default NAME_REGEX): a lower-case letter or `_`, then
 * lower-case letters, digits, `_` or `-`, optionally ending in `$`; at most 32 characters. So
 * never `.`, `..`, a hidden name or all digits.
 */
export const USER_NAME_PATTERN = /^(?=.{1,32}$)[a-z_][a-z0-9_-]*\$?$/;

export const DEFAULT_CONFIG_FILE = 'bootstrapper.config.json';
export const MAX_GOVERNED_REGIONS = 45;

const region = z.string().check(
  z.refine(isKnownRegion, {
    error: (i) => `"${String(i.input)}" is not an AWS region name (not in the AWS SDK's partition table)`,
  }),
);

/** Why a user name is refused, in words, or undefined when it is acceptable. */
export function userNameProblem(name: string): string | undefined {
  if (name === '.' || name === '..') return 'is not a portable user name: it names a directory';
  if (/^\d+$/.test(name)) return 'is not a portable user name: all digits read as a user id';
  if (name.length > 32) return 'is not a portable user name: longer than 32 characters';
  if (!USER_NAME_PATTERN.test(name)) {
    return 'is not a portable user name: a lower-case letter or "_", then lower-case letters, digits, "_" or "-", optionally ending in "$"';
  }
  return undefined;
}
const accountId = z
  .string()
  .check(z.regex(ACCOUNT_ID_PATTERN, { error: (i) => `"${String(i.input)}" is not a 12-digit account id` }));
const roleName = z
  .string()
  .check(z.regex(ROLE_NAME_PATTERN, { error: (i) => `"${String(i.input)}" is not a valid IAM role name` }));

/** `arn:<partition or *>:iam::<account or *>:role/<path and name, with * and ? wildcards>`. */
export const ROLE_ARN_PATTERN =
  /^arn:(\*|aws|aws-us-gov|aws-cn|aws-iso[a-z-]*):iam::(\*|\d{12}):role\/[\w+=,.@*?/-]{1,512}$/;
const roleArnPattern = z.string().check(
  z.regex(ROLE_ARN_PATTERN, {
    error: (i) =>
      `"${String(i.input)}" is not a role ARN pattern such as arn:*:iam::*:role/AWSAccelerator-* (wildcards * and ? allowed)`,
  }),
);

function unique<T>(label: string) {
  return z.superRefine((values: T[], ctx) => {
    const seen = new Set<T>();
    values.forEach((value, index) => {
      if (seen.has(value))
        ctx.addIssue({ code: 'custom', path: [index], message: `duplicate ${label} "${value}"` });
      seen.add(value);
    });
  });
}

/** A whole number in [min, max]. */
function boundedInt(min: number, max: number) {
  return z.number().check(z.int(), z.gte(min), z.lte(max));
}

/** A positive number up to max. */
function positiveUpTo(max: number) {
  return z.number().check(z.positive(), z.lte(max));
}

const EVENTBRIDGE_SCHEDULE = z
  .string()
  .check(
    z.regex(/^(rate|cron)\(.+\)$/, 'must be an EventBridge Scheduler rate(...) or cron(...) expression'),
  );

const lzaSchema = z.strictObject({
  /** The LZA CodePipeline in the management account's home region. */
  pipelineName: z._default(
    z.string().check(z.regex(/^[A-Za-z0-9.@_-]{1,100}$/, 'is not a valid CodePipeline name')),
    'AWSAccelerator-Pipeline',
  ),
  /**
   * After enforcing, follow the LZA pipeline to measure the gap and repair regressions.
   * `auto`: follow the pipeline when it exists; in an organization without it, close each vend
   * at verification with a note (no expiry, no GapMeasurementTimedOut). `true`: a missing
   * pipeline is an error (doctor and the timed-out alarm report it). `false`: never follow.
   */
  measureGap: z._default(z.union([z.literal('auto'), z.boolean()]), 'auto'),
  /** Give up following the pipeline after this long. */
  awaitTimeoutHours: z._default(positiveUpTo(24 * 7), 6),
  /**
   * The LZA version, when known. Below 1.14.0 LZA's Security_Resources resets RunAs in every
   * account whose security stack it updates, so a Deploy/Security_Resources also starts a repair sweep.
   */
  version: z.optional(z.string().check(z.regex(/^v?\d+\.\d+\.\d+$/, 'must be a version like 1.13.0'))),
  /** The vend reconciler's EventBridge Scheduler expression: settles vends whose pipeline events were missed. */
  reconcileSchedule: z._default(EVENTBRIDGE_SCHEDULE, 'rate(1 hour)'),
  /**
   * The account LZA's pipeline runs in, when LZA uses an external pipeline account
   * (`useExternalPipelineAccount`); default: the management account. A small stack there forwards
   * the pipeline's action events to the home bus and lets PlanFollowUp read the history.
   */
  pipelineAccountId: z.optional(accountId),
});

const sweepSchema = z.strictObject({
  /** EventBridge Scheduler expression; `rate(...)` or `cron(...)`. */
  schedule: z._default(EVENTBRIDGE_SCHEDULE, 'rate(1 day)'),
  enabled: z._default(z.boolean(), true),
  /** Scheduled sweeps repair drift (true) or only report it (false). */
  repair: z._default(z.boolean(), true),
  maxConcurrency: z._default(boundedInt(1, 1000), 10),
});

const scpSchema = z.strictObject({
  enabled: z._default(z.boolean(), false),
  /** Root (`r-…`) or OU (`ou-…`) ids the SCP is attached to. */
  targetIds: z._default(
    z.array(
      z
        .string()
        .check(z.regex(/^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/, 'is not a root or OU id')),
    ),
    [],
  ),
  /**
   * Role ARN patterns, besides the built-in exemptions (the member roles, LZA's and Control
   * Tower's), that may still change the document. `*` and `?` are wildcards, as in `ArnNotLike`.
   */
  exemptRoleArns: z._default(z.array(roleArnPattern), []),
});

const pruningSchema = z.strictObject({
  enabled: z._default(z.boolean(), true),
  keepNewest: z._default(boundedInt(1, 900), 20),
  deleteCount: z._default(boundedInt(1, 100), 10),
});

/** AwaitRole's attempts (core/vend/role-wait.ts): fast while a role is likely to appear, then quiet. */
const roleWaitScheduleSchema = z
  .strictObject({
    fastSeconds: z._default(boundedInt(0, 900), DEFAULT_ROLE_WAIT_SCHEDULE.fastSeconds),
    fastIntervalSeconds: z._default(
      z.number().check(
        z.gte(1),
        z.lte(10),
        z.refine((n) => Number.isInteger(n * 4), 'must be a multiple of 0.25'),
      ),
      DEFAULT_ROLE_WAIT_SCHEDULE.fastIntervalSeconds,
    ),
    slowIntervalSeconds: z._default(boundedInt(30, 900), DEFAULT_ROLE_WAIT_SCHEDULE.slowIntervalSeconds),
    fallbackAfterSeconds: z._default(boundedInt(0, 3600), DEFAULT_ROLE_WAIT_SCHEDULE.fallbackAfterSeconds),
    fallbackEvery: z._default(boundedInt(1, 20), DEFAULT_ROLE_WAIT_SCHEDULE.fallbackEvery),
  })
  .check(
    z.superRefine((schedule, ctx) => {
      const calls = deniedCallsPerStuckHour(schedule);
      if (calls > MAX_DENIED_CALLS_PER_HOUR)
        ctx.addIssue({
          code: 'custom',
          message: `would make ${calls} denied AssumeRole calls in the first hour of a role that never appears, over ${MAX_DENIED_CALLS_PER_HOUR}: lengthen slowIntervalSeconds or shorten fastSeconds`,
        });
    }),
  );

const notificationsSchema = z.strictObject({
  /** Optional e-mail subscription to the failure topic. */
  email: z.optional(z.email()),
  /** Alarm when p90 exposure (vend to verified RunAs) is above this. */
  exposureP90AlarmSeconds: z._default(z.number().check(z.positive()), 900),
});

/** How long past the longest of the vend window and the LZA wait a vend record must survive TTL. */
export const RETENTION_MARGIN_HOURS = 24;

/**
 * The fewest days of ledger retention that never let TTL delete a record still needed: every
 * event within `vendWindowHours` must find its vend (else it is measured twice) and an open vend
 * must outlive `lza.awaitTimeoutHours` (else it vanishes unsettled).
 */
export function minimumRetentionDays(config: {
  vendWindowHours: number;
  lza: { awaitTimeoutHours: number };
}): number {
  return Math.ceil(
    (Math.max(config.vendWindowHours, config.lza.awaitTimeoutHours) + RETENTION_MARGIN_HOURS) / 24,
  );
}

export const configSchema = z
  .strictObject({
    runAsEnabled: z._default(z.boolean(), true),
    runAsDefaultUser: z.optional(
      z.string().check(
        z.superRefine((name, ctx) => {
          const problem = userNameProblem(name);
          if (problem) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(name)} ${problem}` });
        }),
      ),
    ),
    /** `root` as the default user gives every Session Manager shell root: only when said so. */
    allowRootDefaultUser: z._default(z.boolean(), false),
    /**
     * SSM keeps at most 1,000 versions of a document. When the limit is reached, delete the
     * oldest versions that are neither the default nor among the newest `keepNewest` (at most
     * `deleteCount` of them), or, with `enabled: false`, fail with DocumentVersionLimitError.
     */
    documentVersionPruning: z._default(pruningSchema, () => pruningSchema.parse({})),
    /** At most 45: every region an AWS partition has, with room; the sweep's state budget assumes it. */
    governedRegions: z
      .array(region)
      .check(
        z.minLength(1, 'must list at least one region'),
        z.maxLength(MAX_GOVERNED_REGIONS, `must list at most ${MAX_GOVERNED_REGIONS} regions`),
        unique('region'),
      ),
    memberRoleNames: z._default(
      z.array(roleName).check(z.minLength(1, 'must list at least one role name'), unique('role name')),
      ['AWSControlTowerExecution', 'OrganizationAccountAccessRole'],
    ),
    // Bounded so that the AwaitRole loop stays well inside the 25,000-event execution history.
    roleWaitTimeoutMinutes: z._default(positiveUpTo(240), 30),
    roleWaitSchedule: z._default(roleWaitScheduleSchema, () => roleWaitScheduleSchema.parse({})),
    /**
     * The organization (`o-…`) whose member roles the Lambdas may assume: every member-role grant
     * carries `aws:ResourceOrgID`. Unset, the grant compares it with the caller's own organization
     * (`${aws:PrincipalOrgID}`), which for the management account is the same organization.
     */
    organizationId: z.optional(
      z
        .string()
        .check(
          z.regex(/^o-[a-z0-9]{10,32}$/, 'is not an organization id (o- and 10 to 32 letters or digits)'),
        ),
    ),
    /**
     * Every event about an account within this long of its Organizations JoinedTimestamp is the
     * same vend; later ones (a landing-zone update, a re-register) only enforce.
     */
    vendWindowHours: z._default(positiveUpTo(24 * 7), 24),
    /** An invited account has no member role until someone creates one: wait this long, then end as awaiting enrollment. */
    invitedRoleWaitMinutes: z._default(positiveUpTo(240), 5),
    /** How long a vend's record stays in the vend ledger (DynamoDB TTL). */
    ledgerRetentionDays: z._default(boundedInt(1, 3650), 400),
    excludeAccountIds: z._default(z.array(accountId), []),
    /** Defaults to the account the stack is deployed to. */
    managementAccountId: z.optional(accountId),
    /**
     * Where the product runs (the AFT pattern): default the management account. Another account
     * puts the product there and, in the management account, only event forwarding and one hop
     * role that the hub's Lambdas chain through to reach the organization.
     */
    hubAccountId: z.optional(accountId),
    /** Defaults to the region the stack is deployed to. */
    homeRegion: z.optional(region),
    metricsNamespace: z._default(
      z.string().check(z.regex(/^[A-Za-z0-9._/#:-]{1,255}$/, 'is not a valid CloudWatch namespace')),
      'RunAsBootstrapper',
    ),
    lza: z._default(lzaSchema, () => lzaSchema.parse({})),
    sweep: z._default(sweepSchema, () => sweepSchema.parse({})),
    guardrail: z._default(z.strictObject({ scp: z._default(scpSchema, () => scpSchema.parse({})) }), () => ({
      scp: scpSchema.parse({}),
    })),
    notifications: z._default(notificationsSchema, () => notificationsSchema.parse({})),
  })
  .check(
    z.superRefine((config, ctx) => {
      if (config.runAsEnabled && !config.runAsDefaultUser) {
        ctx.addIssue({
          code: 'custom',
          path: ['runAsDefaultUser'],
          message: 'is required and must be non-empty when runAsEnabled is true',
        });
      }
      if (config.runAsDefaultUser === 'root' && !config.allowRootDefaultUser) {
        ctx.addIssue({
          code: 'custom',
          path: ['runAsDefaultUser'],
          message: '"root" gives every Session Manager shell root; set allowRootDefaultUser: true to mean it',
        });
      }
      const neededDays = minimumRetentionDays(config);
      if (config.ledgerRetentionDays < neededDays) {
        const longest =
          config.vendWindowHours >= config.lza.awaitTimeoutHours
            ? 'vendWindowHours'
            : 'lza.awaitTimeoutHours';
        ctx.addIssue({
          code: 'custom',
          path: ['ledgerRetentionDays'],
          message: `must be at least ${neededDays} (TTL would delete vend records still needed: ${longest} is ${Math.max(config.vendWindowHours, config.lza.awaitTimeoutHours)} h, plus a ${RETENTION_MARGIN_HOURS} h margin)`,
        });
      }
      if (config.guardrail.scp.enabled && config.guardrail.scp.targetIds.length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['guardrail', 'scp', 'targetIds'],
          message: 'must name at least one root or OU id when the SCP guardrail is enabled',
        });
      }
    }),
  );

export type BootstrapperConfig = z.output<typeof configSchema>;
/** `lza.measureGap`: `'auto'`, or a boolean. */
export type MeasureGap = BootstrapperConfig['lza']['measureGap'];
export type BootstrapperConfigInput = z.input<typeof configSchema>;

/** The requested regions that the config does not govern (none means every one is governed). */
export function ungovernedRegions(
  requested: readonly string[],
  governedRegions: readonly string[],
): string[] {
  return requested.filter((region) => !governedRegions.includes(region));
}

/** The RunAs setting that the product enforces, derived from the config. */
export interface RunAsSetting {
  enabled: boolean;
  defaultUser: string;
}

export function runAsSetting(
  config: Pick<BootstrapperConfig, 'runAsEnabled' | 'runAsDefaultUser'>,
): RunAsSetting {
  return { enabled: config.runAsEnabled, defaultUser: config.runAsDefaultUser ?? '' };
}

/** One line per issue, naming the field: `a.b: message`, or `x, y: unknown fields`. */
export function describeIssues(error: z.core.$ZodError): string[] {
  return error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => (field === '(root)' ? k : `${field}.${k}`));
      return `${keys.join(', ')}: unknown field${keys.length > 1 ? 's' : ''}`;
    }
    return `${field}: ${issue.message}`;
  });
}

/** One line, so a CLI error stays one line: `Invalid configuration in f: a: …; b: …`. */
export function formatIssues(error: z.core.$ZodError, source: string): string {
  return `Invalid configuration in ${source}: ${describeIssues(error).join('; ')}`;
}

/** Validate a parsed config object. Throws ConfigurationError naming every offending field. */
export function parseConfig(input: unknown, source = DEFAULT_CONFIG_FILE): BootstrapperConfig {
  const result = configSchema.safeParse(input);
  if (!result.success) throw new ConfigurationError(formatIssues(result.error, source));
  return result.data;
}

/** Parse the text of a config file. */
export function parseConfigText(text: string, source = DEFAULT_CONFIG_FILE): BootstrapperConfig {
  const parsed = parseJsonWithPositions(text);
  if (!('tree' in parsed)) {
    const [first] = parsed.problems;
    throw new ConfigurationError(
      `Invalid configuration in ${source}: not valid JSON at line ${first?.line}, column ${first?.column}: ${first?.message}`,
    );
  }
  return parseConfig(parsed.value, source);
}

/**
 * Deep-merge a partial override into a config input (objects merge, arrays and scalars replace).
 * Used by local scenarios, whose `config` block overrides only the fields it names.
 */
export function overlayConfig(base: unknown, override: unknown): unknown {
  if (!isRecord(base) || !isRecord(override)) return override === undefined ? base : override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = overlayConfig(base[key], value);
  return out;
}

/** The single environment variable that carries the validated config into each Lambda. */
export const CONFIG_ENV_VAR = 'BOOTSTRAPPER_CONFIG';

export function configToEnvironment(config: BootstrapperConfig): Record<string, string> {
  return { [CONFIG_ENV_VAR]: JSON.stringify(config) };
}

/** Read and validate the config at cold start. No silent defaults for a missing variable. */
export function configFromEnvironment(env: Record<string, string | undefined>): BootstrapperConfig {
  const raw = env[CONFIG_ENV_VAR];
  if (!raw) throw new ConfigurationError(`${CONFIG_ENV_VAR}: environment variable is not set`);
  return parseConfigText(raw, `environment variable ${CONFIG_ENV_VAR}`);
}
