import { CfnOutput, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type { Construct } from 'constructs';
import type { BootstrapperConfig } from '#core/config/config.ts';
import { FOLLOW_UP_STATE_MACHINE_OUTPUT } from '#core/shared/names.ts';
import type { FileStateMachine } from './file-state-machine.ts';
import { StackSection } from './stack-section.ts';
import { taskStateMachine } from './state-machines.ts';
import type { TaskFunctions } from './task-functions.ts';

export interface FollowUpWorkflowProps {
  config: BootstrapperConfig;
  tasks: TaskFunctions;
  /** Re-driven by the reconciler for a vend whose owner ended with a region unverified. */
  bootstrap: FileStateMachine;
  /** Started as a repair sweep after an LZA below 1.14 ran Security_Resources. */
  sweep: FileStateMachine;
}

/**
 * The follow-up: a state machine that follows LZA for the open vends (started by its pipeline's
 * action events, see event-routing.ts), its output, and the reconciler's schedule for the events missed.
 */
export class FollowUpWorkflow extends StackSection {
  readonly stateMachine: FileStateMachine;

  constructor(scope: Construct, id: string, { config, tasks, bootstrap, sweep }: FollowUpWorkflowProps) {
    super(scope, id);
    this.stateMachine = taskStateMachine(this, 'FollowUp', tasks.functions, {
      SweepStateMachineArn: sweep.stateMachineArn,
      BootstrapStateMachineArn: bootstrap.stateMachineArn,
    });
    this.#allowStarts(bootstrap, sweep);
    new CfnOutput(this, FOLLOW_UP_STATE_MACHINE_OUTPUT, {
      description: 'ARN of the follow-up state machine (LZA action events and the vend reconciler start it)',
      value: this.stateMachine.stateMachineArn,
    });
    new scheduler.Schedule(this, 'ReconcileSchedule', {
      description: 'runas-bootstrapper vend reconciler: settles vends whose LZA pipeline events were missed',
      schedule: scheduler.ScheduleExpression.expression(config.lza.reconcileSchedule),
      enabled: config.lza.measureGap !== false,
      target: new schedulerTargets.StepFunctionsStartExecution(this.stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({ reconcile: true }),
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
    });
  }

  /** The executions the follow-up starts: a repair sweep, a vend's re-drive, its own continuation. */
  #allowStarts(bootstrap: FileStateMachine, sweep: FileStateMachine): void {
    const role = this.stateMachine.executionRole;
    // LZA below 1.14 resets RunAs in every account its Security_Resources touches: the follow-up starts a repair sweep.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'StartRepairSweep',
        actions: ['states:StartExecution'],
        resources: [sweep.stateMachineArn],
      }),
    );
    // The reconciler re-drives a vend whose owner ended with a region unverified.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RedriveVends',
        actions: ['states:StartExecution'],
        resources: [bootstrap.stateMachineArn],
      }),
    );
    // A plan cut to one execution's limits continues in a new execution of the same machine. In a
    // policy of its own: the role's default policy is a dependency of the machine, so naming the
    // machine there would be circular.
    new iam.Policy(this, 'FollowUpContinuation', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'ContinueFollowUp',
          actions: ['states:StartExecution'],
          resources: [this.stateMachine.stateMachineArn],
        }),
      ],
    });
  }
}
