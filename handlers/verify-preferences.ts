import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { SSMClient } from '@aws-sdk/client-ssm';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { MemberSessions } from '#adapters/member-session.ts';
import type { VerifyResult } from '#core/document/region-result.ts';
import { logger } from './shared/observability.ts';
import { openPreferencesStore } from './shared/preferences-store.ts';
import { type RegionTaskInput, regionTaskInput } from './shared/schemas.ts';
import { coldStart, type HandlerEnvironment } from './shared/wiring/environment.ts';
import { memberSessions } from './shared/wiring/member-sessions.ts';

export type VerifyPreferencesDependencies = Pick<HandlerEnvironment, 'runAs' | 'now'> & {
  sessions: Pick<MemberSessions, 'open'>;
};

/**
 * Read back `$LATEST` and `$DEFAULT` with a read-only session and judge them with the one rule
 * check and plan use: both Active and carrying the RunAs setting. A Failed version is drift
 * (apply repairs it), never compliant; the store throws whatever is not compliant.
 */
export function createHandler(dependencies: () => VerifyPreferencesDependencies) {
  async function verifyPreferences(input: RegionTaskInput, _context: Context): Promise<VerifyResult> {
    const { sessions, runAs, now } = dependencies();
    const store = await openPreferencesStore(sessions, input, 'read');
    const { latestVersion, defaultVersion } = await store.verify(runAs);
    const verifiedAt = new Date(now()).toISOString();
    logger.info('preferences verified', { accountId: input.accountId, region: input.region });
    return { region: input.region, verifiedAt, latestVersion, defaultVersion };
  }
  return middy()
    .use(injectLambdaContext(logger))
    .use(parser({ schema: regionTaskInput }))
    .handler(verifyPreferences);
}

/** The Lambda's wiring: this handler's builders over its environment (read once per cold start). */
export function wire(environment: HandlerEnvironment): VerifyPreferencesDependencies {
  return { ...environment, sessions: memberSessions(environment, SSMClient) };
}

export const handler = createHandler(coldStart(wire));
