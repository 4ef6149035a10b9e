import {
  CreateDocumentCommand,
  DescribeDocumentCommand,
  GetDocumentCommand,
  type SSMClient,
  UpdateDocumentCommand,
  UpdateDocumentDefaultVersionCommand,
} from '@aws-sdk/client-ssm';
import type { RunAsSetting } from '#core/config/config.ts';
import { PREFERENCES_DOCUMENT_NAME, planChange } from '#core/document/preferences.ts';
import type { ApplyResult } from '#core/document/region-result.ts';
import type { DocumentFormat } from '#core/document/text.ts';
import {
  DocumentBusyError,
  DocumentVersionFailedError,
  DocumentVersionLimitError,
  PreferencesDocumentInvalidError,
  VerificationFailedError,
} from '#core/shared/errors.ts';
import { classifyAwsError, hasName } from './aws-errors.ts';
import {
  judgeReadout,
  type RunAsReadout,
  readout,
  type StoredVersion,
  type VersionReadout,
} from './preferences-readout.ts';
import { DEFAULT_PRUNING, type PruningPolicy, pruneVersions } from './version-pruning.ts';

const Name = PREFERENCES_DOCUMENT_NAME;

/** What the store did; a refusal is never an outcome: it is thrown. */
export type ApplyOutcome = ApplyResult;

/** A `{ debug, info, warn }` logger, so tests and the CLI can pass anything that logs. */
export interface StoreLogger {
  debug(message: string, extra: Record<string, unknown>): void;
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
}

export interface PreferencesStoreOptions {
  /** The member account, named with the region in the errors this store throws. */
  accountId?: string;
  logger?: StoreLogger;
  sleep?: (ms: number) => Promise<void>;
  /** How long to wait for `Active` after a write before calling the document busy. */
  activeWait?: { attempts: number; delayMs: number };
  pruning?: PruningPolicy;
  /**
   * The SSM client that may delete old versions, opened only when a write meets SSM's version
   * limit (a session of its own: the write session cannot delete). Default: the store's client.
   */
  pruneClient?: () => Promise<SSMClient>;
}

const silent: StoreLogger = { debug() {}, info() {}, warn() {} };
const BUSY_STATUSES: readonly string[] = ['Creating', 'Updating', 'Deleting'];

/**
 * The preferences document of one account in one region. Applies RunAs by read, merge (in
 * place, keeping the document's format and every byte that is not a RunAs value), write, wait
 * for Active, then promote; makes no write when the content is already right. A version that
 * ends Failed is never promoted.
 */
export class PreferencesStore {
  readonly #ssm: SSMClient;
  readonly #region: string;
  /** `account/region` (or the region alone) for error messages. */
  readonly #where: string;
  readonly #logger: StoreLogger;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #activeWait: { attempts: number; delayMs: number };
  readonly #pruning: PruningPolicy;
  readonly #pruneClient: () => Promise<SSMClient>;

  constructor(ssm: SSMClient, region: string, options: PreferencesStoreOptions = {}) {
    this.#ssm = ssm;
    this.#region = region;
    this.#where = options.accountId ? `${options.accountId}/${region}` : region;
    this.#logger = options.logger ?? silent;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#activeWait = options.activeWait ?? { attempts: 20, delayMs: 500 };
    this.#pruning = options.pruning ?? DEFAULT_PRUNING;
    this.#pruneClient = options.pruneClient ?? (async () => ssm);
  }

  /**
   * Write RunAs, or throw. A refusal (a document we may not merge into) is an error from here
   * outward, never a returned value: PreferencesDocumentInvalidError propagates through the
   * handler to the ASL, whose Catch routes it to RegionRefused, the one place it becomes data (the
   * region's recorded result). That is the form Step Functions routes on without an extra Choice
   * per Task, it is what VerifyPreferences already raised for a foreign document found at
   * read-back, and a caller cannot mistake an unchecked refusal for a write.
   */
  async apply(runAs: RunAsSetting): Promise<ApplyOutcome> {
    const current = await this.#get('$LATEST');
    if (!current) {
      const created = await this.#create(runAs);
      if (created) return created;
      // Lost a creation race: someone else created it between our read and our write.
      this.#logger.info('document appeared while creating it; merging into it', { region: this.#region });
      const raced = await this.#get('$LATEST');
      if (!raced)
        throw new DocumentBusyError(`${Name} in ${this.#region} exists and does not exist; try again`);
      return this.#merge(raced, runAs);
    }
    return this.#merge(current, runAs);
  }

  /**
   * Read back after a write, with the one judgement check and plan use: both versions Active and
   * carrying the setting. Throws when RunAs is not in effect: DocumentBusyError (a version is
   * changing), PreferencesDocumentInvalidError (a foreign document: refused, as apply does),
   * VerificationFailedError (anything else, a Failed version included: apply repairs it).
   */
  async verify(runAs: RunAsSetting): Promise<{ latestVersion: string; defaultVersion: string }> {
    const found = await this.readRunAs(runAs);
    const judgement = judgeReadout(found, runAs);
    const details = judgement.details.join('; ');
    switch (judgement.status) {
      case 'compliant':
        break;
      case 'busy':
        throw new DocumentBusyError(`${Name} in ${this.#where}: ${details}`);
      case 'foreign':
        throw new PreferencesDocumentInvalidError(
          `version ${found.latest?.version} in ${this.#where}: ${details}`,
        );
      default:
        throw new VerificationFailedError(
          `RunAs not in effect in ${this.#where} (${judgement.status}): ${details}`,
        );
    }
    const latest = found.latest as VersionReadout;
    return { latestVersion: latest.version, defaultVersion: found.default?.version ?? latest.version };
  }

  /** Read-only: the RunAs state of the latest and default versions, with their statuses. */
  async readRunAs(runAs: RunAsSetting): Promise<RunAsReadout> {
    const latest = await this.#get('$LATEST');
    if (!latest) return { region: this.#region, exists: false };
    const byDefault = await this.#get('$DEFAULT');
    return {
      region: this.#region,
      exists: true,
      ...(latest.status ? { status: latest.status } : {}),
      latest: readout(latest, runAs),
      ...(byDefault ? { default: readout(byDefault, runAs) } : {}),
    };
  }

  async #merge(current: StoredVersion, runAs: RunAsSetting): Promise<ApplyOutcome> {
    if (current.status && BUSY_STATUSES.includes(current.status)) {
      throw new DocumentBusyError(`${Name} in ${this.#region} is ${current.status}`);
    }
    if (current.status === 'Failed') return this.#repairFailed(current, runAs);
    const plan = planChange(current.content, runAs);
    if (plan.kind === 'refuse') return this.#refused(current.version, plan.reason);
    if (plan.kind === 'none') return this.#ensureDefault(current.version);
    if (plan.kind === 'create') throw new Error('unreachable: an existing document is never created');
    // Before a write only: make sure the text is in the format the version is stored in. If a
    // GetDocument without DocumentFormat ever came back converted to JSON (its default), a YAML
    // document would otherwise be written back as JSON, losing its comments and layout.
    if (current.format !== 'YAML') {
      const { format } = await this.#describe(current.version);
      if (format === 'YAML') {
        const asStored = await this.#get(current.version, 'YAML');
        if (asStored) return this.#merge(asStored, runAs);
      }
    }

    const write = await this.#update(plan.text, current.format ?? plan.format, current.version);
    if (write.version === undefined) return this.#ensureDefault(current.version);
    await this.#promoteWhenActive(write.version);
    return {
      region: this.#region,
      action: 'updated',
      versionBefore: current.version,
      versionAfter: write.version,
      promoted: true,
      ...(write.pruned.length > 0 ? { pruned: write.pruned } : {}),
    };
  }

  /**
   * `$LATEST` is Failed. Sessions may use `$LATEST`, so it is replaced by a new version built
   * from the default (the last version SSM accepted), merged; the Failed one is never promoted.
   * A document whose every version is Failed (created Failed: version 1 is its default) has no
   * accepted version: it is rebuilt from the Failed version's own content, re-spelled when the
   * merge leaves it unchanged, since SSM refuses the latest version's content as a duplicate.
   */
  async #repairFailed(failed: StoredVersion, runAs: RunAsSetting): Promise<ApplyOutcome> {
    const byDefault = await this.#get('$DEFAULT');
    const good =
      byDefault && byDefault.version !== failed.version && byDefault.status !== 'Failed'
        ? byDefault
        : undefined;
    const source = good ?? failed;
    const plan = planChange(source.content, runAs);
    if (plan.kind === 'refuse')
      return this.#refused(
        failed.version,
        `${good ? 'default' : 'Failed'} version ${source.version}: ${plan.reason}`,
      );
    const merged = plan.kind === 'update' ? plan.text : source.content;
    const text = good || merged !== failed.content ? merged : respelledJson(merged);
    if (text === undefined) {
      throw new DocumentVersionFailedError(
        `${Name} in ${this.#region}: $LATEST version ${failed.version} is Failed, no version was ever accepted, and its content is not JSON to write again`,
      );
    }
    const format = good
      ? (good.format ?? (plan.kind === 'update' || plan.kind === 'none' ? plan.format : 'JSON'))
      : 'JSON';
    this.#logger.warn('$LATEST is Failed; writing a new version', {
      region: this.#region,
      failedVersion: failed.version,
      fromVersion: source.version,
    });
    const write = await this.#update(text, format, failed.version);
    if (write.version === undefined) {
      throw new DocumentVersionFailedError(
        `${Name} in ${this.#region}: the repair of Failed version ${failed.version} would repeat its content, which SSM refuses as a duplicate of the latest version; write a different version by hand`,
      );
    }
    await this.#promoteWhenActive(write.version);
    return {
      region: this.#region,
      action: 'updated',
      versionBefore: failed.version,
      versionAfter: write.version,
      promoted: true,
      repairedFrom: source.version,
      ...(write.pruned.length > 0 ? { pruned: write.pruned } : {}),
    };
  }

  #refused(version: string, reason: string): never {
    this.#logger.warn('refusing to write a document we cannot merge into', {
      region: this.#region,
      version,
      reason,
    });
    throw new PreferencesDocumentInvalidError(`refused to change ${Name} in ${this.#where}: ${reason}`);
  }

  /**
   * The latest content is right (and Active). Make it the default when it is not: LZA writes
   * `$LATEST` and never promotes, so this makes LZA's newest settings live along with RunAs.
   * RunAs itself is already in effect when the default carries it too, so check calls that
   * compliant and plan shows the promotion with what it changes in the live default.
   */
  async #ensureDefault(latestVersion: string): Promise<ApplyOutcome> {
    const described = await this.#describe();
    const promote = described.defaultVersion !== undefined && described.defaultVersion !== latestVersion;
    if (promote) await this.#promote(latestVersion);
    return {
      region: this.#region,
      action: 'unchanged',
      versionBefore: latestVersion,
      versionAfter: latestVersion,
      promoted: promote,
    };
  }

  /** Returns undefined when the document already exists. */
  async #create(runAs: RunAsSetting): Promise<ApplyOutcome | undefined> {
    const plan = planChange(undefined, runAs);
    if (plan.kind !== 'create') throw new Error('unreachable: a missing document is always created');
    let version: string;
    try {
      const result = await this.#ssm.send(
        new CreateDocumentCommand({
          Name,
          Content: plan.text,
          DocumentType: 'Session',
          DocumentFormat: plan.format,
        }),
      );
      version =
        result.DocumentDescription?.LatestVersion ?? result.DocumentDescription?.DocumentVersion ?? '1';
    } catch (error) {
      if (hasName(error, 'DocumentAlreadyExists')) return undefined;
      throw classifyAwsError(error, `CreateDocument ${Name} in ${this.#region}`);
    }
    await this.#waitActive(version);
    this.#logger.info('created preferences document', { region: this.#region, version });
    return {
      region: this.#region,
      action: 'created',
      versionAfter: version,
      promoted: false,
    };
  }

  /** Writes `text` as a new version; `version` is undefined when SSM says the content is a duplicate. */
  async #update(
    text: string,
    format: string,
    latestVersion: string,
    pruned: string[] = [],
  ): Promise<{ version: string | undefined; pruned: string[] }> {
    try {
      const result = await this.#ssm.send(
        new UpdateDocumentCommand({
          Name,
          Content: text,
          DocumentFormat: format as DocumentFormat,
          // The number, not $LATEST: if someone wrote a newer version since our read, SSM refuses.
          DocumentVersion: latestVersion,
        }),
      );
      const version =
        result.DocumentDescription?.DocumentVersion ?? result.DocumentDescription?.LatestVersion;
      if (!version) throw new Error(`UpdateDocument in ${this.#region} returned no version`);
      this.#logger.info('updated preferences document', {
        region: this.#region,
        from: latestVersion,
        to: version,
      });
      return { version, pruned };
    } catch (error) {
      if (hasName(error, 'DuplicateDocumentContent')) return { version: undefined, pruned };
      if (hasName(error, 'InvalidDocumentVersion')) {
        throw new DocumentBusyError(
          `${Name} in ${this.#region} changed since version ${latestVersion} was read`,
          {
            cause: error,
          },
        );
      }
      if (hasName(error, 'DocumentVersionLimitExceeded')) {
        if (pruned.length > 0) {
          throw new DocumentVersionLimitError(
            `${Name} in ${this.#region} is still at SSM's version limit after pruning ${pruned.join(', ')}`,
            { cause: error },
          );
        }
        const deleted = await pruneVersions(
          this.#pruning.enabled ? await this.#pruneClient() : this.#ssm,
          this.#region,
          this.#pruning,
          this.#logger,
          error,
        );
        return this.#update(text, format, latestVersion, deleted);
      }
      throw classifyAwsError(error, `UpdateDocument ${Name} in ${this.#region}`);
    }
  }

  /**
   * Wait until `version` is Active, then make it the default, unless a duplicate execution that
   * saw it Active already did (the promotion is the same either way; this saves the call).
   */
  async #promoteWhenActive(version: string): Promise<void> {
    const { defaultVersion } = await this.#waitActive(version);
    if (defaultVersion !== version) await this.#promote(version);
  }

  async #promote(version: string): Promise<void> {
    try {
      await this.#ssm.send(new UpdateDocumentDefaultVersionCommand({ Name, DocumentVersion: version }));
    } catch (error) {
      throw classifyAwsError(error, `UpdateDocumentDefaultVersion ${Name} ${version} in ${this.#region}`);
    }
  }

  async #describe(
    version?: string,
  ): Promise<{ status?: string; defaultVersion?: string; latestVersion?: string; format?: string }> {
    try {
      const { Document } = await this.#ssm.send(
        new DescribeDocumentCommand({ Name, ...(version ? { DocumentVersion: version } : {}) }),
      );
      return {
        ...(Document?.Status ? { status: Document.Status } : {}),
        ...(Document?.DocumentFormat ? { format: Document.DocumentFormat } : {}),
        ...(Document?.DefaultVersion ? { defaultVersion: Document.DefaultVersion } : {}),
        ...(Document?.LatestVersion ? { latestVersion: Document.LatestVersion } : {}),
      };
    } catch (error) {
      throw classifyAwsError(error, `DescribeDocument ${Name} in ${this.#region}`);
    }
  }

  /** Wait until `version` is Active. Failed: DocumentVersionFailedError, and it is not promoted. */
  async #waitActive(version: string): Promise<{ defaultVersion?: string }> {
    for (let attempt = 1; attempt <= this.#activeWait.attempts; attempt++) {
      const { status, defaultVersion } = await this.#describe(version);
      if (status === 'Active') return defaultVersion ? { defaultVersion } : {};
      if (status === 'Failed') {
        throw new DocumentVersionFailedError(
          `${Name} in ${this.#region}: version ${version} went to status Failed; it was not made the default`,
        );
      }
      if (attempt < this.#activeWait.attempts) await this.#sleep(this.#activeWait.delayMs);
    }
    throw new DocumentBusyError(
      `${Name} in ${this.#region}: version ${version} did not become Active in time`,
    );
  }

  async #get(version: string, format?: 'YAML'): Promise<StoredVersion | undefined> {
    try {
      // No DocumentFormat: the content as stored (the local cloud; see #merge for the safeguard).
      const result = await this.#ssm.send(
        new GetDocumentCommand({
          Name,
          DocumentVersion: version,
          ...(format ? { DocumentFormat: format } : {}),
        }),
      );
      if (result.Content === undefined || result.DocumentVersion === undefined) {
        throw new Error(`GetDocument ${version} in ${this.#region} returned no content`);
      }
      return {
        content: result.Content,
        version: result.DocumentVersion,
        ...(result.Status ? { status: result.Status } : {}),
        ...(result.DocumentFormat ? { format: result.DocumentFormat } : {}),
      };
    } catch (error) {
      if (hasName(error, 'InvalidDocument')) return undefined;
      throw classifyAwsError(error, `GetDocument ${Name} ${version} in ${this.#region}`);
    }
  }
}

/** The same JSON document in the other spelling (compact or indented): new bytes, the same content. */
function respelledJson(text: string): string | undefined {
  try {
    const value: unknown = JSON.parse(text);
    const compact = JSON.stringify(value);
    return compact === text ? JSON.stringify(value, null, 2) : compact;
  } catch {
    return undefined;
  }
}
