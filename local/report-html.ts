import { median } from '#core/shared/statistics.ts';
import { clockDescription, type DemoReport } from './report.ts';
import { axisDomain, renderChart, renderLegend } from './report-html-chart.ts';
import { buildRows, type MilestoneKey, partlyVerified, type TimelineRow } from './report-html-rows.ts';
import { STYLE } from './report-html-style.ts';
import { duration, escapeHtml, n, tickLabel } from './report-html-text.ts';
import { type DemoStory, demoStory } from './story.ts';

/**
 * A self-contained HTML timeline of a demo run: one row per account on a common simulated-time
 * axis, the exposure that remained (vend to RunAs verified) against the gap the bootstrapper
 * closed (RunAs verified to LZA Customizations). Pure and offline: inline CSS and SVG only, no
 * clock, no network, so it renders anywhere and tests can read it as text.
 */

const esc = escapeHtml;

function card(label: string, value: string, detail: string, cls = ''): string {
  return `<div class="card ${cls}"><div class="card-label">${esc(label)}</div><div class="card-value">${esc(value)}</div><div class="card-detail">${esc(detail)}</div></div>`;
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

const inMinutes = (seconds: number | undefined) => (seconds === undefined ? '–' : (seconds / 60).toFixed(1));

/** The same vends' exposure under the other mechanisms, as the terminal prints it. */
function renderComparison(story: DemoStory): string {
  const body = story.mechanisms
    .map(
      (m) =>
        `<tr><th scope="row">${esc(m.mechanism)}</th><td class="num">${m.seconds.length}</td><td class="num">${esc(inMinutes(m.median))}</td><td class="num">${esc(inMinutes(m.p95))}</td><td class="num">${esc(inMinutes(m.worst))}</td><td class="note-cell">${esc(m.basis)}</td></tr>`,
    )
    .join('');
  return `<section aria-labelledby="comparison-heading"><h2 id="comparison-heading">The same vends under other mechanisms</h2><div class="table-wrap"><table class="comparison"><caption>Exposure in minutes (simulated), vend to RunAs set in every governed region</caption><thead><tr><th scope="col">mechanism</th><th scope="col" class="num">vends</th><th scope="col" class="num">median</th><th scope="col" class="num">p95</th><th scope="col" class="num">worst</th><th scope="col">basis</th></tr></thead><tbody>${body}</tbody></table></div></section>`;
}

function renderMeta(report: DemoReport, name: string): string {
  return [
    `Scenario <code>${esc(name)}</code>`,
    esc(clockDescription(report)),
    report.lzaVersion ? `LZA ${esc(report.lzaVersion)}` : 'no LZA pipeline',
    `governed regions ${esc(report.governedRegions.join(', '))}`,
    'all times simulated',
  ].join(' · ');
}

/** The headline sentence, with the ratio bar of the LZA-only window when the gap was measured. */
function renderHeadline(story: DemoStory): string {
  const { medianExposure, medianWindow, share } = story;
  if (medianExposure !== undefined && medianWindow !== undefined && share !== undefined)
    return `<p class="headline">Median exposure <strong class="exposure">${esc(duration(medianExposure))}</strong> instead of <strong>${esc(duration(medianWindow))}</strong> with LZA alone: the bootstrapper closed <strong class="closed">${esc((share * 100).toFixed(1))}%</strong> of the window LZA alone leaves open (vend to Customizations, the PREPARE-to-CUSTOMIZATIONS gap).</p><div class="ratio" role="img" aria-label="${esc(`Share of the LZA-only window: ${((1 - share) * 100).toFixed(1)}% exposure remained, ${(share * 100).toFixed(1)}% closed`)}"><div class="r-exposure" style="width:${n((1 - share) * 100)}%"></div><div class="r-closed" style="width:${n(share * 100)}%">gap closed</div></div><div class="ratio-caption"><span>vend</span><span>exposure that remained ${esc(((1 - share) * 100).toFixed(1))}% · closed ${esc((share * 100).toFixed(1))}%</span><span>LZA Customizations finished</span></div>`;
  return medianExposure !== undefined
    ? `<p class="headline">Median exposure <strong class="exposure">${esc(duration(medianExposure))}</strong>; the gap to LZA Customizations was not measured.</p>`
    : '<p class="headline">No account was measured in this run.</p>';
}

/** The totals, one card each. */
function renderCards(report: DemoReport, rows: TimelineRow[], story: DemoStory): string {
  const { medianExposure, medianWindow, repaired, repairedAccounts } = story;
  const medianClosed = median(rows.flatMap((r) => (r.gap ? [r.gap.seconds] : [])));
  const met = report.accounts.filter((a) => a.meetsExpectation).length;
  return [
    card('Accounts measured', `${story.measured}/${rows.length}`, 'vend → RunAs verified everywhere'),
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
}

/** The overview chart of the whole timeline, and the zoom's section when the early part is small. */
function renderCharts(rows: TimelineRow[]): { overviewChart: string; zoomSection: string } {
  const latest = Math.max(0, ...rows.flatMap((r) => Object.values(r.at)));
  const overview = axisDomain(latest);
  const early = Math.max(
    0,
    ...rows.flatMap((r) => [r.at.vend, r.at.role, r.at.verified].filter((v) => v !== undefined)),
  );
  const detail = axisDomain(early * 1.12);
  const showZoom = rows.some((r) => r.at.verified !== undefined) && detail.seconds < overview.seconds / 3;
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
  return { overviewChart, zoomSection };
}

/** Render the demo report as one self-contained HTML page (inline CSS and SVG, no network). */
export function renderHtmlReport(report: DemoReport): string {
  const { rows } = buildRows(report);
  // The headline figures and the comparison are the terminal's too (local/story.ts).
  const story = demoStory(report);
  const name = report.scenario ?? 'demo scenario';
  const meta = renderMeta(report, name);
  const headline = renderHeadline(story);
  const cards = renderCards(report, rows, story);
  const { overviewChart, zoomSection } = renderCharts(rows);

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
${renderComparison(story)}
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
<footer>Generated by <code>runas-bootstrapper demo</code> on the embedded local cloud. Times are simulated (${esc(clockDescription(report))}). Exposure is vend → RunAs verified in every governed region; the gap closed is RunAs verified → LZA Deploy-stage Customizations finished, the window LZA alone would leave open.</footer>
</main>
</body>
</html>
`;
}
