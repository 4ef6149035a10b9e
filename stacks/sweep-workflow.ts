import { CfnOutput, Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type { Construct } from 'constructs';
import type { BootstrapperConfig } from '#core/config/config.ts';
import { SWEEP_STATE_MACHINE_OUTPUT } from '#core/shared/names.ts';
import type { FileStateMachine } from './file-state-machine.ts';
import type { Monitoring } from './monitoring.ts';
import { StackSection } from './stack-section.ts';
import { taskStateMachine } from './state-machines.ts';
import type { TaskFunctions } from './task-functions.ts';

/** The sweep's schedule lives in Scheduler's default group (its metrics are per group). */
const SCHEDULE_GROUP = 'default';

export interface SweepWorkflowProps {
  config: BootstrapperConfig;
  tasks: TaskFunctions;
}

/**
 * The sweep: a state machine that checks (and repairs) every account of the organization through a
 * Distributed Map, its output, and the schedule that runs it from `config.sweep.schedule`.
 */
export class SweepWorkflow extends StackSection {
  readonly stateMachine: FileStateMachine;
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, { config, tasks }: SweepWorkflowProps) {
    super(scope, id);
    this.stateMachine = taskStateMachine(this, 'Sweep', tasks.functions);
    const childExecutions = this.stateMachine.allowDistributedMap();
    new CfnOutput(this, SWEEP_STATE_MACHINE_OUTPUT, {
      description: 'ARN of the sweep state machine (runas-bootstrapper sweep starts it)',
      value: this.stateMachine.stateMachineArn,
    });
    this.schedule = new scheduler.Schedule(this, 'SweepSchedule', {
      description: `runas-bootstrapper sweep (${config.sweep.repair ? 'repair' : 'check only'})`,
      schedule: scheduler.ScheduleExpression.expression(config.sweep.schedule),
      enabled: config.sweep.enabled,
      target: new schedulerTargets.StepFunctionsStartExecution(this.stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({ repair: config.sweep.repair }),
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
    });
    // The first scheduled run must find the Distributed Map's permissions in place.
    this.schedule.node.addDependency(childExecutions);
  }

  /** Alarm when Scheduler gives up on a scheduled sweep, so a missed daily sweep is heard of. */
  alarmOnDroppedRuns(monitoring: Monitoring): void {
    monitoring.addFailureAlarm(
      'SweepScheduleDroppedAlarm',
      new cw.Metric({
        namespace: 'AWS/Scheduler',
        metricName: 'InvocationDroppedCount',
        dimensionsMap: { ScheduleGroup: SCHEDULE_GROUP },
        statistic: 'Sum',
        period: Duration.hours(1),
        label: 'Scheduled sweeps dropped',
      }),
      {
        alarmName: 'SweepScheduleDropped',
        threshold: 0,
        // No data means Scheduler dropped nothing.
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
        alarmDescription:
          'EventBridge Scheduler could not start the scheduled sweep after every retry, so the daily sweep did not ' +
          'run. Check the schedule role and the Scheduler console for the target error, then run ' +
          '`runas-bootstrapper sweep --repair` by hand.',
      },
    );
  }
}
