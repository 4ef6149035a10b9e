/**
 * Pruning at SSM's version limit (config `documentVersionPruning`): which old versions of the
 * preferences document may be deleted so that a write can go through, and deleting them.
 */
import { DeleteDocumentCommand, ListDocumentVersionsCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { PREFERENCES_DOCUMENT_NAME } from '#core/document/preferences.ts';
import { DocumentVersionLimitError } from '#core/shared/errors.ts';
import { classifyAwsError } from './aws-errors.ts';

const Name = PREFERENCES_DOCUMENT_NAME;

/** What to do at SSM's version limit (config `documentVersionPruning`). */
export interface PruningPolicy {
  enabled: boolean;
  /** Never delete any of the newest N versions, nor the default. */
  keepNewest: number;
  /** Delete at most this many (the oldest eligible) per limit hit. */
  deleteCount: number;
}

export const DEFAULT_PRUNING: PruningPolicy = { enabled: true, keepNewest: 20, deleteCount: 10 };

/**
 * The pruning policy: delete the oldest versions that are neither the default nor among the
 * newest `keepNewest`, at most `deleteCount`. Off, or nothing eligible: DocumentVersionLimitError.
 */
export async function pruneVersions(
  ssm: SSMClient,
  region: string,
  policy: PruningPolicy,
  logger: { warn(message: string, extra: Record<string, unknown>): void },
  cause: unknown,
): Promise<string[]> {
  if (!policy.enabled) {
    throw new DocumentVersionLimitError(
      `${Name} in ${region} has reached SSM's version limit and documentVersionPruning is off; delete old versions by hand`,
      { cause },
    );
  }
  const versions: { version: number; isDefault: boolean }[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ssm.send(new ListDocumentVersionsCommand({ Name, NextToken, MaxResults: 50 }));
    for (const v of page.DocumentVersions ?? []) {
      if (v.DocumentVersion)
        versions.push({ version: Number(v.DocumentVersion), isDefault: v.IsDefaultVersion === true });
    }
    NextToken = page.NextToken;
  } while (NextToken);
  const newest = new Set(
    versions
      .map((v) => v.version)
      .sort((a, b) => b - a)
      .slice(0, policy.keepNewest),
  );
  const victims = versions
    .filter((v) => !v.isDefault && !newest.has(v.version))
    .sort((a, b) => a.version - b.version)
    .slice(0, policy.deleteCount)
    .map((v) => String(v.version));
  if (victims.length === 0) {
    throw new DocumentVersionLimitError(
      `${Name} in ${region} has reached SSM's version limit and no version may be pruned (keepNewest ${policy.keepNewest}, the default is kept)`,
      { cause },
    );
  }
  logger.warn('document version limit reached; pruning old versions under the policy', {
    region: region,
    deleting: victims,
    keepNewest: policy.keepNewest,
  });
  for (const victim of victims) {
    try {
      await ssm.send(new DeleteDocumentCommand({ Name, DocumentVersion: victim }));
    } catch (error) {
      throw classifyAwsError(error, `DeleteDocument ${Name} version ${victim} in ${region}`);
    }
  }
  return victims;
}
