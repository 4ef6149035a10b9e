import {
  CodePipelineClient,
  ListActionExecutionsCommand,
  type ListActionExecutionsCommandInput,
  ListPipelineExecutionsCommand,
  PipelineNotFoundException,
} from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { PipelineHistory } from '#adapters/pipeline-history.ts';

const PIPELINE = 'AWSAccelerator-Pipeline';
const client = new CodePipelineClient({ region: 'us-east-1' });
const mock = mockClient(client);
const at = (hour: number) => new Date(Date.UTC(2026, 10, 30, hour));

afterEach(() => {
  mock.reset();
});

describe('PipelineHistory.runHistory', () => {
  it('reads each run since the given time with its own action executions', async () => {
    // Prepare
    mock.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [
        { pipelineExecutionId: 'run-2', status: 'InProgress', startTime: at(11), lastUpdateTime: at(12) },
        { pipelineExecutionId: 'run-1', status: 'Succeeded', startTime: at(9), lastUpdateTime: at(10) },
        { pipelineExecutionId: 'run-0', status: 'Succeeded', startTime: at(1), lastUpdateTime: at(2) },
      ],
    });
    mock.on(ListActionExecutionsCommand).callsFake((input: ListActionExecutionsCommandInput) => ({
      actionExecutionDetails: [
        {
          stageName: 'Deploy',
          actionName: `Action-of-${input.filter?.pipelineExecutionId}`,
          status: 'Succeeded',
          lastUpdateTime: at(12),
        },
      ],
    }));
    const history = new PipelineHistory(client, PIPELINE);
    // Act
    const runs = await history.runHistory(at(8).toISOString());
    // Assess
    expect(runs?.map((r) => [r.run.executionId, r.actions.map((a) => a.actionName)])).toEqual([
      ['run-2', ['Action-of-run-2']],
      ['run-1', ['Action-of-run-1']],
    ]);
    expect(mock.commandCalls(ListActionExecutionsCommand)).toHaveLength(2);
  });

  it('has no history when the pipeline does not exist, and reads no actions', async () => {
    // Prepare
    mock
      .on(ListPipelineExecutionsCommand)
      .rejects(new PipelineNotFoundException({ message: 'no such pipeline', $metadata: {} }));
    const history = new PipelineHistory(client, PIPELINE);
    // Act
    const runs = await history.runHistory(at(8).toISOString());
    // Assess
    expect(runs).toBeUndefined();
    expect(mock.commandCalls(ListActionExecutionsCommand)).toHaveLength(0);
  });
});
