import type { RunAsSetting } from './config.ts';
import { PreferencesDocumentInvalidError } from './errors.ts';

/** The per-account, per-region Session Manager preferences document. */
export const PREFERENCES_DOCUMENT_NAME = 'SSM-SessionManagerRunShell';
/** SSM rejects documents larger than this (bytes of content). */
export const MAX_DOCUMENT_BYTES = 64 * 1024;

/**
 * A parsed, validated Session document. Only the fields we rely on are typed; every other key,
 * known or not, is carried as it is so that a merge can write it back unchanged.
 */
export interface SessionDocument {
  schemaVersion: '1.0';
  sessionType: 'Standard_Stream';
  inputs: Record<string, unknown>;
  [key: string]: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validate a parsed JSON value as a Session document. Throws PreferencesDocumentInvalidError. */
export function validateDocument(value: unknown): SessionDocument {
  if (!isRecord(value)) throw new PreferencesDocumentInvalidError('document content is not a JSON object');
  if (value.schemaVersion !== '1.0') {
    throw new PreferencesDocumentInvalidError(
      `schemaVersion is ${JSON.stringify(value.schemaVersion) ?? 'missing'}, expected "1.0"`,
    );
  }
  if (value.sessionType !== 'Standard_Stream') {
    throw new PreferencesDocumentInvalidError(
      `sessionType is ${JSON.stringify(value.sessionType) ?? 'missing'}, expected "Standard_Stream"`,
    );
  }
  if (!('inputs' in value)) throw new PreferencesDocumentInvalidError('inputs is missing');
  if (!isRecord(value.inputs)) throw new PreferencesDocumentInvalidError('inputs is not an object');
  return value as SessionDocument;
}

/** Parse document content (as stored in SSM) into a validated Session document. */
export function parseDocument(content: string): SessionDocument {
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch (cause) {
    throw new PreferencesDocumentInvalidError(`document content is not JSON (${(cause as Error).message})`, {
      cause,
    });
  }
  return validateDocument(value);
}

/**
 * Set RunAs on a copy of `current`. Only `inputs.runAsEnabled` and `inputs.runAsDefaultUser`
 * change; every other key keeps its value and its position. Keys that did not exist are
 * appended. When RunAs is disabled, an existing string `runAsDefaultUser` is left alone.
 */
export function merge(current: SessionDocument, runAs: RunAsSetting): SessionDocument {
  const inputs: Record<string, unknown> = { ...current.inputs, runAsEnabled: runAs.enabled };
  if (runAs.enabled) {
    inputs.runAsDefaultUser = runAs.defaultUser;
  } else if (typeof inputs.runAsDefaultUser !== 'string') {
    inputs.runAsDefaultUser = '';
  }
  return { ...current, inputs };
}

/** A complete, valid document for an account and region that has none. */
export function createDefault(runAs: RunAsSetting): SessionDocument {
  return {
    schemaVersion: '1.0',
    description: 'Document to hold regional settings for Session Manager',
    sessionType: 'Standard_Stream',
    inputs: {
      s3BucketName: '',
      s3KeyPrefix: '',
      s3EncryptionEnabled: true,
      cloudWatchLogGroupName: '',
      cloudWatchEncryptionEnabled: true,
      cloudWatchStreamingEnabled: false,
      kmsKeyId: '',
      runAsEnabled: runAs.enabled,
      runAsDefaultUser: runAs.enabled ? runAs.defaultUser : '',
      idleSessionTimeout: '20',
      maxSessionDuration: '',
      shellProfile: { windows: '', linux: '' },
    },
  };
}

/** RunAs is set as wanted: a real JSON boolean, and the user when enabled. */
export function isCompliant(document: SessionDocument, runAs: RunAsSetting): boolean {
  const { runAsEnabled, runAsDefaultUser } = document.inputs;
  if (runAsEnabled !== runAs.enabled) return false;
  if (runAs.enabled) return runAsDefaultUser === runAs.defaultUser;
  return runAsDefaultUser === undefined || typeof runAsDefaultUser === 'string';
}

/** JSON with object keys sorted at every level: equal for documents with equal content. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys(value[key])]),
    );
  }
  return value;
}

export function sameContent(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * Serialize for SSM: pretty when it fits, compact when only that fits under the 64 KB limit.
 * A document that does not fit either way is refused rather than truncated.
 */
export function serializeDocument(document: SessionDocument): string {
  const pretty = JSON.stringify(document, null, 2);
  if (Buffer.byteLength(pretty, 'utf8') <= MAX_DOCUMENT_BYTES) return pretty;
  const compact = JSON.stringify(document);
  if (Buffer.byteLength(compact, 'utf8') <= MAX_DOCUMENT_BYTES) return compact;
  throw new PreferencesDocumentInvalidError(
    `merged document would be ${Buffer.byteLength(compact, 'utf8')} bytes, over the ${MAX_DOCUMENT_BYTES}-byte limit`,
  );
}

export type KeyChange =
  | { key: string; kind: 'added'; after: unknown }
  | { key: string; kind: 'changed'; before: unknown; after: unknown }
  | { key: string; kind: 'removed'; before: unknown };

/** Key-level differences between two documents, as dotted paths (for `plan` and `check`). */
export function diffDocuments(before: unknown, after: unknown, prefix = ''): KeyChange[] {
  if (!isRecord(before) || !isRecord(after)) {
    return sameContent(before, after)
      ? []
      : [{ key: prefix || '(document)', kind: 'changed', before, after }];
  }
  const changes: KeyChange[] = [];
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (!(key in after)) changes.push({ key: path, kind: 'removed', before: before[key] });
    else if (!(key in before)) changes.push({ key: path, kind: 'added', after: after[key] });
    else if (isRecord(before[key]) && isRecord(after[key]))
      changes.push(...diffDocuments(before[key], after[key], path));
    else if (!sameContent(before[key], after[key]))
      changes.push({ key: path, kind: 'changed', before: before[key], after: after[key] });
  }
  return changes;
}

/** What applying RunAs to the current content would do, without doing it. */
export type PlannedChange =
  | { kind: 'create'; document: SessionDocument }
  | { kind: 'update'; document: SessionDocument; changes: KeyChange[] }
  | { kind: 'none' }
  | { kind: 'refuse'; reason: string };

/** Decide the change for current content (`undefined` when the document does not exist). */
export function planChange(currentContent: string | undefined, runAs: RunAsSetting): PlannedChange {
  if (currentContent === undefined) return { kind: 'create', document: createDefault(runAs) };
  let current: SessionDocument;
  try {
    current = parseDocument(currentContent);
  } catch (error) {
    if (error instanceof PreferencesDocumentInvalidError) return { kind: 'refuse', reason: error.message };
    throw error;
  }
  const merged = merge(current, runAs);
  if (sameContent(current, merged)) return { kind: 'none' };
  return { kind: 'update', document: merged, changes: diffDocuments(current, merged) };
}
