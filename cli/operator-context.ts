import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { type ClientOptions, createClient } from '#adapters/clients.ts';
import { MemberSessions } from '#adapters/member-session.ts';
import { OrganizationDirectory } from '#adapters/organizations.ts';
import { assertRegion, partitionOf } from '#core/arn.ts';
import {
  ACCOUNT_ID_PATTERN,
  type BootstrapperConfig,
  type RunAsSetting,
  runAsSetting,
} from '#core/config.ts';
import {
  BOOTSTRAP_STATE_MACHINE,
  FOLLOW_UP_STATE_MACHINE,
  SWEEP_STATE_MACHINE,
} from '#local/runtime/names.ts';
import { loadConfig, UserError } from './io.ts';
import type { GlobalOptions } from './program.ts';

/** The stack and the outputs that name its state machines (stacks/bootstrapper-stack.ts). */
export const DEFAULT_STACK_NAME = 'RunAsBootstrapper';

/** A deployed state machine: its stack output key, and its name on the local cloud. */
export interface StateMachineRef {
  outputKey: string;
  localName: string;
}

export const BOOTSTRAP_MACHINE: StateMachineRef = {
  outputKey: 'BootstrapStateMachineArn',
  localName: BOOTSTRAP_STATE_MACHINE,
};
export const FOLLOW_UP_MACHINE: StateMachineRef = {
  outputKey: 'FollowUpStateMachineArn',
  localName: FOLLOW_UP_STATE_MACHINE,
};
export const SWEEP_MACHINE: StateMachineRef = {
  outputKey: 'SweepStateMachineArn',
  localName: SWEEP_STATE_MACHINE,
};

/** The local cloud's fixed long-term key; any AWS-compatible emulator accepts it too. */
const LOCAL_CREDENTIALS: AwsCredentialIdentity = { accessKeyId: 'test', secretAccessKey: 'test' };

type ClientConstructor<C> = Parameters<typeof createClient<C>>[0];

/**
 * What an operator command needs: the validated config, where to call (region, endpoint) and
 * with which credentials. Built once per command from the global options.
 */
export class OperatorContext {
  readonly config: BootstrapperConfig;
  readonly runAs: RunAsSetting;
  /** The management account's home region: STS, Step Functions, EventBridge, CloudFormation. */
  readonly region: string;
  readonly endpoint: string | undefined;
  readonly #credentials: AwsCredentialIdentity | undefined;
  #callerAccount: Promise<string> | undefined;
  #sts: STSClient | undefined;

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
    this.#credentials = this.endpoint !== undefined && !hasCredentials ? LOCAL_CREDENTIALS : undefined;
  }

  /** The partition of the home region (`aws`, `aws-us-gov`, `aws-cn`). */
  get partition(): string {
    return partitionOf(this.region);
  }

  client<C>(Client: ClientConstructor<C>, serviceId: string, region = this.region): C {
    const options: ClientOptions = {
      region,
      ...(this.#credentials ? { credentials: this.#credentials } : {}),
      ...(this.endpoint ? { endpoint: this.endpoint } : {}),
    };
    return createClient(Client, serviceId, options);
  }

  get sts(): STSClient {
    this.#sts ??= this.client(STSClient, 'sts');
    return this.#sts;
  }

  /** The account whose credentials the CLI runs with (the management account, normally). */
  callerAccount(): Promise<string> {
    this.#callerAccount ??= this.sts.send(new GetCallerIdentityCommand({})).then(({ Account }) => {
      if (!Account) throw new Error('STS GetCallerIdentity returned no account');
      return Account;
    });
    return this.#callerAccount;
  }

  /** Read sessions in member accounts, assumed from the management credentials. */
  memberSessions(): MemberSessions {
    return new MemberSessions({
      sts: this.sts,
      region: this.region,
      roleNames: this.config.memberRoleNames,
      sessionName: 'runas-bootstrapper-cli',
      SSMClient,
      ...(this.endpoint ? { endpoint: this.endpoint } : {}),
    });
  }

  organization(): OrganizationDirectory {
    // Organizations is global; the SDK resolves its endpoint from any region of the partition.
    return new OrganizationDirectory(this.client(OrganizationsClient, 'organizations'));
  }

  /** A state machine's ARN from the stack output, or a usage error naming what to pass. */
  async stateMachineArnFromStack(
    stackName: string,
    machine: StateMachineRef = BOOTSTRAP_MACHINE,
  ): Promise<string> {
    const cloudFormation = this.client(CloudFormationClient, 'cloudformation');
    let outputs: { OutputKey?: string; OutputValue?: string }[] | undefined;
    try {
      const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
      outputs = Stacks?.[0]?.Outputs;
    } catch (error) {
      const name = (error as { name?: string }).name;
      // CloudFormation answers a missing stack with ValidationError; an emulator without
      // CloudFormation (the local cloud) answers with an unknown-operation error.
      if (name === 'ValidationError') {
        throw new UserError(
          `stack ${stackName} not found in ${this.region}; deploy it, or pass --stack-name or --state-machine-arn`,
        );
      }
      if (name === 'UnknownOperationException' || name === 'InvalidAction') {
        throw new UserError(
          `stack ${stackName} not found: ${this.endpoint ?? 'the endpoint'} does not serve CloudFormation; pass --state-machine-arn (the local cloud's is ${await this.#localStateMachineArnHint(machine)})`,
        );
      }
      throw error;
    }
    const arn = outputs?.find((o) => o.OutputKey === machine.outputKey)?.OutputValue;
    if (!arn) {
      throw new UserError(
        `stack ${stackName} in ${this.region} has no ${machine.outputKey} output; pass --state-machine-arn`,
      );
    }
    return arn;
  }

  /** Any output of the stack, or a usage error naming the flag that gives the value instead. */
  async stackOutput(stackName: string, outputKey: string, flag: string): Promise<string> {
    const cloudFormation = this.client(CloudFormationClient, 'cloudformation');
    try {
      const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
      const value = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === outputKey)?.OutputValue;
      if (value) return value;
      throw new UserError(`stack ${stackName} in ${this.region} has no ${outputKey} output; pass ${flag}`);
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'ValidationError')
        throw new UserError(
          `stack ${stackName} not found in ${this.region}; deploy it, or pass --stack-name or ${flag}`,
        );
      if (name === 'UnknownOperationException' || name === 'InvalidAction')
        throw new UserError(
          `stack ${stackName} not found: ${this.endpoint ?? 'the endpoint'} does not serve CloudFormation; pass ${flag}`,
        );
      throw error;
    }
  }

  async #localStateMachineArnHint(machine: StateMachineRef): Promise<string> {
    const account = await this.callerAccount().catch(() => '<management-account-id>');
    return `arn:aws:states:${this.region}:${account}:stateMachine:${machine.localName}`;
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
