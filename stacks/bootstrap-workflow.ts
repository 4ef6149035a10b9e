import path from 'node:path';
import { ArnFormat, type CfnElement, CfnOutput, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { BootstrapperConfig } from '#core/config/config.ts';
import type { HistoryBound } from '#core/deploy/limits.ts';
import { BOOTSTRAP_STATE_MACHINE_OUTPUT } from '#core/shared/names.ts';
import type { FileStateMachine } from './file-state-machine.ts';
import { NAG_REASONS } from './nag-reasons.ts';
import { checkBootstrapHistory } from './service-limits.ts';
import { StackSection } from './stack-section.ts';
import { STATE_MACHINE_DIR, STATE_MACHINES, taskStateMachine } from './state-machines.ts';
import type { TaskFunctions } from './task-functions.ts';

export interface BootstrapWorkflowProps {
  config: BootstrapperConfig;
  tasks: TaskFunctions;
}

/** The bootstrap state machine, which sets a vended account's preferences, and its output. */
export class BootstrapWorkflow extends StackSection {
  readonly stateMachine: FileStateMachine;
  /** The worst-case history of one bootstrap execution for this config (checked at synth). */
  readonly historyBound: HistoryBound;

  constructor(scope: Construct, id: string, { config, tasks }: BootstrapWorkflowProps) {
    super(scope, id);
    this.historyBound = checkBootstrapHistory(config, path.join(STATE_MACHINE_DIR, STATE_MACHINES.Bootstrap));
    this.stateMachine = taskStateMachine(this, 'Bootstrap', tasks.functions);
    this.#allowOwnerStatus(tasks.roles['resolve-request']);
    new CfnOutput(this, BOOTSTRAP_STATE_MACHINE_OUTPUT, {
      description: 'ARN of the bootstrap state machine (the CLI replays and checks through it)',
      value: this.stateMachine.stateMachineArn,
    });
  }

  /**
   * ResolveRequest asks whether a vend's owner execution still runs (DescribeExecution), to take
   * over a dead one at once. A separate policy: the function must not wait for the machine.
   */
  #allowOwnerStatus(resolveRequestRole: iam.Role): void {
    const stack = Stack.of(this);
    const ownerStatus = new iam.Policy(this, 'ResolveRequestOwnerStatus', {
      roles: [resolveRequestRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'DescribeVendOwnerExecution',
          actions: ['states:DescribeExecution'],
          resources: [
            stack.formatArn({
              service: 'states',
              resource: 'execution',
              resourceName: `${this.stateMachine.stateMachineName}:*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ],
        }),
      ],
    });
    const [region, account] = [stack.region, stack.account].map((v, i) =>
      Token.isUnresolved(v) ? ['<AWS::Region>', '<AWS::AccountId>'][i] : v,
    );
    const machine = `<${stack.getLogicalId(this.stateMachine.node.defaultChild as CfnElement)}.Name>`;
    Validations.of(ownerStatus).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${region}:${account}:execution:${machine}:*]`,
      reason: NAG_REASONS.vendOwnerExecutions,
    });
  }
}
