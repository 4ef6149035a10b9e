import { Duration, type Stack, Token, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { BootstrapperConfig } from '#core/config/config.ts';
import { HOP_ROLE_NAME, hubAccount } from '#core/deploy/hub.ts';
import { memberRoleGrantCondition } from '#core/deploy/member-role-grant.ts';
import { externalPipelineAccount, PIPELINE_READER_ROLE_NAME } from '#core/deploy/pipeline-account.ts';
import { OPEN_VENDS_INDEX } from '#core/vend/ledger.ts';
import { NAG_REASONS } from './nag-reasons.ts';
import { acknowledgePipelineLayouts, pipelineLayoutStatements } from './pipeline-layouts.ts';

// The Lambda tasks of the state machines: what each one is, and what it may do.

/** A task, by its file in handlers/. */
export type HandlerName =
  | 'resolve-request'
  | 'await-role'
  | 'apply-preferences'
  | 'verify-preferences'
  | 'record-enforcement'
  | 'plan-follow-up'
  | 'record-follow-up'
  | 'list-accounts'
  | 'record-sweep';

/** What a handler may do beyond writing its own logs and traces. */
type HandlerAccess = 'describe-account' | 'list-accounts' | 'assume-member-role' | 'read-pipeline' | 'none';

export interface HandlerSpec {
  name: HandlerName;
  /** Construct id, and the `${<id>FunctionArn}` placeholder in the ASL. */
  id: string;
  access: HandlerAccess;
  /**
   * What it does with the vend ledger, if anything: `record` reads and writes items by key,
   * `claim` also creates them, `open-vends` queries the open-vends index.
   */
  ledger?: 'record' | 'claim' | 'open-vends';
  /** Also organizations:DescribeAccount (an account's state), beside its main access. */
  describesAccount?: true;
  timeout: Duration;
}

export const HANDLERS: readonly HandlerSpec[] = [
  {
    name: 'resolve-request',
    id: 'ResolveRequest',
    access: 'describe-account',
    ledger: 'claim',
    timeout: Duration.seconds(30),
  },
  // Also DescribeAccount, now and then while denied: a suspended or closed account ends the wait.
  {
    name: 'await-role',
    id: 'AwaitRole',
    access: 'assume-member-role',
    describesAccount: true,
    timeout: Duration.seconds(30),
  },
  // Read, merge, write, promote and wait up to ~10 s for Active.
  {
    name: 'apply-preferences',
    id: 'ApplyPreferences',
    access: 'assume-member-role',
    timeout: Duration.seconds(60),
  },
  {
    name: 'verify-preferences',
    id: 'VerifyPreferences',
    access: 'assume-member-role',
    timeout: Duration.seconds(30),
  },
  // With lza.measureGap auto, whether the LZA pipeline exists decides if a measured vend closes.
  {
    name: 'record-enforcement',
    id: 'RecordEnforcement',
    access: 'read-pipeline',
    ledger: 'record',
    timeout: Duration.seconds(30),
  },
  // The open vends and the pipeline runs that may cover them (a few pages of history).
  {
    name: 'plan-follow-up',
    id: 'PlanFollowUp',
    access: 'read-pipeline',
    ledger: 'open-vends',
    timeout: Duration.seconds(60),
  },
  {
    name: 'record-follow-up',
    id: 'RecordFollowUp',
    access: 'none',
    ledger: 'record',
    timeout: Duration.seconds(60),
  },
  // Up to ten ListAccounts pages per sweep batch.
  { name: 'list-accounts', id: 'ListAccounts', access: 'list-accounts', timeout: Duration.seconds(60) },
  { name: 'record-sweep', id: 'RecordSweep', access: 'none', timeout: Duration.seconds(30) },
];

interface GrantContext {
  stack: Stack;
  role: iam.Role;
  config: BootstrapperConfig;
}

/**
 * Grant a task's role exactly what its spec says, each statement naming its resources; the
 * acknowledgements name the few that cannot.
 */
export function grantTaskAccess(
  stack: Stack,
  role: iam.Role,
  spec: HandlerSpec,
  { config, ledger }: { config: BootstrapperConfig; ledger: dynamodb.ITable },
): void {
  const grant: GrantContext = { stack, role, config };
  // In a hub account every read of the organization goes through the management account's hop
  // role: the hub's Lambdas may assume that role and nothing else outside the hub.
  const hub = hubAccount(config) !== undefined;
  if (hub && spec.access !== 'none' && config.managementAccountId)
    grantHopRole(grant, config.managementAccountId);
  if ((spec.access === 'describe-account' || spec.describesAccount) && !hub) grantDescribeAccount(grant);
  if (spec.access === 'list-accounts' && !hub) grantListAccounts(grant);
  if (spec.access === 'read-pipeline' && !hub) grantReadPipeline(grant);
  if (spec.ledger) grantLedger(role, spec.ledger, ledger);
  if (spec.access === 'assume-member-role' && !hub) grantMemberRoles(grant);
}

function grantHopRole({ stack, role }: GrantContext, managementAccountId: string): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'AssumeHopRole',
      actions: ['sts:AssumeRole'],
      resources: [
        stack.formatArn({
          service: 'iam',
          region: '',
          account: managementAccountId,
          resource: 'role',
          resourceName: HOP_ROLE_NAME,
        }),
      ],
    }),
  );
}

function grantDescribeAccount({ stack, role }: GrantContext): void {
  const accounts = stack.formatArn({
    service: 'organizations',
    region: '',
    resource: 'account',
    resourceName: 'o-*/*',
  });
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'DescribeMemberAccount',
      actions: ['organizations:DescribeAccount'],
      resources: [accounts],
    }),
  );
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:organizations::${account}:account/o-*/*]`,
    reason: NAG_REASONS.describeAccount,
  });
}

function grantListAccounts({ role }: GrantContext): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ListOrganizationAccounts',
      actions: ['organizations:ListAccounts'],
      resources: ['*'],
    }),
  );
  Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: NAG_REASONS.listAccounts,
  });
}

function grantReadPipeline({ stack, role, config }: GrantContext): void {
  const pipelineAccount = externalPipelineAccount({
    managementAccountId: config.managementAccountId ?? stack.account,
    lza: config.lza,
  });
  if (pipelineAccount) {
    // LZA's external pipeline account: only through the read-only role of its stack there.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AssumePipelineReader',
        actions: ['sts:AssumeRole'],
        resources: [
          stack.formatArn({
            service: 'iam',
            region: '',
            account: pipelineAccount,
            resource: 'role',
            resourceName: PIPELINE_READER_ROLE_NAME,
          }),
        ],
      }),
    );
    return;
  }
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ReadLzaPipelineHistory',
      actions: ['codepipeline:ListPipelineExecutions', 'codepipeline:ListActionExecutions'],
      resources: [stack.formatArn({ service: 'codepipeline', resource: config.lza.pipelineName })],
    }),
  );
  // lza.measureGap auto: a pipeline with LZA's stages under another name is not "no LZA".
  if (config.lza.measureGap === 'auto') {
    for (const statement of pipelineLayoutStatements(stack)) role.addToPrincipalPolicy(statement);
    acknowledgePipelineLayouts(stack, role.node.findChild('DefaultPolicy'));
  }
}

/** Exactly the item actions each step uses (no Scan, no Delete, no wildcard index). */
function grantLedger(role: iam.Role, use: NonNullable<HandlerSpec['ledger']>, ledger: dynamodb.ITable): void {
  const actions = {
    record: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    claim: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    'open-vends': ['dynamodb:Query'],
  }[use];
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'VendLedger',
      actions,
      resources: [use === 'open-vends' ? `${ledger.tableArn}/index/${OPEN_VENDS_INDEX}` : ledger.tableArn],
    }),
  );
  // The reconciler reads which LZA Security_Resources a repair sweep followed (marker items).
  if (use === 'open-vends')
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'FollowedSecurityResources',
        actions: ['dynamodb:GetItem'],
        resources: [ledger.tableArn],
      }),
    );
}

function grantMemberRoles({ stack, role, config }: GrantContext): void {
  const roleArns = config.memberRoleNames.map((name) => memberRoleArn(stack, name));
  // Fenced by IAM, not only by code: roles in the organization, never in the management account.
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'AssumeMemberRoles',
      actions: ['sts:AssumeRole'],
      resources: roleArns,
      conditions: memberRoleGrantCondition(
        config.organizationId,
        config.managementAccountId ?? stack.account,
      ),
    }),
  );
  for (const name of config.memberRoleNames) {
    Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${name}]`,
      reason: NAG_REASONS.memberRole,
    });
  }
}

/** `arn:${Partition}:iam::*:role/<name>`: the role in any member account, never `*`. */
export function memberRoleArn(stack: Stack, roleName: string): string {
  return stack.formatArn({
    service: 'iam',
    region: '',
    account: '*',
    resource: 'role',
    resourceName: roleName,
  });
}
