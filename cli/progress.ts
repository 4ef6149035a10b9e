/**
 * The one progress helper of the CLI and the bench: on a terminal a bar redrawn in place with
 * an ETA; piped (CI, `tee`, CloudShell logs) a plain line every few seconds, so a two-hour sweep
 * still says where it is. Nothing is written for work that ends before the first interval.
 */
export interface ProgressSink {
  /** Whether the stream is a terminal: the bar is redrawn in place. */
  interactive: boolean;
  /** Raw text (no newline added), for the bar. */
  write(text: string): void;
  /** One line, for piped output. */
  line(text: string): void;
  now?: () => number;
  /** Piped: at most one line this often (default 5 s). */
  intervalMs?: number;
}

export interface Progress {
  tick(n?: number): void;
  /** For work whose size is learned as it goes (a sweep lists accounts batch by batch). */
  update(done: number, total: number, label?: string): void;
  finish(): void;
}

const BAR_WIDTH = 24;

/** `1m05s`, `42s`, `2h03m`. */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function startProgress(initialLabel: string, initialTotal: number, sink: ProgressSink): Progress {
  const now = sink.now ?? Date.now;
  const interval = sink.intervalMs ?? 5000;
  const started = now();
  let label = initialLabel;
  let total = initialTotal;
  let done = 0;
  let lastLine = started;
  let printed = false;
  let lastText = '';
  const eta = (): string => {
    const elapsed = (now() - started) / 1000;
    if (done <= 0 || total <= done || elapsed <= 0) return '';
    return `, ETA ${formatEta(((total - done) * elapsed) / done)}`;
  };
  const text = (): string => {
    const percent = total > 0 ? ` (${Math.min(100, Math.round((done / total) * 100))}%)` : '';
    return `${label}: ${done}/${total}${percent}${eta()}`;
  };
  const draw = (force = false): void => {
    if (sink.interactive) {
      // Clamped: a total learned late (or work that outgrows it) must never break the drawing.
      const filled =
        total > 0 ? Math.min(BAR_WIDTH, Math.max(0, Math.round((done / total) * BAR_WIDTH))) : BAR_WIDTH;
      sink.write(
        `\r\x1b[K${label} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${done}/${total}${eta()}`,
      );
      printed = true;
      return;
    }
    const at = now();
    const current = text();
    if (force ? printed && current !== lastText : at - lastLine >= interval) {
      sink.line(current);
      lastLine = at;
      lastText = current;
      printed = true;
    }
  };
  draw();
  return {
    tick(n = 1) {
      done += n;
      draw();
    },
    update(doneNow, totalNow, labelNow = label) {
      done = doneNow;
      total = totalNow;
      label = labelNow;
      draw();
    },
    finish() {
      if (sink.interactive) sink.write('\n');
      // Piped: the last state, when earlier lines were printed and it differs from the last one.
      else draw(true);
    },
  };
}

/**
 * Progress that arrives as ready-made lines (the bench's phases): redrawn in place on a
 * terminal, and piped at most one line per interval, plus the last one at the end.
 */
export function progressLines(sink: ProgressSink): { line(text: string): void; finish(): void } {
  const now = sink.now ?? Date.now;
  const interval = sink.intervalMs ?? 5000;
  let lastAt = now();
  let latest = '';
  let shown = '';
  return {
    line(text) {
      latest = text;
      if (sink.interactive) sink.write(`\r\x1b[K${text}`);
      else if (now() - lastAt >= interval) {
        sink.line(text);
        shown = text;
        lastAt = now();
      }
    },
    finish() {
      if (sink.interactive) sink.write('\r\x1b[K');
      else if (shown !== '' && latest !== shown) sink.line(latest);
    },
  };
}

/** A sink on this process's stderr. */
export function stderrSink(): ProgressSink {
  return {
    interactive: process.stderr.isTTY === true,
    write: (text) => process.stderr.write(text),
    line: (text) => process.stderr.write(`${text}\n`),
  };
}
