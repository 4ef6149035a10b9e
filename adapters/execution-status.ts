import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { classifyManagementError, hasName } from './aws-errors.ts';

/**
 * Whether a vend's owner execution is still running: DescribeExecution's `status` is RUNNING
 * until the execution succeeds, fails, times out or is aborted (Step Functions API Reference,
 * DescribeExecution). A later trigger of the same vend takes over as soon as it is not.
 */
export class ExecutionStatus {
  readonly #client: SFNClient;

  constructor(client: SFNClient) {
    this.#client = client;
  }

  /** True once the execution has ended (or no longer exists: its history is gone, it runs no more). */
  async hasEnded(executionArn: string): Promise<boolean> {
    try {
      const { status } = await this.#client.send(new DescribeExecutionCommand({ executionArn }));
      return status !== undefined && status !== 'RUNNING' && status !== 'PENDING_REDRIVE';
    } catch (error) {
      if (hasName(error, 'ExecutionDoesNotExist')) return true;
      throw classifyManagementError(error, `DescribeExecution ${executionArn}`);
    }
  }
}
