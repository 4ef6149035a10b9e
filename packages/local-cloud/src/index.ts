/**
 * The local cloud's public entry: an AWS-compatible endpoint on 127.0.0.1 that models an
 * organization (accounts, roles, vends, an LZA pipeline) and answers real SDK clients and the
 * AWS CLI on the wire. Nothing outside this package imports its modules directly.
 */
export { AwsServiceError } from './aws-error.ts';
export { EventBus, type EventEnvelope, type EventSubscriber } from './bus.ts';
export { SimulatedClock } from './clock.ts';
export type { CallStats, PipelineDefaults } from './cloud-world.ts';
export type {
  DeployedAlarm,
  DeployedRule,
  DeployedStack,
  DeployedStateMachine,
  DeployedSubscription,
  DeployedTopic,
  LocalDeployment,
  StackStatus,
} from './deployment.ts';
export { type FaultRule, throttlingError } from './faults.ts';
export { SUPPORTED_OPERATIONS } from './http-api.ts';
export {
  evaluatePolicy,
  evaluateServiceControlPolicies,
  type PolicyDocument,
  parsePolicyDocument,
  type RequestContext,
  wildcardMatch,
} from './iam-policy.ts';
export {
  AWS_LATENCY,
  type LatencyDistribution,
  LatencyModel,
  type LatencyModelDefinition,
  NO_LATENCY,
  sampleLogNormal,
  stableKey,
} from './latency.ts';
export { compareVersions, lzaSessionManagerContent, planRun, standardStages } from './lza-pipeline.ts';
export type { LzaWriteRecord } from './lza-timeline.ts';
export {
  DEFAULT_SCENARIO,
  loadScenarioFile,
  parseScenario,
  type Scenario,
  type ScenarioAccount,
  ScenarioError,
  type ScenarioInput,
  scenarioSchema,
} from './scenario.ts';
export { SeededRandom, seedFromString } from './seeded-random.ts';
export {
  type AccountView,
  type CallFilter,
  type DocumentView,
  type LocalCloud,
  type LocalCloudOptions,
  type LocalCloudSnapshot,
  type LocalCloudState,
  type PipelineExecutionView,
  startLocalCloud,
  versionContent,
} from './server.ts';
export type { ExecutorContext, StepFunctionsExecutor } from './step-functions-executor.ts';
export { controlTowerTimestamp, organizationsTimestamp } from './vend-events.ts';
export {
  actorDrawKey,
  currentVirtualTime,
  realTimers,
  runAsActor,
  VirtualTime,
  VirtualTimeError,
  type VirtualTimeOptions,
} from './virtual-time.ts';
