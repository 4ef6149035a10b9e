import type { Command } from 'commander';
import { DEFAULT_STACK_NAME } from '#core/deploy/deployment.ts';
import { openContext } from '../context-loader.ts';
import {
  controlTowerStep,
  lzaPipelineStep,
  memberRoleStep,
  shapeStep,
} from '../doctor/organization-checks.ts';
import {
  alarmsCheck,
  configCheck,
  failureTopicCheck,
  stateMachinesCheck,
  vendLedgerCheck,
} from '../doctor/resource-checks.ts';
import {
  forwarderStackCheck,
  forwardingRulesCheck,
  guardrailStackCheck,
  homeStackCheck,
  rulesCheck,
  versionsCheck,
} from '../doctor/stack-checks.ts';
import { type DoctorStep, runSteps } from '../doctor/steps.ts';
import type { DoctorCheck } from '../doctor-check.ts';
import { doctorHealthy, renderDoctor } from '../doctor-output.ts';
import { type CliIo, EXIT, type GlobalOptions, jsonEnvelope, outputWidth } from '../io.ts';
import type { OperatorContext } from '../operator-context.ts';

/**
 * Doctor's checks, in report order. Each is independent of the others' failures: a missing stack
 * fails its own line and skips only what needs its outputs. The organization's shape comes first,
 * since run from the wrong account every later line misleads.
 */
export const DOCTOR_CHECKS: readonly DoctorStep[] = [
  shapeStep,
  homeStackCheck,
  forwarderStackCheck,
  guardrailStackCheck,
  versionsCheck,
  rulesCheck,
  forwardingRulesCheck,
  stateMachinesCheck,
  vendLedgerCheck,
  failureTopicCheck,
  alarmsCheck,
  lzaPipelineStep,
  controlTowerStep,
  memberRoleStep,
  configCheck,
];

/** Read-only checks of a deployed installation: every entry of DOCTOR_CHECKS, in order. */
export async function runDoctor(ctx: OperatorContext, stackName: string): Promise<DoctorCheck[]> {
  return runSteps(DOCTOR_CHECKS, { ctx, stackName, home: ctx.region, facts: {} });
}

export function registerDoctor(program: Command, io: CliIo): void {
  program
    .command('doctor')
    .description(
      'Read-only: check a deployed installation (stacks, versions, rules, state machines, failure topic, alarms, LZA pipeline, member role, config), one line per check with a fix',
    )
    .option('--stack-name <name>', 'name of the home stack', DEFAULT_STACK_NAME)
    .option('--strict', 'warnings fail too (exit 1), such as a failure topic nobody subscribes to')
    .action(async (options: { stackName: string; strict?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const ctx = await openContext(globals, io);
      const checks = await runDoctor(ctx, options.stackName);
      const strict = options.strict === true;
      const healthy = doctorHealthy(checks, strict);
      const exitCode = healthy ? EXIT.ok : EXIT.notCompliant;
      const warnings = checks.filter((c) => c.status === 'warn').length;
      if (globals.json)
        io.out(jsonEnvelope('doctor', exitCode, { region: ctx.region, healthy, strict, warnings, checks }));
      else io.out(renderDoctor(checks, outputWidth(), strict));
      process.exitCode = exitCode;
    });
}
