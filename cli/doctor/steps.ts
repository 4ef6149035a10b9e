import type { StackDescription } from '#adapters/stacks.ts';
import type { DoctorCheck } from '../doctor-check.ts';
import type { ShapeFacts } from '../doctor-shape-checks.ts';
import type { OperatorContext } from '../operator-context.ts';

/** What a check finds out that later checks read. */
export interface DoctorFacts {
  /** The organization's shape, judged first (doctor-shape-checks.ts). */
  shape: ShapeFacts;
  /** The home stack; undefined when it could not be described. */
  homeStack: StackDescription | undefined;
  /** The forwarder stack; undefined when the home region receives Organizations events itself. */
  forwarder:
    | { healthy: boolean /** `?` without a version output; absent when not described. */; version?: string }
    | undefined;
}
export type FactName = keyof DoctorFacts;

/** One doctor run: where it looks, and the facts found so far (a key is present once found). */
export interface DoctorRun {
  ctx: OperatorContext;
  stackName: string;
  /** The home region. */
  home: string;
  facts: Partial<DoctorFacts>;
}

/**
 * One entry of doctor's table of checks: what it checks, the facts it reads (found by an earlier
 * entry) and those it finds, and its lines of the report, none when it does not apply.
 */
export interface DoctorStep {
  name: string;
  needs: readonly FactName[];
  finds?: readonly FactName[];
  run(run: DoctorRun): Promise<DoctorCheck[]>;
}

/** A fact an earlier check found; reading one that no check found yet is a bug in the table. */
export function fact<K extends FactName>(run: DoctorRun, name: K): DoctorFacts[K] {
  if (!(name in run.facts)) throw new Error(`doctor: a check reads "${name}" before any check finds it`);
  return run.facts[name] as DoctorFacts[K];
}

/** Refuse a table in which a check needs a fact that no check before it finds. */
export function assertOrdered(steps: readonly DoctorStep[]): void {
  const found = new Set<FactName>();
  for (const step of steps) {
    const missing = step.needs.filter((name) => !found.has(name));
    if (missing.length > 0)
      throw new Error(`doctor: "${step.name}" needs ${missing.join(', ')}, which no check before it finds`);
    for (const name of step.finds ?? []) found.add(name);
  }
}

/** Every step's lines, in table order; each step runs after those that find what it needs. */
export async function runSteps(steps: readonly DoctorStep[], run: DoctorRun): Promise<DoctorCheck[]> {
  assertOrdered(steps);
  const checks: DoctorCheck[] = [];
  for (const step of steps) {
    checks.push(...(await step.run(run)));
    const unfound = (step.finds ?? []).filter((name) => !(name in run.facts));
    if (unfound.length > 0) throw new Error(`doctor: "${step.name}" did not find ${unfound.join(', ')}`);
  }
  return checks;
}

export const HEALTHY_STACK = /^(CREATE|UPDATE|IMPORT)_COMPLETE$/;

export function outputOf(stack: StackDescription | undefined, key: string): string | undefined {
  return stack?.outputs[key];
}
