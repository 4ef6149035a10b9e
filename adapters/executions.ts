import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  DescribeStateMachineCommand,
  ListExecutionsCommand,
  ListMapRunsCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';

export { isExecutionAlreadyExists } from './aws-errors.ts';

/** One execution as the CLI follows it. */
export interface ExecutionDescription {
  executionArn: string;
  status: string;
  startDate?: Date;
  stopDate?: Date;
  error?: string;
  cause?: string;
  input?: string;
  output?: string;
}

/** One Distributed Map run and its item counts. */
export interface MapRunDescription {
  mapRunArn: string;
  status: string;
  itemCounts?: {
    total?: number;
    succeeded?: number;
    failed?: number;
    timedOut?: number;
    aborted?: number;
    running?: number;
    pending?: number;
  };
}

/** Starts and reads Step Functions executions and their map runs. SDK errors propagate. */
export class StateMachineExecutions {
  readonly #client: SFNClient;

  constructor(client: SFNClient) {
    this.#client = client;
  }

  /** Start a named execution; returns its ARN. */
  async start(stateMachineArn: string, name: string, input: unknown): Promise<string> {
    const { executionArn } = await this.#client.send(
      new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
    );
    if (!executionArn) throw new Error('StartExecution returned no execution ARN');
    return executionArn;
  }

  async describe(executionArn: string): Promise<ExecutionDescription> {
    const d = await this.#client.send(new DescribeExecutionCommand({ executionArn }));
    return {
      executionArn,
      status: d.status ?? 'UNKNOWN',
      ...(d.startDate ? { startDate: d.startDate } : {}),
      ...(d.stopDate ? { stopDate: d.stopDate } : {}),
      ...(d.error ? { error: d.error } : {}),
      ...(d.cause ? { cause: d.cause } : {}),
      ...(d.input !== undefined ? { input: d.input } : {}),
      ...(d.output !== undefined ? { output: d.output } : {}),
    };
  }

  /**
   * The state machine's executions, newest first (the order ListExecutions returns), back to the
   * first one that started before `since` (epoch ms). The caller may stop early.
   */
  async *startedSince(stateMachineArn: string, since: number): AsyncGenerator<string> {
    let nextToken: string | undefined;
    do {
      const page = await this.#client.send(
        new ListExecutionsCommand({ stateMachineArn, nextToken, maxResults: 100 }),
      );
      for (const item of page.executions ?? []) {
        if (!item.executionArn) continue;
        if (item.startDate && item.startDate.getTime() < since) return;
        yield item.executionArn;
      }
      nextToken = page.nextToken;
    } while (nextToken);
  }

  /**
   * Every map run of the execution, described. Runs that have ended never change again, so they
   * are kept in `finished` and described only once.
   */
  async mapRuns(
    executionArn: string,
    finished: Map<string, MapRunDescription>,
  ): Promise<MapRunDescription[]> {
    const runs: MapRunDescription[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.#client.send(new ListMapRunsCommand({ executionArn, nextToken }));
      for (const item of page.mapRuns ?? []) {
        if (!item.mapRunArn) continue;
        const known = finished.get(item.mapRunArn);
        if (known) {
          runs.push(known);
          continue;
        }
        const run = await this.#client.send(new DescribeMapRunCommand({ mapRunArn: item.mapRunArn }));
        const described: MapRunDescription = {
          mapRunArn: item.mapRunArn,
          status: run.status ?? 'UNKNOWN',
          ...(run.itemCounts ? { itemCounts: run.itemCounts } : {}),
        };
        if (run.status && run.status !== 'RUNNING') finished.set(item.mapRunArn, described);
        runs.push(described);
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return runs;
  }

  /** The state machine's status (`ACTIVE`, `DELETING`). */
  async stateMachineStatus(stateMachineArn: string): Promise<string> {
    const { status } = await this.#client.send(new DescribeStateMachineCommand({ stateMachineArn }));
    return status ?? 'UNKNOWN';
  }
}
