/** The parts of aws-local-stepfunctions' event log that the runtime reads. */
export interface EventLog {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input: unknown; output?: unknown };
  index?: number;
  Error?: string;
  Cause?: unknown;
  output?: unknown;
}
