export { AwsServiceError } from './aws-error.ts';
export { EventBus, type EventEnvelope, type EventSubscriber } from './bus.ts';
export { SimulatedClock } from './clock.ts';
export type { CallStats } from './cloud-world.ts';
export { SUPPORTED_OPERATIONS } from './http-api.ts';
export {
  evaluatePolicy,
  evaluateServiceControlPolicies,
  type PolicyDocument,
  parsePolicyDocument,
  type RequestContext,
  wildcardMatch,
} from './iam-policy.ts';
export { compareVersions, lzaSessionManagerContent, standardStages } from './lza-pipeline.ts';
export type { LzaWriteRecord } from './lza-timeline.ts';
export {
  DEFAULT_SCENARIO,
  type ExpectedOutcome,
  loadScenarioFile,
  parseScenario,
  resolveScenarioConfig,
  type Scenario,
  type ScenarioAccount,
  type ScenarioInput,
  scenarioSchema,
} from './scenario.ts';
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
} from './server.ts';
export type { ExecutorContext, StepFunctionsExecutor } from './step-functions-executor.ts';
export { controlTowerTimestamp, organizationsTimestamp } from './vend-events.ts';
