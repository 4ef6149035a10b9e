import { createTwoFilesPatch } from 'diff';
import { visible } from '../core/document/text.ts';

/** A unified diff of two texts (empty when equal), for `plan`. Line ends are shown as they are. */
export function textDiff(
  before: string,
  after: string,
  labels = { before: 'current', after: 'merged' },
): string {
  if (before === after) return '';
  const patch = createTwoFilesPatch(labels.before, labels.after, before, after, undefined, undefined, {
    context: 2,
  });
  // Drop the "Index:" and "===" header lines; keep ---/+++ and the hunks.
  return patch
    .split('\n')
    .filter((line) => !line.startsWith('Index:') && !/^=+$/.test(line))
    .map((line) => visible(line.replace(/\r$/, '')) + (line.endsWith('\r') ? '␍' : ''))
    .join('\n')
    .trimEnd();
}
