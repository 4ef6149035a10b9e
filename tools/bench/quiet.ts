/**
 * The handlers' Powertools logger and metrics print every invocation; a bench of thousands would
 * drown its own report. Call before the handlers are imported (they configure Powertools then).
 */
export function quietPowertools(): void {
  process.env.POWERTOOLS_DEV ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
  process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'RunAsBootstrapper';
  process.env.POWERTOOLS_SERVICE_NAME ??= 'runas-bootstrapper';
}
