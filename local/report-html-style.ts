/** The HTML report's palette and its inline style sheet. */

export const COLOR = {
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

export const STYLE = `
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
