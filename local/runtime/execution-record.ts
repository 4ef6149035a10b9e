/** One execution of a local state machine, as the runtime records it and the Step Functions API reports it. */
import type { EventLog } from './state-machine-events.ts';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: unknown;
  /** The rule that started it, or `StartExecution`. */
  startedBy: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  output?: unknown;
  error?: string;
  cause?: string;
  events: EventLog[];
  done: Promise<void>;
}
