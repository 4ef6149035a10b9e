import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/** One Logger, Metrics and Tracer for every handler; configured by the POWERTOOLS_* environment. */
export const logger = new Logger({ serviceName: 'runas-bootstrapper' });
// Metrics' own warnings (an empty flush, a repeated dimension) go through the same structured
// logger, at its level, rather than to the console.
export const metrics = new Metrics({ serviceName: 'runas-bootstrapper', logger });
export const tracer = new Tracer({ serviceName: 'runas-bootstrapper' });

/** Metric names: the contract with the dashboard and alarms in stacks/. */
export const METRIC = {
  vendToRunAsSeconds: 'VendToRunAsSeconds',
  roleWaitSeconds: 'RoleWaitSeconds',
  regionsCompliant: 'RegionsCompliant',
  regionsFailed: 'RegionsFailed',
  regionsRefused: 'RegionsRefused',
  prepareToCustomizationsSeconds: 'PrepareToCustomizationsSeconds',
  gapClosedSeconds: 'GapClosedSeconds',
  runAsRegressionsRepaired: 'RunAsRegressionsRepaired',
  gapMeasurementTimedOut: 'GapMeasurementTimedOut',
  /** Invited accounts that had no member role: Control Tower enrollment will bootstrap them. */
  accountsAwaitingEnrollment: 'AccountsAwaitingEnrollment',
  /** At least how long RunAs was off again after LZA ≤ 1.13 reset it, until the repair. */
  runAsReexposedSeconds: 'RunAsReexposedSeconds',
  // Sweep summary, emitted by RecordSweep with the `service` dimension only.
  accountsChecked: 'AccountsChecked',
  driftDetected: 'DriftDetected',
  driftRepaired: 'DriftRepaired',
  /** Account × regions failed, accounts whose role was unavailable or whose probe failed, accounts left unswept. */
  sweepFailures: 'SweepFailures',
  /** Old document versions deleted under the pruning policy at SSM's 1,000-version limit. */
  documentVersionsPruned: 'DocumentVersionsPruned',
  /** A write hit the version limit with pruning off (or nothing prunable): DocumentVersionLimitError. */
  documentVersionLimitReached: 'DocumentVersionLimitReached',
} as const;
