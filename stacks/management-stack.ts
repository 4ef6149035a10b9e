import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { BootstrapperConfig } from '#core/config/config.ts';
import { forwarderRegionFor, PRODUCT_VERSION, VERSION_OUTPUT } from '#core/deploy/deployment.ts';
import { HOP_ROLE_NAME, PRINCIPAL_ORG_ID_VARIABLE } from '#core/deploy/hub.ts';
import { externalPipelineAccount } from '#core/deploy/pipeline-account.ts';
import { followUpEventPattern } from '#core/vend/ledger.ts';
import { vendEventRules } from '#core/vend/rules.ts';
import { pascalCase } from './construct-id.ts';
import { EventDeadLetterQueue } from './event-dead-letter-queue.ts';
import { toCdkEventPattern } from './event-pattern.ts';
import { NAG_REASONS } from './nag-reasons.ts';
import { acknowledgePipelineLayouts, pipelineLayoutStatements } from './pipeline-layouts.ts';
import { HANDLERS, memberRoleArn } from './tasks.ts';

export interface ManagementStackProps extends StackProps {
  config: BootstrapperConfig;
  hubAccountId: string;
  homeRegion: string;
  /** The hub's home stack: its task roles are the only principals the hop role trusts. */
  homeStackName: string;
}

/**
 * The management account's part of a hub deployment (the AFT pattern): no Lambda, only the
 * forwarding of the home-region events the product needs to the hub's bus, and one hop role.
 * The hop role trusts only the hub's task roles and may do nothing but the Organizations reads
 * the product makes, the LZA pipeline reads, and AssumeRole on the member role names inside
 * the organization (docs/organization-shapes.md).
 */
export class ManagementStack extends Stack {
  readonly rules: events.Rule[] = [];
  readonly hopRole: iam.Role;

  constructor(scope: Construct, id: string, props: ManagementStackProps) {
    super(scope, id, props);
    const { config, hubAccountId } = props;
    const hubBus = events.EventBus.fromEventBusArn(
      this,
      'HubDefaultBus',
      this.formatArn({
        service: 'events',
        account: hubAccountId,
        resource: 'event-bus',
        resourceName: 'default',
      }),
    );
    const deadLetters = new EventDeadLetterQueue(this, 'ForwardDeadLetters');
    const forwardRole = new iam.Role(this, 'ForwardRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: `Forwards runas-bootstrapper events to the default bus of the hub ${hubAccountId}`,
    });
    const forward = (ruleId: string, description: string, pattern: Parameters<typeof toCdkEventPattern>[0]) =>
      this.rules.push(
        new events.Rule(this, `${pascalCase(ruleId)}Forward`, {
          description: `Forward to the hub ${hubAccountId}: ${description}`.slice(0, 512),
          eventPattern: toCdkEventPattern(pattern),
          targets: [new targets.EventBus(hubBus, { role: forwardRole, deadLetterQueue: deadLetters.queue })],
        }),
      );
    // Control Tower's lifecycle events arrive here, and Organizations' too when home is where
    // Organizations delivers (otherwise the forwarder stack sends those to the hub); replays are
    // put on the hub's own bus.
    const withOrganizations = forwarderRegionFor(props.homeRegion) === undefined;
    for (const rule of vendEventRules({ managementAccountId: this.account })) {
      if (rule.id.startsWith('replay')) continue;
      if (rule.deliveredIn === 'home-region' || withOrganizations)
        forward(rule.id, rule.description, rule.pattern);
    }
    const pipelineHere =
      config.lza.measureGap !== false &&
      !externalPipelineAccount({ ...config, managementAccountId: this.account });
    if (pipelineHere)
      forward(
        'lza-follow-up',
        `LZA pipeline ${config.lza.pipelineName} action events`,
        followUpEventPattern(config.lza.pipelineName),
      );

    const taskRoles = HANDLERS.filter((spec) => spec.access !== 'none').map(
      (spec) => `arn:${this.partition}:iam::${hubAccountId}:role/${props.homeStackName}-${spec.id}Role*`,
    );
    this.hopRole = new iam.Role(this, 'HopRole', {
      roleName: HOP_ROLE_NAME,
      description:
        'runas-bootstrapper hub: Organizations reads, LZA pipeline reads, member roles in the organization',
      assumedBy: new iam.AccountPrincipal(hubAccountId).withConditions({
        ArnLike: { 'aws:PrincipalArn': taskRoles },
      }),
    });
    const accounts = this.formatArn({
      service: 'organizations',
      region: '',
      resource: 'account',
      resourceName: 'o-*/*',
    });
    this.hopRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DescribeMemberAccount',
        actions: ['organizations:DescribeAccount'],
        resources: [accounts],
      }),
    );
    this.hopRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListOrganizationAccounts',
        actions: ['organizations:ListAccounts'],
        resources: ['*'],
      }),
    );
    if (pipelineHere)
      this.hopRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ReadLzaPipelineHistory',
          actions: ['codepipeline:ListPipelineExecutions', 'codepipeline:ListActionExecutions'],
          resources: [this.formatArn({ service: 'codepipeline', resource: config.lza.pipelineName })],
        }),
      );
    this.hopRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeMemberRolesInOrganization',
        actions: ['sts:AssumeRole'],
        resources: config.memberRoleNames.map((name) => memberRoleArn(this, name)),
        // Only roles in accounts of the caller's own organization.
        conditions: { StringEquals: { 'aws:ResourceOrgID': PRINCIPAL_ORG_ID_VARIABLE } },
      }),
    );
    // lza.measureGap auto: the hub's PlanFollowUp and RecordEnforcement tell a misnamed pipeline from none.
    const layouts = pipelineHere && config.lza.measureGap === 'auto';
    if (layouts)
      for (const statement of pipelineLayoutStatements(this)) this.hopRole.addToPrincipalPolicy(statement);
    const policy = this.hopRole.node.findChild('DefaultPolicy');
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: layouts ? `${NAG_REASONS.listAccounts} ${NAG_REASONS.listPipelines}` : NAG_REASONS.listAccounts,
    });
    if (layouts) acknowledgePipelineLayouts(this, policy, false);
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:organizations::${this.account}:account/o-*/*]`,
      reason: NAG_REASONS.describeAccount,
    });
    for (const name of config.memberRoleNames)
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${name}]`,
        reason: NAG_REASONS.memberRole,
      });
    new CfnOutput(this, VERSION_OUTPUT, {
      description: 'runas-bootstrapper version (doctor compares it with the home stack)',
      value: PRODUCT_VERSION,
    });
  }
}
