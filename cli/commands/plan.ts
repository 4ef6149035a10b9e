import type { Command } from 'commander';
import { judgeReadout } from '#adapters/preferences-readout.ts';
import { textDiff } from '#cli/text-diff.ts';
import type { RunAsSetting } from '#core/config/config.ts';
import { type KeyChange, planChange, type SessionDocument } from '#core/document/preferences.ts';
import { type AccountSelectionOptions, surveySelection } from '../account-selection.ts';
import { type CliIo, EXIT, type GlobalOptions, jsonEnvelope } from '../io.ts';
import type { SurveyCell } from '../preferences-survey.ts';

export type PlanAction =
  | 'create'
  | 'update'
  | 'repair'
  | 'promote'
  | 'none'
  | 'refuse'
  | 'busy'
  | 'role-unavailable'
  | 'error';

export interface PlanResult {
  accountId: string;
  region: string;
  action: PlanAction;
  /** create: the document that would be created. update, repair: the merged document. */
  document?: SessionDocument;
  /** update, repair: key-level changes. */
  changes?: KeyChange[];
  /** create, update, repair: the exact text that would be written, in its format. */
  text?: string;
  format?: string;
  /** update, repair: unified diff of the version it is built from → the text written. */
  diff?: string;
  /**
   * update, repair, promote, when `$DEFAULT` is another version: what promotion changes in the
   * live default (unified diff of the default's text → the new default's text).
   */
  defaultDiff?: string;
  /** refuse, busy, role-unavailable, error: why. */
  reason?: string;
  latestVersion?: string;
  defaultVersion?: string;
}

/**
 * Decide what applying RunAs would do in one region, exactly as the ApplyPreferences step
 * would: merge from `$LATEST` (LZA writes `$LATEST` and never promotes, so that is where the
 * newest settings are), or from `$DEFAULT` when `$LATEST` is Failed.
 */
export function planCell(cell: SurveyCell, runAs: RunAsSetting): PlanResult {
  const base = { accountId: cell.accountId, region: cell.region };
  if (cell.kind !== 'read') return { ...base, action: cell.kind, reason: cell.reason };
  const { latest, default: byDefault } = cell.readout;
  const versions = {
    ...(latest ? { latestVersion: latest.version } : {}),
    ...(byDefault ? { defaultVersion: byDefault.version } : {}),
  };
  if (!latest) {
    const plan = planChange(undefined, runAs);
    if (plan.kind !== 'create') throw new Error('unreachable: a missing document is always created');
    return { ...base, action: 'create', document: plan.document, text: plan.text, format: plan.format };
  }
  const judgement = judgeReadout(cell.readout, runAs);
  if (judgement.status === 'busy')
    return { ...base, ...versions, action: 'busy', reason: judgement.details.join('; ') };
  const repairing = latest.status === 'Failed';
  const source = repairing ? byDefault : latest;
  if (!source || (repairing && (source.version === latest.version || source.status === 'Failed'))) {
    return {
      ...base,
      ...versions,
      action: 'refuse',
      reason: `$LATEST version ${latest.version} is Failed and there is no good default version to rebuild it from (DocumentVersionFailedError)`,
    };
  }
  const plan = planChange(source.text, runAs);
  // Only when the default is another version than the one merged from: then promotion changes
  // the live default by more than the diff above.
  const liveDefault = (newText: string) =>
    byDefault && byDefault.version !== source.version && byDefault.text !== newText
      ? {
          defaultDiff: textDiff(byDefault.text, newText, {
            before: `$DEFAULT v${byDefault.version}`,
            after: 'new default',
          }),
        }
      : {};
  switch (plan.kind) {
    case 'create':
      throw new Error('unreachable: an existing document is never created');
    case 'refuse':
      return { ...base, ...versions, action: 'refuse', reason: plan.reason };
    case 'update':
      return {
        ...base,
        ...versions,
        action: repairing ? 'repair' : 'update',
        document: plan.document,
        changes: plan.changes,
        text: plan.text,
        format: plan.format,
        diff: textDiff(source.text, plan.text, { before: `v${source.version}`, after: 'new version' }),
        ...liveDefault(plan.text),
      };
    case 'none':
      if (repairing) {
        return {
          ...base,
          ...versions,
          action: 'repair',
          text: source.text,
          format: plan.format,
          diff: '',
          ...liveDefault(source.text),
        };
      }
      // Content is right; apply makes $LATEST the default when it is not, which changes no RunAs
      // value that is already in effect, only what the live default carries besides.
      if (!byDefault || byDefault.version === latest.version) return { ...base, ...versions, action: 'none' };
      return { ...base, ...versions, action: 'promote', ...liveDefault(latest.text) };
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
  const defaultNote = (r: PlanResult) => {
    if (!r.defaultDiff) return;
    lines.push(indent(`promotion changes the live default (now version ${r.defaultVersion}):`));
    lines.push(indent(r.defaultDiff));
  };
  for (const r of results) {
    const where = `${r.accountId} ${r.region}`;
    switch (r.action) {
      case 'create':
        lines.push(`${where}: create version 1 of SSM-SessionManagerRunShell (${r.format}):`);
        lines.push(indent(r.text ?? JSON.stringify(r.document, null, 2)));
        break;
      case 'update':
        lines.push(
          `${where}: update version ${r.latestVersion} → ${nextVersion(r.latestVersion)} (${r.format}), made the default (now ${r.defaultVersion ?? '-'}); exact change:`,
        );
        lines.push(indent(r.diff ?? ''));
        defaultNote(r);
        break;
      case 'repair':
        lines.push(
          `${where}: repair: $LATEST version ${r.latestVersion} is Failed; write ${nextVersion(r.latestVersion)} from the default version ${r.defaultVersion} and make it the default${r.diff ? '; exact change to that version:' : ' (its content is already right)'}`,
        );
        if (r.diff) lines.push(indent(r.diff));
        break;
      case 'promote':
        lines.push(
          `${where}: promote: content already right; make version ${r.latestVersion} the default (now ${r.defaultVersion})`,
        );
        defaultNote(r);
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
    `Plan: ${count('create')} to create, ${count('update')} to update, ${count('repair')} to repair, ${count('promote')} to promote, ${count('none')} unchanged, ${count('refuse')} refused${count('busy') > 0 ? `, ${count('busy')} busy` : ''}${unreadable > 0 ? `, ${unreadable} unreadable` : ''}. Nothing was written.`,
  );
  return lines.join('\n');
}

export function registerPlan(program: Command, io: CliIo): void {
  program
    .command('plan')
    .description(
      'Read-only: show per region the exact change a bootstrap would make (create, update, repair, promote, none, refuse), as a text diff',
    )
    .option('--account-id <id...>', 'member account id(s), 12 digits')
    .option('--all', 'every ACTIVE member account of the organization, minus excludeAccountIds')
    .option('--regions <region...>', 'governed region(s) (default: every governed region)')
    .action(async (options: AccountSelectionOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const { ctx, cells } = await surveySelection(options, globals, io, 'reading');
      const results = cells.map((cell) => planCell(cell, ctx.runAs));

      const blocked = results.some((r) => ['refuse', 'busy', 'role-unavailable'].includes(r.action));
      // The same table as every command: an AWS failure (3) outranks a blocked region (1).
      const exitCode = results.some((r) => r.action === 'error')
        ? EXIT.failure
        : blocked
          ? EXIT.notCompliant
          : EXIT.ok;
      io.out(
        globals.json ? jsonEnvelope('plan', exitCode, { region: ctx.region, results }) : renderPlan(results),
      );
      process.exitCode = exitCode;
    });
}
