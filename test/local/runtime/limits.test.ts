import { type LocalCloud, startLocalCloud } from '@runas-bootstrapper/local-cloud';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '#core/config/config.ts';
import { BOOTSTRAP_STATE_MACHINE } from '#core/shared/names.ts';
import { pipelineDefaultsFor } from '#local/runtime/deployment.ts';
import {
  EXPRESS_CHILD_TASK_SUFFIX,
  MAX_HISTORY_EVENTS,
  MAX_STATE_PAYLOAD_BYTES,
  parentHistoryEventsOf,
} from '#local/runtime/limits.ts';
import { LocalRuntime } from '#local/runtime/runtime.ts';
import {
  type LambdaHandler,
  LocalStateMachine,
  localFunctionArn,
  placeholdersOf,
  readDefinition,
} from '#local/runtime/state-machine.ts';
import { onVirtualTime } from '#test/virtual-clock.ts';

const MANAGEMENT = '999999999999';
const config = parseConfig({ runAsDefaultUser: 'ec2-user', governedRegions: ['us-east-1'] });
let cloud: LocalCloud | undefined;
let runtime: LocalRuntime | undefined;

onVirtualTime();

afterEach(async () => {
  runtime?.stop();
  await cloud?.close();
  cloud = undefined;
  runtime = undefined;
});

/** The local runtime, with the bootstrap state machine replaced by `definition`. */
async function runtimeWith(definition: Record<string, unknown>) {
  cloud = await startLocalCloud({
    port: 0,
    pipelineDefaults: pipelineDefaultsFor(config),
    scenario: { managementAccountId: MANAGEMENT, homeRegion: 'us-east-1' },
  });
  runtime = await LocalRuntime.start({
    host: cloud,
    config,
    managementAccountId: MANAGEMENT,
    homeRegion: 'us-east-1',
    transformDefinition: () => definition,
  });
  return runtime;
}

/** A handler for every placeholder of a deployed ASL file, so that a transformed definition can replace it. */
function unusedFunctions(name: string): Record<string, LambdaHandler> {
  return Object.fromEntries(
    [...placeholdersOf(readDefinition(name))].map((placeholder) => [
      placeholder,
      (async () => {
        throw new Error(`${placeholder} is not part of this test`);
      }) as LambdaHandler,
    ]),
  );
}

/** An inline Map of `items` iterations of one Pass state: four history events per item. */
function passMap(items: number) {
  return {
    StartAt: 'Items',
    States: {
      Items: { Type: 'Pass', Result: Array.from({ length: items }, (_, i) => i), Next: 'Each' },
      Each: {
        Type: 'Map',
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'Nothing',
          States: { Nothing: { Type: 'Pass', Result: 0, End: true } },
        },
        ResultPath: null,
        Next: 'Done',
      },
      Done: { Type: 'Succeed' },
    },
  };
}

describe('the local engine enforces the 25,000-event history of a Standard execution', () => {
  it('fails an execution whose history passes 25,000 events with States.Runtime', async () => {
    // Prepare: 6,500 iterations × 4 events.
    const local = await runtimeWith(passMap(6_500));
    // Act
    const record = local.startExecution(BOOTSTRAP_STATE_MACHINE, {});
    await record.done;
    // Assess
    expect(record.status).toBe('FAILED');
    expect(record.error).toBe('States.Runtime');
    expect(record.cause).toMatch(new RegExp(`over the ${MAX_HISTORY_EVENTS}`));
  });

  it('lets the same execution finish under the limit', async () => {
    // Prepare: 5,000 iterations × 4 events, plus the states around them.
    const local = await runtimeWith(passMap(5_000));
    // Act
    const record = local.startExecution(BOOTSTRAP_STATE_MACHINE, {});
    await record.done;
    // Assess
    expect(record.status).toBe('SUCCEEDED');
  });
});

describe('the local engine enforces the 256 KiB state payload', () => {
  it('fails the execution with States.DataLimitExceeded when a state output is too large', async () => {
    // Prepare
    const local = await runtimeWith({
      StartAt: 'Big',
      States: {
        Big: { Type: 'Pass', Result: 'x'.repeat(MAX_STATE_PAYLOAD_BYTES), Next: 'After' },
        After: { Type: 'Succeed' },
      },
    });
    // Act
    const record = local.startExecution(BOOTSTRAP_STATE_MACHINE, {});
    await record.done;
    // Assess
    expect(record.status).toBe('FAILED');
    expect(record.error).toBe('States.DataLimitExceeded');
    expect(record.cause).toMatch(/The output of Big is \d+ bytes, over the 262144-byte/);
  });

  it('lets no Catch, not even States.ALL, handle a too large Task result', async () => {
    // Prepare
    const calls: string[] = [];
    const handler =
      (name: string, result: unknown): LambdaHandler =>
      async () => {
        calls.push(name);
        return result;
      };
    const machine = new LocalStateMachine({
      name: 'bootstrap',
      region: 'us-east-1',
      functions: {
        ...unusedFunctions('bootstrap'),
        BigFunctionArn: handler('big', { blob: 'x'.repeat(MAX_STATE_PAYLOAD_BYTES) }),
        AfterFunctionArn: handler('after', {}),
      },
      transform: () => ({
        StartAt: 'Big',
        States: {
          Big: {
            Type: 'Task',
            Resource: localFunctionArn('BigFunctionArn', 'us-east-1'),
            Catch: [{ ErrorEquals: ['States.ALL'], Next: 'After' }],
            Next: 'After',
          },
          After: { Type: 'Task', Resource: localFunctionArn('AfterFunctionArn', 'us-east-1'), End: true },
        },
      }),
    });
    // Act
    const error = await machine.run({}).result.catch((e: { name?: string; cause?: { name?: string } }) => e);
    // Assess
    expect((error as { cause?: { name?: string } }).cause?.name ?? (error as Error).name).toBe(
      'States.DataLimitExceeded',
    );
    expect(calls).toEqual(['big']);
  });
});

describe('the local engine holds Express children of a distributed Map to 5 minutes', () => {
  function sweepLike(childWaitSeconds: number) {
    return {
      StartAt: 'Accounts',
      States: {
        Accounts: { Type: 'Pass', Result: { accounts: ['a', 'b'] }, Next: 'EachAccount' },
        EachAccount: {
          Type: 'Map',
          ItemsPath: '$.accounts',
          ResultPath: '$.results',
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' },
            StartAt: 'Work',
            States: {
              // A Catch inside the child cannot save it from its own time limit.
              Work: { Type: 'Wait', Seconds: childWaitSeconds, Next: 'Done' },
              Done: { Type: 'Pass', Result: 'done', End: true },
            },
          },
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.batchError', Next: 'BatchFailed' }],
          Next: 'AllDone',
        },
        BatchFailed: { Type: 'Pass', End: true },
        AllDone: { Type: 'Pass', End: true },
      },
    };
  }

  function machine(childWaitSeconds: number) {
    return new LocalStateMachine({
      name: 'sweep',
      region: 'us-east-1',
      functions: unusedFunctions('sweep'),
      transform: () => sweepLike(childWaitSeconds),
    });
  }

  it('fails a child that runs past 5 simulated minutes, and the Map with States.ExceedToleratedFailureThreshold', async () => {
    // Act
    const output = (await machine(400).run({}).result) as { batchError?: { Error: string; Cause: string } };
    // Assess
    expect(output.batchError?.Error).toBe('States.ExceedToleratedFailureThreshold');
    expect(output.batchError?.Cause).toMatch(
      /States\.Timeout: Express executions are limited to 300 seconds/,
    );
  });

  it('lets children inside the limit finish', async () => {
    // Act
    const output = await machine(200).run({}).result;
    // Assess
    expect(output).toEqual({ accounts: ['a', 'b'], results: ['done', 'done'] });
  });
});

describe("a parent execution's history", () => {
  it('counts a distributed Map as its map run, not one set of events per item; an inline Map per item', () => {
    // Prepare: one item of a distributed Map (SweepAccounts) and one of an inline Map (ApplyRegions).
    const distributed = new Set(['SweepAccounts']);
    const map = { name: 'SweepAccounts', type: 'Map', input: [] };
    const inline = { name: 'ApplyRegions', type: 'Map', input: [] };
    const child = { name: `SweepAccounts${EXPRESS_CHILD_TASK_SUFFIX}`, type: 'Task', input: {} };
    const task = { name: 'ApplyPreferences', type: 'Task', input: {} };
    const distributedItem = [
      { type: 'MapIterationStarted', timestamp: 0, index: 0, parentState: map },
      { type: 'StateEntered', timestamp: 0, index: 0, state: child },
      { type: 'StateExited', timestamp: 0, index: 0, state: child },
      { type: 'MapIterationSucceeded', timestamp: 0, index: 0, parentState: map },
    ];
    const inlineItem = [
      { type: 'MapIterationStarted', timestamp: 0, index: 0, parentState: inline },
      { type: 'StateEntered', timestamp: 0, index: 0, state: task },
      { type: 'StateExited', timestamp: 0, index: 0, state: task },
      { type: 'MapIterationSucceeded', timestamp: 0, index: 0, parentState: inline },
    ];
    // Act
    const count = (events: typeof distributedItem) =>
      events.reduce((sum, e) => sum + parentHistoryEventsOf(e, distributed), 0);
    // Assess: the child's events are its own history; the inline item's are the parent's (1+3+2+1).
    expect(count(distributedItem)).toBe(0);
    expect(count(inlineItem)).toBe(7);
  });
});
