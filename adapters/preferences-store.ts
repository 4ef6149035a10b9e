import {
  CreateDocumentCommand,
  DeleteDocumentCommand,
  DescribeDocumentCommand,
  type DocumentStatus,
  GetDocumentCommand,
  ListDocumentVersionsCommand,
  type SSMClient,
  UpdateDocumentCommand,
  UpdateDocumentDefaultVersionCommand,
} from '@aws-sdk/client-ssm';
import type { RunAsSetting } from '#core/config.ts';
import { DocumentBusyError, PreferencesDocumentInvalidError } from '#core/errors.ts';
import {
  isCompliant,
  PREFERENCES_DOCUMENT_NAME,
  parseDocument,
  planChange,
  type SessionDocument,
  serializeDocument,
} from '#core/preferences.ts';
import { classifyAwsError, hasName } from './aws-errors.ts';

const Name = PREFERENCES_DOCUMENT_NAME;

export type ApplyAction = 'created' | 'updated' | 'unchanged' | 'refused';

export interface ApplyOutcome {
  region: string;
  action: ApplyAction;
  /** Latest version before the call; absent when the document did not exist. */
  versionBefore?: string;
  /** Latest (and default) version after the call; absent when refused. */
  versionAfter?: string;
  /** True when an existing, compliant latest version only had to be made the default. */
  promoted: boolean;
  compliant: boolean;
  /** Why the document was refused. */
  reason?: string;
}

export interface VersionReadout {
  version: string;
  /** Parsed JSON when the content is JSON, else the raw text. */
  content: unknown;
  valid: boolean;
  invalidReason?: string;
  runAsEnabled?: unknown;
  runAsDefaultUser?: unknown;
  compliant: boolean;
}

export interface RunAsReadout {
  region: string;
  exists: boolean;
  status?: string;
  latest?: VersionReadout;
  default?: VersionReadout;
}

/** A `{ debug, info, warn }` logger, so tests and the CLI can pass anything that logs. */
export interface StoreLogger {
  debug(message: string, extra: Record<string, unknown>): void;
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
}

export interface PreferencesStoreOptions {
  logger?: StoreLogger;
  sleep?: (ms: number) => Promise<void>;
  /** How long to wait for `Active` after a write before calling the document busy. */
  activeWait?: { attempts: number; delayMs: number };
  /** How many old versions to delete when SSM's version limit is reached. */
  pruneCount?: number;
}

const silent: StoreLogger = { debug() {}, info() {}, warn() {} };
const BUSY_STATUSES: readonly string[] = ['Creating', 'Updating', 'Deleting'];

interface LatestVersion {
  content: string;
  version: string;
  status?: DocumentStatus | string;
}

/**
 * The preferences document of one account in one region. Applies RunAs by read, merge, write,
 * promote and wait-for-Active; makes no write when the content is already right.
 */
export class PreferencesStore {
  readonly #ssm: SSMClient;
  readonly #region: string;
  readonly #logger: StoreLogger;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #activeWait: { attempts: number; delayMs: number };
  readonly #pruneCount: number;

  constructor(ssm: SSMClient, region: string, options: PreferencesStoreOptions = {}) {
    this.#ssm = ssm;
    this.#region = region;
    this.#logger = options.logger ?? silent;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#activeWait = options.activeWait ?? { attempts: 20, delayMs: 500 };
    this.#pruneCount = options.pruneCount ?? 10;
  }

  async apply(runAs: RunAsSetting): Promise<ApplyOutcome> {
    const current = await this.#getLatest();
    if (!current) {
      const created = await this.#create(runAs);
      if (created) return created;
      // Lost a creation race: someone else created it between our read and our write.
      this.#logger.info('document appeared while creating it; merging into it', { region: this.#region });
      const raced = await this.#getLatest();
      if (!raced)
        throw new DocumentBusyError(`${Name} in ${this.#region} exists and does not exist; try again`);
      return this.#merge(raced, runAs);
    }
    return this.#merge(current, runAs);
  }

  /** Read-only: the RunAs state of the latest and default versions. */
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

  async #merge(current: LatestVersion, runAs: RunAsSetting): Promise<ApplyOutcome> {
    if (current.status && BUSY_STATUSES.includes(current.status)) {
      throw new DocumentBusyError(`${Name} in ${this.#region} is ${current.status}`);
    }
    const plan = planChange(current.content, runAs);
    if (plan.kind === 'refuse') {
      this.#logger.warn('refusing to write a document we cannot merge into', {
        region: this.#region,
        reason: plan.reason,
      });
      return {
        region: this.#region,
        action: 'refused',
        versionBefore: current.version,
        promoted: false,
        compliant: false,
        reason: plan.reason,
      };
    }
    if (plan.kind === 'none') return this.#ensureDefault(current.version);
    if (plan.kind === 'create') throw new Error('unreachable: an existing document is never created');

    const newVersion = await this.#update(plan.document, current.version);
    if (newVersion === undefined) return this.#ensureDefault(current.version);
    await this.#promote(newVersion);
    await this.#waitActive();
    return {
      region: this.#region,
      action: 'updated',
      versionBefore: current.version,
      versionAfter: newVersion,
      promoted: true,
      compliant: true,
    };
  }

  /** Content is already right: at most make the latest version the default. */
  async #ensureDefault(latestVersion: string): Promise<ApplyOutcome> {
    const described = await this.#describe();
    const promote = described.defaultVersion !== latestVersion;
    if (promote) {
      await this.#promote(latestVersion);
      await this.#waitActive();
    }
    return {
      region: this.#region,
      action: 'unchanged',
      versionBefore: latestVersion,
      versionAfter: latestVersion,
      promoted: promote,
      compliant: true,
    };
  }

  /** Returns undefined when the document already exists. */
  async #create(runAs: RunAsSetting): Promise<ApplyOutcome | undefined> {
    const plan = planChange(undefined, runAs);
    if (plan.kind !== 'create') throw new Error('unreachable: a missing document is always created');
    try {
      const result = await this.#ssm.send(
        new CreateDocumentCommand({
          Name,
          Content: serializeDocument(plan.document),
          DocumentType: 'Session',
          DocumentFormat: 'JSON',
        }),
      );
      const version =
        result.DocumentDescription?.LatestVersion ?? result.DocumentDescription?.DocumentVersion ?? '1';
      await this.#waitActive();
      this.#logger.info('created preferences document', { region: this.#region, version });
      return {
        region: this.#region,
        action: 'created',
        versionAfter: version,
        promoted: false,
        compliant: true,
      };
    } catch (error) {
      if (hasName(error, 'DocumentAlreadyExists')) return undefined;
      throw classifyAwsError(error, `CreateDocument ${Name} in ${this.#region}`);
    }
  }

  /** Returns the new version, or undefined when SSM says the content is a duplicate. */
  async #update(
    document: SessionDocument,
    latestVersion: string,
    pruned = false,
  ): Promise<string | undefined> {
    try {
      const result = await this.#ssm.send(
        new UpdateDocumentCommand({
          Name,
          Content: serializeDocument(document),
          DocumentFormat: 'JSON',
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
      return version;
    } catch (error) {
      if (hasName(error, 'DuplicateDocumentContent')) return undefined;
      if (hasName(error, 'InvalidDocumentVersion')) {
        throw new DocumentBusyError(
          `${Name} in ${this.#region} changed since version ${latestVersion} was read`,
          {
            cause: error,
          },
        );
      }
      if (hasName(error, 'DocumentVersionLimitExceeded') && !pruned) {
        await this.#prune();
        return this.#update(document, latestVersion, true);
      }
      throw classifyAwsError(error, `UpdateDocument ${Name} in ${this.#region}`);
    }
  }

  async #promote(version: string): Promise<void> {
    try {
      await this.#ssm.send(new UpdateDocumentDefaultVersionCommand({ Name, DocumentVersion: version }));
    } catch (error) {
      throw classifyAwsError(error, `UpdateDocumentDefaultVersion ${Name} ${version} in ${this.#region}`);
    }
  }

  /** Delete the oldest versions that are neither the default nor the latest. */
  async #prune(): Promise<void> {
    const versions: { version: number; isDefault: boolean }[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.#ssm.send(new ListDocumentVersionsCommand({ Name, NextToken, MaxResults: 50 }));
      for (const v of page.DocumentVersions ?? []) {
        if (v.DocumentVersion)
          versions.push({ version: Number(v.DocumentVersion), isDefault: v.IsDefaultVersion === true });
      }
      NextToken = page.NextToken;
    } while (NextToken);
    const latest = Math.max(...versions.map((v) => v.version));
    const victims = versions
      .filter((v) => !v.isDefault && v.version !== latest)
      .sort((a, b) => a.version - b.version)
      .slice(0, this.#pruneCount);
    this.#logger.warn('document version limit reached; pruning old versions', {
      region: this.#region,
      deleting: victims.map((v) => v.version),
    });
    for (const victim of victims) {
      await this.#ssm.send(new DeleteDocumentCommand({ Name, DocumentVersion: String(victim.version) }));
    }
  }

  async #describe(): Promise<{ status?: string; defaultVersion?: string; latestVersion?: string }> {
    try {
      const { Document } = await this.#ssm.send(new DescribeDocumentCommand({ Name }));
      return {
        ...(Document?.Status ? { status: Document.Status } : {}),
        ...(Document?.DefaultVersion ? { defaultVersion: Document.DefaultVersion } : {}),
        ...(Document?.LatestVersion ? { latestVersion: Document.LatestVersion } : {}),
      };
    } catch (error) {
      throw classifyAwsError(error, `DescribeDocument ${Name} in ${this.#region}`);
    }
  }

  async #waitActive(): Promise<void> {
    for (let attempt = 1; attempt <= this.#activeWait.attempts; attempt++) {
      const { status } = await this.#describe();
      if (status === 'Active') return;
      if (status === 'Failed')
        throw new DocumentBusyError(`${Name} in ${this.#region} went to status Failed`);
      if (attempt < this.#activeWait.attempts) await this.#sleep(this.#activeWait.delayMs);
    }
    throw new DocumentBusyError(`${Name} in ${this.#region} did not become Active in time`);
  }

  async #getLatest(): Promise<LatestVersion | undefined> {
    return this.#get('$LATEST');
  }

  async #get(version: '$LATEST' | '$DEFAULT'): Promise<LatestVersion | undefined> {
    try {
      const result = await this.#ssm.send(new GetDocumentCommand({ Name, DocumentVersion: version }));
      if (result.Content === undefined || result.DocumentVersion === undefined) {
        throw new Error(`GetDocument ${version} in ${this.#region} returned no content`);
      }
      return {
        content: result.Content,
        version: result.DocumentVersion,
        ...(result.Status ? { status: result.Status } : {}),
      };
    } catch (error) {
      if (hasName(error, 'InvalidDocument')) return undefined;
      throw classifyAwsError(error, `GetDocument ${Name} ${version} in ${this.#region}`);
    }
  }
}

function readout(version: LatestVersion, runAs: RunAsSetting): VersionReadout {
  let content: unknown = version.content;
  try {
    content = JSON.parse(version.content);
  } catch {
    // keep the raw text: the readout shows what is there, even when it is not JSON
  }
  try {
    const document = parseDocument(version.content);
    return {
      version: version.version,
      content,
      valid: true,
      runAsEnabled: document.inputs.runAsEnabled,
      runAsDefaultUser: document.inputs.runAsDefaultUser,
      compliant: isCompliant(document, runAs),
    };
  } catch (error) {
    if (!(error instanceof PreferencesDocumentInvalidError)) throw error;
    return {
      version: version.version,
      content,
      valid: false,
      invalidReason: error.message,
      compliant: false,
    };
  }
}
