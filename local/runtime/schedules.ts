/**
 * The stack's EventBridge Scheduler schedules, fired on simulated time: the vend reconciler
 * (`lza.reconcileSchedule`, on while gap measurement is) and the sweep (`sweep.schedule`, on
 * while `sweep.enabled`), with the inputs stacks/follow-up-workflow.ts and sweep-workflow.ts give them. A rate-based
 * schedule without a start date invokes its target at once and then at its rate (EventBridge
 * Scheduler User Guide, "Schedule types": rate-based schedules); here "at once" is the timeline's
 * start, and invocations stop at the scenario's `playUntilSeconds`. Cron expressions are not
 * fired locally (none is the default).
 */
import type { BootstrapperConfig } from '#core/config/config.ts';
import { FOLLOW_UP_STATE_MACHINE, SWEEP_STATE_MACHINE } from '#core/shared/names.ts';

export interface DeployedSchedule {
  /** The execution's `startedBy` is `schedule/<name>`. */
  name: 'reconcile' | 'sweep';
  expression: string;
  enabled: boolean;
  stateMachine: string;
  input: Record<string, unknown>;
}

export function deployedSchedules(config: BootstrapperConfig): DeployedSchedule[] {
  return [
    {
      name: 'reconcile',
      expression: config.lza.reconcileSchedule,
      enabled: config.lza.measureGap !== false,
      stateMachine: FOLLOW_UP_STATE_MACHINE,
      input: { reconcile: true },
    },
    {
      name: 'sweep',
      expression: config.sweep.schedule,
      enabled: config.sweep.enabled,
      stateMachine: SWEEP_STATE_MACHINE,
      input: { repair: config.sweep.repair },
    },
  ];
}

const UNIT_SECONDS: Record<string, number> = { minute: 60, hour: 3_600, day: 86_400 };

/** A `rate(value unit)` expression's period in seconds; undefined for anything else (cron). */
export function rateSeconds(expression: string): number | undefined {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = (match[2] as string).replace(/s$/, '');
  return value > 0 ? value * (UNIT_SECONDS[unit] as number) : undefined;
}

/** The invocation instants, in seconds from the timeline's start: 0, rate, 2·rate, … before `until`. */
export function fireTimes(periodSeconds: number, untilSeconds: number): number[] {
  const times: number[] = [];
  for (let t = 0; t < untilSeconds; t += periodSeconds) times.push(t);
  return times;
}

/**
 * Register every enabled rate schedule's invocations up to `untilSeconds` on the host's timeline;
 * each starts its state machine as Scheduler's StartExecution target would. Returns how many.
 */
export function fireSchedules(
  host: { atTimelineSeconds(seconds: number, fn: () => void): boolean },
  runtime: { startExecution(machine: string, input: unknown, options: { startedBy: string }): unknown },
  config: BootstrapperConfig,
  untilSeconds: number,
): number {
  let registered = 0;
  for (const schedule of deployedSchedules(config)) {
    const period = schedule.enabled ? rateSeconds(schedule.expression) : undefined;
    if (period === undefined) continue;
    for (const at of fireTimes(period, untilSeconds)) {
      const start = () =>
        runtime.startExecution(schedule.stateMachine, schedule.input, {
          startedBy: `schedule/${schedule.name}`,
        });
      if (host.atTimelineSeconds(at, start)) registered += 1;
    }
  }
  return registered;
}
