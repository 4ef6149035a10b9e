import path from 'node:path';
import type { Construct } from 'constructs';
import { FileStateMachine } from './file-state-machine.ts';
import { PROJECT_ROOT, type TaskFunction } from './task-function.ts';
import { HANDLERS, type HandlerName } from './tasks.ts';

export const STATE_MACHINE_DIR = path.join(PROJECT_ROOT, 'statemachine');

/** Every state machine the home stack deploys, by construct id, and the ASL file it is loaded from. */
export const STATE_MACHINES = {
  Bootstrap: 'bootstrap.asl.json',
  Sweep: 'sweep.asl.json',
  FollowUp: 'follow-up.asl.json',
} as const;
export type StateMachineId = keyof typeof STATE_MACHINES;

/** The handlers each state machine's Tasks invoke (its `${<id>FunctionArn}` placeholders). */
export const STATE_MACHINE_HANDLERS: Record<StateMachineId, readonly HandlerName[]> = {
  Bootstrap: [
    'resolve-request',
    'await-role',
    'apply-preferences',
    'verify-preferences',
    'record-enforcement',
  ],
  Sweep: ['list-accounts', 'await-role', 'apply-preferences', 'verify-preferences', 'record-sweep'],
  FollowUp: ['plan-follow-up', 'apply-preferences', 'verify-preferences', 'record-follow-up'],
};

/** The state machine `id` from its ASL file, each task placeholder bound to its function. */
export function taskStateMachine(
  scope: Construct,
  id: StateMachineId,
  functions: Readonly<Record<HandlerName, TaskFunction>>,
  substitutions: Record<string, string> = {},
): FileStateMachine {
  const tasks = HANDLERS.filter((spec) => STATE_MACHINE_HANDLERS[id].includes(spec.name));
  return new FileStateMachine(scope, id, {
    definitionFile: path.join(STATE_MACHINE_DIR, STATE_MACHINES[id]),
    tasks: Object.fromEntries(tasks.map((spec) => [spec.id, functions[spec.name]])),
    substitutions,
  });
}
