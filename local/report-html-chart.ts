/**
 * The SVG timeline chart of the HTML report and its legend: one row per account on a common
 * simulated-time axis, with the exposure band, the gap closed and the milestone markers.
 */
import { type ChartScale, G, marker, renderRow } from './report-html-chart-row.ts';
import { MILESTONE_LABEL, type TimelineRow } from './report-html-rows.ts';
import { COLOR } from './report-html-style.ts';
import { escapeHtml, n, tickLabel } from './report-html-text.ts';

const esc = escapeHtml;

/** A step for axis ticks, in minutes, giving at most ten ticks over `span` minutes. */
function tickStep(span: number): number {
  const steps = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 20, 30, 60, 120, 240, 480, 1440];
  return steps.find((step) => span / step <= 10) ?? Math.ceil(span / 10 / 1440) * 1440;
}

export function axisDomain(maxSeconds: number): { seconds: number; stepMinutes: number } {
  const span = Math.max(maxSeconds / 60, 0.05);
  const stepMinutes = tickStep(span * 1.02);
  return { seconds: Math.ceil((span * 1.02) / stepMinutes) * stepMinutes * 60, stepMinutes };
}

export interface ChartOptions {
  id: string;
  title: string;
  description: string;
  domainSeconds: number;
  stepMinutes: number;
  /** The zoom shows the early milestones in detail; the overview shows the whole gap to scale. */
  zoom: boolean;
}

/** The chart's hatch pattern, for the gap band. */
function hatchPattern(hatch: string): string {
  return `<defs><pattern id="${hatch}" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="${COLOR.closedFill}"/><line x1="0" y1="0" x2="0" y2="8" stroke="${COLOR.closed}" stroke-opacity="0.35" stroke-width="3"/></pattern></defs>`;
}

/** Every other row's background, under the grid lines. */
function rowBackgrounds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => i).flatMap((i) =>
    i % 2 === 1
      ? [
          `<rect x="0" y="${G.top + i * G.rowHeight}" width="${G.width}" height="${G.rowHeight}" fill="#f7f8fa"/>`,
        ]
      : [],
  );
}

/** The time axis: a grid line and label per tick, the axis line and its caption. */
function axis(s: ChartScale, stepMinutes: number, axisY: number): string {
  const ticks: string[] = [];
  for (let m = 0; m * 60 <= s.domainSeconds + 1e-6; m += stepMinutes) {
    const tx = n(s.x(m * 60));
    ticks.push(
      `<g class="tick" data-minutes="${tickLabel(m)}" data-x="${tx}"><line x1="${tx}" y1="${G.top}" x2="${tx}" y2="${axisY + 5}" stroke="${COLOR.grid}"/><text x="${tx}" y="${axisY + 20}" text-anchor="middle" class="tick-label">${tickLabel(m)}</text></g>`,
    );
  }
  return [
    `<g class="axis">${ticks.join('')}`,
    `<line x1="${G.trackX0}" y1="${axisY + 5}" x2="${G.trackX1}" y2="${axisY + 5}" stroke="#b0b8bf"/>`,
    `<text x="${(G.trackX0 + G.trackX1) / 2}" y="${axisY + 42}" text-anchor="middle" class="axis-caption">minutes since the first vend (simulated)</text></g>`,
  ].join('');
}

export function renderChart(rows: TimelineRow[], options: ChartOptions): string {
  const { domainSeconds, zoom } = options;
  const trackWidth = G.trackX1 - G.trackX0;
  const x = (seconds: number) => G.trackX0 + (Math.min(seconds, domainSeconds) / domainSeconds) * trackWidth;
  const scale: ChartScale = { x, domainSeconds, trackWidth, zoom, hatch: `${options.id}-hatch` };
  const axisY = G.top + rows.length * G.rowHeight;
  const height = axisY + 52;
  // Row backgrounds, then grid lines on top of them, then the rows' content.
  const parts = [
    hatchPattern(scale.hatch),
    ...rowBackgrounds(rows.length),
    axis(scale, options.stepMinutes, axisY),
    ...rows.map((row, i) => renderRow(row, i, scale)),
  ];
  return `<svg id="${options.id}" class="chart" viewBox="0 0 ${G.width} ${height}" role="img" aria-labelledby="${options.id}-title ${options.id}-desc"><title id="${options.id}-title">${esc(options.title)}</title><desc id="${options.id}-desc">${esc(options.description)}</desc><g role="list">${parts.join('')}</g></svg>`;
}

function legendSwatch(svgBody: string): string {
  return `<svg class="swatch" viewBox="0 0 28 20" aria-hidden="true">${svgBody}</svg>`;
}

export function renderLegend(): string {
  const items: [string, string][] = [
    [
      legendSwatch(`<rect x="1" y="4" width="26" height="12" fill="${COLOR.exposure}"/>`),
      'Exposure that remained (vend → RunAs verified; and after LZA ≤ 1.13 reset RunAs, until repaired)',
    ],
    [
      legendSwatch(
        `<defs><pattern id="legend-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="${COLOR.closedFill}"/><line x1="0" y1="0" x2="0" y2="6" stroke="${COLOR.closed}" stroke-opacity="0.35" stroke-width="2.5"/></pattern></defs><rect x="1" y="4" width="26" height="12" fill="url(#legend-hatch)" stroke="${COLOR.closed}"/>`,
      ),
      'Gap closed by the bootstrapper (RunAs verified → Customizations)',
    ],
    [legendSwatch(marker('vend', 14, 10, '', false).replace('<title></title>', '')), MILESTONE_LABEL.vend],
    [legendSwatch(marker('role', 14, 10, '', false).replace('<title></title>', '')), MILESTONE_LABEL.role],
    [
      legendSwatch(marker('verified', 14, 10, '', false).replace('<title></title>', '')),
      `${MILESTONE_LABEL.verified} (all regions)`,
    ],
    [
      legendSwatch(marker('security', 14, 14, '', false).replace('<title></title>', '')),
      MILESTONE_LABEL.security,
    ],
    [
      legendSwatch(marker('customizations', 10, 12, '', false).replace('<title></title>', '')),
      MILESTONE_LABEL.customizations,
    ],
    [legendSwatch(`<circle cx="14" cy="10" r="6" fill="${COLOR.muted}"/>`), 'not measured (grey)'],
  ];
  return `<ul class="legend" aria-label="Legend">${items.map(([swatch, text]) => `<li>${swatch}<span>${esc(text)}</span></li>`).join('')}</ul>`;
}
