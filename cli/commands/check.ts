import type { Command } from 'commander';
import type { VersionReadout } from '#adapters/preferences-store.ts';
import type { RunAsSetting } from '#core/config.ts';
import { PREFERENCES_DOCUMENT_NAME } from '#core/preferences.ts';
import { selectSweepAccounts } from '#core/sweep.ts';
import { type CliIo, EXIT, progress, table, UserError } from '../io.ts';
import { OperatorContext, parseAccountIds, parseRegions } from '../operator-context.ts';
import { type SurveyCell, surveyPreferences } from '../preferences-survey.ts';
import type { GlobalOptions } from '../program.ts';

export type CheckStatus = 'compliant' | 'drifted' | 'missing' | 'foreign' | 'role-unavailable' | 'error';

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

function show(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

/** `runAsEnabled false≠true`: what a version has against what the config wants. */
export function runAsDifferences(version: VersionReadout, runAs: RunAsSetting): string[] {
  if (!version.valid) return [`invalid: ${version.invalidReason ?? 'unknown reason'}`];
  const differences: string[] = [];
  if (version.runAsEnabled !== runAs.enabled) {
    differences.push(`runAsEnabled ${show(version.runAsEnabled)}≠${show(runAs.enabled)}`);
  }
  if (runAs.enabled && version.runAsDefaultUser !== runAs.defaultUser) {
    differences.push(`runAsDefaultUser ${show(version.runAsDefaultUser)}≠${show(runAs.defaultUser)}`);
  }
  if (
    !runAs.enabled &&
    version.runAsDefaultUser !== undefined &&
    typeof version.runAsDefaultUser !== 'string'
  ) {
    differences.push(`runAsDefaultUser ${show(version.runAsDefaultUser)} is not a string`);
  }
  return differences;
}

export function classify(cell: SurveyCell, runAs: RunAsSetting): CheckResult {
  const base = { accountId: cell.accountId, region: cell.region };
  if (cell.kind !== 'read') return { ...base, status: cell.kind, details: [cell.reason] };
  const { readout } = cell;
  const { latest, default: byDefault } = readout;
  if (!readout.exists || !latest) {
    return { ...base, status: 'missing', details: [`no ${PREFERENCES_DOCUMENT_NAME} document`] };
  }
  const versions = {
    latestVersion: latest.version,
    ...(byDefault ? { defaultVersion: byDefault.version } : {}),
    ...(readout.status ? { documentStatus: readout.status } : {}),
  };
  if (!latest.valid) {
    return { ...base, ...versions, status: 'foreign', details: [latest.invalidReason ?? 'invalid document'] };
  }
  if (!latest.compliant) {
    return { ...base, ...versions, status: 'drifted', details: runAsDifferences(latest, runAs) };
  }
  // Session Manager uses the default version: a compliant $LATEST that is not the default does not count.
  if (byDefault && byDefault.version !== latest.version && !byDefault.compliant) {
    return {
      ...base,
      ...versions,
      status: 'drifted',
      details: [
        `$DEFAULT is version ${byDefault.version}, older than $LATEST ${latest.version}, and not compliant`,
        ...runAsDifferences(byDefault, runAs).map((d) => `$DEFAULT ${d}`),
      ],
    };
  }
  return { ...base, ...versions, status: 'compliant', details: [] };
}

export function renderCheck(results: CheckResult[]): string {
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
    table(['account', 'region', 'status', 'latest', 'default', 'details'], rows),
    '',
    `${compliant}/${results.length} compliant${others.length > 0 ? `; ${others.join(', ')}` : ''}.`,
  ].join('\n');
}

export function registerCheck(program: Command, io: CliIo): void {
  program
    .command('check')
    .description(
      'Read-only: say per account and region whether RunAs is set as configured (compliant, drifted, missing, foreign, role-unavailable)',
    )
    .option('--account-id <id...>', 'member account id(s), 12 digits')
    .option('--all', 'every ACTIVE member account of the organization, minus excludeAccountIds')
    .option('--regions <region...>', 'governed region(s) to check (default: every governed region)')
    .action(
      async (options: { accountId?: string[]; all?: boolean; regions?: string[] }, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        if (options.all && options.accountId)
          throw new UserError('give either --account-id or --all, not both');
        if (!options.all && !options.accountId) throw new UserError('give --account-id <id...> or --all');
        const explicit = parseAccountIds(options.accountId);
        const ctx = new OperatorContext(globals);
        const regions = parseRegions(options.regions, ctx.config);

        const accountIds = options.all ? await organizationAccounts(ctx) : explicit;
        const bar = progress(io, 'checking', accountIds.length * regions.length);
        const cells = await surveyPreferences(ctx, accountIds, regions, () => bar.tick());
        bar.finish();
        const results = cells.map((cell) => classify(cell, ctx.runAs));

        if (globals.json) io.out(JSON.stringify(results, null, 2));
        else if (results.length === 0) io.out('no member accounts to check.');
        else io.out(renderCheck(results));
        process.exitCode = results.every((r) => r.status === 'compliant') ? EXIT.ok : EXIT.notCompliant;
      },
    );
}

/** ACTIVE members, minus the excluded accounts and the management account itself. */
async function organizationAccounts(ctx: OperatorContext): Promise<string[]> {
  const managementAccountId = ctx.config.managementAccountId ?? (await ctx.callerAccount());
  const members = await ctx.organization().list();
  return selectSweepAccounts(members, {
    excludeAccountIds: ctx.config.excludeAccountIds,
    managementAccountId,
  }).accountIds.sort();
}
