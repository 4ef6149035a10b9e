import type { MemberSession } from '#adapters/member-session.ts';
import type { RunAsReadout } from '#adapters/preferences-readout.ts';
import { PreferencesStore } from '#adapters/preferences-store.ts';
import { describeError, errorMessage } from '#core/shared/error-text.ts';
import {
  CredentialsRejectedError,
  RoleNotAssumableError,
  StsRegionDisabledError,
} from '#core/shared/errors.ts';
import type { OperatorContext } from './operator-context.ts';
import { mapLimit } from './options.ts';

/** What was read from one account in one region, through a read-only session. */
export type SurveyCell =
  | { accountId: string; region: string; kind: 'read'; readout: RunAsReadout }
  | { accountId: string; region: string; kind: 'role-unavailable'; reason: string }
  | { accountId: string; region: string; kind: 'error'; reason: string };

const CONCURRENCY = 8;

/**
 * Read the preferences document of every account in every region. Read sessions only: the
 * session policy allows no write even if a caller tried. One account's or region's failure is
 * reported in its cell and does not stop the others.
 */
export async function surveyPreferences(
  ctx: OperatorContext,
  accountIds: readonly string[],
  regions: readonly string[],
  onCell: () => void = () => {},
): Promise<SurveyCell[]> {
  const sessions = ctx.memberSessions();
  const perAccount = await mapLimit(accountIds, CONCURRENCY, async (accountId): Promise<SurveyCell[]> => {
    let session: MemberSession;
    try {
      session = await sessions.open(accountId, 'read');
    } catch (error) {
      // The management credentials or STS itself: every account would fail the same way. Stop.
      if (error instanceof CredentialsRejectedError || error instanceof StsRegionDisabledError) throw error;
      const kind = error instanceof RoleNotAssumableError ? 'role-unavailable' : 'error';
      const reason = kind === 'role-unavailable' ? errorMessage(error) : describeError(error);
      return regions.map((region) => {
        onCell();
        return { accountId, region, kind, reason };
      });
    }
    return mapLimit(regions, regions.length, async (region): Promise<SurveyCell> => {
      try {
        const readout = await new PreferencesStore(session.ssm(region), region).readRunAs(ctx.runAs);
        return { accountId, region, kind: 'read', readout };
      } catch (error) {
        return { accountId, region, kind: 'error', reason: describeError(error) };
      } finally {
        onCell();
      }
    });
  });
  return perAccount.flat();
}
