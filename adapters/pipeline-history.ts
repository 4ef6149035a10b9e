import {
  type CodePipelineClient,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
} from '@aws-sdk/client-codepipeline';
import type { PipelineAction, PipelineRun } from '#core/follow-up/gap.ts';
import type { RunHistory } from '#core/follow-up/plan.ts';
import { classifyManagementError, hasName } from './aws-errors.ts';
import { PipelineLayouts } from './organization-shape.ts';

/** The LZA pipeline's history, read-only, in the management account's home region. */
export class PipelineHistory {
  readonly #client: CodePipelineClient;
  readonly #pipelineName: string;

  constructor(client: CodePipelineClient, pipelineName: string) {
    this.#client = client;
    this.#pipelineName = pipelineName;
  }

  /**
   * Runs that were still going at `since` or started after it, newest first. Paging stops at
   * the first run that ended before `since`. Undefined when the pipeline does not exist.
   */
  async runsSince(since: string): Promise<PipelineRun[] | undefined> {
    const sinceMs = Date.parse(since);
    const runs: PipelineRun[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.#client.send(
          new ListPipelineExecutionsCommand({ pipelineName: this.#pipelineName, nextToken, maxResults: 50 }),
        );
        let older = false;
        for (const s of page.pipelineExecutionSummaries ?? []) {
          if (!s.pipelineExecutionId || !s.startTime) continue;
          const last = s.lastUpdateTime ?? s.startTime;
          const run: PipelineRun = {
            executionId: s.pipelineExecutionId,
            status: s.status ?? 'InProgress',
            startTime: s.startTime.toISOString(),
            lastUpdateTime: last.toISOString(),
          };
          if (run.status !== 'InProgress' && last.getTime() < sinceMs) older = true;
          else runs.push(run);
        }
        nextToken = older ? undefined : page.nextToken;
      } while (nextToken);
    } catch (error) {
      if (hasName(error, 'PipelineNotFoundException')) return undefined;
      throw classifyManagementError(error, `ListPipelineExecutions ${this.#pipelineName}`);
    }
    return runs;
  }

  /** Whether the pipeline exists (one ListPipelineExecutions call; PipelineNotFoundException says no). */
  async exists(): Promise<boolean> {
    try {
      await this.#client.send(
        new ListPipelineExecutionsCommand({ pipelineName: this.#pipelineName, maxResults: 1 }),
      );
      return true;
    } catch (error) {
      if (hasName(error, 'PipelineNotFoundException')) return false;
      throw classifyManagementError(error, `ListPipelineExecutions ${this.#pipelineName}`);
    }
  }

  /**
   * Pipelines with LZA's stage layout under another name than the configured one: LZA installed
   * with a qualifier the config does not name. The one detector doctor uses too (`lzaShaped`).
   */
  async misnamed(): Promise<string[]> {
    const { found } = await new PipelineLayouts(this.#client).lzaShaped();
    return found.filter((name) => name !== this.#pipelineName);
  }

  /**
   * The runs since `since` (as `runsSince`), each with its action executions, read side by side.
   * Undefined when the pipeline does not exist.
   */
  async runHistory(since: string): Promise<RunHistory[] | undefined> {
    const runs = await this.runsSince(since);
    if (!runs) return undefined;
    return Promise.all(runs.map(async (run) => ({ run, actions: await this.actions(run.executionId) })));
  }

  /** Every action execution of one run. */
  async actions(executionId: string): Promise<PipelineAction[]> {
    const actions: PipelineAction[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.#client.send(
          new ListActionExecutionsCommand({
            pipelineName: this.#pipelineName,
            filter: { pipelineExecutionId: executionId },
            nextToken,
            maxResults: 100,
          }),
        );
        for (const a of page.actionExecutionDetails ?? []) {
          if (!a.stageName || !a.actionName) continue;
          actions.push({
            stageName: a.stageName,
            actionName: a.actionName,
            status: a.status ?? 'InProgress',
            ...(a.startTime ? { startTime: a.startTime.toISOString() } : {}),
            ...(a.lastUpdateTime ? { lastUpdateTime: a.lastUpdateTime.toISOString() } : {}),
          });
        }
        nextToken = page.nextToken;
      } while (nextToken);
    } catch (error) {
      throw classifyManagementError(error, `ListActionExecutions ${this.#pipelineName} ${executionId}`);
    }
    return actions;
  }
}
