import type { Command } from 'commander';
import type { RunAsSetting } from '#core/config.ts';
import { type KeyChange, planChange, type SessionDocument } from '#core/preferences.ts';
import { type CliIo, EXIT, progress } from '../io.ts';
import { OperatorContext, parseAccountIds, parseRegions } from '../operator-context.ts';
import { type SurveyCell, surveyPreferences } from '../preferences-survey.ts';
import type { GlobalOptions } from '../program.ts';

export type PlanAction = 'create' | 'update' | 'promote' | 'none' | 'refuse' | 'role-unavailable' | 'error';

export interface PlanResult {
  accountId: string;
  region: string;
  action: PlanAction;
  /** create: the document that would be created. update: the merged document. */
  document?: SessionDocument;
  /** update: key-level changes. */
  changes?: KeyChange[];
  /** refuse, role-unavailable, error: why. */
  reason?: string;
  latestVersion?: string;
  defaultVersion?: string;
}

/** Decide what applying RunAs would do in one region, exactly as the ApplyPreferences step would. */
export function planCell(cell: SurveyCell, runAs: RunAsSetting): PlanResult {
  const base = { accountId: cell.accountId, region: cell.region };
  if (cell.kind !== 'read') return { ...base, action: cell.kind, reason: cell.reason };
  const { latest, default: byDefault } = cell.readout;
  const versions = {
    ...(latest ? { latestVersion: latest.version } : {}),
    ...(byDefault ? { defaultVersion: byDefault.version } : {}),
  };
  // The readout holds parsed JSON when the content is JSON; planChange wants the text.
  const content =
    latest === undefined
      ? undefined
      : typeof latest.content === 'string'
        ? latest.content
        : JSON.stringify(latest.content);
  const plan = planChange(content, runAs);
  switch (plan.kind) {
    case 'create':
      return { ...base, ...versions, action: 'create', document: plan.document };
    case 'update':
      return { ...base, ...versions, action: 'update', document: plan.document, changes: plan.changes };
    case 'refuse':
      return { ...base, ...versions, action: 'refuse', reason: plan.reason };
    case 'none':
      // Content is right; the store would still make $LATEST the default if it is not.
      return {
        ...base,
        ...versions,
        action: byDefault && latest && byDefault.version !== latest.version ? 'promote' : 'none',
      };
  }
}

function show(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

/** SSM numbers versions consecutively. */
function nextVersion(version: string | undefined): string {
  const n = Number(version);
  return Number.isInteger(n) ? String(n + 1) : 'a new version';
}

export function formatChange(change: KeyChange): string {
  if (change.kind === 'added') return `${change.key}: (absent) → ${show(change.after)}`;
  if (change.kind === 'removed') return `${change.key}: ${show(change.before)} → (absent)`;
  return `${change.key}: ${show(change.before)} → ${show(change.after)}`;
}

export function renderPlan(results: PlanResult[]): string {
  const lines: string[] = [];
  const indent = (text: string) =>
    text
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n');
  for (const r of results) {
    const where = `${r.accountId} ${r.region}`;
    switch (r.action) {
      case 'create':
        lines.push(`${where}: create version 1 of SSM-SessionManagerRunShell:`);
        lines.push(indent(JSON.stringify(r.document, null, 2)));
        break;
      case 'update':
        lines.push(
          `${where}: update version ${r.latestVersion} → ${nextVersion(r.latestVersion)}, made the default (now ${r.defaultVersion ?? '-'})`,
        );
        for (const change of r.changes ?? []) lines.push(indent(formatChange(change)));
        break;
      case 'promote':
        lines.push(
          `${where}: promote: content already right; make version ${r.latestVersion} the default (now ${r.defaultVersion})`,
        );
        break;
      case 'none':
        lines.push(`${where}: none (compliant at version ${r.latestVersion})`);
        break;
      default:
        lines.push(`${where}: ${r.action}: ${r.reason}`);
    }
  }
  const count = (action: PlanAction) => results.filter((r) => r.action === action).length;
  const unreadable = count('role-unavailable') + count('error');
  lines.push(
    '',
    `Plan: ${count('create')} to create, ${count('update')} to update, ${count('promote')} to promote, ${count('none')} unchanged, ${count('refuse')} refused${unreadable > 0 ? `, ${unreadable} unreadable` : ''}. Nothing was written.`,
  );
  return lines.join('\n');
}

export function registerPlan(program: Command, io: CliIo): void {
  program
    .command('plan')
    .description(
      'Read-only: show per region the exact change a bootstrap would make (create, update, none, refuse)',
    )
    .requiredOption('--account-id <id...>', 'member account id(s), 12 digits')
    .option('--regions <region...>', 'governed region(s) (default: every governed region)')
    .action(async (options: { accountId: string[]; regions?: string[] }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const accountIds = parseAccountIds(options.accountId);
      const ctx = new OperatorContext(globals);
      const regions = parseRegions(options.regions, ctx.config);

      const bar = progress(io, 'reading', accountIds.length * regions.length);
      const cells = await surveyPreferences(ctx, accountIds, regions, () => bar.tick());
      bar.finish();
      const results = cells.map((cell) => planCell(cell, ctx.runAs));

      io.out(globals.json ? JSON.stringify(results, null, 2) : renderPlan(results));
      const blocked = results.some((r) => ['refuse', 'role-unavailable', 'error'].includes(r.action));
      process.exitCode = blocked ? EXIT.notCompliant : EXIT.ok;
    });
}
