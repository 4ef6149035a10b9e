import type { AwsCredentialIdentity } from '@smithy/types';
import { isCredentialsMissing } from '#adapters/aws-errors.ts';
import { ManagementAccount } from '#adapters/management-account.ts';
import type { MemberSessions } from '#adapters/member-session.ts';
import { profileRegion, resolveDefaultCredentials } from '#adapters/sdk-chain.ts';
import { isServiceNotServed, isStackMissing, type StackDescription } from '#adapters/stacks.ts';
import {
  type BootstrapperConfig,
  DEFAULT_CONFIG_FILE,
  type RunAsSetting,
  runAsSetting,
} from '#core/config/config.ts';
import { assertRegion, partitionOf } from '#core/shared/arn.ts';
import { errorMessage } from '#core/shared/error-text.ts';
import { BOOTSTRAP_MACHINE, type StateMachineRef } from '#core/shared/names.ts';
import { chooseRegion, describeRegion, type RegionChoice, setTarget } from './aws-target.ts';
import { type CliIo, CredentialsMissingError, type GlobalOptions, loadConfig, UserError } from './io.ts';

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
  /** Where the region came from (`--region`, `AWS_DEFAULT_REGION`, `profile eu`…). */
  readonly regionSource: string;
  readonly endpoint: string | undefined;
  readonly aws: ManagementAccount;

  /**
   * Resolve the region through the AWS chain and, unless the local cloud's test key is used,
   * the credentials, so that a missing profile or key is one line before any call.
   */
  static async open(
    globals: GlobalOptions,
    io?: CliIo,
    env: Record<string, string | undefined> = process.env,
  ): Promise<OperatorContext> {
    const config = loadConfig(globals.config);
    const choice = await chooseRegion({
      flag: globals.region,
      homeRegion: config.homeRegion,
      configFile: globals.config ?? DEFAULT_CONFIG_FILE,
      env,
      profileRegion,
    });
    assertRegion(choice.region);
    if (globals.verbose) io?.err(`region ${describeRegion(choice)}`);
    const ctx = new OperatorContext(globals, config, choice, env);
    setTarget(choice, ctx.endpoint);
    if (!ctx.#useLocalKey) {
      try {
        await resolveDefaultCredentials(choice.region);
      } catch (error) {
        if (!isCredentialsMissing(error)) throw error;
        const profile = globals.profile ?? env.AWS_PROFILE;
        throw new CredentialsMissingError(
          profile
            ? `no AWS credentials for profile ${profile}: ${errorMessage(error).split('\n')[0]}; check the profile's name in ~/.aws/config, or run aws sso login --profile ${profile}`
            : 'no AWS credentials: set AWS_PROFILE or pass --profile, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
        );
      }
    }
    return ctx;
  }

  readonly #useLocalKey: boolean;

  private constructor(
    globals: GlobalOptions,
    config: BootstrapperConfig,
    choice: RegionChoice,
    env: Record<string, string | undefined>,
  ) {
    this.config = config;
    this.runAs = runAsSetting(this.config);
    this.region = choice.region;
    this.regionSource = choice.source;
    this.endpoint = globals.endpointUrl;
    if (this.endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(this.endpoint)) {
      throw new UserError(`--endpoint-url ${JSON.stringify(this.endpoint)} is not an http(s) URL`);
    }
    // Against an emulator with no credentials configured, use its well-known test key so local use just works.
    const hasCredentials =
      env.AWS_ACCESS_KEY_ID !== undefined || env.AWS_PROFILE !== undefined || globals.profile !== undefined;
    this.#useLocalKey = this.endpoint !== undefined && !hasCredentials;
    this.aws = new ManagementAccount({
      region: this.region,
      ...(this.#useLocalKey ? { credentials: LOCAL_CREDENTIALS } : {}),
      ...(this.endpoint ? { endpoint: this.endpoint } : {}),
    });
  }

  /** `eu-west-1 (region from AWS_DEFAULT_REGION)`: for every "not found". */
  get where(): string {
    return describeRegion({ region: this.region, source: this.regionSource });
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
          `stack ${stackName} not found in ${this.where}; deploy it there, or pass --region, --stack-name or ${flag}`,
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
    throw new UserError(`stack ${stackName} in ${this.where} has no ${outputKey} output; pass ${flag}`);
  }
}
