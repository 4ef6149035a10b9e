import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  DescribeStateMachineCommand,
  ListExecutionsCommand,
  ListMapRunsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  isExecutionAlreadyExists,
  type MapRunDescription,
  StateMachineExecutions,
} from '#adapters/executions.ts';

const sfn = mockClient(SFNClient);
const executions = () => new StateMachineExecutions(new SFNClient({ region: 'us-east-1', maxAttempts: 1 }));
const MACHINE = 'arn:aws:states:us-east-1:111122223333:stateMachine:runas-bootstrapper-sweep';
const execution = (n: number) =>
  `arn:aws:states:us-east-1:111122223333:execution:runas-bootstrapper-sweep:e${n}`;

describe('StateMachineExecutions', () => {
  beforeEach(() => sfn.reset());

  it('starts a named execution with its input as JSON and returns its ARN', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({ executionArn: execution(1), startDate: new Date() });

    // Act
    const arn = await executions().start(MACHINE, 'sweep-check-1', { repair: false });

    // Assess
    expect(arn).toBe(execution(1));
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: MACHINE,
      name: 'sweep-check-1',
      input: '{"repair":false}',
    });
  });

  it('recognises a reused execution name by the SDK error name', async () => {
    // Prepare
    sfn
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' }));

    // Act
    const error = await executions()
      .start(MACHINE, 'again', {})
      .catch((e: unknown) => e);

    // Assess
    expect(isExecutionAlreadyExists(error)).toBe(true);
  });

  it('describes an execution without the SDK shape', async () => {
    // Prepare
    const startDate = new Date('2026-12-01T10:00:00Z');
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: execution(1),
      stateMachineArn: MACHINE,
      status: 'FAILED',
      startDate,
      error: 'RegionsFailedError',
      cause: 'eu-west-1',
      input: '{}',
    });

    // Act
    const described = await executions().describe(execution(1));

    // Assess
    expect(described).toEqual({
      executionArn: execution(1),
      status: 'FAILED',
      startDate,
      error: 'RegionsFailedError',
      cause: 'eu-west-1',
      input: '{}',
    });
  });

  it('lists executions newest first across pages and stops at the first one older than since', async () => {
    // Prepare
    const at = (s: number) => new Date(1_800_000_000_000 + s * 1000);
    const item = (n: number, s: number) => ({
      executionArn: execution(n),
      stateMachineArn: MACHINE,
      name: `e${n}`,
      status: 'RUNNING' as const,
      startDate: at(s),
    });
    sfn
      .on(ListExecutionsCommand, { stateMachineArn: MACHINE, nextToken: undefined })
      .resolves({ executions: [item(4, 40), item(3, 30)], nextToken: 'p2' })
      .on(ListExecutionsCommand, { stateMachineArn: MACHINE, nextToken: 'p2' })
      .resolves({ executions: [item(2, 20), item(1, 10)], nextToken: 'p3' });

    // Act
    const seen: string[] = [];
    for await (const arn of executions().startedSince(MACHINE, at(15).getTime())) seen.push(arn);

    // Assess
    expect(seen).toEqual([execution(4), execution(3), execution(2)]);
    expect(sfn).toHaveReceivedCommandTimes(ListExecutionsCommand, 2);
  });

  it('describes each map run, and a finished run only once', async () => {
    // Prepare
    const run = (n: number) =>
      `arn:aws:states:us-east-1:111122223333:mapRun:runas-bootstrapper-sweep/e1:m${n}`;
    sfn.on(ListMapRunsCommand).resolves({
      mapRuns: [
        { mapRunArn: run(1), executionArn: execution(1), stateMachineArn: MACHINE, startDate: new Date() },
        { mapRunArn: run(2), executionArn: execution(1), stateMachineArn: MACHINE, startDate: new Date() },
      ],
    });
    const counts = { total: 20, succeeded: 20, failed: 0, timedOut: 0, aborted: 0, running: 0, pending: 0 };
    sfn
      .on(DescribeMapRunCommand, { mapRunArn: run(1) })
      .resolves({ mapRunArn: run(1), status: 'SUCCEEDED', itemCounts: counts } as never)
      .on(DescribeMapRunCommand, { mapRunArn: run(2) })
      .resolves({
        mapRunArn: run(2),
        status: 'RUNNING',
        itemCounts: { ...counts, succeeded: 5, running: 15 },
      } as never);
    const finished = new Map<string, MapRunDescription>();
    const adapter = executions();

    // Act
    await adapter.mapRuns(execution(1), finished);
    const second = await adapter.mapRuns(execution(1), finished);

    // Assess
    expect(second.map((r) => [r.status, r.itemCounts?.succeeded])).toEqual([
      ['SUCCEEDED', 20],
      ['RUNNING', 5],
    ]);
    expect([...finished.keys()]).toEqual([run(1)]);
    expect(sfn).toHaveReceivedCommandWith(DescribeMapRunCommand, { mapRunArn: run(1) });
    expect(sfn.commandCalls(DescribeMapRunCommand, { mapRunArn: run(1) })).toHaveLength(1);
    expect(sfn.commandCalls(DescribeMapRunCommand, { mapRunArn: run(2) })).toHaveLength(2);
  });

  it("reads a state machine's status", async () => {
    // Prepare
    sfn.on(DescribeStateMachineCommand, { stateMachineArn: MACHINE }).resolves({ status: 'ACTIVE' } as never);

    // Act / Assess
    expect(await executions().stateMachineStatus(MACHINE)).toBe('ACTIVE');
  });
});
