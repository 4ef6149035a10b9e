import { selectSweepAccounts } from '#core/sweep/sweep.ts';
import { openContext } from './context-loader.ts';
import { type CliIo, type GlobalOptions, progress, UserError } from './io.ts';
import type { OperatorContext } from './operator-context.ts';
import { parseAccountIds, parseRegions } from './options.ts';
import type { SurveyCell } from './preferences-survey.ts';

/** The selection flags `check` and `plan` share. */
export interface AccountSelectionOptions {
  accountId?: string[];
  all?: boolean;
  regions?: string[];
}

/** `--account-id <id…>` or `--all`, exactly one of them: checked before any call. */
export function checkAccountSelection(options: { accountId?: string[]; all?: boolean }): string[] {
  if (options.all && options.accountId) throw new UserError('give either --account-id or --all, not both');
  if (!options.all && !options.accountId) throw new UserError('give --account-id <id...> or --all');
  return parseAccountIds(options.accountId);
}

/** The accounts a command reads: the ones named, or with --all every member the sweep would visit. */
export async function selectedAccounts(
  ctx: OperatorContext,
  options: { all?: boolean },
  explicit: string[],
): Promise<string[]> {
  return options.all ? organizationAccounts(ctx) : explicit;
}

/** ACTIVE members, minus the excluded accounts and the management account itself. */
async function organizationAccounts(ctx: OperatorContext): Promise<string[]> {
  const managementAccountId = ctx.config.managementAccountId ?? (await ctx.aws.callerAccount());
  const members = await ctx.aws.organization().list();
  return selectSweepAccounts(members, {
    excludeAccountIds: ctx.config.excludeAccountIds,
    managementAccountId,
  }).accountIds.sort();
}

/**
 * What `check` and `plan` start from: the flags checked before any call, then the context, the
 * selected accounts and the document of each in every selected region, read with a progress bar
 * that names what is being done (`verb`).
 */
export async function surveySelection(
  options: AccountSelectionOptions,
  globals: GlobalOptions,
  io: CliIo,
  verb: string,
): Promise<{ ctx: OperatorContext; cells: SurveyCell[] }> {
  const explicit = checkAccountSelection(options);
  const ctx = await openContext(globals, io);
  const regions = parseRegions(options.regions, ctx.config);
  const accountIds = await selectedAccounts(ctx, options, explicit);
  const bar = progress(io, verb, accountIds.length * regions.length);
  // Loaded on use: the SDK clients behind it are not needed for --help.
  const { surveyPreferences } = await import('./preferences-survey.ts');
  const cells = await surveyPreferences(ctx, accountIds, regions, () => bar.tick());
  bar.finish();
  return { ctx, cells };
}
