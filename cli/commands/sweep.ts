import type { Command } from 'commander';
import type {
  ExecutionDescription,
  MapRunDescription,
  StateMachineExecutions,
} from '#adapters/executions.ts';
import { table } from '#cli/text-table.ts';
import { DEFAULT_STACK_NAME } from '#core/deploy/deployment.ts';
import { describeError } from '#core/shared/error-text.ts';
import { SWEEP_MACHINE } from '#core/shared/names.ts';
import { type SweepOptions, type SweepTotals, sweepIsClean } from '#core/sweep/sweep.ts';
import { secondsBetween } from '#core/vend/enforcement.ts';
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
import { checkStateMachineArn, parseRegions, positiveSeconds } from '../options.ts';
import { pollUntilDeadline } from '../poll.ts';

interface SweepCommandOptions {
  repair?: boolean;
  maxConcurrency?: string;
  regions?: string[];
  stateMachineArn?: string;
  stackName: string;
  wait?: boolean;
  timeout: string;
  pollInterval: string;
}

/** What the sweep state machine returns (its Summary state). */
export interface SweepExecutionOutput extends SweepOptions {
  totals: SweepTotals;
}

export interface SweepResult {
  executionArn: string;
  status: string;
  startDate?: string;
  stopDate?: string;
  error?: string;
  cause?: string;
  output?: SweepExecutionOutput;
}

const RUNNING = new Set(['RUNNING', 'PENDING_REDRIVE']);

export function registerSweep(program: Command, io: CliIo): void {
  program
    .command('sweep')
    .description(
      'Check every ACTIVE member account × governed region for RunAs drift (or repair it with --repair), with the sweep state machine',
    )
    .option('--repair', 'write the configured RunAs where it is missing or drifted (default: report only)')
    .option('--max-concurrency <n>', 'accounts swept at once (default: sweep.maxConcurrency in the config)')
    .option('--regions <region...>', 'governed region(s) to sweep (default: every governed region)')
    .option('--state-machine-arn <arn>', 'sweep state machine (default: from the stack output)')
    .option('--stack-name <name>', 'stack whose SweepStateMachineArn output names it', DEFAULT_STACK_NAME)
    .option('--wait', 'follow the sweep to the end; exit 1 unless everything is compliant (the default)')
    .option('--no-wait', 'start the sweep and print its execution ARN without following it')
    .option('--timeout <seconds>', 'give up following after this many seconds', '7200')
    .option('--poll-interval <seconds>', 'seconds between progress polls', '2')
    .action(async (options: SweepCommandOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const ctx = await openContext(globals, io);
      const regions = options.regions ? parseRegions(options.regions, ctx.config) : undefined;
      const maxConcurrency =
        options.maxConcurrency === undefined ? undefined : Number(options.maxConcurrency);
      if (
        maxConcurrency !== undefined &&
        (!Number.isInteger(maxConcurrency) || maxConcurrency < 1 || maxConcurrency > 1000)
      ) {
        throw new UserError(
          `--max-concurrency ${options.maxConcurrency} is not a whole number from 1 to 1000`,
        );
      }
      checkStateMachineArn(options.stateMachineArn);
      const timeoutMs = positiveSeconds(options.timeout, '--timeout') * 1000;
      const pollMs = positiveSeconds(options.pollInterval, '--poll-interval') * 1000;
      const stateMachineArn =
        options.stateMachineArn ?? (await ctx.stateMachineArnFromStack(options.stackName, SWEEP_MACHINE));
      const sfn = ctx.aws.executions();

      const repair = options.repair === true;
      const input = {
        repair,
        ...(maxConcurrency !== undefined ? { maxConcurrency } : {}),
        ...(regions ? { regions } : {}),
      };
      const name = `sweep-${repair ? 'repair' : 'check'}-${Date.now()}`;
      const executionArn = await sfn.start(stateMachineArn, name, input);

      if (options.wait === false) {
        if (globals.json) io.out(jsonEnvelope('sweep', EXIT.ok, { executionArn, status: 'RUNNING' }));
        else
          io.out(
            `Started ${name}: ${executionArn}\nFollow it in the Step Functions console, or run check --all afterwards.`,
          );
        process.exitCode = EXIT.ok;
        return;
      }

      const result = await follow(io, sfn, executionArn, { timeoutMs, pollMs });
      const clean = result.status === 'SUCCEEDED' && result.output && sweepIsClean(result.output.totals);
      // Timed out waiting: nothing was judged yet, so not "not compliant", but the command could not finish its job.
      const exitCode =
        result.status === 'TIMED_OUT_WAITING' ? EXIT.failure : clean ? EXIT.ok : EXIT.notCompliant;
      io.out(globals.json ? jsonEnvelope('sweep', exitCode, { ...result }) : renderSweep(result));
      process.exitCode = exitCode;
    });
}

/** Follow the execution to its end, drawing progress from its Distributed Map runs. */
async function follow(
  io: CliIo,
  sfn: StateMachineExecutions,
  executionArn: string,
  options: { timeoutMs: number; pollMs: number },
): Promise<SweepResult> {
  const bar = progress(io, 'accounts', 0);
  const finished = new Map<string, MapRunDescription>();
  let described: ExecutionDescription | undefined;
  let progressAvailable = true;
  const outcome = await pollUntilDeadline(
    async () => {
      described = await sfn.describe(executionArn);
      if (progressAvailable) {
        try {
          const runs = await sfn.mapRuns(executionArn, finished);
          const count = (pick: (c: NonNullable<MapRunDescription['itemCounts']>) => number | undefined) =>
            runs.reduce((sum, run) => sum + (run.itemCounts ? (pick(run.itemCounts) ?? 0) : 0), 0);
          const done = count(
            (c) => (c.succeeded ?? 0) + (c.failed ?? 0) + (c.timedOut ?? 0) + (c.aborted ?? 0),
          );
          // The total grows batch by batch: say so, or 200/200 would look finished.
          bar.update(
            done,
            count((c) => c.total),
            `accounts listed so far (batch ${Math.max(1, runs.length)})`,
          );
        } catch (error) {
          // Progress is a nicety: an operator role without states:ListMapRuns still gets the result.
          progressAvailable = false;
          io.err(`(no progress shown: ${describeError(error)})`);
        }
      }
      return !RUNNING.has(described.status);
    },
    { timeoutMs: options.timeoutMs, intervalMs: options.pollMs },
  );
  if (outcome === 'timed-out' || described === undefined) {
    bar.finish();
    return {
      executionArn,
      status: 'TIMED_OUT_WAITING',
      error: 'StoppedFollowing',
      cause: `the sweep was still ${described?.status} after ${options.timeoutMs / 1000} s and keeps running; follow it in the Step Functions console, or raise --timeout`,
    };
  }
  bar.finish();
  const result: SweepResult = {
    executionArn,
    status: described.status,
    ...(described.startDate ? { startDate: described.startDate.toISOString() } : {}),
    ...(described.stopDate ? { stopDate: described.stopDate.toISOString() } : {}),
    ...(described.error ? { error: described.error } : {}),
    ...(described.cause ? { cause: described.cause } : {}),
  };
  if (described.status === 'SUCCEEDED') {
    const output = JSON.parse(described.output ?? 'null') as Partial<SweepExecutionOutput> | null;
    if (typeof output?.totals !== 'object' || output.totals === null) {
      throw new UserError(
        `${executionArn} succeeded without a sweep summary: is --state-machine-arn the sweep state machine (output SweepStateMachineArn)?`,
      );
    }
    result.output = output as SweepExecutionOutput;
  }
  return result;
}

function seconds(result: SweepResult): string {
  if (!result.startDate || !result.stopDate) return '';
  return ` in ${secondsBetween(result.startDate, result.stopDate).toFixed(1)} s`;
}

export function renderSweep(result: SweepResult, width = outputWidth()): string {
  const name = result.executionArn.split(':').pop();
  if (result.status === 'TIMED_OUT_WAITING') {
    return `Stopped following sweep ${name}: ${result.cause}.\nExecution: ${result.executionArn}`;
  }
  if (result.status !== 'SUCCEEDED' || !result.output) {
    return [
      `Sweep ${name} ${result.status}${seconds(result)}.`,
      [result.error, result.cause].filter(Boolean).join(': '),
      `Execution: ${result.executionArn}`,
    ]
      .filter(Boolean)
      .join('\n');
  }
  const { totals, repair, regions } = result.output;
  const summary = table(
    ['', 'count'],
    [
      ['accounts checked', String(totals.accountsChecked)],
      ['  already compliant', String(totals.accountsCompliant)],
      ['  role unavailable', String(totals.accountsRoleUnavailable)],
      ['  role probe failed', String(totals.accountsFailed)],
      ['accounts not swept (batch failed)', String(totals.accountsUnswept)],
      ['regions drifted or missing', String(totals.driftDetected)],
      ['regions repaired', String(totals.driftRepaired)],
      ['regions refused (foreign or invalid document)', String(totals.regionsRefused)],
      ['regions failed', String(totals.regionsFailed)],
      ['accounts skipped: not ACTIVE', String(totals.skippedInactive)],
      ['accounts skipped: excluded', String(totals.skippedExcluded)],
    ],
    { maxWidth: width },
  );
  const lines = [
    `Sweep ${name} SUCCEEDED${seconds(result)}: ${repair ? 'repair' : 'check only, nothing was written'}; regions ${regions.join(', ')}.`,
    '',
    summary,
  ];
  if (totals.findings.length > 0) {
    const rows = totals.findings.map((f) => [
      f.accountId,
      f.status,
      ...regions.map((region) => f.regions[region] ?? (f.status === 'role-unavailable' ? '-' : 'compliant')),
      f.error ?? '',
    ]);
    lines.push('', table(['account', 'status', ...regions, 'details'], rows, { maxWidth: width }));
    if (totals.findingsOmitted > 0) {
      lines.push(`… and ${totals.findingsOmitted} more account(s): the RecordSweep logs list every finding.`);
    }
  }
  lines.push('');
  if (sweepIsClean(totals)) lines.push('Every swept account × region is compliant now.');
  else {
    const next = [
      !repair && totals.driftDetected > 0 ? 'run sweep --repair to fix the drift' : '',
      'see one account in detail with check --account-id <id>',
    ].filter(Boolean);
    lines.push(`Not everything is compliant: ${next.join('; ')}.`);
  }
  return lines.join('\n');
}
