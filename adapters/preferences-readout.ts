/**
 * What a stored version of the preferences document says about RunAs, as check, plan, verify
 * and the sweep read it, and the one judgement they agree on.
 */
import type { DocumentStatus } from '@aws-sdk/client-ssm';
import type { RunAsSetting } from '#core/config/config.ts';
import {
  isCompliant,
  type Judgement,
  judgeVersions,
  parseDocument,
  planChange,
  type VersionView,
} from '#core/document/preferences.ts';
import { readDocumentText } from '#core/document/text.ts';

export interface VersionReadout extends VersionView {
  /** Parsed content when it is JSON or YAML, else the raw text. */
  content: unknown;
  /** The stored text, exactly as SSM returned it. */
  text: string;
  format?: string;
}

export interface RunAsReadout {
  region: string;
  exists: boolean;
  status?: string;
  latest?: VersionReadout;
  default?: VersionReadout;
}

export interface StoredVersion {
  content: string;
  version: string;
  status?: DocumentStatus | string;
  format?: string;
}

function parsedContent(text: string): unknown {
  try {
    return readDocumentText(text).value;
  } catch {
    return text; // the readout shows what is there, even when it is neither JSON nor YAML
  }
}

/** What one stored version says, judged against the setting (exported for the agreement test). */
export function readout(version: StoredVersion, runAs: RunAsSetting): VersionReadout {
  const base = {
    version: version.version,
    content: parsedContent(version.content),
    text: version.content,
    ...(version.status ? { status: version.status } : {}),
    ...(version.format ? { format: version.format } : {}),
  };
  const plan = planChange(version.content, runAs);
  if (plan.kind === 'refuse') return { ...base, valid: false, invalidReason: plan.reason, compliant: false };
  const document = parseDocument(version.content);
  return {
    ...base,
    valid: true,
    runAsEnabled: document.inputs.runAsEnabled,
    runAsDefaultUser: document.inputs.runAsDefaultUser,
    compliant: isCompliant(document, runAs),
  };
}

/** The one judgement of a readout (check, plan, verify and the sweep agree on it). */
export function judgeReadout(readoutOfRegion: RunAsReadout, runAs: RunAsSetting): Judgement {
  return judgeVersions(readoutOfRegion.latest, readoutOfRegion.default, runAs);
}
