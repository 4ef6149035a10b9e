import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { assumedRoleCredentials } from './assumed-role-credentials.ts';
import { type ClientOptions, createClient } from './clients.ts';
import { LandingZoneReader } from './control-tower.ts';
import { EventBus } from './event-bus.ts';
import { StateMachineExecutions } from './executions.ts';
import { InstallationProbe } from './installation-probe.ts';
import { MemberSessions } from './member-session.ts';
import { OrganizationShapeReader } from './organization-shape.ts';
import { OrganizationDirectory } from './organizations.ts';
import { StackReader } from './stacks.ts';
import { VendLedger } from './vend-ledger.ts';

export interface ManagementAccountOptions {
  /** The home region: STS, Step Functions, EventBridge, CloudFormation. */
  region: string;
  /** Omit for the standard credential chain. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** An AWS-compatible endpoint for every service (the local cloud). */
  endpoint?: string;
}

/** The account whose credentials the caller holds, or a clear error when STS names none. */
export async function callerAccount(sts: STSClient): Promise<string> {
  const { Account } = await sts.send(new GetCallerIdentityCommand({}));
  if (!Account) throw new Error('STS GetCallerIdentity returned no account');
  return Account;
}

/**
 * The AWS side of an operator command: every client the CLI needs, built with one set of
 * credentials and one endpoint, handed out as adapters. The CLI itself never sees an SDK client.
 */
export class ManagementAccount {
  readonly region: string;
  readonly #options: ManagementAccountOptions;
  #sts: STSClient | undefined;
  #callerAccount: Promise<string> | undefined;

  constructor(options: ManagementAccountOptions) {
    this.region = options.region;
    this.#options = options;
  }

  #client<C>(Client: Parameters<typeof createClient<C>>[0], serviceId: string, region = this.region): C {
    const options: ClientOptions = {
      region,
      ...(this.#options.credentials ? { credentials: this.#options.credentials } : {}),
      ...(this.#options.endpoint ? { endpoint: this.#options.endpoint } : {}),
    };
    return createClient(Client, serviceId, options);
  }

  get #stsClient(): STSClient {
    this.#sts ??= this.#client(STSClient, 'sts');
    return this.#sts;
  }

  /** The management account's id (asked once). */
  callerAccount(): Promise<string> {
    this.#callerAccount ??= callerAccount(this.#stsClient);
    return this.#callerAccount;
  }

  /**
   * The same adapters, signed as a role assumed from these credentials: from a hub account, the
   * management account's hop role (hub -> hop -> member, docs/organization-shapes.md).
   */
  throughRole(roleArn: string, sessionName: string): ManagementAccount {
    return new ManagementAccount({
      ...this.#options,
      credentials: assumedRoleCredentials(this.#stsClient, roleArn, sessionName),
    });
  }

  /** Read sessions in member accounts, assumed from the management credentials. */
  memberSessions(roleNames: readonly string[], sessionName: string): MemberSessions {
    return new MemberSessions({
      sts: this.#stsClient,
      region: this.region,
      roleNames,
      sessionName,
      SSMClient,
      ...(this.#options.endpoint ? { endpoint: this.#options.endpoint } : {}),
    });
  }

  organization(): OrganizationDirectory {
    // Organizations is global; the SDK resolves its endpoint from any region of the partition.
    return new OrganizationDirectory(this.#client(OrganizationsClient, 'organizations'));
  }

  stacks(region = this.region): StackReader {
    return new StackReader(this.#client(CloudFormationClient, 'cloudformation', region));
  }

  executions(): StateMachineExecutions {
    return new StateMachineExecutions(this.#client(SFNClient, 'sfn'));
  }

  eventBus(region = this.region): EventBus {
    return new EventBus(this.#client(EventBridgeClient, 'events', region));
  }

  vendLedger(tableName: string): VendLedger {
    return new VendLedger(this.#client(DynamoDBClient, 'dynamodb'), tableName);
  }

  /** The read-only calls doctor makes to see the organization's shape. */
  shape(): OrganizationShapeReader {
    return new OrganizationShapeReader({
      organizations: this.#client(OrganizationsClient, 'organizations'),
      codePipeline: this.#client(CodePipelineClient, 'codepipeline'),
    });
  }

  /** Control Tower's landing zone, as seen from `region` (the home region by default). */
  landingZones(region = this.region): LandingZoneReader {
    return new LandingZoneReader({
      region,
      ...(this.#options.credentials ? { credentials: this.#options.credentials } : {}),
      ...(this.#options.endpoint ? { endpoint: this.#options.endpoint } : {}),
    });
  }

  /** The read-only checks `doctor` makes of the installation's table, topic, alarms and pipeline. */
  probe(): InstallationProbe {
    return new InstallationProbe({
      dynamodb: this.#client(DynamoDBClient, 'dynamodb'),
      sns: this.#client(SNSClient, 'sns'),
      cloudWatch: this.#client(CloudWatchClient, 'monitoring'),
      codePipeline: this.#client(CodePipelineClient, 'codepipeline'),
    });
  }
}
