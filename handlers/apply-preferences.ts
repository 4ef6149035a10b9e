import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { MemberSessions } from '#adapters/member-session.ts';
import { type ApplyAction, PreferencesStore } from '#adapters/preferences-store.ts';
import { PreferencesDocumentInvalidError } from '#core/errors.ts';
import { fromProcessEnvironment, type HandlerDependencies } from './shared/dependencies.ts';
import { logger, tracer } from './shared/observability.ts';
import { type RegionTaskInput, regionTaskInput } from './shared/schemas.ts';

export interface ApplyPreferencesOutput {
  region: string;
  action: Exclude<ApplyAction, 'refused'>;
  versionBefore?: string;
  versionAfter?: string;
  promoted: boolean;
}

/** Read, merge, write, promote and wait for Active, in one account and region. */
export function createHandler(dependencies: () => HandlerDependencies) {
  return middy(async (input: RegionTaskInput, _context: Context): Promise<ApplyPreferencesOutput> => {
    const { sessions, runAs } = dependencies();
    const session = await sessions.open(input.accountId, 'write');
    const store = new PreferencesStore(tracer.captureAWSv3Client(session.ssm(input.region)), input.region, {
      logger,
    });
    const { region, action, versionBefore, versionAfter, promoted, reason } = await store.apply(runAs);
    if (action === 'refused') {
      throw new PreferencesDocumentInvalidError(
        `refused to change SSM-SessionManagerRunShell in ${input.accountId}/${region}: ${reason}`,
      );
    }
    logger.info('preferences applied', {
      accountId: input.accountId,
      region,
      action,
      versionBefore,
      versionAfter,
    });
    return {
      region,
      action,
      ...(versionBefore ? { versionBefore } : {}),
      ...(versionAfter ? { versionAfter } : {}),
      promoted,
    };
  })
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger))
    .use(parser({ schema: regionTaskInput }));
}

export const handler = createHandler(fromProcessEnvironment({ STSClient, MemberSessions, SSMClient }));
