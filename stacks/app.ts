import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, type AppProps, DefaultStackSynthesizer, type StackProps, Validations } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type BootstrapperConfig, DEFAULT_CONFIG_FILE, parseConfigText } from '#core/config/config.ts';
import { hubAccount, MANAGEMENT_SUFFIX } from '#core/deploy/hub.ts';
import { externalPipelineAccount, PIPELINE_ACCOUNT_SUFFIX } from '#core/deploy/pipeline-account.ts';
import { errorMessage } from '#core/shared/error-text.ts';
import { ConfigurationError } from '#core/shared/errors.ts';
import { BootstrapperStack, DEFAULT_STACK_NAME } from './bootstrapper-stack.ts';
import { FORWARDER_SUFFIX, ForwarderStack, forwarderRegionFor } from './forwarder-stack.ts';
import { GUARDRAIL_SUFFIX, GuardrailStack } from './guardrail-stack.ts';
import { ManagementStack } from './management-stack.ts';
import { PipelineAccountStack } from './pipeline-account-stack.ts';

/** The environment variable that names the config file when `--context config=<file>` is not given. */
export const CONFIG_FILE_ENV_VAR = 'BOOTSTRAPPER_CONFIG_FILE';
export const CONFIG_CONTEXT_KEY = 'config';
/**
 * Said when no region is given. A silent fallback would put the Lambda code of a eu-west-1 home
 * stack in a us-east-1 assets bucket and leave out the forwarder, so synth refuses instead.
 */
export const MISSING_REGION_MESSAGE =
  'No home region: set "homeRegion" in the config, or export AWS_REGION (for example AWS_REGION=eu-west-1 npx cdk synth), or use a profile that names a region.';

export interface BuildAppOptions {
  /** Build into this app (the CLI entry); otherwise a new one from `appProps`. */
  app?: App;
  appProps?: AppProps;
  /** CDK_DEFAULT_ACCOUNT: used when the config has no managementAccountId. */
  defaultAccount?: string;
  /** From the environment (regionFromEnvironment): used when the config has no homeRegion. Required otherwise. */
  defaultRegion?: string;
  /** Default true. False skips esbuild, for tests that only inspect templates. */
  bundling?: boolean;
  /** Default true: register the cdk-nag AwsSolutions pack as a synth-time validation plugin. */
  nag?: boolean;
  stackName?: string;
}

export interface BootstrapperApp {
  app: App;
  homeRegion: string;
  /** Undefined when neither the config nor the CLI environment names an account. */
  account: string | undefined;
  bootstrapper: BootstrapperStack;
  /** Present only when Organizations events are delivered outside the home region. */
  forwarder?: ForwarderStack;
  /** Present only when guardrail.scp.enabled. */
  guardrail?: GuardrailStack;
  /** Present only when LZA runs from an external pipeline account (lza.pipelineAccountId). */
  pipelineAccount?: PipelineAccountStack;
  /** Present only with a hub account: forwarding and the hop role, in the management account. */
  management?: ManagementStack;
}

/** Build every stack for a validated config. No I/O besides bundling; tests call this in-process. */
export function buildApp(config: BootstrapperConfig, options: BuildAppOptions = {}): BootstrapperApp {
  const app = options.app ?? new App(options.appProps);
  if (options.bundling === false) app.node.setContext(cxapi.BUNDLING_STACKS, []);
  if (options.nag !== false) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

  const homeRegion = config.homeRegion ?? options.defaultRegion;
  if (!homeRegion) throw new ConfigurationError(MISSING_REGION_MESSAGE);
  const account = config.managementAccountId ?? options.defaultAccount;
  const stackName = options.stackName ?? DEFAULT_STACK_NAME;
  // LZA deploys a customizations template by CfnInclude into a CDK stack of its own, which brings its
  // own BootstrapVersion parameter, bootstrap rule and CDKMetadata: ours would collide with them. The
  // CDK CLI still checks the bootstrap version from the cloud assembly manifest on `cdk deploy`.
  const common = (): Pick<StackProps, 'synthesizer' | 'analyticsReporting'> => ({
    synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
    analyticsReporting: false,
  });
  const description = 'runas-bootstrapper: sets Session Manager RunAs preferences in newly vended accounts';

  // A hub account (hubAccountId) runs the product; the management account keeps only forwarding.
  const hub = hubAccount({ managementAccountId: account, hubAccountId: config.hubAccountId });
  if (hub && (!config.managementAccountId || externalPipelineAccount(config)))
    throw new ConfigurationError(
      'hubAccountId: set managementAccountId too (the hub reaches it through the hop role); an external LZA pipeline account is not supported with a hub',
    );
  const bootstrapper = new BootstrapperStack(app, stackName, {
    ...common(),
    stackName,
    description,
    env: { account: hub ?? account, region: homeRegion },
    config,
  });
  const result: BootstrapperApp = { app, homeRegion, account, bootstrapper };

  const forwarderRegion = forwarderRegionFor(homeRegion);
  if (forwarderRegion) {
    const name = `${stackName}${FORWARDER_SUFFIX}`;
    result.forwarder = new ForwarderStack(app, name, {
      ...common(),
      stackName: name,
      description: `${description} (forwards Organizations events from ${forwarderRegion} to ${homeRegion})`,
      env: { account, region: forwarderRegion },
      homeRegion,
      ...(hub ? { homeAccount: hub } : {}),
    });
  }

  if (hub && account) {
    const name = `${stackName}${MANAGEMENT_SUFFIX}`;
    result.management = new ManagementStack(app, name, {
      ...common(),
      stackName: name,
      description: `${description} (management account of a hub deployment: forwarding to ${hub} and the hop role)`,
      env: { account, region: homeRegion },
      config,
      hubAccountId: hub,
      homeRegion,
      homeStackName: stackName,
    });
  }

  const pipelineAccount = externalPipelineAccount({ managementAccountId: account, lza: config.lza });
  if (pipelineAccount && config.lza.measureGap !== false) {
    if (!account)
      throw new ConfigurationError(
        'lza.pipelineAccountId: set managementAccountId too, so the pipeline account can forward to it',
      );
    const name = `${stackName}${PIPELINE_ACCOUNT_SUFFIX}`;
    result.pipelineAccount = new PipelineAccountStack(app, name, {
      ...common(),
      stackName: name,
      description: `${description} (forwards LZA pipeline events from ${pipelineAccount} and reads its history)`,
      env: { account: pipelineAccount, region: homeRegion },
      managementAccountId: account,
      homeRegion,
      pipelineName: config.lza.pipelineName,
      homeStackName: stackName,
      readsLayouts: config.lza.measureGap === 'auto',
    });
  }

  if (config.guardrail.scp.enabled) {
    const name = `${stackName}${GUARDRAIL_SUFFIX}`;
    result.guardrail = new GuardrailStack(app, name, {
      ...common(),
      stackName: name,
      description: `${description} (SCP guardrail on the preferences document)`,
      env: { account, region: homeRegion },
      config,
    });
  }
  return result;
}

/** The config file: `--context config=<file>`, else $BOOTSTRAPPER_CONFIG_FILE, else the default. */
export function configFilePath(app: App, env: Record<string, string | undefined> = process.env): string {
  const fromContext: unknown = app.node.tryGetContext(CONFIG_CONTEXT_KEY);
  if (fromContext !== undefined && typeof fromContext !== 'string') {
    throw new ConfigurationError(`--context ${CONFIG_CONTEXT_KEY}: must be a file path`);
  }
  return fromContext || env[CONFIG_FILE_ENV_VAR] || DEFAULT_CONFIG_FILE;
}

/** Read and validate a config file; a bad value throws ConfigurationError naming the field. */
export function loadConfigFile(file: string): BootstrapperConfig {
  let text: string;
  try {
    text = readFileSync(path.resolve(file), 'utf8');
  } catch (cause) {
    throw new ConfigurationError(`Cannot read configuration file ${file}: ${errorMessage(cause)}`, {
      cause,
    });
  }
  return parseConfigText(text, file);
}

/** The `region` of a profile in an AWS shared config or credentials file, if it names one. */
function iniRegion(text: string, profile: string): string | undefined {
  const wanted = new Set([profile, `profile ${profile}`]);
  let inProfile = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      inProfile = wanted.has((section[1] ?? '').trim());
      continue;
    }
    const setting = /^region\s*=\s*(\S+)/.exec(line);
    if (inProfile && setting) return setting[1];
  }
  return undefined;
}

/**
 * The region to synthesize for when the config names none. The CDK CLI always sets
 * CDK_DEFAULT_REGION, falling back to us-east-1 when it finds no region at all; that silent
 * fallback is exactly what must not decide where the stack goes. So CDK_DEFAULT_REGION counts
 * unless it is us-east-1 with no AWS_REGION / AWS_DEFAULT_REGION and no region in the
 * profile's shared config, which is the CLI's fallback.
 */
export function regionFromEnvironment(
  env: Record<string, string | undefined>,
  readFile: (file: string) => string | undefined = (file) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  },
): string | undefined {
  const explicit = env.AWS_REGION || env.AMAZON_REGION || env.AWS_DEFAULT_REGION || env.AMAZON_DEFAULT_REGION;
  if (explicit) return explicit;
  const fromCdk = env.CDK_DEFAULT_REGION;
  if (!fromCdk) return undefined;
  if (fromCdk !== 'us-east-1') return fromCdk;
  const profile = env.AWS_PROFILE || env.AWS_DEFAULT_PROFILE || 'default';
  const home = env.HOME ?? env.USERPROFILE ?? '';
  const files = [
    env.AWS_CONFIG_FILE ?? path.join(home, '.aws', 'config'),
    env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(home, '.aws', 'credentials'),
  ];
  const configured = files
    .map((file) => readFile(file))
    .some((text) => text && iniRegion(text, profile) === fromCdk);
  return configured ? fromCdk : undefined;
}

/**
 * What `cdk synth` builds: the config file the app's context or environment names, deployed to
 * the account and region the environment gives (regionFromEnvironment). Throws
 * ConfigurationError for a bad config or no region.
 */
export function buildAppFromEnvironment(
  app: App,
  env: Record<string, string | undefined> = process.env,
): BootstrapperApp {
  const config = loadConfigFile(configFilePath(app, env));
  return buildApp(config, {
    app,
    defaultAccount: env.CDK_DEFAULT_ACCOUNT,
    defaultRegion: regionFromEnvironment(env),
  });
}

function main(): void {
  const app = new App();
  try {
    buildAppFromEnvironment(app);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    console.error(error.message);
    process.exitCode = 1;
    return;
  }
  app.synth();
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main();
