/**
 * One account's row of the HTML report's SVG timeline chart, in parts: its label, the bands
 * (exposure, gap closed, re-exposure), the milestone markers and their labels, the note, the
 * right-hand figures and the row's accessible label.
 */
import {
  MILESTONE_LABEL,
  type MilestoneKey,
  partlyVerified,
  type Span,
  type TimelineRow,
} from './report-html-rows.ts';
import { COLOR } from './report-html-style.ts';
import { duration, escapeHtml, minutes, n } from './report-html-text.ts';

const esc = escapeHtml;

/** Geometry of the charts, in SVG user units (the SVG scales to the page width). */
export const G = {
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

/** How one chart maps simulated seconds to x, and which of the two charts it is. */
export interface ChartScale {
  /** Simulated seconds to x, clamped at the domain's end. */
  x: (seconds: number) => number;
  domainSeconds: number;
  trackWidth: number;
  /** The zoom shows the early milestones in detail; the overview shows the whole gap to scale. */
  zoom: boolean;
  /** The id of the chart's hatch pattern, for the gap band. */
  hatch: string;
}

export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function marker(key: MilestoneKey, x: number, cy: number, title: string, muted: boolean): string {
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

function rowLabel(row: TimelineRow, cy: number): string[] {
  return [
    `<text x="${G.labelX}" y="${cy - 3}" class="row-name">${esc(clip(row.account.name, 26))}</text>`,
    `<text x="${G.labelX}" y="${cy + 14}" class="row-id">${esc(row.account.accountId)}</text>`,
  ];
}

/** The hatched gap-closed band and its label (the zoom's points right, past its edge). */
function gapBand(row: TimelineRow, gap: Span, cy: number, s: ChartScale): string[] {
  const { account } = row;
  const x0 = s.x(gap.from);
  const x1 = s.zoom ? G.trackX1 : s.x(gap.to);
  const width = n(Math.max(x1 - x0, 1));
  const title = `${account.name}: gap closed ${duration(gap.seconds)}, from RunAs verified at ${minutes(gap.from)} to LZA Customizations finished at ${minutes(gap.to)}`;
  const parts = [
    `<rect class="gap" data-account="${esc(account.accountId)}" data-seconds="${gap.seconds}" x="${n(x0)}" y="${cy - G.band / 2}" width="${width}" height="${G.band}" fill="url(#${s.hatch})" stroke="${COLOR.closed}" stroke-width="1"><title>${esc(title)}</title></rect>`,
  ];
  if (!s.zoom && width > 170)
    parts.push(
      `<text x="${n(x0 + 18)}" y="${cy - 13}" class="gap-label">gap closed ${esc(duration(gap.seconds))}</text>`,
    );
  if (s.zoom) {
    const label = `gap closed until ${minutes(gap.to)} →`;
    // Skip it rather than overlap the exposure label centred above the red bar.
    const exposureLabelEnd = row.exposure
      ? (s.x(row.exposure.from) + s.x(row.exposure.to)) / 2 +
        (8 + duration(row.exposure.seconds).length) * 3.4
      : G.trackX0;
    if (G.trackX1 - 6 - label.length * 6.6 > exposureLabelEnd + 12)
      parts.push(
        `<text x="${G.trackX1 - 6}" y="${cy - 15}" text-anchor="end" class="gap-label">${esc(label)}</text>`,
      );
  }
  return parts;
}

/** The red bar of the exposure that remained, labelled in the zoom. */
function exposureBand(row: TimelineRow, exposure: Span, cy: number, s: ChartScale): string[] {
  const { account } = row;
  const x0 = s.x(exposure.from);
  const width = n(Math.max(s.x(exposure.to) - x0, 3));
  const title = `${account.name}: exposure ${duration(exposure.seconds)}, from vend at ${minutes(exposure.from)} to RunAs verified at ${minutes(exposure.to)}`;
  const parts = [
    `<rect class="exposure" data-account="${esc(account.accountId)}" data-seconds="${exposure.seconds}" x="${n(x0)}" y="${cy - G.exposureBand / 2}" width="${width}" height="${G.exposureBand}" fill="${COLOR.exposure}"><title>${esc(title)}</title></rect>`,
  ];
  if (s.zoom)
    parts.push(
      `<text x="${n(x0 + width / 2)}" y="${cy - 15}" text-anchor="middle" class="exposure-label">exposed ${esc(duration(exposure.seconds))}</text>`,
    );
  return parts;
}

/** RunAs off again after LZA's reset, until the repair (the overview only). */
function reexposureBand(row: TimelineRow, reexposure: Span, cy: number, s: ChartScale): string {
  const { account } = row;
  const x0 = s.x(reexposure.from);
  const width = n(Math.max(s.x(reexposure.to) - x0, 3));
  const title = `${account.name}: RunAs off again for at least ${duration(reexposure.seconds)}, from LZA's Security_Resources at ${minutes(reexposure.from)} until the repair was verified`;
  return `<rect class="reexposure" data-account="${esc(account.accountId)}" data-seconds="${reexposure.seconds}" x="${n(x0)}" y="${cy - G.exposureBand / 2}" width="${width}" height="${G.exposureBand}" fill="${COLOR.exposure}"><title>${esc(title)}</title></rect>`;
}

function markers(row: TimelineRow, cy: number, s: ChartScale, muted: boolean): string[] {
  const keys: MilestoneKey[] = s.zoom
    ? ['vend', 'role', 'verified']
    : ['vend', 'role', 'verified', 'security', 'customizations'];
  return keys.flatMap((key) => {
    const value = row.at[key];
    if (value === undefined || value > s.domainSeconds) return [];
    return [marker(key, s.x(value), cy, milestoneTitle(row, key), muted)];
  });
}

/** The zoom's role and RunAs labels: each ends or starts at its own marker, so they never overlap. */
function milestoneLabels(row: TimelineRow, cy: number, s: ChartScale): string[] {
  const { at } = row;
  const parts: string[] = [];
  if (at.role !== undefined && at.vend !== undefined)
    parts.push(
      `<text x="${n(s.x(at.role) - 4)}" y="${cy + 24}" text-anchor="end" class="milestone-label">role +${esc(duration(at.role - at.vend))}</text>`,
    );
  if (at.verified !== undefined && at.vend !== undefined)
    parts.push(
      `<text x="${n(s.x(at.verified) + 4)}" y="${cy + 24}" class="milestone-label">RunAs +${esc(duration(at.verified - at.vend))}${partlyVerified(row.account) ? ` (${esc(partlyVerified(row.account) as string)})` : ''}</text>`,
    );
  return parts;
}

function rowNote(row: TimelineRow, cy: number, s: ChartScale): string[] {
  const note = s.zoom
    ? row.notMeasured && 'not measured (see the timeline)'
    : (row.notMeasured ?? row.gapNote);
  if (!note) return [];
  const after = Math.max(...Object.values(row.at).filter((v) => v <= s.domainSeconds), -Infinity);
  const noteX = s.zoom ? s.x(Number.isFinite(after) ? after : 0) + 90 : G.trackX0 + 0.12 * s.trackWidth;
  const room = Math.floor((G.trackX1 - noteX) / 6.4);
  return [
    `<text x="${n(noteX)}" y="${cy + 4}" class="note">${esc(clip(note, Math.max(room, 12)))}<title>${esc(`${row.account.name}: ${note}`)}</title></text>`,
  ];
}

/** The right-hand figures, one line each, centred on the row. */
function rowStats(row: TimelineRow, cy: number, zoom: boolean): string {
  const { account } = row;
  const exposed = row.exposure
    ? `<tspan class="stat-exposure">exposed ${esc(duration(row.exposure.seconds))}</tspan>`
    : '<tspan class="stat-muted">not measured</tspan>';
  const stats: string[] = [];
  if (zoom) {
    if (account.roleWaitSeconds !== undefined)
      stats.push(`<tspan class="stat-role">role wait ${esc(duration(account.roleWaitSeconds))}</tspan>`);
    stats.push(exposed);
  } else {
    stats.push(exposed);
    if (row.gap) stats.push(`<tspan class="stat-closed">closed ${esc(duration(row.gap.seconds))}</tspan>`);
    if (account.regressionsRepaired)
      stats.push(
        `<tspan class="stat-repaired">${account.regressionsRepaired} repaired${row.reexposure ? ` (off ≥ ${esc(duration(row.reexposure.seconds))})` : ''}</tspan>`,
      );
  }
  const firstY = cy + 4 - ((stats.length - 1) * 15) / 2;
  return `<text class="stats">${stats.map((s, k) => s.replace('<tspan ', `<tspan x="${G.statsX}" y="${n(firstY + k * 15)}" `)).join('')}</text>`;
}

/** The row's accessible label: every figure the row draws, in words. */
function rowAriaLabel(row: TimelineRow): string {
  const { account, at } = row;
  return [
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
}

/** Row `i` of a chart, as one SVG group. */
export function renderRow(row: TimelineRow, i: number, s: ChartScale): string {
  const cy = G.top + i * G.rowHeight + G.rowHeight / 2;
  const muted = row.notMeasured !== undefined;
  const g = [
    ...rowLabel(row, cy),
    ...(row.gap ? gapBand(row, row.gap, cy, s) : []),
    ...(row.exposure ? exposureBand(row, row.exposure, cy, s) : []),
    ...(row.reexposure && !s.zoom ? [reexposureBand(row, row.reexposure, cy, s)] : []),
    ...markers(row, cy, s, muted),
    ...(s.zoom ? milestoneLabels(row, cy, s) : []),
    ...rowNote(row, cy, s),
    rowStats(row, cy, s.zoom),
  ];
  return `<g class="row${muted ? ' not-measured' : ''}" data-account="${esc(row.account.accountId)}" role="listitem" aria-label="${esc(rowAriaLabel(row))}">${g.join('')}</g>`;
}
