import { table } from '#cli/text-table.ts';
import type { DoctorCheck } from './doctor-check.ts';
import { outputWidth } from './io.ts';

export type { DoctorCheck };

/** One row per check, and its fix on a line of its own under the detail, all within `width`. */
export function renderDoctor(checks: DoctorCheck[], width = outputWidth(), strict = false): string {
  const rows = checks.flatMap((c) => [
    [c.status.toUpperCase(), c.check, c.detail],
    ...(c.fix ? [['', '', `fix: ${c.fix}`]] : []),
  ]);
  return [
    table(['status', 'check', 'detail / fix'], rows, { maxWidth: width }),
    '',
    doctorVerdict(checks, strict),
  ].join('\n');
}

/** Whether the installation passes: no failure, and with --strict no warning either. */
export function doctorHealthy(checks: readonly DoctorCheck[], strict: boolean): boolean {
  return checks.every((c) => c.status !== 'fail' && !(strict && c.status === 'warn'));
}

/** The last line: healthy, healthy with warnings, or what failed. */
export function doctorVerdict(checks: readonly DoctorCheck[], strict: boolean): string {
  const failed = checks.filter((c) => c.status === 'fail').length;
  const warned = checks.filter((c) => c.status === 'warn').length;
  const warnings = `${warned} warning(s)`;
  if (failed > 0) return `${failed} check(s) failed${warned > 0 ? `, ${warnings}` : ''}.`;
  if (warned === 0) return 'Healthy.';
  return strict
    ? `Not healthy under --strict: ${warnings}.`
    : `Healthy, with ${warnings} (--strict fails on them).`;
}
