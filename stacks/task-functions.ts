import { Stack, Token } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { type BootstrapperConfig, configToEnvironment } from '#core/config/config.ts';
import { LEDGER_TABLE_ENV_VAR } from '#core/vend/ledger.ts';
import { checkLambdaEnvironment } from './service-limits.ts';
import { StackSection } from './stack-section.ts';
import { TaskFunction } from './task-function.ts';
import { grantTaskAccess, HANDLERS, type HandlerName } from './tasks.ts';

export const SERVICE_NAME = 'runas-bootstrapper';

export interface TaskFunctionsProps {
  config: BootstrapperConfig;
  ledger: dynamodb.ITable;
}

/** Every Lambda task of the state machines, with the config in its environment and its grants. */
export class TaskFunctions extends StackSection {
  readonly functions = {} as Record<HandlerName, TaskFunction>;
  /** The mutable roles behind the functions (each function sees an immutable view). */
  readonly roles = {} as Record<HandlerName, iam.Role>;

  constructor(scope: Construct, id: string, { config, ledger }: TaskFunctionsProps) {
    super(scope, id);
    const environment = taskEnvironment(Stack.of(this), config, ledger);
    for (const spec of HANDLERS) {
      const fn = new TaskFunction(this, spec.id, {
        handlerName: spec.name,
        timeout: spec.timeout,
        environment,
      });
      this.roles[spec.name] = fn.executionRole;
      grantTaskAccess(Stack.of(this), fn.executionRole, spec, { config, ledger });
      this.functions[spec.name] = fn;
    }
  }
}

/**
 * The environment every task shares: the config, the ledger's name and Powertools' settings.
 * Checked against Lambda's 4 KB at synth, naming the fields, rather than failing at deploy.
 */
function taskEnvironment(
  stack: Stack,
  config: BootstrapperConfig,
  ledger: dynamodb.ITable,
): Record<string, string> {
  // The Lambdas never read the guardrail: leaving its exemption list out keeps it from
  // competing with excludeAccountIds for Lambda's 4 KB of environment.
  const lambdaConfig: BootstrapperConfig = {
    ...config,
    guardrail: { scp: { enabled: config.guardrail.scp.enabled, targetIds: [], exemptRoleArns: [] } },
  };
  const environment = {
    [LEDGER_TABLE_ENV_VAR]: ledger.tableName,
    ...configToEnvironment({
      ...lambdaConfig,
      // Resolved here so the handlers refuse replays put by any other account, as the rule does.
      managementAccountId: config.managementAccountId ?? stack.account,
      homeRegion: config.homeRegion ?? stack.region,
    }),
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: config.metricsNamespace,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    NODE_OPTIONS: '--enable-source-maps',
  };
  checkLambdaEnvironment(lambdaConfig, environment, {
    ...lambdaConfig,
    managementAccountId:
      config.managementAccountId ?? (Token.isUnresolved(stack.account) ? '000000000000' : stack.account),
    homeRegion: config.homeRegion ?? stack.region,
  });
  return environment;
}
