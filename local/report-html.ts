import { median } from '#core/statistics.ts';
import type { AccountReport, DemoReport } from './report.ts';

/**
 * A self-contained HTML timeline of a demo run: one row per account on a common simulated-time
 * axis, the exposure that remained (vend to RunAs verified) against the gap the bootstrapper
 * closed (RunAs verified to LZA Customizations). Pure and offline: inline CSS and SVG only, no
 * clock, no network, so it renders anywhere and tests can read it as text.
 */

type MilestoneKey = 'vend' | 'role' | 'verified' | 'security' | 'customizations';

const MILESTONE_LABEL: Record<MilestoneKey, string> = {
  vend: 'vended',
  role: 'role assumable',
  verified: 'RunAs verified',
  security: 'LZA Security_Resources finished',
  customizations: 'LZA Customizations finished',
};

interface Span {
  from: number;
  to: number;
  seconds: number;
}

interface TimelineRow {
  account: AccountReport;
  /** Seconds since the first vend of the run. */
  at: Partial<Record<MilestoneKey, number>>;
  /** Why vend to RunAs verified is not an exposure for this account. */
  notMeasured?: string;
  /** Why the gap was not measured although the exposure was. */
  gapNote?: string;
  exposure?: Span;
  gap?: Span;
  /** RunAs off again from LZA's Security_Resources to the repair (at least). */
  reexposure?: Span;
}

const COLOR = {
  exposure: '#d1495b',
  closed: '#1f7a6f',
  closedFill: '#dcf1ec',
  vend: '#263238',
  role: '#2f6fce',
  verified: '#2e9e4f',
  security: '#7b4fc9',
  customizations: '#37474f',
  muted: '#8a939b',
  grid: '#e3e7eb',
  note: '#8a5a00',
} as const;

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

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const esc = escapeHtml;

function duration(seconds: number): string {
  const s = Math.abs(seconds);
  if (s < 100) return `${seconds.toFixed(1)} s`;
  if (s < 6000) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** Minutes since the first vend, as printed on the axis, tables and titles. */
function minutes(seconds: number): string {
  return `${(seconds / 60).toFixed(2)} min`;
}

function notMeasuredReason(account: AccountReport): string | undefined {
  if (!account.vendedAt) return 'not measured: no bootstrap run started for this account';
  const regions = Object.entries(account.regions);
  const failed = regions.filter(([, r]) => r.status === 'failed' || r.status === 'skipped');
  if (failed.length > 0) {
    const error = failed.find(([, r]) => r.error)?.[1].error;
    return `not measured: failed in ${failed.map(([name]) => name).join(', ')}${error ? ` (${error})` : ''}`;
  }
  const refused = regions.filter(([, r]) => r.status === 'refused').map(([name]) => name);
  if (refused.length > 0)
    return `not measured: refused in ${refused.join(', ')}, a foreign document was left as is`;
  if (account.measured === false) {
    const first = regions[0]?.[1];
    return first?.action === 'unchanged'
      ? 'not measured: already compliant, RunAs was set before the bootstrapper ran'
      : 'not measured: the run was not for a vend';
  }
  if (account.exposureSeconds === undefined || !account.runAsVerifiedAt)
    return 'not measured: RunAs was not verified in every region';
  return undefined;
}

function buildRows(report: DemoReport): { rows: TimelineRow[]; origin: number | undefined } {
  const vends = report.accounts
    .map((a) => (a.vendedAt ? Date.parse(a.vendedAt) : Number.NaN))
    .filter((t) => Number.isFinite(t));
  const origin = vends.length > 0 ? Math.min(...vends) : undefined;
  const offset = (iso: string | undefined) =>
    iso === undefined || origin === undefined || !Number.isFinite(Date.parse(iso))
      ? undefined
      : (Date.parse(iso) - origin) / 1000;
  const rows = report.accounts.map((account): TimelineRow => {
    const at: TimelineRow['at'] = {};
    const set = (key: MilestoneKey, iso: string | undefined) => {
      const value = offset(iso);
      if (value !== undefined) at[key] = value;
    };
    set('vend', account.vendedAt);
    set('role', account.roleAssumableAt);
    set('verified', account.runAsVerifiedAt);
    set('security', account.securityResourcesCompletedAt);
    set('customizations', account.customizationsCompletedAt);
    const row: TimelineRow = { account, at };
    const reason = notMeasuredReason(account);
    if (reason) return { ...row, notMeasured: reason };
    const { vend, verified, customizations, security } = at;
    if (security !== undefined && account.reexposedSeconds)
      row.reexposure = {
        from: security,
        to: security + account.reexposedSeconds,
        seconds: account.reexposedSeconds,
      };
    if (vend !== undefined && verified !== undefined && account.exposureSeconds !== undefined)
      row.exposure = { from: vend, to: verified, seconds: account.exposureSeconds };
    if (
      verified !== undefined &&
      customizations !== undefined &&
      account.gapClosedSeconds !== undefined &&
      account.gapClosedSeconds > 0
    )
      row.gap = { from: verified, to: customizations, seconds: account.gapClosedSeconds };
    else if (account.gapClosedSeconds !== undefined && account.gapClosedSeconds <= 0)
      row.gapNote = 'no gap closed: LZA Customizations finished before RunAs was verified';
    else
      row.gapNote = `gap not measured${account.gap ? `: ${account.gap}` : ': no LZA pipeline run covered the vend'}`;
    return row;
  });
  return { rows, origin };
}

/** A step for axis ticks, in minutes, giving at most ten ticks over `span` minutes. */
function tickStep(span: number): number {
  const steps = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 20, 30, 60, 120, 240, 480, 1440];
  return steps.find((step) => span / step <= 10) ?? Math.ceil(span / 10 / 1440) * 1440;
}

function axisDomain(maxSeconds: number): { seconds: number; stepMinutes: number } {
  const span = Math.max(maxSeconds / 60, 0.05);
  const stepMinutes = tickStep(span * 1.02);
  return { seconds: Math.ceil((span * 1.02) / stepMinutes) * stepMinutes * 60, stepMinutes };
}

function tickLabel(value: number): string {
  return String(Number(value.toFixed(2)));
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const n = (value: number) => Number(value.toFixed(1));

interface ChartOptions {
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

function renderChart(rows: TimelineRow[], options: ChartOptions): string {
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

function renderLegend(): string {
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

function card(label: string, value: string, detail: string, cls = ''): string {
  return `<div class="card ${cls}"><div class="card-label">${esc(label)}</div><div class="card-value">${esc(value)}</div><div class="card-detail">${esc(detail)}</div></div>`;
}

/** "2/3 regions" when RunAs was verified in only some governed regions, else undefined. */
function partlyVerified(account: AccountReport): string | undefined {
  const all = Object.values(account.regions);
  const compliant = all.filter((r) => r.status === 'compliant').length;
  return compliant < all.length ? `${compliant}/${all.length} regions` : undefined;
}

function renderTable(rows: TimelineRow[]): string {
  const cell = (row: TimelineRow, key: MilestoneKey) => {
    const at = row.at[key];
    const partly = key === 'verified' ? partlyVerified(row.account) : undefined;
    return `<td class="num">${at === undefined ? '–' : esc((at / 60).toFixed(2))}${at !== undefined && partly ? ` <span class="partly">(${esc(partly)})</span>` : ''}</td>`;
  };
  const body = rows
    .map((row) => {
      const a = row.account;
      const all = Object.entries(a.regions);
      const compliant = all.filter(([, r]) => r.status === 'compliant').length;
      const regions = [
        ...(compliant > 0
          ? [compliant === all.length ? `all ${compliant} compliant` : `${compliant} compliant`]
          : []),
        ...all.filter(([, r]) => r.status !== 'compliant').map(([name, r]) => `${name} ${r.status}`),
      ].join(' · ');
      const headline = row.notMeasured ?? row.gapNote;
      const errors = new Set(
        Object.values(a.regions).flatMap((r) => (r.error && !headline?.includes(r.error) ? [r.error] : [])),
      );
      const note = [headline, ...errors].filter((v): v is string => Boolean(v)).join('; ');
      return `<tr data-account="${esc(a.accountId)}"${row.notMeasured ? ' class="not-measured"' : ''}><th scope="row">${esc(a.name)}<br><span class="row-id">${esc(a.accountId)}</span></th>${cell(row, 'vend')}${cell(row, 'role')}${cell(row, 'verified')}${cell(row, 'security')}${cell(row, 'customizations')}<td class="num exposure-text">${row.exposure ? esc(duration(row.exposure.seconds)) : '–'}</td><td class="num closed-text">${row.gap ? esc(duration(row.gap.seconds)) : '–'}</td><td class="num">${a.regressionsRepaired ?? '–'}</td><td class="regions-cell">${esc(regions)}${a.meetsExpectation ? '' : ' <strong class="miss">not as expected</strong>'}</td><td class="note-cell">${esc(note)}</td></tr>`;
    })
    .join('');
  return `<div class="table-wrap"><table><caption>Milestones in minutes since the first vend (simulated)</caption><thead><tr><th scope="col">account</th><th scope="col" class="num">vend</th><th scope="col" class="num">role assumable</th><th scope="col" class="num">RunAs verified</th><th scope="col" class="num">Security_&#8203;Resources</th><th scope="col" class="num">Customiz&#173;ations</th><th scope="col" class="num">exposure</th><th scope="col" class="num">gap closed</th><th scope="col" class="num">repairs</th><th scope="col">regions</th><th scope="col">note</th></tr></thead><tbody>${body}</tbody></table></div>`;
}

const STYLE = `
:root{color-scheme:light}
.partly{color:#8a6d00;font-size:.85em}
*{box-sizing:border-box}
body{margin:0;background:#eef1f4;color:#1d2730;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1320px;margin:0 auto;padding:24px 28px 40px}
header h1{margin:0 0 4px;font-size:24px;letter-spacing:-.01em}
.meta{margin:0;color:#55636f}
.meta code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#fff;border:1px solid #d5dbe0;border-radius:4px;padding:1px 5px}
section{background:#fff;border:1px solid #dde2e7;border-radius:10px;padding:18px 20px;margin-top:18px}
h2{font-size:16px;margin:0 0 4px}
.sub{margin:0 0 10px;color:#55636f}
.headline{font-size:17px;margin:0 0 14px}
.headline strong.exposure{color:${COLOR.exposure}}
.headline strong.closed{color:${COLOR.closed}}
.ratio{display:flex;height:22px;border-radius:5px;overflow:hidden;border:1px solid #cfd6dc;margin:0 0 6px}
.ratio .r-exposure{background:${COLOR.exposure};min-width:4px}
.ratio .r-closed{background:repeating-linear-gradient(45deg,${COLOR.closedFill} 0 5px,#b7e0d6 5px 8px);color:${COLOR.closed};font-weight:600;font-size:12.5px;display:flex;align-items:center;padding-left:10px}
.ratio-caption{display:flex;justify-content:space-between;color:#55636f;font-size:12.5px;margin-bottom:14px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px}
.card{border:1px solid #dde2e7;border-radius:8px;padding:10px 12px;background:#fbfcfd}
.card-label{font-size:12px;color:#55636f;text-transform:uppercase;letter-spacing:.04em}
.card-value{font-size:24px;font-weight:650;margin:2px 0}
.card-detail{font-size:12px;color:#66737e}
.card.exposure .card-value{color:${COLOR.exposure}}
.card.closed .card-value{color:${COLOR.closed}}
.card.repaired .card-value{color:${COLOR.security}}
.legend{list-style:none;margin:4px 0 12px;padding:8px 10px;display:flex;flex-wrap:wrap;gap:6px 20px;background:#f7f8fa;border-radius:6px;font-size:13px}
.legend li{display:flex;align-items:center;gap:6px;white-space:nowrap}
.swatch{width:28px;height:20px;flex:none}
.chart{width:100%;height:auto;display:block;font-family:inherit}
.chart .row-name{font-size:14px;font-weight:600;fill:#1d2730}
.chart .row-id{font:11.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;fill:#66737e}
.chart .tick-label{font-size:12px;fill:#55636f}
.chart .axis-caption{font-size:12.5px;fill:#55636f}
.chart .gap-label{font-size:12px;font-weight:600;fill:${COLOR.closed}}
.chart .exposure-label{font-size:11.5px;font-weight:600;fill:${COLOR.exposure}}
.chart .milestone-label{font-size:11px;fill:#55636f}
.chart .note{font-size:12px;font-style:italic;fill:${COLOR.note}}
.chart .stats{font-size:12px}
.chart .stat-exposure{fill:${COLOR.exposure};font-weight:600}
.chart .stat-closed{fill:${COLOR.closed};font-weight:600}
.chart .stat-repaired{fill:${COLOR.security}}
.chart .stat-role{fill:${COLOR.role}}
.chart .stat-muted{fill:${COLOR.muted};font-style:italic}
table{width:100%;border-collapse:collapse;font-size:13px}
caption{text-align:left;color:#55636f;padding-bottom:6px}
th,td{padding:6px 8px;border-bottom:1px solid #e6eaee;text-align:left;vertical-align:top}
thead th{font-size:12px;color:#55636f;font-weight:600;vertical-align:bottom}
thead th.num{text-align:right}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.row-id{font:11.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:#66737e;font-weight:400}
.exposure-text{color:${COLOR.exposure};font-weight:600}
.closed-text{color:${COLOR.closed};font-weight:600}
tr.not-measured th{color:#66737e}
.note-cell{color:${COLOR.note};font-size:12.5px;min-width:240px;overflow-wrap:anywhere}
.regions-cell{white-space:nowrap}
tbody th{white-space:nowrap}
.table-wrap{overflow-x:auto}
.miss{color:${COLOR.exposure}}
footer{margin-top:16px;color:#66737e;font-size:12.5px}
`;

/** Render the demo report as one self-contained HTML page (inline CSS and SVG, no network). */
export function renderHtmlReport(report: DemoReport): string {
  const { rows } = buildRows(report);
  const exposures = rows.flatMap((r) => (r.exposure ? [r.exposure.seconds] : []));
  const gapRows = rows.filter((r) => r.gap);
  const closed = gapRows.map((r) => r.gap?.seconds as number);
  const windows = gapRows.flatMap((r) =>
    r.account.prepareToCustomizationsSeconds !== undefined ? [r.account.prepareToCustomizationsSeconds] : [],
  );
  const medianExposure = median(exposures);
  const medianClosed = median(closed);
  const medianWindow = median(windows);
  const sumClosed = closed.reduce((a, b) => a + b, 0);
  const sumWindow = windows.reduce((a, b) => a + b, 0);
  const share = sumWindow > 0 && windows.length === closed.length ? sumClosed / sumWindow : undefined;
  const repaired = report.accounts.reduce((sum, a) => sum + (a.regressionsRepaired ?? 0), 0);
  const repairedAccounts = report.accounts.filter((a) => (a.regressionsRepaired ?? 0) > 0).length;
  const met = report.accounts.filter((a) => a.meetsExpectation).length;
  const measured = rows.filter((r) => r.exposure).length;

  const latest = Math.max(0, ...rows.flatMap((r) => Object.values(r.at)));
  const overview = axisDomain(latest);
  const early = Math.max(
    0,
    ...rows.flatMap((r) => [r.at.vend, r.at.role, r.at.verified].filter((v) => v !== undefined)),
  );
  const detail = axisDomain(early * 1.12);
  const showZoom = rows.some((r) => r.at.verified !== undefined) && detail.seconds < overview.seconds / 3;

  const name = report.scenario ?? 'demo scenario';
  const meta = [
    `Scenario <code>${esc(name)}</code>`,
    `timeScale ${esc(String(report.timeScale))}`,
    report.lzaVersion ? `LZA ${esc(report.lzaVersion)}` : 'no LZA pipeline',
    `governed regions ${esc(report.governedRegions.join(', '))}`,
    'all times simulated',
  ].join(' · ');

  const headline =
    medianExposure !== undefined && medianWindow !== undefined && share !== undefined
      ? `<p class="headline">Median exposure <strong class="exposure">${esc(duration(medianExposure))}</strong> instead of <strong>${esc(duration(medianWindow))}</strong> with LZA alone: the bootstrapper closed <strong class="closed">${esc((share * 100).toFixed(1))}%</strong> of the window LZA alone leaves open (vend to Customizations, the PREPARE-to-CUSTOMIZATIONS gap).</p><div class="ratio" role="img" aria-label="${esc(`Share of the LZA-only window: ${((1 - share) * 100).toFixed(1)}% exposure remained, ${(share * 100).toFixed(1)}% closed`)}"><div class="r-exposure" style="width:${n((1 - share) * 100)}%"></div><div class="r-closed" style="width:${n(share * 100)}%">gap closed</div></div><div class="ratio-caption"><span>vend</span><span>exposure that remained ${esc(((1 - share) * 100).toFixed(1))}% · closed ${esc((share * 100).toFixed(1))}%</span><span>LZA Customizations finished</span></div>`
      : medianExposure !== undefined
        ? `<p class="headline">Median exposure <strong class="exposure">${esc(duration(medianExposure))}</strong>; the gap to LZA Customizations was not measured.</p>`
        : '<p class="headline">No account was measured in this run.</p>';

  const cards = [
    card('Accounts measured', `${measured}/${rows.length}`, 'vend → RunAs verified everywhere'),
    card(
      'Median exposure',
      medianExposure === undefined ? '–' : duration(medianExposure),
      'vend → RunAs verified',
      'exposure',
    ),
    card(
      'Median gap closed',
      medianClosed === undefined ? '–' : duration(medianClosed),
      'RunAs verified → Customizations',
      'closed',
    ),
    card(
      'Median LZA-only window',
      medianWindow === undefined ? '–' : duration(medianWindow),
      'vend → Customizations',
    ),
    card(
      'Regressions repaired',
      String(repaired),
      `in ${repairedAccounts} account(s), after LZA Security_Resources`,
      'repaired',
    ),
    card(
      'Expected outcomes',
      `${met}/${report.accounts.length}`,
      report.ok ? 'all as expected' : 'some missed',
    ),
  ].join('');

  const overviewChart =
    rows.length === 0
      ? '<p class="sub">The scenario vends no accounts.</p>'
      : renderChart(rows, {
          id: 'timeline',
          title: `Timeline of ${rows.length} accounts, 0 to ${tickLabel(overview.seconds / 60)} minutes since the first vend`,
          description:
            'One row per account. A solid red bar is the exposure that remained (vend to RunAs verified); the hatched green band is the gap the bootstrapper closed (RunAs verified to LZA Customizations finished).',
          domainSeconds: overview.seconds,
          stepMinutes: overview.stepMinutes,
          zoom: false,
        });
  const zoomSection = showZoom
    ? `<section aria-labelledby="zoom-heading"><h2 id="zoom-heading">The first ${esc(tickLabel(detail.seconds / 60))} minutes: the exposure that remained</h2><p class="sub">The same rows enlarged: vend, member role assumable, RunAs verified in every governed region.</p>${renderChart(
        rows,
        {
          id: 'zoom',
          title: `Detail of the first ${tickLabel(detail.seconds / 60)} minutes since the first vend`,
          description: 'Vend, role assumable and RunAs verified per account, enlarged.',
          domainSeconds: detail.seconds,
          stepMinutes: detail.stepMinutes,
          zoom: true,
        },
      )}</section>`
    : '';

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>RunAs exposure timeline: ${esc(name)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<h1>RunAs exposure timeline</h1>
<p class="meta">${meta}</p>
</header>
<section aria-label="Totals">
${headline}
<div class="cards">${cards}</div>
</section>
<section aria-labelledby="timeline-heading">
<h2 id="timeline-heading">Timeline, to scale</h2>
<p class="sub">One row per account on a common axis; hover a bar or marker for its exact time. LZA milestones are its Deploy stage's, the latest over the governed regions. LZA below 1.14 resets RunAs at Security_Resources; the bootstrapper writes it again (repaired).</p>
${renderLegend()}
${overviewChart}
</section>
${zoomSection}
<section aria-labelledby="table-heading">
<h2 id="table-heading">Milestones</h2>
${renderTable(rows)}
</section>
<footer>Generated by <code>runas-bootstrapper demo</code> on the embedded local cloud. Times are simulated: timeScale ${esc(String(report.timeScale))} wall seconds per simulated second. Exposure is vend → RunAs verified in every governed region; the gap closed is RunAs verified → LZA Deploy-stage Customizations finished, the window LZA alone would leave open.</footer>
</main>
</body>
</html>
`;
}
