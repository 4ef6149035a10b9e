import { createHash } from 'node:crypto';
import type { BootstrapperConfig } from '../config/config.ts';
import { partitionOf } from '../shared/arn.ts';

/**
 * Facts about a deployed installation that the CDK app, the local cloud and `doctor` must agree
 * on: the product version, the digest of the config a stack was deployed with, the stack names,
 * and where the forwarder runs.
 */

/** Kept equal to package.json's version by a test. */
export const PRODUCT_VERSION = '0.1.0';

/** Stack outputs `doctor` reads. */
export const VERSION_OUTPUT = 'Version';
export const CONFIG_DIGEST_OUTPUT = 'ConfigDigest';
export const FAILURE_TOPIC_OUTPUT = 'FailureTopicArn';

export const DEFAULT_STACK_NAME = 'RunAsBootstrapper';
/** Appended to the bootstrapper's stack name: `RunAsBootstrapperForwarder` by default. */
export const FORWARDER_SUFFIX = 'Forwarder';
/** Appended to the bootstrapper's stack name: `RunAsBootstrapperGuardrail` by default. */
export const GUARDRAIL_SUFFIX = 'Guardrail';

/**
 * SHA-256 of the validated config, so an operator's `--config` can be compared with what a stack
 * was deployed with. `managementAccountId` and `homeRegion` are left out: they default to where
 * the stack is deployed, and doctor checks that place directly.
 */
export function configDigest(config: BootstrapperConfig): string {
  const { managementAccountId: _account, homeRegion: _region, ...rest } = config;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

/**
 * The region where Organizations delivers its EventBridge events, per partition. For the commercial
 * partition this is us-east-1; for GovCloud and China it is the region that hosts the partition's
 * Organizations endpoint (an assumption: AWS documents only us-east-1).
 */
const ORGANIZATIONS_EVENT_REGION: Record<string, string> = {
  aws: 'us-east-1',
  'aws-us-gov': 'us-gov-west-1',
  'aws-cn': 'cn-northwest-1',
};

/** Where the forwarder must run for this home region, or undefined when no forwarder is needed. */
export function forwarderRegionFor(homeRegion: string): string | undefined {
  const region = ORGANIZATIONS_EVENT_REGION[partitionOf(homeRegion)];
  return region === undefined || region === homeRegion ? undefined : region;
}
