import { Annotations, type CfnElement, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';
import type { BootstrapperConfig } from '#core/config/config.ts';
import {
  CONFIG_DIGEST_OUTPUT,
  configDigest,
  PRODUCT_VERSION,
  VERSION_OUTPUT,
} from '#core/deploy/deployment.ts';
import type { HistoryBound } from '#core/deploy/limits.ts';
import type { RuleId } from '#core/vend/rules.ts';
import { BootstrapWorkflow } from './bootstrap-workflow.ts';
import type { EventDeadLetterQueue } from './event-dead-letter-queue.ts';
import { routeEvents } from './event-routing.ts';
import type { FileStateMachine } from './file-state-machine.ts';
import { FollowUpWorkflow } from './follow-up-workflow.ts';
import { Monitoring } from './monitoring.ts';
import { logicalIdOutsideSections } from './stack-section.ts';
import { SweepWorkflow } from './sweep-workflow.ts';
import type { TaskFunction } from './task-function.ts';
import { SERVICE_NAME, TaskFunctions } from './task-functions.ts';
import type { HandlerName } from './tasks.ts';
import { VendLedgerTable } from './vend-ledger-table.ts';

export { DEFAULT_STACK_NAME } from '#core/deploy/deployment.ts';
export { EVENT_MAX_AGE, EVENT_RETRY_ATTEMPTS } from './event-routing.ts';
export { STATE_MACHINE_DIR, STATE_MACHINE_HANDLERS, STATE_MACHINES } from './state-machines.ts';
export { SERVICE_NAME } from './task-functions.ts';

export interface BootstrapperStackProps extends StackProps {
  config: BootstrapperConfig;
}

/**
 * The production engine in the management account's home region: vend rules → the bootstrap state
 * machine → five Lambda tasks, beside the sweep and the LZA follow-up. Nothing here is created in
 * member accounts, so deleting this stack leaves every account's preferences document exactly as it is.
 *
 * Each workflow is a StackSection, which stays out of the logical IDs: the resources keep the IDs
 * they had when they were all created directly in the stack.
 */
export class BootstrapperStack extends Stack {
  readonly functions: Record<HandlerName, TaskFunction>;
  readonly stateMachine: FileStateMachine;
  readonly sweepStateMachine: FileStateMachine;
  /** Follows LZA for the open vends: its action events, and the reconciler's schedule. */
  readonly followUpStateMachine: FileStateMachine;
  /** The vend ledger: one item per vend (account + join time). */
  readonly ledger: dynamodb.Table;
  /** Runs the sweep from `config.sweep.schedule`. */
  readonly sweepSchedule: scheduler.Schedule;
  readonly rules: Partial<Record<RuleId, events.Rule>>;
  readonly deadLetterQueue: EventDeadLetterQueue;
  /** The mutable roles behind the functions (each function sees an immutable view). */
  readonly handlerRoles: Record<HandlerName, iam.Role>;
  readonly stateMachineRole: iam.Role;
  readonly sweepRole: iam.Role;
  /** Dashboard, alarms and failure topic; `monitorStateMachine` adds further state machines. */
  readonly monitoring: Monitoring;
  /** The worst-case history of one bootstrap execution for this config (checked at synth). */
  readonly historyBound: HistoryBound;

  constructor(scope: Construct, id: string, props: BootstrapperStackProps) {
    super(scope, id, props);
    const { config } = props;
    warnOfRootShells(this, config);
    this.ledger = new VendLedgerTable(this, 'Ledger').table;
    const tasks = new TaskFunctions(this, 'Tasks', { config, ledger: this.ledger });
    [this.functions, this.handlerRoles] = [tasks.functions, tasks.roles];

    const bootstrap = new BootstrapWorkflow(this, 'BootstrapWorkflow', { config, tasks });
    [this.stateMachine, this.historyBound] = [bootstrap.stateMachine, bootstrap.historyBound];
    this.stateMachineRole = this.stateMachine.executionRole;
    releaseOutputs(this, config);
    const sweep = new SweepWorkflow(this, 'SweepWorkflow', { config, tasks });
    [this.sweepStateMachine, this.sweepSchedule] = [sweep.stateMachine, sweep.schedule];
    this.sweepRole = this.sweepStateMachine.executionRole;

    this.followUpStateMachine = new FollowUpWorkflow(this, 'FollowUpWorkflow', {
      config,
      tasks,
      bootstrap: this.stateMachine,
      sweep: this.sweepStateMachine,
    }).stateMachine;
    const routing = routeEvents(this, {
      config,
      bootstrap: this.stateMachine,
      followUp: this.followUpStateMachine,
    });
    [this.rules, this.deadLetterQueue] = [routing.rules, routing.deadLetterQueue];

    this.monitoring = new Monitoring(this, 'Monitoring', {
      namespace: config.metricsNamespace,
      serviceName: SERVICE_NAME,
      exposureP90AlarmSeconds: config.notifications.exposureP90AlarmSeconds,
      email: config.notifications.email,
      deadLetterQueue: this.deadLetterQueue.queue,
      stateMachines: {
        Bootstrap: this.stateMachine,
        Sweep: this.sweepStateMachine,
        FollowUp: this.followUpStateMachine,
      },
    });
    sweep.alarmOnDroppedRuns(this.monitoring);
  }

  /** Sections stay out of the logical IDs (see StackSection). */
  protected override allocateLogicalId(element: CfnElement): string {
    return logicalIdOutsideSections(element);
  }
}

/** Allowed only with allowRootDefaultUser: true; still worth a line in every synth. */
function warnOfRootShells(stack: Stack, config: BootstrapperConfig): void {
  if (config.runAsEnabled && config.runAsDefaultUser === 'root') {
    Annotations.of(stack).addWarningV2(
      'runas-bootstrapper:RootDefaultUser',
      'runAsDefaultUser is "root": every Session Manager shell in every governed account will be a root shell',
    );
  }
}

/** Which release and which config the stack was deployed from: doctor compares both. */
function releaseOutputs(scope: Construct, config: BootstrapperConfig): void {
  new CfnOutput(scope, VERSION_OUTPUT, {
    description: 'runas-bootstrapper version (doctor compares it with the forwarder stack and the CLI)',
    value: PRODUCT_VERSION,
  });
  new CfnOutput(scope, CONFIG_DIGEST_OUTPUT, {
    description: 'SHA-256 of the config this stack was synthesized from (doctor compares it with --config)',
    value: configDigest(config),
  });
}
