import { randomUUID } from 'node:crypto';
import { type Command, Option } from 'commander';
import { isExecutionAlreadyExists } from '#adapters/aws-errors.ts';
import type { ExecutionDescription, StateMachineExecutions } from '#adapters/executions.ts';
import { table } from '#cli/text-table.ts';
import { DEFAULT_STACK_NAME } from '#core/deploy/deployment.ts';
import { MAX_REPLAY_REASON_LENGTH, REPLAY_DETAIL_TYPE, REPLAY_SOURCE } from '#core/vend/rules.ts';
import { openContext } from '../context-loader.ts';
import {
  type CliIo,
  EXIT,
  type GlobalOptions,
  jsonEnvelope,
  outputWidth,
  progress,
  UserError,
} from '../io.ts';
import type { OperatorContext } from '../operator-context.ts';
import { checkStateMachineArn, parseAccountIds, parseRegions, positiveSeconds } from '../options.ts';
import { pollUntilDeadline } from '../poll.ts';

/** The replay detail: the only three fields ResolveRequest accepts. */
export interface ReplayDetail {
  accountId: string;
  regions?: string[];
  reason?: string;
}

export interface ReplayResult {
  accountId: string;
  via: 'events' | 'sfn';
  /** via events: the EventBridge event id; the execution's input carries it as `id`. */
  eventId?: string;
  executionArn?: string;
  /** With --wait: the execution's last known status; NOT_FOUND when no execution was seen. */
  status?: string;
  startDate?: string;
  stopDate?: string;
  error?: string;
  cause?: string;
  /** A succeeded execution that ignored the request says why. */
  note?: string;
}

interface ReplayOptions {
  accountId: string[];
  regions?: string[];
  reason?: string;
  via: 'events' | 'sfn';
  stateMachineArn?: string;
  stackName: string;
  wait?: boolean;
  timeout: string;
  pollInterval: string;
}

const RUNNING_STATUSES = new Set(['RUNNING', 'PENDING_REDRIVE']);
/** How far before our PutEvents an execution may claim to have started (clock skew). */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** EventBridge timestamps are whole seconds, `2024-05-01T12:00:00Z`. */
function eventTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The EventBridge envelope the replay rule would deliver to the state machine. */
export function replayEnvelope(detail: ReplayDetail, account: string, region: string, nowMs: number) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': REPLAY_DETAIL_TYPE,
    source: REPLAY_SOURCE,
    account,
    time: eventTime(nowMs),
    region,
    resources: [] as string[],
    detail,
  };
}

export function registerReplay(program: Command, io: CliIo): void {
  program
    .command('replay')
    .description(
      'Ask the bootstrapper to (re)apply RunAs to member accounts now: a replay event (default) or a direct execution',
    )
    .requiredOption('--account-id <id...>', 'member account id(s), 12 digits')
    .option('--regions <region...>', 'governed region(s) (default: every governed region)')
    .option(
      '--reason <text>',
      `why, for the execution history (at most ${MAX_REPLAY_REASON_LENGTH} characters)`,
    )
    .addOption(
      new Option('--via <how>', 'events: PutEvents to the replay rule; sfn: StartExecution directly')
        .choices(['events', 'sfn'])
        .default('events'),
    )
    .option('--state-machine-arn <arn>', 'bootstrap state machine (default: from the stack output)')
    .option('--stack-name <name>', 'stack whose BootstrapStateMachineArn output names it', DEFAULT_STACK_NAME)
    .option('--wait', 'follow the executions to the end; exit 1 if any failed (the default)')
    .option('--no-wait', 'send the replays and return, without following them')
    .option('--timeout <seconds>', 'give up following after this many seconds', '2400')
    .option('--poll-interval <seconds>', 'seconds between status polls', '2')
    .action(async (options: ReplayOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      // The same convention as sweep: follow unless --no-wait.
      const wait = options.wait !== false;
      // Everything the user typed is checked before the first call.
      const accountIds = parseAccountIds(options.accountId);
      const ctx = await openContext(globals, io);
      const regions = options.regions ? parseRegions(options.regions, ctx.config) : undefined;
      const excluded = accountIds.filter((id) => ctx.config.excludeAccountIds.includes(id));
      if (excluded.length > 0) {
        throw new UserError(
          `account(s) ${excluded.join(', ')} excluded by configuration (excludeAccountIds); the workflow would ignore the replay`,
        );
      }
      if (options.reason !== undefined && [...options.reason].length > MAX_REPLAY_REASON_LENGTH) {
        throw new UserError(`--reason is longer than ${MAX_REPLAY_REASON_LENGTH} characters`);
      }
      checkStateMachineArn(options.stateMachineArn);
      // LZA manages the management account's own preferences: it is never bootstrapped.
      const management = ctx.config.managementAccountId ?? (await ctx.aws.callerAccount());
      if (accountIds.includes(management)) {
        throw new UserError(
          `account ${management} is the management account, which is never bootstrapped (LZA manages its preferences)`,
        );
      }
      const timeoutMs = positiveSeconds(options.timeout, '--timeout') * 1000;
      const pollMs = positiveSeconds(options.pollInterval, '--poll-interval') * 1000;
      const detailOf = (accountId: string): ReplayDetail => ({
        accountId,
        ...(regions ? { regions } : {}),
        ...(options.reason !== undefined ? { reason: options.reason } : {}),
      });

      // Resolve the state machine first, so a missing stack stops us before anything is sent.
      const needsArn = options.via === 'sfn' || wait;
      const machine = needsArn
        ? {
            arn: options.stateMachineArn ?? (await ctx.stateMachineArnFromStack(options.stackName)),
            sfn: ctx.aws.executions(),
          }
        : undefined;

      const sentAt = Date.now();
      // --via sfn always has the machine (needsArn); --wait too.
      const results =
        options.via === 'events' || !machine
          ? await putReplayEvents(ctx, accountIds.map(detailOf))
          : await startReplayExecutions(ctx, machine.sfn, machine.arn, accountIds.map(detailOf), sentAt);

      if (wait && machine) {
        await follow(io, machine.sfn, machine.arn, results, {
          since: sentAt - CLOCK_SKEW_MS,
          timeoutMs,
          pollMs,
        });
      }
      const failed = wait && results.some((r) => r.status !== 'SUCCEEDED');
      const exitCode = failed ? EXIT.notCompliant : EXIT.ok;
      if (globals.json) io.out(jsonEnvelope('replay', exitCode, { region: ctx.region, results }));
      else io.out(renderReplay(results, wait));
      process.exitCode = exitCode;
    });
}

async function putReplayEvents(ctx: OperatorContext, details: ReplayDetail[]): Promise<ReplayResult[]> {
  const outcomes = await ctx.aws
    .eventBus()
    .put(details.map((detail) => ({ source: REPLAY_SOURCE, detailType: REPLAY_DETAIL_TYPE, detail })));
  return details.map((detail, index) => {
    const outcome = outcomes[index];
    if (!outcome?.eventId) {
      throw new Error(
        `PutEvents rejected the replay of ${detail.accountId}: ${outcome?.errorCode ?? 'no event id'} ${outcome?.errorMessage ?? ''}`.trim(),
      );
    }
    return { accountId: detail.accountId, via: 'events', eventId: outcome.eventId };
  });
}

async function startReplayExecutions(
  ctx: OperatorContext,
  sfn: StateMachineExecutions,
  stateMachineArn: string,
  details: ReplayDetail[],
  nowMs: number,
): Promise<ReplayResult[]> {
  const account = await ctx.aws.callerAccount();
  const epochSeconds = Math.floor(nowMs / 1000);
  const results: ReplayResult[] = [];
  for (const detail of details) {
    const input = replayEnvelope(detail, account, ctx.region, nowMs);
    const name = `replay-${detail.accountId}-${epochSeconds}`;
    let executionArn: string;
    try {
      executionArn = await sfn.start(stateMachineArn, name, input);
    } catch (error) {
      // Names are per second: a second replay of the same account in the same second collides.
      if (isExecutionAlreadyExists(error)) {
        throw new UserError(
          `execution ${name} already exists: ${detail.accountId} was replayed this second; try again`,
        );
      }
      throw error;
    }
    results.push({
      accountId: detail.accountId,
      via: 'sfn',
      eventId: input.id,
      executionArn,
    });
  }
  return results;
}

interface FollowOptions {
  /** Executions that started before this (epoch ms) are not ours. */
  since: number;
  timeoutMs: number;
  pollMs: number;
}

/** Poll until every replay's execution has ended (or the timeout), reporting status changes on stderr. */
async function follow(
  io: CliIo,
  sfn: StateMachineExecutions,
  stateMachineArn: string,
  results: ReplayResult[],
  options: FollowOptions,
): Promise<void> {
  const bar = progress(io, 'executions', results.length);
  const report = (line: string) => {
    if (io.interactive) process.stderr.write('\r\x1b[K');
    io.err(line);
    bar.tick(0);
  };
  const notOurs = new Set<string>();
  const isOpen = (r: ReplayResult) => r.status === 'PENDING' || RUNNING_STATUSES.has(r.status ?? '');
  for (const r of results) r.status = r.executionArn ? 'RUNNING' : 'PENDING';
  const outcome = await pollUntilDeadline(
    async () => {
      const waiting = results.filter((r) => !r.executionArn);
      if (waiting.length > 0) await discover(sfn, stateMachineArn, waiting, notOurs, options.since);
      for (const r of results.filter((r) => r.executionArn && isOpen(r))) {
        const before = r.status;
        applyDescription(r, await sfn.describe(r.executionArn as string));
        if (r.status !== before) {
          report(`${r.accountId}  ${r.status}  ${r.executionArn}${r.error ? `  ${r.error}` : ''}`);
          if (!RUNNING_STATUSES.has(r.status ?? '')) bar.tick();
        }
      }
      return !results.some(isOpen);
    },
    { timeoutMs: options.timeoutMs, intervalMs: options.pollMs },
  );
  if (outcome === 'timed-out') {
    for (const r of results.filter(isOpen)) {
      if (r.status === 'PENDING') {
        r.status = 'NOT_FOUND';
        r.error = 'no execution of the state machine picked up this replay before the timeout';
      } else r.error = `still ${r.status} after ${options.timeoutMs / 1000} s`;
    }
  }
  bar.finish();
}

/**
 * Find the executions our replay events started: newest first, back to `since`, matched on the
 * event id the execution input carries (and the account id, should a target reshape the input).
 */
async function discover(
  sfn: StateMachineExecutions,
  stateMachineArn: string,
  waiting: ReplayResult[],
  notOurs: Set<string>,
  since: number,
): Promise<void> {
  for await (const executionArn of sfn.startedSince(stateMachineArn, since)) {
    if (notOurs.has(executionArn)) continue;
    const input = parseInput((await sfn.describe(executionArn)).input);
    const match = waiting.find(
      (r) => !r.executionArn && input.id === r.eventId && input.detail?.accountId === r.accountId,
    );
    if (!match) {
      notOurs.add(executionArn);
      continue;
    }
    match.executionArn = executionArn;
    if (waiting.every((r) => r.executionArn)) return;
  }
}

function parseInput(text: string | undefined): { id?: unknown; detail?: { accountId?: unknown } } {
  try {
    const value = JSON.parse(text ?? '{}');
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return {};
  }
}

function applyDescription(r: ReplayResult, d: ExecutionDescription): void {
  r.status = d.status;
  if (d.startDate) r.startDate = d.startDate.toISOString();
  if (d.stopDate) r.stopDate = d.stopDate.toISOString();
  if (d.error) r.error = d.error;
  if (d.cause) r.cause = d.cause;
  if (d.status === 'SUCCEEDED' && d.output) {
    try {
      const output = JSON.parse(d.output) as { action?: unknown; reason?: unknown };
      if (output.action === 'ignore') r.note = `ignored: ${String(output.reason)}`;
    } catch {
      // an output we cannot read says nothing more than its status
    }
  }
}

export function renderReplay(results: ReplayResult[], waited: boolean, width = outputWidth()): string {
  if (!waited) {
    const rows = results.map((r) => [r.accountId, r.via, r.executionArn ?? r.eventId ?? '-']);
    const via = results[0]?.via;
    return [
      table(['account', 'via', via === 'sfn' ? 'execution' : 'event id'], rows, { maxWidth: width }),
      '',
      via === 'sfn'
        ? `Started ${results.length} execution(s). Follow them by leaving out --no-wait, or run check afterwards.`
        : `Sent ${results.length} replay event(s); the replay rule starts one execution each. Follow them by leaving out --no-wait, or run check afterwards.`,
    ].join('\n');
  }
  const rows = results.map((r) => [
    r.accountId,
    r.status ?? '-',
    r.executionArn?.split(':').pop() ?? '-',
    r.note ?? [r.error, r.cause].filter(Boolean).join(': '),
  ]);
  const succeeded = results.filter((r) => r.status === 'SUCCEEDED').length;
  const failed = results.filter((r) => r.status !== 'SUCCEEDED').map((r) => r.accountId);
  return [
    table(['account', 'status', 'execution', 'details'], rows, { maxWidth: width }),
    '',
    `${succeeded}/${results.length} execution(s) succeeded.${failed.length > 0 ? ` See per region: check --account-id ${failed.join(' ')}` : ''}`,
  ].join('\n');
}
