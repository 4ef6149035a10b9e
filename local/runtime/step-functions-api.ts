/**
 * The Step Functions API over the local runtime's executions: what the local cloud answers
 * to StartExecution, DescribeExecution, ListExecutions, ListMapRuns and DescribeMapRun.
 */
import type {
  DescribeExecutionOutput,
  DescribeMapRunOutput,
  ExecutionListItem,
  StartExecutionOutput,
} from '@aws-sdk/client-sfn';
import { AwsServiceError, type StepFunctionsExecutor } from '@runas-bootstrapper/local-cloud';
import type { ExecutionRecord } from './execution-record.ts';

/** What the API needs of the runtime. */
export interface ExecutionSource {
  startExecution(machineName: string, input: unknown, options?: { name?: string }): ExecutionRecord;
  /** The execution, or ExecutionDoesNotExist. */
  execution(executionArn: string | undefined): ExecutionRecord;
  executions(): ExecutionRecord[];
  mapRuns(
    record: ExecutionRecord,
  ): { mapRunArn: string; startDate: Date; stopDate?: Date; description: DescribeMapRunOutput }[];
}

export function stepFunctionsApi(runtime: ExecutionSource): StepFunctionsExecutor {
  return {
    startExecution: async (input): Promise<StartExecutionOutput> => {
      let parsed: unknown = {};
      try {
        parsed = input.input === undefined ? {} : JSON.parse(input.input);
      } catch {
        throw new AwsServiceError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not JSON');
      }
      const record = runtime.startExecution(input.stateMachineArn ?? '', parsed, {
        ...(input.name ? { name: input.name } : {}),
      });
      return { executionArn: record.executionArn, startDate: record.startDate };
    },
    describeExecution: async (input): Promise<DescribeExecutionOutput> => {
      const record = runtime.execution(input.executionArn);
      return {
        executionArn: record.executionArn,
        stateMachineArn: record.stateMachineArn,
        name: record.name,
        status: record.status,
        startDate: record.startDate,
        ...(record.stopDate ? { stopDate: record.stopDate } : {}),
        input: JSON.stringify(record.input),
        ...(record.output !== undefined ? { output: JSON.stringify(record.output) } : {}),
        ...(record.error ? { error: record.error, cause: record.cause ?? '' } : {}),
      };
    },
    listMapRuns: async (input) => {
      const record = runtime.execution(input.executionArn);
      const runs = runtime.mapRuns(record);
      const start = input.nextToken ? Number(input.nextToken) : 0;
      const size = input.maxResults && input.maxResults > 0 ? input.maxResults : 100;
      return {
        mapRuns: runs.slice(start, start + size).map((run) => ({
          executionArn: record.executionArn,
          mapRunArn: run.mapRunArn,
          stateMachineArn: record.stateMachineArn,
          startDate: run.startDate,
          ...(run.stopDate ? { stopDate: run.stopDate } : {}),
        })),
        ...(start + size < runs.length ? { nextToken: String(start + size) } : {}),
      };
    },
    describeMapRun: async (input): Promise<DescribeMapRunOutput> => {
      const run = runtime
        .executions()
        .flatMap((record) => runtime.mapRuns(record))
        .find((r) => r.mapRunArn === input.mapRunArn);
      if (!run) throw new AwsServiceError('ResourceNotFound', `Resource not found: '${input.mapRunArn}'`);
      return run.description;
    },
    listExecutions: async (input) => {
      const items: ExecutionListItem[] = runtime
        .executions()
        .filter((e) => e.stateMachineArn === input.stateMachineArn)
        .filter((e) => !input.statusFilter || e.status === input.statusFilter)
        .sort((a, b) => b.startDate.getTime() - a.startDate.getTime())
        .map((e) => ({
          executionArn: e.executionArn,
          stateMachineArn: e.stateMachineArn,
          name: e.name,
          status: e.status,
          startDate: e.startDate,
          ...(e.stopDate ? { stopDate: e.stopDate } : {}),
        }));
      const start = input.nextToken ? Number(input.nextToken) : 0;
      const size = input.maxResults && input.maxResults > 0 ? input.maxResults : 100;
      const page = items.slice(start, start + size);
      return {
        executions: page,
        ...(start + size < items.length ? { nextToken: String(start + size) } : {}),
      };
    },
  };
}
