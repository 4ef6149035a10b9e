import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { MemberSessions } from '#adapters/member-session.ts';
import { judgeReadout, PreferencesStore } from '#adapters/preferences-store.ts';
import { DocumentBusyError, PreferencesDocumentInvalidError, VerificationFailedError } from '#core/errors.ts';
import { fromProcessEnvironment, type HandlerDependencies } from './shared/dependencies.ts';
import { logger } from './shared/observability.ts';
import { type RegionTaskInput, regionTaskInput } from './shared/schemas.ts';

export interface VerifyPreferencesOutput {
  region: string;
  verifiedAt: string;
  latestVersion: string;
  defaultVersion: string;
}

/**
 * Read back `$LATEST` and `$DEFAULT` with a read-only session and judge them with the one rule
 * check and plan use: both Active and carrying the RunAs setting. A Failed version is drift
 * (apply repairs it), never compliant.
 */
export function createHandler(dependencies: () => HandlerDependencies) {
  return middy(async (input: RegionTaskInput, _context: Context): Promise<VerifyPreferencesOutput> => {
    const { sessions, runAs, now } = dependencies();
    const session = await sessions.open(input.accountId, 'read');
    const store = new PreferencesStore(session.ssm(input.region), input.region, {
      logger,
    });
    const readout = await store.readRunAs(runAs);
    const where = `${input.accountId}/${input.region}`;
    const judgement = judgeReadout(readout, runAs);
    const details = judgement.details.join('; ');
    switch (judgement.status) {
      case 'compliant':
        break;
      case 'busy':
        throw new DocumentBusyError(`SSM-SessionManagerRunShell in ${where}: ${details}`);
      case 'foreign':
        throw new PreferencesDocumentInvalidError(
          `version ${readout.latest?.version} in ${where}: ${details}`,
        );
      default:
        throw new VerificationFailedError(
          `RunAs not in effect in ${where} (${judgement.status}): ${details}`,
        );
    }
    const latest = readout.latest as NonNullable<typeof readout.latest>;
    const verifiedAt = new Date(now()).toISOString();
    logger.info('preferences verified', { accountId: input.accountId, region: input.region });
    return {
      region: input.region,
      verifiedAt,
      latestVersion: latest.version,
      defaultVersion: readout.default?.version ?? latest.version,
    };
  })
    .use(injectLambdaContext(logger))
    .use(parser({ schema: regionTaskInput }));
}

export const handler = createHandler(fromProcessEnvironment({ STSClient, MemberSessions, SSMClient }));
