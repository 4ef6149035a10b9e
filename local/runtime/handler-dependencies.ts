/**
 * The dependencies of every handler, for one process that runs them all (the local runtime):
 * built by the same builders the Lambda bundles use, from an environment that points the SDK
 * clients at the local cloud and reads the local cloud's clock. Passing it to each handler's
 * `createHandler` (product-machines.ts) is checked by the compiler: a dependency a handler
 * needs and this object lacks is a type error, not a failed invocation.
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import type { ExecutionStatus } from '#adapters/execution-status.ts';
import type { FollowedRuns } from '#adapters/followed-runs.ts';
import type { MemberSessions } from '#adapters/member-session.ts';
import type { OrganizationDirectory } from '#adapters/organizations.ts';
import type { PipelineHistory } from '#adapters/pipeline-history.ts';
import type { VendLedger } from '#adapters/vend-ledger.ts';
import {
  type EnvironmentOptions,
  type HandlerEnvironment,
  handlerEnvironment,
} from '#handlers/shared/wiring/environment.ts';
import { executionStatus } from '#handlers/shared/wiring/execution-status.ts';
import { followedRuns, vendLedger } from '#handlers/shared/wiring/ledger.ts';
import { memberSessions } from '#handlers/shared/wiring/member-sessions.ts';
import { organization } from '#handlers/shared/wiring/organization.ts';
import { pipelineHistory } from '#handlers/shared/wiring/pipeline-history.ts';

export interface LocalHandlerDependencies extends HandlerEnvironment {
  sessions: MemberSessions;
  organization: OrganizationDirectory;
  pipeline: PipelineHistory;
  ledger: VendLedger;
  followedRuns: FollowedRuns;
  executions: ExecutionStatus;
}

/** Every handler's dependencies over one environment map (endpoint, region, config) and clock. */
export function localHandlerDependencies(
  variables: Readonly<Record<string, string | undefined>>,
  options: EnvironmentOptions,
): LocalHandlerDependencies {
  const environment = handlerEnvironment(variables, options);
  return {
    ...environment,
    sessions: memberSessions(environment, SSMClient),
    organization: organization(environment),
    pipeline: pipelineHistory(environment),
    ledger: vendLedger(environment),
    followedRuns: followedRuns(environment),
    executions: executionStatus(environment),
  };
}
