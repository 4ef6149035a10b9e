import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { thrownMessage } from './aws-error.ts';
import { ACCOUNT_ID_PATTERN, isKnownRegion, ROLE_NAME_PATTERN } from './aws-names.ts';

/**
 * A scenario describes the simulated organization: its accounts, their roles and existing
 * preferences documents, when accounts are vended, the LZA pipeline's runs, and injected faults.
 * All durations are in SIMULATED seconds; `timeScale` converts them to wall time.
 */

const accountId = z.string().regex(ACCOUNT_ID_PATTERN, 'is not a 12-digit account id');
const region = z.string().refine(isKnownRegion, 'is not a region in the AWS SDK partition table');
const roleName = z.string().regex(ROLE_NAME_PATTERN, 'is not a valid IAM role name');
const seconds = z.number().min(0);
const rate = z.number().min(0).max(1);
const accountState = z.enum(['ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE', 'CLOSED']);

/** Existing document content: a JSON object (stored as JSON text) or raw text (foreign or non-JSON content). */
const documentContent = z.union([z.record(z.string(), z.unknown()), z.string()]);

const vendSchema = z.strictObject({
  /** Simulated seconds after `startTimeline()` at which the account is requested. */
  atSeconds: seconds,
  /**
   * organizations: Organizations CreateAccount; publishes CreateAccountResult and an
   *   AccountJoinedOrganization (Created) join, both in us-east-1.
   * controltower: Account Factory; the same two, then CreateManagedAccount (home region).
   * invited: an existing outside account accepts an invitation at `atSeconds`: a join event
   *   (Invited), no CreateAccountResult, no member role unless `roles` lists one; with
   *   `enrollSeconds`, Control Tower enrolls it that long after joining.
   * none: the account exists from the start (no vend, no event).
   */
  via: z.enum(['organizations', 'controltower', 'invited', 'none']),
  /** Request to SUCCEEDED. Defaults to `organizations.createAccountSeconds`. */
  createSeconds: seconds.optional(),
  /**
   * controltower: account creation to CreateManagedAccount (default 900).
   * invited: join to Control Tower enrollment (AWSControlTowerExecution created and assumable,
   * CreateManagedAccount SUCCEEDED); absent means the account is never enrolled.
   */
  enrollSeconds: seconds.optional(),
  /** controltower only: also publish the Organizations CreateAccountResult that Account Factory causes. */
  emitCreateAccountResult: z.boolean().default(true),
  /** Deliver each vend event (join events included) this many times (EventBridge is at-least-once). */
  deliveries: z.number().int().min(1).max(10).default(1),
  /** Make the vend fail (FAILED events, no account), e.g. EMAIL_ALREADY_EXISTS. */
  failureReason: z.string().optional(),
});

const accountSchema = z.strictObject({
  accountId,
  name: z.string().min(1).max(50),
  email: z.email().optional(),
  /** Organizational unit name (Control Tower events name it). */
  organizationalUnit: z.string().default('Workloads'),
  status: accountState.default('ACTIVE'),
  /** Later states from the timeline's start (a suspension, a closure); only an ACTIVE account's roles are assumable. */
  stateChanges: z.array(z.strictObject({ atSeconds: seconds, state: accountState })).default([]),
  /**
   * `via: none` accounts (and the management account): how long before the cloud's start the
   * account joined; DescribeAccount's JoinedTimestamp. Vended accounts join when they are vended.
   */
  joinedDaysAgo: z.number().min(0).default(400),
  /** `via: none` accounts (and the management account): DescribeAccount's JoinedMethod. */
  joinedMethod: z.enum(['CREATED', 'INVITED']).default('CREATED'),
  /**
   * Role name -> simulated seconds until assumable, counted from the account's creation (vend
   * completion), or from the cloud's start for `via: none`. A role not listed does not exist.
   * Default: AWSControlTowerExecution for controltower vends (ready at enrollment),
   * OrganizationAccountAccessRole for organizations vends (`organizations.roleReadySeconds`),
   * both at 0 for `via: none`.
   */
  roles: z.record(roleName, seconds).optional(),
  /** Opt-in regions this account has not enabled: every call there is rejected as AWS rejects it. */
  disabledRegions: z.array(region).default([]),
  /**
   * Region -> how many of the next document versions written there end `Failed` instead of
   * `Active` (after `documentStatusDelaySeconds` of `Creating`/`Updating`).
   */
  failDocumentWrites: z.record(region, z.number().int().min(0)).default({}),
  /**
   * Regions where STS is deactivated for this account (IAM account settings): AssumeRole into
   * its roles through those regions' STS endpoints fails with RegionDisabledException (403).
   */
  stsDisabledRegions: z.array(region).default([]),
  /** Region -> existing `SSM-SessionManagerRunShell` content, present from the account's creation. */
  documents: z.record(region, documentContent).default({}),
  /** Absent: `{ atSeconds: 0, via: 'none' }`. */
  vend: vendSchema.optional(),
  /**
   * What the application under test should make of this account (its own vocabulary). The cloud
   * does not read it; `state.accounts()` hands it back.
   */
  expect: z.record(z.string(), z.unknown()).optional(),
});

const durationsSchema = z.record(z.string().regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)?$/), seconds);

const explicitStagesSchema = z.array(
  z.strictObject({
    name: z.string().min(1),
    actions: z
      .array(
        z.strictObject({
          name: z.string().min(1),
          runOrder: z.number().int().min(1).max(999).default(1),
          seconds,
          category: z.enum(['Source', 'Build', 'Approval', 'Deploy', 'Invoke', 'Test']).default('Build'),
        }),
      )
      .min(1),
  }),
);

const pipelineRunSchema = z.strictObject({
  /** Simulated seconds after `startTimeline()`. */
  startAtSeconds: seconds,
  /** Deploy-<region> stages (one per region, home region first) instead of one Deploy stage. */
  regionByRegion: z.boolean().default(false),
  /** Override durations: `"Stage/Action"` or `"Action"` (every stage) -> seconds. */
  durations: durationsSchema.optional(),
  /** Make this action fail; the run stops after its stage. `"Stage/Action"`. */
  failAt: z.string().optional(),
  /** Replace the generated LZA stage list entirely. */
  stages: explicitStagesSchema.optional(),
  triggerType: z
    .enum(['StartPipelineExecution', 'CloudWatchEvent', 'Webhook', 'PollForSourceChanges'])
    .optional(),
  /**
   * This run changes LZA's session-manager logging settings (bucket, prefix, log group,
   * encryption, key), so the Security_Resources custom resource is updated and rewrites the
   * preferences document in EVERY account and region it deploys to (docs/aws-behaviour.md#lza-session-manager-writer). Without it
   * the writer runs only where the account's SecurityResources stack is created by this run.
   */
  changesSessionManagerSettings: z.boolean().default(false),
  /**
   * State-change events of this run that are never delivered ("missed event" tests), while
   * the pipeline history still shows what happened: `"Stage/Action"` drops that action's
   * final (SUCCEEDED/FAILED) event, `"Stage"` the stage's final event, `"pipeline"` the
   * pipeline's final event.
   */
  dropEvents: z.array(z.string().min(1)).default([]),
});

const pipelineSchema = z.strictObject({
  /** Defaults to the cloud's `pipelineDefaults.name`, else AWSAccelerator-Pipeline. */
  name: z.string().optional(),
  /** The account the pipeline runs and publishes in (LZA's external pipeline account); default management. */
  accountId: accountId.optional(),
  /** LZA behaviour at Deploy/Security_Resources: below 1.14.0 RunAs is wiped. */
  lzaVersion: z
    .string()
    .regex(/^v?\d+\.\d+\.\d+$/, 'must be a version like 1.13.0')
    .default('1.15.0'),
  /** LZA enabled regions. Defaults to the cloud's `pipelineDefaults.regions`, else the home region. */
  regions: z.array(region).min(1).optional(),
  /** LZA's global-config `logging.sessionManager`; LZA writes the document only when one is on. */
  sessionManager: z
    .strictObject({
      sendToCloudWatchLogs: z.boolean().default(true),
      sendToS3: z.boolean().default(true),
    })
    .prefault({}),
  /** Where within Security_Resources (0..1 of its duration) LZA writes the documents. */
  writeAtFraction: z.number().min(0).max(1).default(0.5),
  /** Add the optional manual-approval Review stage. */
  review: z.boolean().default(false),
  /** Durations that apply to every run (a run's own `durations` win). */
  durations: durationsSchema.optional(),
  runs: z.array(pipelineRunSchema).default([]),
  /** Deliver every pipeline, stage and action state-change event this many times (at least once). */
  eventDeliveries: z.number().int().min(1).max(10).default(1),
  /**
   * Whether the organization has an LZA pipeline at all. Default: only when `runs` lists some,
   * so a scenario without runs behaves like a Control Tower organization without LZA.
   */
  exists: z.boolean().optional(),
  /** Pipelines beside LZA's that are not LZA's (a Source and a Build stage each). */
  otherPipelines: z.array(z.string().regex(/^[A-Za-z0-9.@_-]{1,100}$/)).default([]),
});

const faultErrorCode = z.enum([
  'ThrottlingException',
  'InternalServerError',
  'ServiceUnavailable',
  'TooManyUpdates',
]);

const latencySchema = z
  .strictObject({ min: z.number().int().min(0), max: z.number().int().min(0) })
  .refine((l) => l.max >= l.min, 'max must be >= min');

const faultRatesSchema = z.strictObject({
  /** Fraction of calls answered with the service's throttling error. */
  throttleRate: rate.optional(),
  /** Fraction answered with InternalServerError (500) or ServiceUnavailable (503), half each. */
  serverErrorRate: rate.optional(),
  /** Fraction of SSM write calls answered with TooManyUpdates. */
  tooManyUpdatesRate: rate.optional(),
  /** Added latency range in ms: wall ms on scaled time (not scaled by timeScale), simulated ms on virtual time. */
  latencyMs: latencySchema.optional(),
  /** Deterministically fail the first N calls (per account and region). */
  failFirst: z.number().int().min(0).optional(),
  /** The error for `failFirst`; the service's throttling code by default. */
  failFirstWith: faultErrorCode.optional(),
});

const faultsSchema = z.strictObject({
  seed: z.number().int().default(1),
  ...faultRatesSchema.shape,
  /** Per operation, as IAM action names: `"ssm:UpdateDocument"`, `"sts:AssumeRole"`. Overrides the global rates. */
  operations: z
    .record(z.string().regex(/^[a-z0-9-]+:[A-Za-z]+$/, 'must look like ssm:UpdateDocument'), faultRatesSchema)
    .default({}),
});

const accessKeySchema = z.strictObject({
  accessKeyId: z.string().regex(/^[A-Z0-9]{4,128}$|^test$/i, 'is not an access key id'),
  secretAccessKey: z.string().min(1),
  /** The account the key belongs to; the management account by default. */
  accountId: accountId.optional(),
  userName: z.string().default('local-admin'),
});

export const scenarioSchema = z
  .strictObject({
    $schema: z.string().optional(),
    description: z.string().optional(),
    managementAccountId: accountId,
    homeRegion: region,
    /**
     * Settings for the application under test, in its own format. The cloud does not read them;
     * they travel with the scenario.
     */
    config: z.record(z.string(), z.unknown()).optional(),
    /**
     * Wall seconds per simulated second; 0.02 runs 50x faster than real time. Under virtual time
     * (virtual-time.ts) it must be 1: the clock jumps instead of running fast.
     */
    timeScale: z.number().positive().max(1000).default(1),
    /**
     * Modelled AWS latencies (latency.ts): `aws` delays every API answer, event
     * delivery, Lambda invocation (warm or cold) and state transition by a draw from the cited
     * model, on simulated time; `none` (the default) answers at once.
     */
    latency: z
      .strictObject({
        model: z.enum(['none', 'aws']).default('none'),
        seed: z.number().int().min(0).default(1),
      })
      .prefault({}),
    /** Long-term access keys besides `test`/`test` (the management account's `local-admin`). */
    accessKeys: z.array(accessKeySchema).default([]),
    /** Where a runtime deploys the application (a hub account); it signs with an `accessKeys` key there. */
    deployAccountId: accountId.optional(),
    /** Check each request's SigV4 signature (the secrets are known). */
    verifySignatures: z.boolean().default(true),
    /** Simulated seconds a document stays Creating/Updating before Active. */
    documentStatusDelaySeconds: seconds.default(0),
    /** Versions per document (AWS: 1000). */
    documentVersionLimit: z.number().int().min(1).max(1000).default(1000),
    organizations: z
      .strictObject({
        /** CreateAccount request to SUCCEEDED. */
        createAccountSeconds: seconds.default(60),
        /** For accounts created through the API: RoleName assumable this long after creation. */
        roleReadySeconds: seconds.default(30),
        /**
         * Publish Organizations `AccountJoinedOrganization` for every account that joins:
         * Created for each CreateAccount (scenario vends and the API), Invited for invitations.
         */
        emitJoinEvents: z.boolean().default(true),
        /** Join event after the account's creation completes (or its invitation is accepted). */
        joinEventDelaySeconds: seconds.default(0),
      })
      .prefault({}),
    accounts: z.array(accountSchema).default([]),
    /**
     * Many existing enrolled member accounts at once (`via: none`, ACTIVE, no documents), for
     * scale tests such as a landing-zone update over 1,000 accounts. Ids count up from `startId`.
     */
    generatedAccounts: z
      .strictObject({
        count: z.number().int().min(1).max(10_000),
        startId: accountId.default('900000000000'),
        namePrefix: z.string().min(1).max(40).default('generated'),
        organizationalUnit: z.string().default('Workloads'),
        /** Role name -> seconds after the cloud's start; both roles at 0 by default. */
        roles: z.record(roleName, seconds).optional(),
        joinedDaysAgo: z.number().min(0).default(400),
      })
      .optional(),
    /** Simulated seconds from `startTimeline()` the timeline stays busy; `atTimelineSeconds` tasks run only before it. */
    playUntilSeconds: seconds.optional(),
    /** The landing zone (ListLandingZones); its home region (default homeRegion) gets Control Tower's events. */
    controlTower: z
      .strictObject({
        /** false: an organization without Control Tower (ListLandingZones lists none). */
        landingZone: z.boolean().default(true),
        homeRegion: region.optional(),
      })
      .prefault({}),
    /** At `atSeconds`: UpdateManagedAccount SUCCEEDED for every ACTIVE enrolled account (docs/aws-behaviour.md#landing-zone-updates-re-run-accounts). */
    landingZoneUpdates: z
      .array(
        z.strictObject({
          atSeconds: seconds,
          deliveries: z.number().int().min(1).max(10).default(1),
        }),
      )
      .default([]),
    /**
     * DynamoDB (served by an in-memory dynalite per account and region). Tables stay CREATING
     * this many simulated seconds after CreateTable (AWS: seconds; default 0, ACTIVE at once).
     */
    dynamodb: z
      .strictObject({
        tableStatusDelaySeconds: seconds.default(0),
      })
      .prefault({}),
    pipeline: pipelineSchema.prefault({}),
    faults: faultsSchema.prefault({}),
    /**
     * Request-rate quotas per caller account, on simulated time: IAM action (`organizations:DescribeAccount`)
     * or service (`organizations`) -> { perSecond, burst }. None by default: AWS publishes no per-second
     * figure for most of the operations used here, so a scenario states the one it assumes.
     */
    rateLimits: z
      .record(
        z
          .string()
          .regex(
            /^[a-z0-9-]+(:[A-Za-z]+)?$/,
            'must look like organizations or organizations:DescribeAccount',
          ),
        z.strictObject({ perSecond: z.number().positive(), burst: z.number().int().min(1) }),
      )
      .default({}),
  })
  .superRefine((scenario, ctx) => {
    const seen = new Set<string>();
    scenario.accounts.forEach((account, index) => {
      if (seen.has(account.accountId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['accounts', index, 'accountId'],
          message: 'duplicate account id',
        });
      }
      seen.add(account.accountId);
      if (account.accountId === scenario.managementAccountId && account.vend && account.vend.via !== 'none') {
        ctx.addIssue({
          code: 'custom',
          path: ['accounts', index, 'vend'],
          message: 'the management account cannot be vended',
        });
      }
      if (account.vend?.via === 'invited' && account.vend.failureReason !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['accounts', index, 'vend', 'failureReason'],
          message: 'an invitation has no CreateAccount to fail',
        });
      }
    });
    const generated = scenario.generatedAccounts;
    if (generated) {
      const first = BigInt(generated.startId);
      const last = first + BigInt(generated.count - 1);
      if (last > 999_999_999_999n) {
        ctx.addIssue({
          code: 'custom',
          path: ['generatedAccounts', 'count'],
          message: 'runs past the largest 12-digit account id',
        });
      }
      const ids = [...seen, scenario.managementAccountId];
      const clash = ids.find((id) => BigInt(id) >= first && BigInt(id) <= last);
      if (clash) {
        ctx.addIssue({
          code: 'custom',
          path: ['generatedAccounts', 'startId'],
          message: `the generated ids include ${clash}, an account the scenario already has`,
        });
      }
    }
  });

/** The ids of `generatedAccounts`, in order. */
export function generatedAccountIds(generated: NonNullable<Scenario['generatedAccounts']>): string[] {
  const first = BigInt(generated.startId);
  return Array.from({ length: generated.count }, (_, i) => String(first + BigInt(i)).padStart(12, '0'));
}

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ScenarioAccount = Scenario['accounts'][number];
export type ScenarioPipeline = Scenario['pipeline'];
export type ScenarioPipelineRun = ScenarioPipeline['runs'][number];
export type ScenarioFaults = Scenario['faults'];
export type FaultRates = z.output<typeof faultRatesSchema>;
export type ScenarioRateLimits = Scenario['rateLimits'];
export type FaultErrorCode = z.output<typeof faultErrorCode>;

/** The scenario used when none is given: a management account and nothing else. */
export const DEFAULT_SCENARIO: ScenarioInput = {
  managementAccountId: '111111111111',
  homeRegion: 'us-east-1',
};

/** A scenario that does not parse: the message names every offending field, on one line. */
export class ScenarioError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ScenarioError';
  }
}

/** `a.b: message`, one per issue; an unknown key is named with its path. */
function issueLines(error: z.core.$ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${path ? `${path}.` : ''}${key}: unknown field`).join('; ');
    }
    return `${path || '(root)'}: ${issue.message}`;
  });
}

export function parseScenario(input: unknown, source = 'scenario'): Scenario {
  const result = scenarioSchema.safeParse(input);
  if (!result.success) {
    throw new ScenarioError(`Invalid scenario in ${source}: ${issueLines(result.error).join('; ')}`);
  }
  return result.data;
}

export async function loadScenarioFile(file: string): Promise<Scenario> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new ScenarioError(`Invalid scenario in ${file}: ${thrownMessage(cause)}`, { cause });
  }
  return parseScenario(json, file);
}
