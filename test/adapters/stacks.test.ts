import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { isServiceNotServed, isStackMissing, StackReader } from '#adapters/stacks.ts';

const cloudFormation = mockClient(CloudFormationClient);
const reader = () => new StackReader(new CloudFormationClient({ region: 'eu-west-1', maxAttempts: 1 }));
const sdkError = (name: string) => Object.assign(new Error(`${name} happened`), { name, $metadata: {} });

describe('StackReader', () => {
  beforeEach(() => cloudFormation.reset());

  it('describes a stack with its status and its outputs by key', async () => {
    // Prepare
    cloudFormation.on(DescribeStacksCommand, { StackName: 'RunAsBootstrapper' }).resolves({
      Stacks: [
        {
          StackName: 'RunAsBootstrapper',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: [
            { OutputKey: 'Version', OutputValue: '0.1.0' },
            {
              OutputKey: 'SweepStateMachineArn',
              OutputValue: 'arn:aws:states:eu-west-1:111122223333:stateMachine:s',
            },
          ],
        },
      ],
    });

    // Act
    const stack = await reader().describe('RunAsBootstrapper');

    // Assess
    expect(stack).toEqual({
      name: 'RunAsBootstrapper',
      status: 'UPDATE_COMPLETE',
      outputs: {
        Version: '0.1.0',
        SweepStateMachineArn: 'arn:aws:states:eu-west-1:111122223333:stateMachine:s',
      },
    });
    expect(cloudFormation).toHaveReceivedCommandTimes(DescribeStacksCommand, 1);
  });

  it('lets a missing stack fail with the error CloudFormation gave, which isStackMissing recognises', async () => {
    // Prepare
    cloudFormation.on(DescribeStacksCommand).rejects(sdkError('ValidationError'));

    // Act
    const error = await reader()
      .describe('Nope')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'ValidationError' });
    expect(isStackMissing(error)).toBe(true);
    expect(isServiceNotServed(error)).toBe(false);
  });

  it('recognises an endpoint that does not serve CloudFormation', () => {
    // Prepare / Act / Assess
    expect(isServiceNotServed(sdkError('UnknownOperationException'))).toBe(true);
    expect(isServiceNotServed(sdkError('InvalidAction'))).toBe(true);
    expect(isStackMissing(sdkError('AccessDenied'))).toBe(false);
  });
});
