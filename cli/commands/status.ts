import type { Command } from 'commander';
import { table, wrap } from '#cli/text-table.ts';
import { DEFAULT_STACK_NAME } from '#core/deploy/deployment.ts';
import { VEND_LEDGER_TABLE_OUTPUT } from '#core/shared/names.ts';
import type { VendRecord } from '#core/vend/ledger.ts';
import { openContext } from '../context-loader.ts';
import { type CliIo, EXIT, type GlobalOptions, jsonEnvelope, outputWidth, UserError } from '../io.ts';
import { parseAccountIds } from '../options.ts';

interface StatusOptions {
  accountId?: string[];
  since?: string;
  tableName?: string;
  stackName: string;
}

const UNITS: Record<string, number> = { m: 60, h: 3600, d: 86_400 };

/** `90m`, `24h`, `7d`: a duration in seconds, or a usage error. */
export function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)([mhd])$/.exec(value.trim());
  if (!match) throw new UserError(`--since ${JSON.stringify(value)} is not a duration like 90m, 24h or 7d`);
  const seconds = Number(match[1]) * (UNITS[match[2] as string] as number);
  if (seconds <= 0) throw new UserError(`--since ${value} must be more than zero`);
  return seconds;
}

/** A vend is in order once RunAs is verified everywhere (and, later, its gap closed). */
export function isVerified(vend: VendRecord): boolean {
  return vend.runAsVerifiedAt !== undefined;
}

const seconds = (value: number | undefined) => (value === undefined ? '-' : `${value.toFixed(1)} s`);

function repairsText(vend: VendRecord): string {
  const rewrites = vend.repairs.filter((r) => r.reexposedSeconds !== undefined);
  const failing = vend.repairsFailed.length > 0 ? `, failing in ${vend.repairsFailed.join(' ')}` : '';
  if (rewrites.length === 0) return `0${failing}`;
  const worst = Math.max(...rewrites.map((r) => r.reexposedSeconds as number));
  return `${rewrites.length} (re-exposed ≤${worst.toFixed(1)} s)${failing}`;
}

function regionsText(vend: VendRecord): string {
  return vend.governedRegions
    .map((region) => {
      const r = vend.regions[region];
      const pruned = vend.writes?.[region]?.pruned?.length;
      const note = pruned ? ` (pruned ${pruned} old)` : '';
      return r ? `${region} v${r.latestVersion ?? '?'}${note}` : `${region} -`;
    })
    .join(', ');
}

export function renderStatus(vends: readonly VendRecord[], width = outputWidth()): string {
  return table(
    [
      'account',
      'joined',
      'method',
      'state',
      'triggers',
      'owner',
      'role wait',
      'exposure',
      'LZA run',
      'gap closed',
      'repairs',
      'verified (version)',
    ],
    vends.map((v) => [
      v.accountId,
      v.joinedAt,
      v.joinedMethod,
      v.state,
      [...new Set(v.triggers.map((t) => t.trigger))].join(' ') +
        (v.triggers.length > 1 ? ` (${v.triggers.length})` : ''),
      v.owner ? `${v.owner.execution} (${v.owner.state})` : '-',
      seconds(v.roleWaitSeconds),
      seconds(v.exposureSeconds),
      v.pipelineExecutionId ?? '-',
      seconds(v.gapClosedSeconds),
      repairsText(v),
      regionsText(v),
    ]),
    { maxWidth: width },
  );
}

/** `runas-bootstrapper status`: the vend ledger's audit record per vend. */
export function registerStatus(program: Command, io: CliIo): void {
  program
    .command('status')
    .description(
      'Show the vend ledger: per vend, the triggers seen, the owner, role wait, exposure, the covering LZA run, repairs and the gap closed. Exit 1 when a vend is not verified.',
    )
    .option('--account-id <ids...>', 'accounts to show (space- or comma-separated)')
    .option('--since <duration>', 'vends that joined within this long, e.g. 24h, 7d')
    .option('--table-name <name>', 'the vend ledger table (default: from the stack output)')
    .option(
      '--stack-name <name>',
      `stack whose ${VEND_LEDGER_TABLE_OUTPUT} output names the ledger`,
      DEFAULT_STACK_NAME,
    )
    .action(async (options: StatusOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const accountIds = parseAccountIds(options.accountId);
      const sinceSeconds = options.since === undefined ? undefined : parseDuration(options.since);
      if (accountIds.length === 0 && sinceSeconds === undefined)
        throw new UserError('pass --account-id <id…> or --since <duration>');
      const ctx = await openContext(globals, io);
      const tableName =
        options.tableName ??
        (await ctx.stackOutput(options.stackName, VEND_LEDGER_TABLE_OUTPUT, '--table-name'));
      const ledger = ctx.aws.vendLedger(tableName);
      let vends: VendRecord[] = [];
      if (accountIds.length > 0) {
        for (const id of accountIds) vends.push(...(await ledger.vendsOf(id)));
        if (sinceSeconds !== undefined) {
          const since = new Date(Date.now() - sinceSeconds * 1000).toISOString();
          vends = vends.filter((v) => v.joinedAt >= since);
        }
      } else {
        vends = await ledger.vendsSince(new Date(Date.now() - (sinceSeconds as number) * 1000).toISOString());
      }
      const unverified = vends.filter((v) => !isVerified(v));
      const exitCode = unverified.length > 0 ? EXIT.notCompliant : EXIT.ok;
      if (globals.json)
        io.out(
          jsonEnvelope('status', exitCode, { region: ctx.region, vends, unverified: unverified.length }),
        );
      else if (vends.length === 0) io.out('no vends recorded for that selection');
      else {
        io.out(renderStatus(vends));
        for (const v of vends)
          if (v.note) io.out(wrap(`${v.accountId} ${v.joinedAt}: ${v.note}`, outputWidth()).join('\n'));
      }
      process.exitCode = exitCode;
    });
}
