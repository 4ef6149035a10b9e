import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { AwsServiceError, type ExecutorContext, type StepFunctionsExecutor } from '../src/index.ts';
import { clientConfig, errorOf, MANAGEMENT, startCloud } from '../src/testing.ts';

const MACHINE = `arn:aws:states:us-east-1:${MANAGEMENT}:stateMachine:bootstrap`;

function fakeExecutor(calls: { op: string; context: ExecutorContext }[]): StepFunctionsExecutor {
  const started = new Date('2024-05-01T10:00:00Z');
  return {
    async startExecution(input, context) {
      calls.push({ op: 'start', context });
      return {
        executionArn: `${MACHINE.replace('stateMachine', 'execution')}:${input.name ?? 'generated'}`,
        startDate: started,
      };
    },
    async describeExecution(input) {
      if (!input.executionArn?.endsWith(':one'))
        throw new AwsServiceError('ExecutionDoesNotExist', 'Execution does not exist');
      return {
        executionArn: input.executionArn,
        stateMachineArn: MACHINE,
        status: 'SUCCEEDED',
        startDate: started,
        stopDate: started,
        input: '{}',
        output: '{"ok":true}',
      };
    },
    async listExecutions() {
      return {
        executions: [
          {
            executionArn: `${MACHINE}:one`,
            stateMachineArn: MACHINE,
            name: 'one',
            status: 'RUNNING',
            startDate: started,
          },
        ],
      };
    },
  };
}

describe('Step Functions', () => {
  it('fails StartExecution clearly when no executor is attached', async () => {
    // Prepare
    const cloud = await startCloud();
    // Act
    const error = await errorOf(
      new SFNClient(clientConfig(cloud)).send(new StartExecutionCommand({ stateMachineArn: MACHINE })),
    );
    // Assess
    expect(error.name).toBe('StateMachineDoesNotExist');
    expect(error.message).toContain('setExecutor');
  });

  it('delegates Start, Describe and List to the executor with the caller context and epoch dates', async () => {
    // Prepare
    const cloud = await startCloud();
    const calls: { op: string; context: ExecutorContext }[] = [];
    cloud.setExecutor(fakeExecutor(calls));
    const sfn = new SFNClient(clientConfig(cloud, 'us-east-1'));
    // Act
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'one', input: '{}' }),
    );
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: MACHINE }));
    const missing = await errorOf(sfn.send(new DescribeExecutionCommand({ executionArn: `${MACHINE}:two` })));
    // Assess
    expect(started.startDate?.toISOString()).toBe('2024-05-01T10:00:00.000Z');
    expect(described).toMatchObject({ status: 'SUCCEEDED', output: '{"ok":true}' });
    expect(listed.executions?.[0]?.name).toBe('one');
    expect(missing.name).toBe('ExecutionDoesNotExist');
    expect(calls[0]?.context).toEqual({
      accountId: MANAGEMENT,
      region: 'us-east-1',
      principalArn: `arn:aws:iam::${MANAGEMENT}:user/local-admin`,
    });
  });
});
