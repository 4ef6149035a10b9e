import type { MemberSessions, SessionAccess } from '#adapters/member-session.ts';
import { PreferencesStore } from '#adapters/preferences-store.ts';
import type { PruningPolicy } from '#adapters/version-pruning.ts';
import { logger } from './observability.ts';

/**
 * The preferences document of one member account in one region, behind a session with the access
 * the task needs: ApplyPreferences writes (with the config's pruning policy), VerifyPreferences
 * only reads. A write that meets SSM's version limit opens a prune session of its own, the only
 * one that may delete. The store names the account in its errors and logs through the handlers' logger.
 */
export async function openPreferencesStore(
  sessions: Pick<MemberSessions, 'open'>,
  task: { accountId: string; region: string },
  access: SessionAccess,
  pruning?: PruningPolicy,
): Promise<PreferencesStore> {
  const session = await sessions.open(task.accountId, access);
  return new PreferencesStore(session.ssm(task.region), task.region, {
    accountId: task.accountId,
    logger,
    ...(pruning ? { pruning } : {}),
    ...(access === 'write' && pruning?.enabled
      ? {
          pruneClient: async () => (await sessions.open(task.accountId, 'prune')).ssm(task.region),
        }
      : {}),
  });
}
