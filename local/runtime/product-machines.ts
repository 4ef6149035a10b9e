/**
 * The product's three state machines as the local runtime runs them: the real ASL files, with
 * each Lambda Task wired to the handler the stack deploys for it, and the follow-up's
 * StartExecution Tasks served by the runtime itself, as Step Functions serves them in AWS.
 */
import { BOOTSTRAP_STATE_MACHINE, FOLLOW_UP_STATE_MACHINE, SWEEP_STATE_MACHINE } from '#core/shared/names.ts';
import { createHandler as applyPreferences } from '#handlers/apply-preferences.ts';
import { createHandler as awaitRole } from '#handlers/await-role.ts';
import { createHandler as listAccounts } from '#handlers/list-accounts.ts';
import { createHandler as planFollowUp } from '#handlers/plan-follow-up.ts';
import { createHandler as recordEnforcement } from '#handlers/record-enforcement.ts';
import { createHandler as recordFollowUp } from '#handlers/record-follow-up.ts';
import { createHandler as recordSweep } from '#handlers/record-sweep.ts';
import { createHandler as resolveRequest } from '#handlers/resolve-request.ts';
import { createHandler as verifyPreferences } from '#handlers/verify-preferences.ts';
import type { LocalHandlerDependencies } from './handler-dependencies.ts';
import type { LambdaService } from './lambda-service.ts';
import { type LambdaHandler, LocalStateMachine } from './state-machine.ts';

type DefinitionTransform = (definition: Record<string, unknown>) => Record<string, unknown>;

/** Each ASL function placeholder, with the handler behind it; overrides replace one by name. */
export function handlerFunctions(
  deps: () => LocalHandlerDependencies,
  options: {
    functionOverrides?: Record<string, (dependencies: () => LocalHandlerDependencies) => LambdaHandler>;
    sweepBatchSize?: number;
  },
): Record<string, LambdaHandler> {
  const functions: Record<string, LambdaHandler> = {
    ResolveRequestFunctionArn: resolveRequest(deps),
    AwaitRoleFunctionArn: awaitRole(deps),
    ApplyPreferencesFunctionArn: applyPreferences(deps),
    VerifyPreferencesFunctionArn: verifyPreferences(deps),
    RecordEnforcementFunctionArn: recordEnforcement(deps),
    PlanFollowUpFunctionArn: planFollowUp(deps),
    RecordFollowUpFunctionArn: recordFollowUp(deps),
    ListAccountsFunctionArn: listAccounts(
      deps,
      options.sweepBatchSize ? { batchSize: options.sweepBatchSize } : {},
    ),
    RecordSweepFunctionArn: recordSweep(deps),
  };
  for (const [placeholder, create] of Object.entries(options.functionOverrides ?? {}))
    functions[placeholder] = create(deps);
  return functions;
}

export interface ProductMachinesOptions {
  functions: Record<string, LambdaHandler>;
  /** The ARN the deployment gives a state machine of this name. */
  arnOf: (name: string) => string;
  region: string;
  timeScale: number;
  lambda: LambdaService;
  /** StartExecution as a Task: the runtime starts the execution the input names. */
  startFromTask: (input: unknown) => Promise<{ ExecutionArn: string; StartDate: string }>;
  /** A test's change to the bootstrap definition (a fault or a shorter wait). */
  transformBootstrap?: DefinitionTransform;
}

/** The bootstrap, sweep and follow-up state machines, keyed by ARN. */
export function productMachines(options: ProductMachinesOptions): Map<string, LocalStateMachine> {
  const { functions, region, timeScale, lambda } = options;
  const common = { region, functions, timeScale, lambda };
  return new Map([
    [
      options.arnOf(BOOTSTRAP_STATE_MACHINE),
      new LocalStateMachine({
        name: 'bootstrap',
        ...common,
        ...(options.transformBootstrap ? { transform: options.transformBootstrap } : {}),
      }),
    ],
    [options.arnOf(SWEEP_STATE_MACHINE), new LocalStateMachine({ name: 'sweep', ...common })],
    [
      options.arnOf(FOLLOW_UP_STATE_MACHINE),
      new LocalStateMachine({
        name: 'follow-up',
        ...common,
        substitutions: {
          SweepStateMachineArn: options.arnOf(SWEEP_STATE_MACHINE),
          BootstrapStateMachineArn: options.arnOf(BOOTSTRAP_STATE_MACHINE),
        },
        // The non-Lambda Tasks: StartExecution (of the sweep, of a vend's re-drive, and of itself
        // to continue), which Step Functions does itself.
        serviceTasks: {
          StartRepairSweep: options.startFromTask,
          RedriveVend: options.startFromTask,
          ContinueFollowUp: options.startFromTask,
        },
      }),
    ],
  ]);
}
