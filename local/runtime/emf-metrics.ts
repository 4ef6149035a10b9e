/**
 * The handlers' metrics as the local runtime sees them: every EMF record the shared Powertools
 * Metrics instance (and each `singleMetric()` of it) prints while a scenario plays, summed per
 * metric name. In Lambda those records go to stdout and CloudWatch reads them; here they go to
 * this collector, so the demo's stdout stays its own (pure JSON with --json). Metrics are on for
 * the run whatever POWERTOOLS_METRICS_DISABLED says; a process that had them on (a test counting
 * EMF on the console) still gets each record on its console too.
 */
import { metrics } from '#handlers/shared/observability.ts';

/** What the collector touches of a Metrics instance: its printer and its off switch. */
interface Printer {
  console: { log(line: string): void };
  disabled: boolean;
  singleMetric(): Printer;
}

export interface MetricCollector {
  /** Metric name -> the sum of the values emitted, in name order. */
  totals(): Record<string, number>;
  /** Give the Metrics instance its own printer and switch back. */
  stop(): void;
}

/** Add one printed line's metric values to `sums`, when it is an EMF record. */
export function addEmfLine(sums: Map<string, number>, line: unknown): void {
  if (typeof line !== 'string' || !line.startsWith('{"_aws"')) return;
  const record = JSON.parse(line) as {
    _aws?: { CloudWatchMetrics?: { Metrics?: { Name: string }[] }[] };
    [key: string]: unknown;
  };
  for (const directive of record._aws?.CloudWatchMetrics ?? []) {
    for (const { Name } of directive.Metrics ?? []) {
      const values = [record[Name]].flat().filter((v): v is number => typeof v === 'number');
      sums.set(Name, (sums.get(Name) ?? 0) + values.reduce((a, b) => a + b, 0));
    }
  }
}

export function collectHandlerMetrics(): MetricCollector {
  const shared = metrics as unknown as Printer;
  const saved = { console: shared.console, disabled: shared.disabled };
  const sums = new Map<string, number>();
  const sink = {
    log(line: string) {
      addEmfLine(sums, line);
      if (!saved.disabled) saved.console.log(line);
    },
  };
  const redirect = (printer: Printer) => {
    printer.console = sink;
    printer.disabled = false;
  };
  const singleMetric = shared.singleMetric;
  redirect(shared);
  // A single metric is a new instance, printed at once: redirect it before its first metric.
  shared.singleMetric = () => {
    const single = singleMetric.call(shared);
    redirect(single);
    return single;
  };
  return {
    totals: () => Object.fromEntries([...sums].sort(([a], [b]) => a.localeCompare(b))),
    stop() {
      Object.assign(shared, saved);
      Reflect.deleteProperty(shared, 'singleMetric');
    },
  };
}
