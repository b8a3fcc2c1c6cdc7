// The report's style sheet, as text to inline. Print shows the live charts when they drew (they
// keep their labels) and the static SVGs otherwise; interactive bits are hidden on paper.

export const REPORT_CSS = `
:root { color-scheme: light; --ink: #1d1d1f; --muted: #5b5b60; --line: #dedee3; --accent: #0063a0; --bg-soft: #f4f4f7; --pick: #fff4c2; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1080px; margin: 0 auto; padding: 24px 20px 80px; }
h1 { font-size: 1.7rem; margin: 0 0 4px; }
h2 { font-size: 1.3rem; margin: 44px 0 12px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.1rem; margin: 24px 0 6px; }
h4 { font-size: .9rem; margin: 14px 0 4px; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
h4 .muted { text-transform: none; letter-spacing: 0; font-weight: normal; }
a { color: var(--accent); }
code { font-size: .9em; }
.muted { color: var(--muted); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.headline { display: grid; grid-template-columns: repeat(auto-fill, minmax(138px, 1fr)); gap: 8px; margin: 14px 0 8px; padding: 0; list-style: none; }
.headline li { background: var(--bg-soft); border-radius: 8px; padding: 8px 12px; }
.headline .value { display: block; font-size: 1.3rem; font-weight: 600; font-variant-numeric: tabular-nums; line-height: 1.3; }
.headline .range { font-size: .95rem; font-weight: 600; display: block; line-height: 1.35; }
.headline .name { font-size: .75rem; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
.notes-line { margin: 4px 0; border-left: 4px solid #E69F00; padding-left: 8px; }
.toc { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: .9rem; margin-top: 10px; padding: 6px 0; border-top: 1px solid var(--line); border-bottom: 1px solid var(--line); }
.glance { display: grid; grid-template-columns: repeat(auto-fit, minmax(240px, 1fr)); gap: 12px; }
.glance-box { background: var(--bg-soft); border-radius: 8px; padding: 4px 14px 10px; }
.glance-box h3 { margin: 8px 0 4px; font-size: 1rem; }
.glance-box ul { list-style: none; padding: 0; margin: 0; }
.glance-box li { padding: 2px 0; }
.glance-box .fig { display: block; font-size: .85rem; color: var(--muted); font-variant-numeric: tabular-nums; margin-left: 1.2em; }
.glance-box .more { margin: 4px 0 0; font-size: .85rem; }
details.chart-details { margin: 12px 0; }
details.chart-details > summary, details > summary { cursor: pointer; color: var(--accent); }
figure { margin: 16px 0; overflow-x: auto; }
figure .live svg { max-width: 100%; height: auto; }
figure .static img { display: block; max-width: 100%; height: auto; }
figure.drawn .static { display: none; }
figcaption { font-size: .85rem; color: var(--muted); }
figure .live svg .role-legend-label, figure .live svg .role-legend-symbol, figure .live svg .role-mark { cursor: pointer; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; color: inherit; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; }
th[aria-sort="descending"] button::after { content: " \\25BC"; }
#topic-table tbody tr { cursor: pointer; }
#topic-table tbody tr:hover { background: var(--bg-soft); }
#topic-table tbody tr:focus { outline: 2px solid var(--accent); outline-offset: -2px; }
#topic-table tbody tr[aria-selected="true"] { background: var(--pick); }
#topic-table .sub { font-size: .8rem; color: var(--muted); }
#topic-table .terms-cell { color: #333; }
#topic-table td.spark-cell { padding-top: 6px; padding-bottom: 2px; }
.table-tools { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: center; margin: 8px 0; }
.table-tools input { font: inherit; padding: 6px 10px; border: 1px solid #b9b9c0; border-radius: 6px; min-width: 260px; }
.table-tools .hint { font-size: .85rem; }
.swatch { display: inline-block; width: .8em; height: .8em; border-radius: 2px; margin-right: 6px; vertical-align: baseline; }
.badge { display: inline-block; font-size: .75rem; padding: 0 6px; border-radius: 8px; background: var(--bg-soft); color: var(--muted); margin-left: 4px; font-weight: normal; }
.badge-born { background: #e3f1e8; color: #0b5d33; }
.badge-split, .badge-merged { background: #e6effa; color: #124a82; }
.badge-died { background: #fbe9e4; color: #8a2c0c; }
.topic { border-top: 1px solid var(--line); padding: 4px 8px 8px; margin: 0 -8px; border-radius: 6px; }
.topic.picked { background: #fffbe8; }
.topic-grid { display: grid; grid-template-columns: minmax(260px, 1fr) minmax(300px, 1fr); gap: 8px 28px; }
@media (max-width: 720px) { .topic-grid { grid-template-columns: 1fr; } }
.term-bars { list-style: none; margin: 0; padding: 0; font-size: .88rem; }
.term-bars li { display: grid; grid-template-columns: minmax(90px, 11em) 1fr 3.6em; gap: 8px; align-items: center; }
.term-bars .term { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.term-bars .bar { display: block; height: 8px; background: #eee; border-radius: 2px; }
.term-bars .bar span { display: block; height: 8px; border-radius: 2px; }
.term-bars .w { color: var(--muted); font-size: .8rem; text-align: right; font-variant-numeric: tabular-nums; }
.bursts { font-size: .9rem; }
.papers { margin: 4px 0; padding-left: 22px; }
.papers li { margin: 2px 0; }
table.vocab { font-size: .85rem; margin: 2px 0 4px; }
table.vocab th { white-space: nowrap; width: 7.5em; font-weight: 600; color: var(--muted); }
table.vocab td, table.vocab th { padding: 2px 8px; }
table.vocab b { color: #8a4a00; }
.history { margin: 4px 0; padding-left: 20px; font-size: .9rem; }
.back { font-size: .85rem; margin: 4px 0; }
.change-counts { display: flex; flex-wrap: wrap; gap: 8px; list-style: none; padding: 0; margin: 8px 0; }
.change-counts li { background: var(--bg-soft); border-radius: 8px; padding: 4px 12px; }
.change-counts .value { font-weight: 600; font-size: 1.1rem; }
.changes { list-style: none; padding: 0; }
.changes li { padding: 3px 0; }
.changes .badge { margin: 0 6px 0 0; min-width: 4.5em; text-align: center; }
ul.notes { border-left: 4px solid #E69F00; background: #fff8e6; padding: 8px 14px 8px 30px; margin: 8px 0; }
tr.total td { font-weight: 600; }
table.narrow { width: auto; min-width: 50%; }
.facts-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 0 32px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
#focus-bar { position: fixed; right: 16px; bottom: 16px; background: #1d1d1f; color: #fff; border-radius: 8px; padding: 8px 12px; display: flex; gap: 12px; align-items: center; box-shadow: 0 2px 10px rgba(0,0,0,.25); max-width: calc(100vw - 32px); z-index: 10; }
#focus-bar[hidden] { display: none; }
#focus-bar button { font: inherit; background: #fff; color: #1d1d1f; border: 0; border-radius: 6px; padding: 2px 10px; cursor: pointer; }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  .table-tools, .toc, #focus-bar, .back { display: none !important; }
  h2 { break-after: avoid; }
  figure, tr, .topic-grid, .glance-box { break-inside: avoid; }
  .topic { break-before: auto; }
  a { color: inherit; text-decoration: none; }
}
`;
