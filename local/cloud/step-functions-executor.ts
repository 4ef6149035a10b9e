import type {
  DescribeExecutionInput,
  DescribeExecutionOutput,
  ListExecutionsInput,
  ListExecutionsOutput,
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
}
