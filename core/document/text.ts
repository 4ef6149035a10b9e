import { applyEdits, type Node as JsonNode, modify, parseTree } from 'jsonc-parser';
import { isMap, isScalar, parseDocument as parseYaml, parse as parseYamlValue, Scalar } from 'yaml';
import { errorMessage } from '../shared/error-text.ts';
import { PreferencesDocumentInvalidError } from '../shared/errors.ts';

/**
 * The text of a preferences document, JSON or YAML, edited in place. Only the values of the
 * keys we set change; every other byte (numbers, key order, escapes, comments, indentation,
 * line endings) stays exactly as it was. The content is parsed only to validate and compare it.
 */

export type DocumentFormat = 'JSON' | 'YAML';

export interface DocumentText {
  format: DocumentFormat;
  text: string;
  /** The parsed content (numbers as JavaScript numbers: for reading and comparing only). */
  value: unknown;
}

/** `inputs.<key>` values to set. Every other key is left alone. */
export type InputEdits = ReadonlyArray<{ key: string; value: boolean | string }>;

const BOM = '\uFEFF';

/** Reasons are printed on one line: control and invisible characters are shown escaped. */
export function visible(text: string): string {
  return text.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters to escape
    /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function firstLine(message: string): string {
  return visible(message.split('\n')[0]?.trim() ?? message);
}

/**
 * Parse document text. JSON first (every JSON text is also YAML 1.2, and stays JSON); then YAML,
 * which Session documents may be written in. A byte-order mark is refused with its own reason.
 */
export function readDocumentText(text: string): DocumentText {
  if (text.startsWith(BOM)) {
    throw new PreferencesDocumentInvalidError(
      'document content starts with a byte-order mark (U+FEFF); remove it by hand and run again',
    );
  }
  let jsonError: string;
  try {
    return { format: 'JSON', text, value: JSON.parse(text) };
  } catch (error) {
    jsonError = firstLine(errorMessage(error));
  }
  const yaml = parseYaml(text, { prettyErrors: false });
  const yamlError = yaml.errors[0];
  if (!yamlError && isMap(yaml.contents)) {
    return { format: 'YAML', text, value: yaml.toJS({ maxAliasCount: 100 }) };
  }
  throw new PreferencesDocumentInvalidError(
    yamlError
      ? `document content is neither JSON (${jsonError}) nor YAML (${firstLine(yamlError.message)})`
      : `document content is not JSON (${jsonError}), and as YAML it is not a mapping`,
  );
}

/** How a JSON text spells its line ends. */
function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

function jsonProperties(node: JsonNode | undefined, key: string): JsonNode[] {
  if (node?.type !== 'object') return [];
  return (node.children ?? []).filter((p) => p.children?.[0]?.value === key);
}

/**
 * Keys whose duplicates make the merge ambiguous: JSON parsers disagree on which of two equal
 * keys wins, so a document with two `inputs`, or two of a key we set, is refused.
 */
export function duplicateKeys(document: DocumentText, keys: readonly string[]): string[] {
  if (document.format === 'YAML') return []; // the YAML parser refuses every duplicate key itself
  const root = parseTree(document.text);
  const duplicates: string[] = [];
  const inputs = jsonProperties(root, 'inputs');
  if (inputs.length > 1) duplicates.push('inputs');
  const inputsObject = inputs.at(-1)?.children?.[1];
  for (const key of keys) {
    if (jsonProperties(inputsObject, key).length > 1) duplicates.push(`inputs.${key}`);
  }
  return duplicates;
}

function editJson(text: string, key: string, value: boolean | string): string {
  const path = ['inputs', key];
  const edits = modify(text, path, value, {});
  const root = parseTree(text);
  const inputs = jsonProperties(root, 'inputs').at(-1)?.children?.[1];
  const exists = jsonProperties(inputs, key).length > 0;
  const last = inputs?.children?.at(-1);
  if (!exists && last && edits.length === 1) {
    // jsonc-parser's formatter re-indents the neighbouring value when it inserts; instead,
    // the new key goes on its own line with the indentation of the last key, when that key
    // has a line of its own.
    const lineStart = text.lastIndexOf('\n', last.offset) + 1;
    const indent = text.slice(lineStart, last.offset);
    if (lineStart > 0 && /^[ \t]*$/.test(indent)) {
      const insertAt = last.offset + last.length;
      return `${text.slice(0, insertAt)},${eolOf(text)}${indent}${JSON.stringify(key)}: ${JSON.stringify(value)}${text.slice(insertAt)}`;
    }
  }
  return applyEdits(text, edits);
}

/** A YAML scalar's source for `value`, in the quoting style of the scalar it replaces. */
function yamlScalarSource(value: boolean | string, type: Scalar['type'] | undefined): string {
  if (typeof value === 'boolean') return String(value);
  if (type === Scalar.QUOTE_SINGLE) return `'${value.replaceAll("'", "''")}'`;
  const plainIsSame = value !== '' && !/[:#\s'"]/.test(value) && parseYamlValue(value) === value;
  if ((type === Scalar.PLAIN || type === undefined) && plainIsSame) return value;
  return JSON.stringify(value);
}

function editYamlText(text: string, key: string, value: boolean | string): string | undefined {
  const doc = parseYaml(text, { prettyErrors: false });
  const inputs = doc.get('inputs', true);
  if (!isMap(inputs)) return undefined;
  const pair = inputs.items.find((item) => isScalar(item.key) && item.key.value === key);
  if (pair) {
    const node = pair.value as { range?: [number, number, number]; type?: Scalar['type'] } | null;
    if (!node?.range || !isScalar(node)) return undefined;
    const [start, valueEnd] = node.range;
    return `${text.slice(0, start)}${yamlScalarSource(value, node.type)}${text.slice(valueEnd)}`;
  }
  if (inputs.flow) return undefined;
  const first = inputs.items[0];
  const last = inputs.items.at(-1);
  const firstKey = first?.key as { range?: [number, number, number] } | undefined;
  const lastValue = (last?.value ?? last?.key) as { range?: [number, number, number] } | undefined;
  if (!firstKey?.range || !lastValue?.range) return undefined;
  const keyStart = firstKey.range[0];
  const lineStart = text.lastIndexOf('\n', keyStart - 1) + 1;
  const indent = text.slice(lineStart, keyStart);
  if (!/^[ \t]*$/.test(indent)) return undefined;
  const eol = eolOf(text);
  const valueEnd = lastValue.range[1];
  const line = `${indent}${key}: ${yamlScalarSource(value, undefined)}`;
  if (text[valueEnd - 1] === '\n') return `${text.slice(0, valueEnd)}${line}${eol}${text.slice(valueEnd)}`;
  const newline = text.indexOf('\n', valueEnd);
  if (newline === -1) return `${text}${eol}${line}`;
  return `${text.slice(0, newline + 1)}${line}${eol}${text.slice(newline + 1)}`;
}

/** The YAML Document API's own edit: keeps comments and keys, may re-flow the layout. */
function editYamlDocument(text: string, key: string, value: boolean | string): string {
  const doc = parseYaml(text, { prettyErrors: false });
  doc.setIn(['inputs', key], value);
  return doc.toString();
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Set `inputs.<key>` for each edit, in place. Each step is checked by parsing the result: the
 * content must equal the old content with exactly those inputs set, or nothing is written.
 */
export function applyInputEdits(document: DocumentText, edits: InputEdits): string {
  let text = document.text;
  for (const { key, value } of edits) {
    const before = readDocumentText(text).value as { inputs: Record<string, unknown> };
    const expected = { ...before, inputs: { ...before.inputs, [key]: value } };
    const candidates =
      document.format === 'JSON'
        ? [() => editJson(text, key, value)]
        : [() => editYamlText(text, key, value), () => editYamlDocument(text, key, value)];
    let next: string | undefined;
    for (const candidate of candidates) {
      let edited: string | undefined;
      try {
        edited = candidate();
      } catch {
        continue; // e.g. `inputs` is an alias: the Document API cannot set into it
      }
      if (edited === undefined) continue;
      let parsed: DocumentText;
      try {
        parsed = readDocumentText(edited);
      } catch {
        continue;
      }
      if (parsed.format === document.format && sameValue(parsed.value, expected)) {
        next = edited;
        break;
      }
    }
    if (next === undefined) {
      throw new PreferencesDocumentInvalidError(
        `cannot set inputs.${key} in this ${document.format} document without changing other content; set it by hand`,
      );
    }
    text = next;
  }
  return text;
}
