import type {
  DescribeExecutionInput,
  DescribeExecutionOutput,
  DescribeMapRunInput,
  DescribeMapRunOutput,
  ListExecutionsInput,
  ListExecutionsOutput,
  ListMapRunsInput,
  ListMapRunsOutput,
  StartExecutionInput,
  StartExecutionOutput,
} from '@aws-sdk/client-sfn';

/** Who is calling Step Functions, as the local cloud authenticated them. */
export interface ExecutorContext {
  accountId: string;
  region: string;
  principalArn: string;
}

/**
 * The engine behind the local Step Functions API. The local cloud handles the wire protocol,
 * identity and faults, then delegates. Throw an `AwsServiceError` (for example
 * `new AwsServiceError('ExecutionDoesNotExist', '…')`) to answer with a Step Functions error;
 * an error whose `name` is a Step Functions error code (as SDK exceptions have) is answered
 * with that code; anything else becomes a 500.
 */
export interface StepFunctionsExecutor {
  startExecution(input: StartExecutionInput, context: ExecutorContext): Promise<StartExecutionOutput>;
  describeExecution(
    input: DescribeExecutionInput,
    context: ExecutorContext,
  ): Promise<DescribeExecutionOutput>;
  listExecutions(input: ListExecutionsInput, context: ExecutorContext): Promise<ListExecutionsOutput>;
  /** Distributed Map runs; an executor without them answers as if no execution had any. */
  listMapRuns?(input: ListMapRunsInput, context: ExecutorContext): Promise<ListMapRunsOutput>;
  describeMapRun?(input: DescribeMapRunInput, context: ExecutorContext): Promise<DescribeMapRunOutput>;
}
