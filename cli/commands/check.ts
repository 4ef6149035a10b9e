import type { Command } from 'commander';
import { judgeReadout } from '#adapters/preferences-readout.ts';
import { table } from '#cli/text-table.ts';
import type { RunAsSetting } from '#core/config/config.ts';
import { type JudgementStatus, runAsDifferences } from '#core/document/preferences.ts';
import { type AccountSelectionOptions, surveySelection } from '../account-selection.ts';
import { type CliIo, exitCodeForCells, type GlobalOptions, jsonEnvelope, outputWidth } from '../io.ts';
import type { SurveyCell } from '../preferences-survey.ts';

export type CheckStatus = JudgementStatus | 'role-unavailable' | 'error';

export interface CheckResult {
  accountId: string;
  region: string;
  status: CheckStatus;
  /** What differs, or why the document could not be judged. Empty when compliant. */
  details: string[];
  latestVersion?: string;
  defaultVersion?: string;
  documentStatus?: string;
}

export { runAsDifferences };

/** The one judgement (core `judgeVersions`) that plan, verify and the sweep use too. */
export function classify(cell: SurveyCell, runAs: RunAsSetting): CheckResult {
  const base = { accountId: cell.accountId, region: cell.region };
  if (cell.kind !== 'read') return { ...base, status: cell.kind, details: [cell.reason] };
  const { readout } = cell;
  const { latest, default: byDefault } = readout;
  const versions = {
    ...(latest ? { latestVersion: latest.version } : {}),
    ...(byDefault ? { defaultVersion: byDefault.version } : {}),
    ...(readout.status ? { documentStatus: readout.status } : {}),
  };
  const judgement = judgeReadout(readout, runAs);
  return { ...base, ...versions, status: judgement.status, details: judgement.details };
}

export function renderCheck(results: CheckResult[], width = outputWidth()): string {
  const rows = results.map((r) => [
    r.accountId,
    r.region,
    r.status,
    r.latestVersion ?? '-',
    r.defaultVersion ?? '-',
    r.details.join('; '),
  ]);
  const counts = new Map<CheckStatus, number>();
  for (const r of results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const compliant = counts.get('compliant') ?? 0;
  const others = [...counts.entries()].filter(([s]) => s !== 'compliant').map(([s, n]) => `${n} ${s}`);
  return [
    table(['account', 'region', 'status', 'latest', 'default', 'details'], rows, { maxWidth: width }),
    '',
    `${compliant}/${results.length} compliant${others.length > 0 ? `; ${others.join(', ')}` : ''}.`,
  ].join('\n');
}

export function registerCheck(program: Command, io: CliIo): void {
  program
    .command('check')
    .description(
      'Read-only: say per account and region whether RunAs is set as configured (compliant, drifted, missing, foreign, failed, busy, role-unavailable, error)',
    )
    .option('--account-id <id...>', 'member account id(s), 12 digits')
    .option('--all', 'every ACTIVE member account of the organization, minus excludeAccountIds')
    .option('--regions <region...>', 'governed region(s) to check (default: every governed region)')
    .action(async (options: AccountSelectionOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const { ctx, cells } = await surveySelection(options, globals, io, 'checking');
      const results = cells.map((cell) => classify(cell, ctx.runAs));

      const exitCode = exitCodeForCells(results.map((r) => r.status));
      if (globals.json) io.out(jsonEnvelope('check', exitCode, { region: ctx.region, results }));
      else if (results.length === 0) io.out('no member accounts to check.');
      else io.out(renderCheck(results));
      process.exitCode = exitCode;
    });
}
