import { SFNClient } from '@aws-sdk/client-sfn';
import { createClient } from '#adapters/clients.ts';
import { ExecutionStatus } from '#adapters/execution-status.ts';
import type { HandlerEnvironment } from './environment.ts';

/** Whether an execution (a vend's owner) still runs: Step Functions DescribeExecution. */
export function executionStatus(environment: HandlerEnvironment): ExecutionStatus {
  return new ExecutionStatus(createClient(SFNClient, 'sfn', environment.clients));
}
