import type { MemberSessions, SessionAccess } from '#adapters/member-session.ts';
import { PreferencesStore } from '#adapters/preferences-store.ts';
import type { PruningPolicy } from '#adapters/version-pruning.ts';
import { logger } from './observability.ts';

/**
 * The preferences document of one member account in one region, behind a session with the access
 * the task needs: ApplyPreferences writes (with the config's pruning policy), VerifyPreferences
 * only reads. The store names the account in its errors and logs through the handlers' logger.
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
  });
}
