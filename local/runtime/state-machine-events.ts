/** The parts of aws-local-stepfunctions' event log that the runtime reads. */
export interface EventLog {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input: unknown; output?: unknown };
  index?: number;
  /** Map iteration events: the Map state they belong to. */
  parentState?: { name: string; type: string; input: unknown };
  Error?: string;
  Cause?: unknown;
  output?: unknown;
}
