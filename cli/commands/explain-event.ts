import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { findMismatch } from '#core/deploy/event-pattern.ts';
import { errorMessage, errorName } from '#core/shared/error-text.ts';
import { normalize } from '#core/vend/normalize.ts';
import { vendEventRules } from '#core/vend/rules.ts';
import { type CliIo, EXIT, type GlobalOptions, jsonEnvelope, loadConfig, UserError } from '../io.ts';

export interface Explanation {
  index: number;
  matchedRules: string[];
  /** Why each rule did not match: the first failing field. */
  unmatched: { rule: string; path: string; reason: string }[];
  outcome:
    | { kind: 'bootstrap'; request: unknown }
    | { kind: 'ignore'; code: string; reason: string }
    | { kind: 'error'; error: string; message: string };
}

export function explainEvents(
  events: unknown[],
  options: { governedRegions: string[]; excludeAccountIds: string[]; managementAccountId?: string },
): Explanation[] {
  const rules = vendEventRules(
    options.managementAccountId ? { managementAccountId: options.managementAccountId } : {},
  );
  return events.map((event, index) => {
    const matchedRules: string[] = [];
    const unmatched: Explanation['unmatched'] = [];
    for (const rule of rules) {
      const mismatch = findMismatch(rule.pattern, event);
      if (mismatch) unmatched.push({ rule: rule.id, ...mismatch });
      else matchedRules.push(rule.id);
    }
    let outcome: Explanation['outcome'];
    try {
      const result = normalize(event, options);
      outcome =
        result.kind === 'bootstrap'
          ? { kind: 'bootstrap', request: result.request }
          : { kind: 'ignore', code: result.code, reason: result.reason };
    } catch (error) {
      outcome = { kind: 'error', error: errorName(error), message: errorMessage(error) };
    }
    return { index, matchedRules, unmatched, outcome };
  });
}

function readEvents(source: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch {
    throw new UserError(`cannot read ${source === '-' ? 'standard input' : source}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${source} is not JSON: ${errorMessage(error)}`);
  }
  return Array.isArray(parsed) ? parsed : [parsed];
}

export function registerExplainEvent(program: Command, io: CliIo): void {
  program
    .command('explain-event')
    .description('Say which rule matches an event (or why none does) and what the workflow would do with it')
    .argument('<file>', 'a JSON event, or a JSON array of events; - for standard input')
    .action((file: string, _options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const config = loadConfig(globals.config);
      const explanations = explainEvents(readEvents(file), {
        governedRegions: config.governedRegions,
        excludeAccountIds: config.excludeAccountIds,
        ...(config.managementAccountId ? { managementAccountId: config.managementAccountId } : {}),
      });
      const acted = explanations.some((e) => e.matchedRules.length > 0 && e.outcome.kind === 'bootstrap');
      const exitCode = acted ? EXIT.ok : EXIT.notCompliant;
      if (globals.json) {
        io.out(jsonEnvelope('explain-event', exitCode, { explanations }));
      } else {
        for (const e of explanations) {
          io.out(
            `event ${e.index}: ${e.matchedRules.length > 0 ? `matches rule ${e.matchedRules.join(', ')}` : 'matches no rule'}`,
          );
          if (e.matchedRules.length === 0) {
            for (const u of e.unmatched) io.out(`  ${u.rule}: ${u.path} ${u.reason}`);
          }
          if (e.outcome.kind === 'bootstrap')
            io.out(`  bootstrap request: ${JSON.stringify(e.outcome.request)}`);
          else if (e.outcome.kind === 'ignore') io.out(`  ignored (${e.outcome.code}): ${e.outcome.reason}`);
          else io.out(`  rejected (${e.outcome.error}): ${e.outcome.message}`);
        }
      }
      process.exitCode = exitCode;
    });
}
