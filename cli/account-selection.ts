import { selectSweepAccounts } from '#core/sweep.ts';
import { UserError } from './io.ts';
import type { OperatorContext } from './operator-context.ts';
import { parseAccountIds } from './options.ts';

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
