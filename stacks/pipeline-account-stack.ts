import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { PRODUCT_VERSION, VERSION_OUTPUT } from '#core/deploy/deployment.ts';
import { PIPELINE_READER_ROLE_NAME } from '#core/deploy/pipeline-account.ts';
import { followUpEventPattern } from '#core/vend/ledger.ts';
import { EventDeadLetterQueue } from './event-dead-letter-queue.ts';
import { toCdkEventPattern } from './event-pattern.ts';
import { acknowledgePipelineLayouts, pipelineLayoutStatements } from './pipeline-layouts.ts';

export interface PipelineAccountStackProps extends StackProps {
  /** The management account, whose home-region default bus receives the pipeline's events. */
  managementAccountId: string;
  homeRegion: string;
  pipelineName: string;
  /** The home stack's name: its PlanFollowUp Lambda role is the only principal the reader role trusts. */
  homeStackName: string;
  /** lza.measureGap auto: the reader may also list pipelines and read LZA-named layouts (a misnamed pipeline). */
  readsLayouts?: boolean;
}

/**
 * LZA with an external pipeline account (`useExternalPipelineAccount`): the pipeline and its
 * CodePipeline events live here. This stack forwards the Deploy-stage action events the follow-up
 * needs to the home bus (a rule whose target is the other account's bus; that bus's resource
 * policy allows this account, docs/organization-shapes.md), and holds a read-only role on the
 * pipeline's history that only the home stack's PlanFollowUp role may assume.
 */
export class PipelineAccountStack extends Stack {
  readonly rule: events.Rule;
  readonly readerRole: iam.Role;

  constructor(scope: Construct, id: string, props: PipelineAccountStackProps) {
    super(scope, id, props);
    const homeBus = events.EventBus.fromEventBusArn(
      this,
      'HomeDefaultBus',
      this.formatArn({
        service: 'events',
        account: props.managementAccountId,
        region: props.homeRegion,
        resource: 'event-bus',
        resourceName: 'default',
      }),
    );
    const deadLetters = new EventDeadLetterQueue(this, 'ForwardDeadLetters');
    const forwardRole = new iam.Role(this, 'ForwardRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: `Forwards ${props.pipelineName} action events to the default bus of ${props.managementAccountId} in ${props.homeRegion}`,
    });
    this.rule = new events.Rule(this, 'PipelineActionsForward', {
      description: `Forward to ${props.managementAccountId}/${props.homeRegion}: ${props.pipelineName} Deploy-stage Security_Resources and Customizations succeeded`,
      eventPattern: toCdkEventPattern(followUpEventPattern(props.pipelineName)),
      targets: [new targets.EventBus(homeBus, { role: forwardRole, deadLetterQueue: deadLetters.queue })],
    });

    const planFollowUpRoles = `arn:${this.partition}:iam::${props.managementAccountId}:role/${props.homeStackName}-PlanFollowUpRole*`;
    this.readerRole = new iam.Role(this, 'PipelineReader', {
      roleName: PIPELINE_READER_ROLE_NAME,
      description: 'runas-bootstrapper PlanFollowUp: reads the LZA pipeline history, nothing else',
      assumedBy: new iam.AccountPrincipal(props.managementAccountId).withConditions({
        ArnLike: { 'aws:PrincipalArn': planFollowUpRoles },
      }),
    });
    this.readerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadLzaPipelineHistory',
        actions: ['codepipeline:ListPipelineExecutions', 'codepipeline:ListActionExecutions'],
        resources: [this.formatArn({ service: 'codepipeline', resource: props.pipelineName })],
      }),
    );
    if (props.readsLayouts) {
      for (const statement of pipelineLayoutStatements(this)) this.readerRole.addToPrincipalPolicy(statement);
      acknowledgePipelineLayouts(this, this.readerRole.node.findChild('DefaultPolicy'));
    }
    new CfnOutput(this, VERSION_OUTPUT, {
      description: 'runas-bootstrapper version (doctor compares it with the home stack)',
      value: PRODUCT_VERSION,
    });
  }
}
