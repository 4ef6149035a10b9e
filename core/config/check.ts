import { parseJsonWithPositions, positionOfPath, type TextPosition } from '../shared/json-position.ts';
import { configSchema } from './config.ts';

/** One problem in a config file: where, which field, and what is wrong. */
export interface ConfigProblem extends TextPosition {
  /** `governedRegions.1`; absent for a syntax error. */
  field?: string;
  message: string;
}

/**
 * Every problem of a config file's text, each at its line and column: JSON syntax first (then
 * nothing else can be judged), else every schema issue. Empty when the config is valid. Pure:
 * the same checks `--config` runs before any command, without any AWS access.
 */
export function checkConfigText(text: string): ConfigProblem[] {
  const parsed = parseJsonWithPositions(text);
  if (!('tree' in parsed)) return parsed.problems;
  const result = configSchema.safeParse(parsed.value);
  if (result.success) return [];
  const problems: ConfigProblem[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const field = [...path, key].join('.');
        problems.push({
          ...positionOfPath(text, parsed.tree, [...path, key]),
          field,
          message: 'unknown field',
        });
      }
      continue;
    }
    const field = path.length > 0 ? path.join('.') : '(root)';
    problems.push({ ...positionOfPath(text, parsed.tree, path), field, message: issue.message });
  }
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** `file:3:5: governedRegions.1: "xx-yyy-1" is not an AWS region name`. */
export function formatConfigProblem(file: string, problem: ConfigProblem): string {
  const field = problem.field ? `${problem.field}: ` : '';
  return `${file}:${problem.line}:${problem.column}: ${field}${problem.message}`;
}
