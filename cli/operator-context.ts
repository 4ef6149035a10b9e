import type { AwsCredentialIdentity } from '@smithy/types';
import { ManagementAccount } from '#adapters/management-account.ts';
import type { MemberSessions } from '#adapters/member-session.ts';
import { isServiceNotServed, isStackMissing, type StackDescription } from '#adapters/stacks.ts';
import { assertRegion, partitionOf } from '#core/arn.ts';
import {
  ACCOUNT_ID_PATTERN,
  type BootstrapperConfig,
  type RunAsSetting,
  runAsSetting,
} from '#core/config.ts';
import { BOOTSTRAP_MACHINE, type StateMachineRef } from '#core/names.ts';
import { type GlobalOptions, loadConfig, UserError } from './io.ts';

/** The local cloud's fixed long-term key; any AWS-compatible emulator accepts it too. */
const LOCAL_CREDENTIALS: AwsCredentialIdentity = { accessKeyId: 'test', secretAccessKey: 'test' };

/**
 * What an operator command needs: the validated config, where to call (region, endpoint) and
 * with which credentials. Built once per command from the global options. Every AWS call goes
 * through `aws`, the adapters of the management account.
 */
export class OperatorContext {
  readonly config: BootstrapperConfig;
  readonly runAs: RunAsSetting;
  /** The management account's home region: STS, Step Functions, EventBridge, CloudFormation. */
  readonly region: string;
  readonly endpoint: string | undefined;
  readonly aws: ManagementAccount;

  constructor(globals: GlobalOptions, env: Record<string, string | undefined> = process.env) {
    this.config = loadConfig(globals.config);
    this.runAs = runAsSetting(this.config);
    const region = globals.region ?? this.config.homeRegion ?? env.AWS_REGION ?? 'us-east-1';
    assertRegion(region);
    this.region = region;
    this.endpoint = globals.endpointUrl;
    if (this.endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(this.endpoint)) {
      throw new UserError(`--endpoint-url ${JSON.stringify(this.endpoint)} is not an http(s) URL`);
    }
    // Against an emulator with no credentials configured, use its well-known test key so local use just works.
    const hasCredentials =
      env.AWS_ACCESS_KEY_ID !== undefined || env.AWS_PROFILE !== undefined || globals.profile !== undefined;
    const useLocalKey = this.endpoint !== undefined && !hasCredentials;
    this.aws = new ManagementAccount({
      region,
      ...(useLocalKey ? { credentials: LOCAL_CREDENTIALS } : {}),
      ...(this.endpoint ? { endpoint: this.endpoint } : {}),
    });
  }

  /** The partition of the home region (`aws`, `aws-us-gov`, `aws-cn`). */
  get partition(): string {
    return partitionOf(this.region);
  }

  /** Read sessions in member accounts, assumed from the management credentials. */
  memberSessions(): MemberSessions {
    return this.aws.memberSessions(this.config.memberRoleNames, 'runas-bootstrapper-cli');
  }

  /** A state machine's ARN from the stack output, or a usage error naming what to pass. */
  stateMachineArnFromStack(stackName: string, machine: StateMachineRef = BOOTSTRAP_MACHINE): Promise<string> {
    return this.stackOutput(stackName, machine.outputKey, '--state-machine-arn');
  }

  /** Any output of the stack, or a usage error naming the flag that gives the value instead. */
  async stackOutput(stackName: string, outputKey: string, flag: string): Promise<string> {
    let stack: StackDescription;
    try {
      stack = await this.aws.stacks().describe(stackName);
    } catch (error) {
      if (isStackMissing(error))
        throw new UserError(
          `stack ${stackName} not found in ${this.region}; deploy it, or pass --stack-name or ${flag}`,
        );
      // An endpoint that does not serve CloudFormation answers with an unknown-operation error.
      if (isServiceNotServed(error))
        throw new UserError(
          `stack ${stackName} not found: ${this.endpoint ?? 'the endpoint'} does not serve CloudFormation; pass ${flag}`,
        );
      throw error;
    }
    const value = stack.outputs[outputKey];
    if (value) return value;
    throw new UserError(`stack ${stackName} in ${this.region} has no ${outputKey} output; pass ${flag}`);
  }
}

/** Split `--account-id a b` and `--account-id a,b`; every id must be 12 digits. Duplicates are dropped. */
export function parseAccountIds(values: readonly string[] | undefined): string[] {
  const ids = (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim());
  for (const id of ids) {
    if (!ACCOUNT_ID_PATTERN.test(id))
      throw new UserError(`account id "${id}" is not a 12-digit AWS account id`);
  }
  return [...new Set(ids)];
}

/** The requested regions, each of which must be governed; all governed regions when none are given. */
export function parseRegions(values: readonly string[] | undefined, config: BootstrapperConfig): string[] {
  const requested = (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim());
  if (requested.length === 0) return [...config.governedRegions];
  for (const region of requested) {
    if (!config.governedRegions.includes(region)) {
      throw new UserError(
        `region "${region}" is not governed (governed: ${config.governedRegions.join(', ')}); see governedRegions in the config`,
      );
    }
  }
  return [...new Set(requested)];
}

/** Run `work` over `items` with at most `limit` in flight, keeping the input order in the result. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;

/** `--state-machine-arn`, checked before any call; undefined when not given. */
export function checkStateMachineArn(value: string | undefined): string | undefined {
  if (value !== undefined && !STATE_MACHINE_ARN.test(value)) {
    throw new UserError(`--state-machine-arn ${JSON.stringify(value)} is not a state machine ARN`);
  }
  return value;
}

/** A `--timeout`-style option: a positive number of seconds, or a usage error naming the flag. */
export function positiveSeconds(value: string, flag: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new UserError(`${flag} ${value} is not a positive number`);
  return seconds;
}
