import { escapeHtml } from '#local/report-html-text.ts';

/**
 * An exposure CDF chart as a standalone SVG: one step line per mechanism (each its own colour
 * and dash, its p50 and p95 marked and labelled), simulated seconds on a log axis (the
 * mechanisms differ by orders of magnitude), the share of vends on the other.
 */
export interface CdfSeries {
  label: string;
  /** Seconds, one per vend. */
  values: readonly number[];
}

const COLOURS = ['#1b7f3b', '#b35900', '#3f51b5', '#8e24aa', '#607d8b'];
/** Lines differ by dash as well as colour, so they read in grey print and for colour-blind readers. */
const DASHES = ['', '8 4', '2 3', '12 3 3 3', '1 4'];
const WIDTH = 760;
const HEIGHT = 420;
const MARGIN = { left: 64, right: 20, top: 36, bottom: 92 };

/** The nearest-rank percentile of sorted values (share in 0-1). */
function quantile(sorted: readonly number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))] as number;
}

/** `21.9 s`, `8.2 min`, `1.2 h`. */
function valueLabel(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function tickLabel(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${seconds / 60} min`;
  return `${seconds / 3600} h`;
}

export function cdfChartSvg(title: string, series: readonly CdfSeries[]): string {
  const all = series.flatMap((s) => s.values).filter((v) => v > 0);
  const lo = Math.max(0.1, Math.min(...all));
  const hi = Math.max(lo * 10, ...all);
  const logLo = Math.floor(Math.log10(lo));
  const logHi = Math.ceil(Math.log10(hi));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (seconds: number) =>
    MARGIN.left + ((Math.log10(Math.max(seconds, 10 ** logLo)) - logLo) / (logHi - logLo)) * plotW;
  const y = (share: number) => MARGIN.top + (1 - share) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<text x="${MARGIN.left}" y="20" font-size="14" font-weight="600">${escapeHtml(title)}</text>`,
  ];
  const ticks = [1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14_400, 43_200].filter(
    (t) => t >= 10 ** logLo && t <= 10 ** logHi,
  );
  for (const t of ticks) {
    parts.push(
      `<line x1="${x(t).toFixed(1)}" y1="${MARGIN.top}" x2="${x(t).toFixed(1)}" y2="${MARGIN.top + plotH}" stroke="#e3e3e3"/>`,
      `<text x="${x(t).toFixed(1)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${tickLabel(t)}</text>`,
    );
  }
  for (const share of [0, 0.25, 0.5, 0.75, 0.95, 1]) {
    parts.push(
      `<line x1="${MARGIN.left}" y1="${y(share).toFixed(1)}" x2="${MARGIN.left + plotW}" y2="${y(share).toFixed(1)}" stroke="${share === 0.95 ? '#c9c9c9' : '#eee'}"/>`,
      `<text x="${MARGIN.left - 6}" y="${(y(share) + 4).toFixed(1)}" text-anchor="end">${Math.round(share * 100)}%</text>`,
    );
  }
  parts.push(
    `<text x="${MARGIN.left + plotW / 2}" y="${MARGIN.top + plotH + 34}" text-anchor="middle">exposure in simulated seconds: account joined to RunAs in effect in every governed region (log scale)</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">share of vends</text>`,
  );
  series.forEach((s, index) => {
    const colour = COLOURS[index % COLOURS.length];
    const sorted = [...s.values].sort((a, b) => a - b);
    const n = sorted.length;
    if (n === 0) return;
    let d = `M${x(sorted[0] as number).toFixed(1)},${y(0).toFixed(1)}`;
    sorted.forEach((v, i) => {
      d += ` H${x(v).toFixed(1)} V${y((i + 1) / n).toFixed(1)}`;
    });
    const dash = DASHES[index % DASHES.length];
    const dashAttr = dash ? ` stroke-dasharray="${dash}"` : '';
    parts.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"${dashAttr}/>`);
    // p50 and p95 marked on each curve, labelled with their value.
    for (const [name, share] of [
      ['p50', 0.5],
      ['p95', 0.95],
    ] as const) {
      const value = quantile(sorted, share);
      const cx = x(value).toFixed(1);
      const cy = y(share).toFixed(1);
      parts.push(
        `<circle class="${name}" cx="${cx}" cy="${cy}" r="3.5" fill="#fff" stroke="${colour}" stroke-width="2"/>`,
        `<text x="${(x(value) + 5).toFixed(1)}" y="${(y(share) - 5 - (index % 2) * 11).toFixed(1)}" fill="${colour}" font-size="11">${name} ${escapeHtml(valueLabel(value))}</text>`,
      );
    }
    const legendY = HEIGHT - MARGIN.bottom + 50 + Math.floor(index / 2) * 16;
    const legendX = MARGIN.left + (index % 2) * (plotW / 2);
    parts.push(
      `<line x1="${legendX}" y1="${legendY - 4}" x2="${legendX + 18}" y2="${legendY - 4}" stroke="${colour}" stroke-width="3"${dashAttr}/>`,
      `<text x="${legendX + 24}" y="${legendY}">${escapeHtml(s.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
