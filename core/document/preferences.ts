import type { RunAsSetting } from '../config/config.ts';
import { PreferencesDocumentInvalidError } from '../shared/errors.ts';
import { PREFERENCES_DOCUMENT_NAME } from '../shared/names.ts';
import { isRecord } from '../shared/records.ts';
import {
  applyInputEdits,
  type DocumentFormat,
  duplicateKeys,
  type InputEdits,
  readDocumentText,
  visible,
} from './text.ts';

export { PREFERENCES_DOCUMENT_NAME };
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

/** Validate a parsed JSON value as a Session document. Throws PreferencesDocumentInvalidError. */
export function validateDocument(value: unknown): SessionDocument {
  if (!isRecord(value)) throw new PreferencesDocumentInvalidError('document content is not an object');
  if (value.schemaVersion !== '1.0') {
    throw new PreferencesDocumentInvalidError(
      `schemaVersion is ${visible(JSON.stringify(value.schemaVersion) ?? 'missing')}, expected "1.0"`,
    );
  }
  if (value.sessionType !== 'Standard_Stream') {
    throw new PreferencesDocumentInvalidError(
      `sessionType is ${visible(JSON.stringify(value.sessionType) ?? 'missing')}, expected "Standard_Stream"`,
    );
  }
  if (!('inputs' in value)) throw new PreferencesDocumentInvalidError('inputs is missing');
  if (!isRecord(value.inputs)) throw new PreferencesDocumentInvalidError('inputs is not an object');
  return value as SessionDocument;
}

/** Parse document content (as stored in SSM, JSON or YAML) into a validated Session document. */
export function parseDocument(content: string): SessionDocument {
  return validateDocument(readDocumentText(content).value);
}

/** The RunAs keys of `inputs`: the only keys this project ever writes. */
export const RUNAS_KEYS = ['runAsEnabled', 'runAsDefaultUser'] as const;

/**
 * THE definition of compliant, used by apply, verify, check, plan and sweep alike: the inputs
 * values to set so that RunAs is as configured. None means compliant.
 * - RunAs on: `runAsEnabled` is the JSON boolean true and `runAsDefaultUser` the configured user.
 * - RunAs off: `runAsEnabled` is the JSON boolean false; `runAsDefaultUser` may be absent or any
 *   string (a user name kept for later), but a non-string there is replaced by "".
 */
export function runAsEdits(inputs: Record<string, unknown>, runAs: RunAsSetting): InputEdits {
  const edits: { key: string; value: boolean | string }[] = [];
  if (inputs.runAsEnabled !== runAs.enabled) edits.push({ key: 'runAsEnabled', value: runAs.enabled });
  if (runAs.enabled) {
    if (inputs.runAsDefaultUser !== runAs.defaultUser)
      edits.push({ key: 'runAsDefaultUser', value: runAs.defaultUser });
  } else if ('runAsDefaultUser' in inputs && typeof inputs.runAsDefaultUser !== 'string') {
    edits.push({ key: 'runAsDefaultUser', value: '' });
  }
  return edits;
}

/**
 * Set RunAs on a copy of `current`. Only `inputs.runAsEnabled` and `inputs.runAsDefaultUser`
 * change; every other key keeps its value and its position. Keys that did not exist are
 * appended. The object-level twin of the in-place text edit.
 */
export function merge(current: SessionDocument, runAs: RunAsSetting): SessionDocument {
  const inputs: Record<string, unknown> = { ...current.inputs };
  for (const { key, value } of runAsEdits(current.inputs, runAs)) inputs[key] = value;
  return { ...current, inputs };
}

/** The description the console and LZA give the Session Manager preferences document. */
export const SESSION_DOCUMENT_DESCRIPTION = 'Document to hold regional settings for Session Manager';

/** A Session document of the standard stream type with these inputs, in the shape the console and LZA write. */
export function sessionDocument(inputs: Record<string, unknown>): SessionDocument {
  return {
    schemaVersion: '1.0',
    description: SESSION_DOCUMENT_DESCRIPTION,
    sessionType: 'Standard_Stream',
    inputs,
  };
}

/** A complete, valid document for an account and region that has none. */
export function createDefault(runAs: RunAsSetting): SessionDocument {
  return sessionDocument({
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
  });
}

/** RunAs is set as wanted: a real JSON boolean, and the user when enabled. */
export function isCompliant(document: SessionDocument, runAs: RunAsSetting): boolean {
  return runAsEdits(document.inputs, runAs).length === 0;
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
  | { kind: 'create'; document: SessionDocument; text: string; format: 'JSON' }
  | {
      kind: 'update';
      document: SessionDocument;
      changes: KeyChange[];
      /** The exact text to write: the current text with only the RunAs values edited. */
      text: string;
      format: DocumentFormat;
    }
  | { kind: 'none'; format: DocumentFormat }
  | { kind: 'refuse'; reason: string };

/**
 * Decide the change for current content (`undefined` when the document does not exist). The
 * update is an in-place edit of the current text; a document whose RunAs keys are ambiguous
 * (two `inputs`, or a RunAs key twice) is refused.
 */
export function planChange(currentContent: string | undefined, runAs: RunAsSetting): PlannedChange {
  if (currentContent === undefined) {
    const document = createDefault(runAs);
    return { kind: 'create', document, text: serializeDocument(document), format: 'JSON' };
  }
  try {
    const current = readDocumentText(currentContent);
    const document = validateDocument(current.value);
    const duplicates = duplicateKeys(current, RUNAS_KEYS);
    if (duplicates.length > 0) {
      return {
        kind: 'refuse',
        reason: `duplicate key ${duplicates.join(', ')}: which one Session Manager reads is ambiguous; remove the duplicate by hand`,
      };
    }
    const edits = runAsEdits(document.inputs, runAs);
    if (edits.length === 0) return { kind: 'none', format: current.format };
    const text = applyInputEdits(current, edits);
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_DOCUMENT_BYTES) {
      return {
        kind: 'refuse',
        reason: `merged document would be ${bytes} bytes, over the ${MAX_DOCUMENT_BYTES}-byte limit`,
      };
    }
    const merged = merge(document, runAs);
    return {
      kind: 'update',
      document: merged,
      changes: diffDocuments(document, merged),
      text,
      format: current.format,
    };
  } catch (error) {
    if (error instanceof PreferencesDocumentInvalidError) return { kind: 'refuse', reason: error.message };
    throw error;
  }
}

/** What was read of one version: enough to judge it. */
export interface VersionView {
  version: string;
  /** SSM's status of this version: Creating, Updating, Active, Failed, Deleting. */
  status?: string | undefined;
  valid: boolean;
  invalidReason?: string | undefined;
  runAsEnabled?: unknown;
  runAsDefaultUser?: unknown;
  /** The content alone carries the RunAs setting (status not considered). */
  compliant: boolean;
}

export type JudgementStatus = 'compliant' | 'missing' | 'drifted' | 'foreign' | 'failed' | 'busy';

export interface Judgement {
  status: JudgementStatus;
  /** Why it is not compliant; empty when it is. */
  details: string[];
}

const IN_PROGRESS = ['Creating', 'Updating', 'Deleting'];

function show(value: unknown): string {
  return value === undefined ? '(absent)' : visible(JSON.stringify(value));
}

/** `runAsEnabled false≠true`: what a version has against what the config wants. */
export function runAsDifferences(version: VersionView, runAs: RunAsSetting): string[] {
  if (!version.valid) return [`invalid: ${version.invalidReason ?? 'unknown reason'}`];
  const inputs: Record<string, unknown> = {};
  if (version.runAsEnabled !== undefined) inputs.runAsEnabled = version.runAsEnabled;
  if (version.runAsDefaultUser !== undefined) inputs.runAsDefaultUser = version.runAsDefaultUser;
  return runAsEdits(inputs, runAs).map(({ key, value }) => `${key} ${show(inputs[key])}≠${show(value)}`);
}

/**
 * One judgement of a document from its `$LATEST` and `$DEFAULT` versions, shared by check,
 * plan, verify and the sweep. Compliant means both versions are Active and carry the setting:
 * a Failed version is never compliant, whatever its content.
 */
export function judgeVersions(
  latest: VersionView | undefined,
  byDefault: VersionView | undefined,
  runAs: RunAsSetting,
): Judgement {
  if (!latest) return { status: 'missing', details: [`no ${PREFERENCES_DOCUMENT_NAME} document`] };
  if (latest.status === 'Failed') {
    return {
      status: 'failed',
      details: [
        `$LATEST version ${latest.version} is Failed; a new version from the last good content repairs it`,
      ],
    };
  }
  if (latest.status && IN_PROGRESS.includes(latest.status)) {
    return { status: 'busy', details: [`$LATEST version ${latest.version} is ${latest.status}`] };
  }
  if (!latest.valid) return { status: 'foreign', details: [latest.invalidReason ?? 'invalid document'] };
  if (!latest.compliant) return { status: 'drifted', details: runAsDifferences(latest, runAs) };
  if (!byDefault || byDefault.version === latest.version) return { status: 'compliant', details: [] };
  if (byDefault.status && IN_PROGRESS.includes(byDefault.status)) {
    return { status: 'busy', details: [`$DEFAULT version ${byDefault.version} is ${byDefault.status}`] };
  }
  if (byDefault.status === 'Failed' || !byDefault.compliant) {
    return {
      status: 'drifted',
      details: [
        `$DEFAULT is version ${byDefault.version}, ${Number(byDefault.version) < Number(latest.version) ? 'older than' : 'not'} $LATEST ${latest.version}, and ${byDefault.status === 'Failed' ? 'is Failed' : 'not compliant'}`,
        ...(byDefault.status === 'Failed'
          ? []
          : runAsDifferences(byDefault, runAs).map((d) => `$DEFAULT ${d}`)),
      ],
    };
  }
  return { status: 'compliant', details: [] };
}
