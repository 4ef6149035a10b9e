/**
 * The SVG timeline chart of the HTML report and its legend: one row per account on a common
 * simulated-time axis, with the exposure band, the gap closed and the milestone markers.
 */
import { MILESTONE_LABEL, type MilestoneKey, partlyVerified, type TimelineRow } from './report-html-rows.ts';
import { COLOR } from './report-html-style.ts';
import { duration, escapeHtml, minutes, n, tickLabel } from './report-html-text.ts';

const esc = escapeHtml;

/** Geometry of the charts, in SVG user units (the SVG scales to the page width). */
const G = {
  width: 1200,
  labelX: 16,
  trackX0: 236,
  trackX1: 990,
  statsX: 1008,
  top: 12,
  rowHeight: 54,
  band: 16,
  /** Taller than the gap band, so the sliver of remaining exposure shows beside the markers. */
  exposureBand: 22,
} as const;

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

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
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

function marker(key: MilestoneKey, x: number, cy: number, title: string, muted: boolean): string {
  const t = `<title>${esc(title)}</title>`;
  const fill = muted ? COLOR.muted : COLOR[key];
  const cls = `class="milestone ${key}" data-milestone="${key}"`;
  switch (key) {
    case 'vend':
      return `<g ${cls}>${t}<rect x="${n(x - 1.5)}" y="${cy - 13}" width="3" height="26" rx="1" fill="${fill}"/></g>`;
    case 'role':
      return `<g ${cls}>${t}<path d="M${n(x)} ${cy - 7}l6 7-6 7-6-7z" fill="${fill}" stroke="#fff" stroke-width="1.5"/></g>`;
    case 'verified':
      return `<g ${cls}>${t}<circle cx="${n(x)}" cy="${cy}" r="7.5" fill="${fill}" stroke="#fff" stroke-width="1.5"/><path d="M${n(x - 3.5)} ${cy}l2.5 2.6 4.6-5" fill="none" stroke="#fff" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/></g>`;
    case 'security':
      return `<g ${cls}>${t}<line x1="${n(x)}" y1="${cy - 12}" x2="${n(x)}" y2="${cy + 12}" stroke="${fill}" stroke-width="2" stroke-dasharray="3 2"/><path d="M${n(x - 7)} ${cy - 20}h14l-7 9z" fill="${fill}"/></g>`;
    case 'customizations':
      return `<g ${cls}>${t}<line x1="${n(x)}" y1="${cy - 16}" x2="${n(x)}" y2="${cy + 12}" stroke="${fill}" stroke-width="2.5"/><path d="M${n(x)} ${cy - 16}h12l-3.5 4.5 3.5 4.5h-12z" fill="${fill}"/></g>`;
  }
}

function milestoneTitle(row: TimelineRow, key: MilestoneKey): string {
  const at = row.at[key] as number;
  const { name } = row.account;
  const sinceVend =
    key !== 'vend' && row.at.vend !== undefined ? ` (${duration(at - row.at.vend)} after vend)` : '';
  const extra =
    key === 'security' && row.account.regressionsRepaired
      ? `; LZA reset RunAs, the bootstrapper repaired ${row.account.regressionsRepaired} region(s)`
      : key === 'verified' && partlyVerified(row.account)
        ? ` in ${partlyVerified(row.account)} only`
        : '';
  return `${name}: ${MILESTONE_LABEL[key]} at ${minutes(at)}${sinceVend}${extra}`;
}

export function renderChart(rows: TimelineRow[], options: ChartOptions): string {
  const { domainSeconds, zoom } = options;
  const trackWidth = G.trackX1 - G.trackX0;
  const x = (seconds: number) => G.trackX0 + (Math.min(seconds, domainSeconds) / domainSeconds) * trackWidth;
  const rowsHeight = rows.length * G.rowHeight;
  const axisY = G.top + rowsHeight;
  const height = axisY + 52;
  const parts: string[] = [];
  const hatch = `${options.id}-hatch`;
  parts.push(
    `<defs><pattern id="${hatch}" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="${COLOR.closedFill}"/><line x1="0" y1="0" x2="0" y2="8" stroke="${COLOR.closed}" stroke-opacity="0.35" stroke-width="3"/></pattern></defs>`,
  );
  // Row backgrounds, then grid lines on top of them, then the rows' content.
  rows.forEach((_, i) => {
    if (i % 2 === 1)
      parts.push(
        `<rect x="0" y="${G.top + i * G.rowHeight}" width="${G.width}" height="${G.rowHeight}" fill="#f7f8fa"/>`,
      );
  });
  const ticks: string[] = [];
  for (let m = 0; m * 60 <= domainSeconds + 1e-6; m += options.stepMinutes) {
    const tx = n(x(m * 60));
    ticks.push(
      `<g class="tick" data-minutes="${tickLabel(m)}" data-x="${tx}"><line x1="${tx}" y1="${G.top}" x2="${tx}" y2="${axisY + 5}" stroke="${COLOR.grid}"/><text x="${tx}" y="${axisY + 20}" text-anchor="middle" class="tick-label">${tickLabel(m)}</text></g>`,
    );
  }
  parts.push(`<g class="axis">${ticks.join('')}`);
  parts.push(
    `<line x1="${G.trackX0}" y1="${axisY + 5}" x2="${G.trackX1}" y2="${axisY + 5}" stroke="#b0b8bf"/>`,
  );
  parts.push(
    `<text x="${(G.trackX0 + G.trackX1) / 2}" y="${axisY + 42}" text-anchor="middle" class="axis-caption">minutes since the first vend (simulated)</text></g>`,
  );

  rows.forEach((row, i) => {
    const { account, at } = row;
    const cy = G.top + i * G.rowHeight + G.rowHeight / 2;
    const g: string[] = [];
    g.push(
      `<text x="${G.labelX}" y="${cy - 3}" class="row-name">${esc(clip(account.name, 26))}</text>`,
      `<text x="${G.labelX}" y="${cy + 14}" class="row-id">${esc(account.accountId)}</text>`,
    );
    const muted = row.notMeasured !== undefined;
    if (row.gap) {
      const x0 = x(row.gap.from);
      const x1 = zoom ? G.trackX1 : x(row.gap.to);
      const width = n(Math.max(x1 - x0, 1));
      const title = `${account.name}: gap closed ${duration(row.gap.seconds)}, from RunAs verified at ${minutes(row.gap.from)} to LZA Customizations finished at ${minutes(row.gap.to)}`;
      g.push(
        `<rect class="gap" data-account="${esc(account.accountId)}" data-seconds="${row.gap.seconds}" x="${n(x0)}" y="${cy - G.band / 2}" width="${width}" height="${G.band}" fill="url(#${hatch})" stroke="${COLOR.closed}" stroke-width="1"><title>${esc(title)}</title></rect>`,
      );
      if (!zoom && width > 170)
        g.push(
          `<text x="${n(x0 + 18)}" y="${cy - 13}" class="gap-label">gap closed ${esc(duration(row.gap.seconds))}</text>`,
        );
      if (zoom) {
        const label = `gap closed until ${minutes(row.gap.to)} →`;
        // Skip it rather than overlap the exposure label centred above the red bar.
        const exposureLabelEnd = row.exposure
          ? (x(row.exposure.from) + x(row.exposure.to)) / 2 +
            (8 + duration(row.exposure.seconds).length) * 3.4
          : G.trackX0;
        if (G.trackX1 - 6 - label.length * 6.6 > exposureLabelEnd + 12)
          g.push(
            `<text x="${G.trackX1 - 6}" y="${cy - 15}" text-anchor="end" class="gap-label">${esc(label)}</text>`,
          );
      }
    }
    if (row.exposure) {
      const x0 = x(row.exposure.from);
      const width = n(Math.max(x(row.exposure.to) - x0, 3));
      const title = `${account.name}: exposure ${duration(row.exposure.seconds)}, from vend at ${minutes(row.exposure.from)} to RunAs verified at ${minutes(row.exposure.to)}`;
      g.push(
        `<rect class="exposure" data-account="${esc(account.accountId)}" data-seconds="${row.exposure.seconds}" x="${n(x0)}" y="${cy - G.exposureBand / 2}" width="${width}" height="${G.exposureBand}" fill="${COLOR.exposure}"><title>${esc(title)}</title></rect>`,
      );
      if (zoom)
        g.push(
          `<text x="${n(x0 + width / 2)}" y="${cy - 15}" text-anchor="middle" class="exposure-label">exposed ${esc(duration(row.exposure.seconds))}</text>`,
        );
    }
    if (row.reexposure && !zoom) {
      const x0 = x(row.reexposure.from);
      const width = n(Math.max(x(row.reexposure.to) - x0, 3));
      const title = `${account.name}: RunAs off again for at least ${duration(row.reexposure.seconds)}, from LZA's Security_Resources at ${minutes(row.reexposure.from)} until the repair was verified`;
      g.push(
        `<rect class="reexposure" data-account="${esc(account.accountId)}" data-seconds="${row.reexposure.seconds}" x="${n(x0)}" y="${cy - G.exposureBand / 2}" width="${width}" height="${G.exposureBand}" fill="${COLOR.exposure}"><title>${esc(title)}</title></rect>`,
      );
    }
    const keys: MilestoneKey[] = zoom
      ? ['vend', 'role', 'verified']
      : ['vend', 'role', 'verified', 'security', 'customizations'];
    for (const key of keys) {
      const value = at[key];
      if (value === undefined || value > domainSeconds) continue;
      g.push(marker(key, x(value), cy, milestoneTitle(row, key), muted));
    }
    if (zoom) {
      // Role label ends at its marker and the RunAs label starts at its own: they never overlap.
      if (at.role !== undefined && at.vend !== undefined)
        g.push(
          `<text x="${n(x(at.role) - 4)}" y="${cy + 24}" text-anchor="end" class="milestone-label">role +${esc(duration(at.role - at.vend))}</text>`,
        );
      if (at.verified !== undefined && at.vend !== undefined)
        g.push(
          `<text x="${n(x(at.verified) + 4)}" y="${cy + 24}" class="milestone-label">RunAs +${esc(duration(at.verified - at.vend))}${partlyVerified(row.account) ? ` (${esc(partlyVerified(row.account) as string)})` : ''}</text>`,
        );
    }
    const note = zoom
      ? row.notMeasured && 'not measured (see the timeline)'
      : (row.notMeasured ?? row.gapNote);
    if (note) {
      const after = Math.max(...Object.values(at).filter((v) => v <= domainSeconds), -Infinity);
      const noteX = zoom ? x(Number.isFinite(after) ? after : 0) + 90 : G.trackX0 + 0.12 * trackWidth;
      const room = Math.floor((G.trackX1 - noteX) / 6.4);
      g.push(
        `<text x="${n(noteX)}" y="${cy + 4}" class="note">${esc(clip(note, Math.max(room, 12)))}<title>${esc(`${account.name}: ${note}`)}</title></text>`,
      );
    }
    // Right-hand figures.
    const stats: string[] = [];
    if (zoom) {
      if (account.roleWaitSeconds !== undefined)
        stats.push(`<tspan class="stat-role">role wait ${esc(duration(account.roleWaitSeconds))}</tspan>`);
      stats.push(
        row.exposure
          ? `<tspan class="stat-exposure">exposed ${esc(duration(row.exposure.seconds))}</tspan>`
          : '<tspan class="stat-muted">not measured</tspan>',
      );
    } else {
      stats.push(
        row.exposure
          ? `<tspan class="stat-exposure">exposed ${esc(duration(row.exposure.seconds))}</tspan>`
          : '<tspan class="stat-muted">not measured</tspan>',
      );
      if (row.gap) stats.push(`<tspan class="stat-closed">closed ${esc(duration(row.gap.seconds))}</tspan>`);
      if (account.regressionsRepaired)
        stats.push(
          `<tspan class="stat-repaired">${account.regressionsRepaired} repaired${row.reexposure ? ` (off ≥ ${esc(duration(row.reexposure.seconds))})` : ''}</tspan>`,
        );
    }
    const firstY = cy + 4 - ((stats.length - 1) * 15) / 2;
    g.push(
      `<text class="stats">${stats.map((s, k) => s.replace('<tspan ', `<tspan x="${G.statsX}" y="${n(firstY + k * 15)}" `)).join('')}</text>`,
    );
    const label = [
      `${account.name} (${account.accountId})`,
      ...(['vend', 'role', 'verified', 'security', 'customizations'] as const)
        .filter((k) => at[k] !== undefined)
        .map(
          (k) =>
            `${MILESTONE_LABEL[k]} ${minutes(at[k] as number)}${k === 'verified' && partlyVerified(account) ? ` (${partlyVerified(account)} only)` : ''}`,
        ),
      row.exposure ? `exposure ${duration(row.exposure.seconds)}` : '',
      row.gap ? `gap closed ${duration(row.gap.seconds)}` : '',
      row.notMeasured ?? row.gapNote ?? '',
    ]
      .filter(Boolean)
      .join('; ');
    parts.push(
      `<g class="row${muted ? ' not-measured' : ''}" data-account="${esc(account.accountId)}" role="listitem" aria-label="${esc(label)}">${g.join('')}</g>`,
    );
  });

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
