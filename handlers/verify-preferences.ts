import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { MemberSessions } from '#adapters/member-session.ts';
import { PreferencesStore } from '#adapters/preferences-store.ts';
import { PreferencesDocumentInvalidError, VerificationFailedError } from '#core/errors.ts';
import { fromProcessEnvironment, type HandlerDependencies } from './shared/dependencies.ts';
import { logger, tracer } from './shared/observability.ts';
import { type RegionTaskInput, regionTaskInput } from './shared/schemas.ts';

export interface VerifyPreferencesOutput {
  region: string;
  verifiedAt: string;
  latestVersion: string;
  defaultVersion: string;
}

/** Read back `$LATEST` and `$DEFAULT` with a read-only session; both must carry the RunAs setting. */
export function createHandler(dependencies: () => HandlerDependencies) {
  return middy(async (input: RegionTaskInput, _context: Context): Promise<VerifyPreferencesOutput> => {
    const { sessions, runAs, now } = dependencies();
    const session = await sessions.open(input.accountId, 'read');
    const store = new PreferencesStore(tracer.captureAWSv3Client(session.ssm(input.region)), input.region, {
      logger,
    });
    const readout = await store.readRunAs(runAs);
    const where = `${input.accountId}/${input.region}`;
    if (!readout.exists || !readout.latest || !readout.default) {
      throw new VerificationFailedError(`SSM-SessionManagerRunShell does not exist in ${where}`);
    }
    for (const version of [readout.latest, readout.default]) {
      if (!version.valid) {
        throw new PreferencesDocumentInvalidError(
          `version ${version.version} in ${where}: ${version.invalidReason}`,
        );
      }
    }
    if (!readout.latest.compliant || !readout.default.compliant) {
      throw new VerificationFailedError(
        `RunAs not in effect in ${where}: $LATEST (v${readout.latest.version}) runAsEnabled=${JSON.stringify(readout.latest.runAsEnabled)} runAsDefaultUser=${JSON.stringify(readout.latest.runAsDefaultUser)}; $DEFAULT (v${readout.default.version}) runAsEnabled=${JSON.stringify(readout.default.runAsEnabled)} runAsDefaultUser=${JSON.stringify(readout.default.runAsDefaultUser)}`,
      );
    }
    const verifiedAt = new Date(now()).toISOString();
    logger.info('preferences verified', { accountId: input.accountId, region: input.region });
    return {
      region: input.region,
      verifiedAt,
      latestVersion: readout.latest.version,
      defaultVersion: readout.default.version,
    };
  })
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger))
    .use(parser({ schema: regionTaskInput }));
}

export const handler = createHandler(fromProcessEnvironment({ STSClient, MemberSessions, SSMClient }));
