import { AwsServiceError } from '../aws-error.ts';
import {
  epochSeconds,
  type Input,
  type OperationContext,
  type ServiceDefinition,
} from '../service-definition.ts';
import type { ExecutorContext, StepFunctionsExecutor } from '../step-functions-executor.ts';

/** Step Functions (awsJson1_0, `AWSStepFunctions.<Op>`), delegated to a pluggable executor. */

const SFN_ERRORS = new Set([
  'ExecutionAlreadyExists',
  'ExecutionDoesNotExist',
  'ExecutionLimitExceeded',
  'InvalidArn',
  'InvalidExecutionInput',
  'InvalidName',
  'InvalidToken',
  'StateMachineDeleting',
  'StateMachineDoesNotExist',
  'StateMachineTypeNotSupported',
  'ValidationException',
  'KmsAccessDeniedException',
  'KmsThrottlingException',
  'ResourceNotFound',
]);

function executor(ctx: OperationContext, missing = 'StateMachineDoesNotExist'): StepFunctionsExecutor {
  const current = ctx.world.executor;
  if (!current) {
    throw new AwsServiceError(
      missing,
      'The local cloud has no Step Functions executor attached (call cloud.setExecutor(...) first).',
    );
  }
  return current;
}

function context(ctx: OperationContext): ExecutorContext {
  return { accountId: ctx.accountId, region: ctx.region, principalArn: ctx.principal.arn };
}

/** Dates become epoch seconds; everything else is passed through. */
function wire(value: unknown): unknown {
  if (value instanceof Date) return epochSeconds(value.getTime());
  if (Array.isArray(value)) return value.map(wire);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key, v]) => v !== undefined && key !== '$metadata')
        .map(([key, v]) => [key, wire(v)]),
    );
  }
  return value;
}

async function delegate(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return wire(await call());
  } catch (error) {
    if (error instanceof AwsServiceError) throw error;
    const name = (error as { name?: unknown }).name;
    const message = (error as { message?: unknown }).message;
    if (typeof name === 'string' && SFN_ERRORS.has(name)) {
      throw new AwsServiceError(name, typeof message === 'string' ? message : name);
    }
    throw new AwsServiceError(
      'InternalFailure',
      `Step Functions executor failed: ${String(message ?? error)}`,
      500,
    );
  }
}

const stateMachineResource = (_ctx: OperationContext, input: Input) =>
  typeof input.stateMachineArn === 'string' ? input.stateMachineArn : '*';
const executionResource = (_ctx: OperationContext, input: Input) =>
  typeof input.executionArn === 'string' ? input.executionArn : '*';
const mapRunResource = (_ctx: OperationContext, input: Input) =>
  typeof input.mapRunArn === 'string' ? input.mapRunArn : '*';

export const stepFunctionsService: ServiceDefinition = {
  id: 'states',
  protocol: 'json1.0',
  targetPrefix: 'AWSStepFunctions',
  accessDeniedStatus: 400,
  operations: {
    StartExecution: {
      resource: stateMachineResource,
      handle: (ctx, input) => delegate(() => executor(ctx).startExecution(input as never, context(ctx))),
    },
    DescribeExecution: {
      resource: executionResource,
      handle: (ctx, input) =>
        delegate(() =>
          executor(ctx, 'ExecutionDoesNotExist').describeExecution(input as never, context(ctx)),
        ),
    },
    ListExecutions: {
      resource: stateMachineResource,
      handle: (ctx, input) => delegate(() => executor(ctx).listExecutions(input as never, context(ctx))),
    },
    ListMapRuns: {
      resource: executionResource,
      handle: (ctx, input) =>
        delegate(async () => {
          const current = executor(ctx, 'ExecutionDoesNotExist');
          if (current.listMapRuns) return current.listMapRuns(input as never, context(ctx));
          // Confirms the execution exists, as AWS does, before saying it has no map runs.
          await current.describeExecution(input as never, context(ctx));
          return { mapRuns: [] };
        }),
    },
    DescribeStateMachine: {
      resource: stateMachineResource,
      handle(ctx, input) {
        const arn = typeof input.stateMachineArn === 'string' ? input.stateMachineArn : '';
        const machine = ctx.world.deployment?.stateMachines.find((m) => m.arn === arn);
        if (!machine)
          throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
        return {
          stateMachineArn: machine.arn,
          name: machine.name,
          status: machine.status,
          type: 'STANDARD',
          roleArn: machine.roleArn,
          definition: machine.definition,
          creationDate: epochSeconds(machine.createdMs),
        };
      },
    },
    DescribeMapRun: {
      resource: mapRunResource,
      handle: (ctx, input) =>
        delegate(async () => {
          const current = executor(ctx, 'ResourceNotFound');
          if (!current.describeMapRun)
            throw new AwsServiceError('ResourceNotFound', `Resource not found: ${String(input.mapRunArn)}`);
          return current.describeMapRun(input as never, context(ctx));
        }),
    },
  },
};
