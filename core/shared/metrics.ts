/** Metric names: the contract between the handlers that emit them and the dashboard and alarms in stacks/. */
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
  /** Vends whose owner ended with a region unverified and that the reconciler re-drove MAX_REDRIVES times. */
  vendRedrivesExhausted: 'VendRedrivesExhausted',
  /** lza.measureGap auto, the named LZA pipeline missing, and a pipeline with LZA's stages under another name. */
  lzaPipelineMisnamed: 'LzaPipelineMisnamed',
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

/** One data point a handler emits: core decides which, the handler's Metrics instance writes them. */
export interface MetricPoint {
  name: (typeof METRIC)[keyof typeof METRIC];
  unit: 'Count' | 'Seconds';
  value: number;
}
