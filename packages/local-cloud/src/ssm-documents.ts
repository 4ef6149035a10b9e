import { createHash } from 'node:crypto';
import { isMap, parseDocument as parseYaml, stringify as toYaml } from 'yaml';
import { AwsServiceError } from './aws-error.ts';

/** SSM documents, per account AND region, with numbered versions (docs/aws-behaviour.md#systems-manager). */

export const MAX_DOCUMENT_BYTES = 64 * 1024;
export type DocumentStatus = 'Creating' | 'Active' | 'Updating' | 'Failed' | 'Deleting';

export interface DocumentVersionRecord {
  version: string;
  content: string;
  documentFormat: 'JSON' | 'YAML' | 'TEXT';
  /** Simulated epoch ms. */
  createdMs: number;
  /** Simulated epoch ms at which this version's status becomes Active (or Failed). */
  activeAtMs: number;
  /** Where the version settles: Active, or Failed (a scenario's `failDocumentWrites`). */
  settlesAs: 'Active' | 'Failed';
  hash: string;
  /** Who wrote it: a principal ARN, or a label such as "LZA 1.13.0 Security_Resources". */
  writer: string;
  versionName?: string;
  displayName?: string;
}

export interface DocumentRecord {
  accountId: string;
  region: string;
  name: string;
  documentType: string;
  createdMs: number;
  versions: Map<string, DocumentVersionRecord>;
  latestVersion: string;
  defaultVersion: string;
  nextVersion: number;
  targetType?: string;
  tags: { Key: string; Value: string }[];
}

const DOCUMENT_TYPES = new Set([
  'Command',
  'Policy',
  'Automation',
  'Session',
  'Package',
  'ApplicationConfiguration',
  'ApplicationConfigurationSchema',
  'DeploymentStrategy',
  'ChangeCalendar',
  'Automation.ChangeTemplate',
  'ProblemAnalysis',
  'ProblemAnalysisTemplate',
  'CloudFormation',
  'ConformancePackTemplate',
  'QuickSetup',
  'ManualApprovalPolicy',
  'AutoApprovalPolicy',
]);
const SESSION_TYPES = new Set(['Standard_Stream', 'InteractiveCommands', 'NonInteractiveCommands', 'Port']);
const NAME_PATTERN = /^[a-zA-Z0-9_\-.]{3,128}$/;

export function contentHash(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

export function invalidDocument(name: string): AwsServiceError {
  return new AwsServiceError('InvalidDocument', `Document with name ${name} does not exist.`);
}

function invalidVersion(): AwsServiceError {
  return new AwsServiceError(
    'InvalidDocumentVersion',
    'The document version is not valid or does not exist.',
  );
}

function invalidContent(message: string): AwsServiceError {
  return new AwsServiceError('InvalidDocumentContent', message);
}

/** Parse content in its declared format: JSON, or YAML (which SSM accepts for documents too). */
export function parseContent(content: string, format: 'JSON' | 'YAML'): unknown {
  if (format === 'JSON') {
    try {
      return JSON.parse(content);
    } catch {
      throw invalidContent('The content for the document is not valid JSON.');
    }
  }
  const doc = parseYaml(content, { prettyErrors: false });
  if (doc.errors.length > 0) throw invalidContent('The content for the document is not valid YAML.');
  if (!isMap(doc.contents)) throw invalidContent('The content for the document must be a YAML mapping.');
  return doc.toJS();
}

/**
 * GetDocument with a DocumentFormat: the stored content converted (AWS converts between JSON and
 * YAML; the layout of a converted document is the local cloud's own: 2-space indentation).
 */
export function convertContent(content: string, from: string, to: string): string {
  if (from === to || (from !== 'JSON' && from !== 'YAML')) return content;
  const value = parseContent(content, from);
  return to === 'YAML' ? toYaml(value) : JSON.stringify(value, null, 2);
}

/** Validate content as SSM does on Create/Update. Returns the format stored. */
export function validateContent(
  content: unknown,
  documentType: string,
  format: string | undefined,
): 'JSON' | 'YAML' {
  if (typeof content !== 'string' || content.length === 0) {
    throw invalidContent('The content for the document is not valid.');
  }
  if (Buffer.byteLength(content, 'utf8') > MAX_DOCUMENT_BYTES) {
    throw new AwsServiceError(
      'MaxDocumentSizeExceeded',
      `The content for the document exceeds the maximum size of ${MAX_DOCUMENT_BYTES / 1024} KB.`,
    );
  }
  const documentFormat = format ?? 'JSON';
  if (documentFormat !== 'JSON' && documentFormat !== 'YAML') {
    throw invalidContent(
      documentFormat === 'TEXT'
        ? `DocumentFormat TEXT is not supported by documents of type ${documentType}.`
        : `1 validation error detected: Value '${documentFormat}' at 'documentFormat' failed to satisfy constraint: Member must satisfy enum value set: [YAML, JSON, TEXT]`,
    );
  }
  const parsed = parseContent(content, documentFormat);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidContent(`The content for the document must be a ${documentFormat} object.`);
  }
  const doc = parsed as Record<string, unknown>;
  if (typeof doc.schemaVersion !== 'string') {
    throw invalidContent('Document is missing required field schemaVersion.');
  }
  if (documentType === 'Session') {
    if (doc.schemaVersion !== '1.0') {
      throw new AwsServiceError(
        'InvalidDocumentSchemaVersion',
        `Document schema version, ${doc.schemaVersion}, is not supported by documents of type Session.`,
      );
    }
    if (typeof doc.sessionType !== 'string' || !SESSION_TYPES.has(doc.sessionType)) {
      throw invalidContent('sessionType is missing or not a valid session type.');
    }
    if (
      doc.inputs !== undefined &&
      (typeof doc.inputs !== 'object' || doc.inputs === null || Array.isArray(doc.inputs))
    ) {
      throw invalidContent('inputs must be an object.');
    }
  } else if (documentType === 'Command' && !['1.2', '2.0', '2.2'].includes(doc.schemaVersion)) {
    throw new AwsServiceError(
      'InvalidDocumentSchemaVersion',
      `Document schema version, ${doc.schemaVersion}, is not supported by documents of type Command.`,
    );
  }
  return documentFormat;
}

export function validateName(name: unknown): string {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value '${String(name)}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-.]{3,128}$`,
    );
  }
  return name;
}

export interface DocumentStoreOptions {
  versionLimit: number;
  /** Simulated ms a new version stays Creating/Updating. */
  statusDelayMs: number;
  nowMs: () => number;
}

export class DocumentStore {
  readonly #docs = new Map<string, DocumentRecord>();
  readonly #options: DocumentStoreOptions;
  /** `account/region` -> how many of the next versions written there settle as Failed. */
  readonly #failNext = new Map<string, number>();

  /** Make the next `count` versions written in this account and region end Failed (scenario knob). */
  failNextWrites(accountId: string, region: string, count: number): void {
    this.#failNext.set(`${accountId}/${region}`, count);
  }

  #settlesAs(accountId: string, region: string): 'Active' | 'Failed' {
    const key = `${accountId}/${region}`;
    const left = this.#failNext.get(key) ?? 0;
    if (left <= 0) return 'Active';
    this.#failNext.set(key, left - 1);
    return 'Failed';
  }

  constructor(options: DocumentStoreOptions) {
    this.#options = options;
  }

  static key(accountId: string, region: string, name: string): string {
    return `${accountId}/${region}/${name}`;
  }

  find(accountId: string, region: string, name: string): DocumentRecord | undefined {
    return this.#docs.get(DocumentStore.key(accountId, region, name));
  }

  get(accountId: string, region: string, name: string): DocumentRecord {
    const doc = this.find(accountId, region, name);
    if (!doc) throw invalidDocument(name);
    return doc;
  }

  all(): DocumentRecord[] {
    return [...this.#docs.values()];
  }

  /** Resolve `$LATEST`, `$DEFAULT`, a number, or undefined (the default version). */
  resolveVersion(doc: DocumentRecord, requested: unknown): DocumentVersionRecord {
    const version =
      requested === undefined || requested === null || requested === '$DEFAULT'
        ? doc.defaultVersion
        : requested === '$LATEST'
          ? doc.latestVersion
          : requested;
    const record = typeof version === 'string' ? doc.versions.get(version) : undefined;
    if (!record) throw invalidVersion();
    return record;
  }

  versionStatus(doc: DocumentRecord, record: DocumentVersionRecord): DocumentStatus {
    if (this.#options.nowMs() >= record.activeAtMs) return record.settlesAs;
    return record.version === '1' && doc.versions.size === 1 ? 'Creating' : 'Updating';
  }

  /** The document's status is that of its newest write. */
  status(doc: DocumentRecord): DocumentStatus {
    return this.versionStatus(doc, doc.versions.get(doc.latestVersion) as DocumentVersionRecord);
  }

  create(input: {
    accountId: string;
    region: string;
    name: string;
    content: string;
    documentType: string;
    documentFormat?: string;
    writer: string;
    versionName?: string;
    displayName?: string;
    targetType?: string;
    tags?: { Key: string; Value: string }[];
    /** Seeded documents skip validation (foreign content may be anything). */
    trusted?: boolean;
  }): DocumentRecord {
    const name = validateName(input.name);
    if (/^(aws|amazon|amzn)/i.test(name)) {
      throw new AwsServiceError(
        'ValidationException',
        `Document name ${name} uses a prefix reserved for AWS.`,
      );
    }
    if (!DOCUMENT_TYPES.has(input.documentType)) {
      throw new AwsServiceError('ValidationException', `Invalid DocumentType ${input.documentType}.`);
    }
    let documentFormat: DocumentVersionRecord['documentFormat'];
    if (input.trusted) {
      documentFormat =
        (input.documentFormat as DocumentVersionRecord['documentFormat'] | undefined) ?? 'JSON';
    } else {
      documentFormat = validateContent(input.content, input.documentType, input.documentFormat);
    }
    if (this.find(input.accountId, input.region, name)) {
      throw new AwsServiceError('DocumentAlreadyExists', 'The specified document already exists.');
    }
    const now = this.#options.nowMs();
    const doc: DocumentRecord = {
      accountId: input.accountId,
      region: input.region,
      name,
      documentType: input.documentType,
      createdMs: now,
      versions: new Map(),
      latestVersion: '1',
      defaultVersion: '1',
      nextVersion: 2,
      tags: input.tags ?? [],
      ...(input.targetType ? { targetType: input.targetType } : {}),
    };
    doc.versions.set('1', {
      version: '1',
      content: input.content,
      documentFormat,
      createdMs: now,
      activeAtMs: input.trusted ? now : now + this.#options.statusDelayMs,
      settlesAs: input.trusted ? 'Active' : this.#settlesAs(input.accountId, input.region),
      hash: contentHash(input.content),
      writer: input.writer,
      ...(input.versionName ? { versionName: input.versionName } : {}),
      ...(input.displayName ? { displayName: input.displayName } : {}),
    });
    this.#docs.set(DocumentStore.key(input.accountId, input.region, name), doc);
    return doc;
  }

  update(input: {
    accountId: string;
    region: string;
    name: string;
    content: string;
    documentVersion?: string;
    documentFormat?: string;
    writer: string;
    versionName?: string;
    displayName?: string;
  }): { doc: DocumentRecord; version: DocumentVersionRecord } {
    const doc = this.get(input.accountId, input.region, input.name);
    const requested = input.documentVersion ?? '$LATEST';
    if (requested !== '$LATEST' && requested !== doc.latestVersion) {
      if (requested === '$DEFAULT' || !doc.versions.has(requested)) throw invalidVersion();
      throw new AwsServiceError(
        'InvalidDocumentVersion',
        `The document version ${requested} is not the latest version (${doc.latestVersion}); only the latest version can be updated.`,
      );
    }
    const format = validateContent(input.content, doc.documentType, input.documentFormat);
    const latest = doc.versions.get(doc.latestVersion) as DocumentVersionRecord;
    if (latest.hash === contentHash(input.content)) {
      throw new AwsServiceError(
        'DuplicateDocumentContent',
        'The content of the document matches the latest version. Change the content of the document and try again.',
      );
    }
    if (doc.versions.size >= this.#options.versionLimit) {
      throw new AwsServiceError(
        'DocumentVersionLimitExceeded',
        `The document has reached the limit of ${this.#options.versionLimit} versions. Delete one or more versions and try again.`,
      );
    }
    if (input.versionName && [...doc.versions.values()].some((v) => v.versionName === input.versionName)) {
      throw new AwsServiceError(
        'DuplicateDocumentVersionName',
        `The version name ${input.versionName} is already used.`,
      );
    }
    const now = this.#options.nowMs();
    const version = String(doc.nextVersion);
    doc.nextVersion += 1;
    const record: DocumentVersionRecord = {
      version,
      content: input.content,
      documentFormat: format,
      createdMs: now,
      activeAtMs: now + this.#options.statusDelayMs,
      settlesAs: this.#settlesAs(input.accountId, input.region),
      hash: contentHash(input.content),
      writer: input.writer,
      ...(input.versionName ? { versionName: input.versionName } : {}),
      ...(input.displayName ? { displayName: input.displayName } : {}),
    };
    doc.versions.set(version, record);
    doc.latestVersion = version;
    return { doc, version: record };
  }

  setDefault(accountId: string, region: string, name: string, documentVersion: unknown): DocumentRecord {
    const doc = this.get(accountId, region, name);
    if (typeof documentVersion !== 'string' || !/^[1-9][0-9]*$/.test(documentVersion)) throw invalidVersion();
    if (!doc.versions.has(documentVersion)) throw invalidVersion();
    doc.defaultVersion = documentVersion;
    return doc;
  }

  delete(
    accountId: string,
    region: string,
    name: string,
    documentVersion?: string,
    versionName?: string,
  ): void {
    const doc = this.get(accountId, region, name);
    if (documentVersion === undefined && versionName === undefined) {
      this.#docs.delete(DocumentStore.key(accountId, region, name));
      return;
    }
    const record =
      versionName !== undefined && documentVersion === undefined
        ? [...doc.versions.values()].find((v) => v.versionName === versionName)
        : this.resolveVersion(doc, documentVersion);
    if (!record) throw invalidVersion();
    if (record.version === doc.defaultVersion) {
      throw new AwsServiceError(
        'InvalidDocumentOperation',
        'You attempted to delete the default version of the document. Set another version as the default, or delete the whole document.',
      );
    }
    doc.versions.delete(record.version);
    doc.latestVersion = String(Math.max(...[...doc.versions.keys()].map(Number)));
  }
}
