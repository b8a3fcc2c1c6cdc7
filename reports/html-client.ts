// The report's own script and style sheet, as text to inline. The script draws the live charts
// (compiled Vega specs read from JSON blocks, CSP-safe interpreter, no loader access) and wires
// the topic table's search box and column sorting. It only ever sets textContent, attributes and
// classes: no innerHTML, no eval, no data-derived markup.

export const CLIENT_SCRIPT = `(function () {
  'use strict';
  // Charts: each <figure data-chart> holds a JSON block with a compiled Vega spec.
  function drawCharts() {
    if (!window.vega || !window.vega.expressionInterpreter) return;
    var loader = window.vega.loader();
    loader.load = function () { return Promise.reject(new Error('the report loads nothing')); };
    var figures = document.querySelectorAll('figure[data-chart]');
    Array.prototype.forEach.call(figures, function (figure) {
      var block = figure.querySelector('script[type="application/json"]');
      var target = figure.querySelector('.live');
      if (!block || !target) return;
      try {
        var spec = JSON.parse(block.textContent || 'null');
        var runtime = window.vega.parse(spec, null, { ast: true });
        var view = new window.vega.View(runtime, {
          expr: window.vega.expressionInterpreter,
          renderer: 'svg',
          container: target,
          hover: true,
          loader: loader,
          logLevel: window.vega.Error
        });
        view.runAsync().then(function () {
          figure.classList.add('drawn');
        }, function () { /* the static SVG stays */ });
      } catch (e) {
        // The static SVG stays visible.
      }
    });
  }

  // Topic table: search filter and column sorting.
  function wireTable() {
    var table = document.getElementById('topic-table');
    var search = document.getElementById('topic-search');
    var count = document.getElementById('topic-count');
    if (!table) return;
    var tbody = table.tBodies[0];
    function rows() { return Array.prototype.slice.call(tbody.rows); }
    function filter() {
      var q = (search && search.value || '').trim().toLowerCase();
      var shown = 0;
      rows().forEach(function (row) {
        var hit = !q || (row.textContent || '').toLowerCase().indexOf(q) !== -1;
        row.hidden = !hit;
        if (hit) shown += 1;
      });
      if (count) count.textContent = q ? shown + ' of ' + rows().length + ' topics' : rows().length + ' topics';
    }
    if (search) search.addEventListener('input', filter);
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (th, col) {
      var button = th.querySelector('button');
      if (!button) return;
      button.addEventListener('click', function () {
        var numeric = th.getAttribute('data-type') === 'number';
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(headers, function (other) { other.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var sorted = rows().sort(function (a, b) {
          var ca = a.cells[col], cb = b.cells[col];
          var va = ca.getAttribute('data-value'), vb = cb.getAttribute('data-value');
          var d;
          if (numeric) {
            var na = va === null || va === '' ? -Infinity : Number(va);
            var nb = vb === null || vb === '' ? -Infinity : Number(vb);
            d = na - nb;
          } else {
            d = (va || ca.textContent || '').localeCompare(vb || cb.textContent || '');
          }
          return asc ? d : -d;
        });
        sorted.forEach(function (row) { tbody.appendChild(row); });
      });
    });
    filter();
  }

  function start() {
    wireTable();
    drawCharts();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
`;

export const REPORT_CSS = `
:root { color-scheme: light; --ink: #1d1d1f; --muted: #5b5b60; --line: #dedee3; --accent: #0072B2; --bg-soft: #f6f6f8; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1060px; margin: 0 auto; padding: 24px 20px 64px; }
h1 { font-size: 1.7rem; margin: 0 0 4px; }
h2 { font-size: 1.3rem; margin: 40px 0 12px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.1rem; margin: 28px 0 6px; }
a { color: var(--accent); }
.muted { color: var(--muted); }
.headline { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; margin: 16px 0; padding: 0; list-style: none; }
.headline li { background: var(--bg-soft); border-radius: 8px; padding: 10px 12px; }
.headline .value { display: block; font-size: 1.3rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.headline .name { font-size: .8rem; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
.notes { border-left: 4px solid #E69F00; background: #fff8e6; padding: 8px 14px; margin: 16px 0; }
.notes ul { margin: 4px 0; padding-left: 20px; }
figure { margin: 16px 0; overflow-x: auto; }
figure .live svg, figure .static img { max-width: 100%; height: auto; }
figure .static img { display: block; }
figure.drawn .static { display: none; }
figcaption { font-size: .85rem; color: var(--muted); }
.trend-lists { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 16px; }
.trend-lists ul { padding-left: 20px; margin: 4px 0; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; color: inherit; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; }
th[aria-sort="descending"] button::after { content: " \\25BC"; }
.table-tools { display: flex; gap: 12px; align-items: center; margin: 8px 0; }
.table-tools input { font: inherit; padding: 6px 10px; border: 1px solid var(--line); border-radius: 6px; min-width: 260px; }
.swatch { display: inline-block; width: .8em; height: .8em; border-radius: 2px; margin-right: 6px; vertical-align: baseline; }
.badge { display: inline-block; font-size: .75rem; padding: 0 6px; border-radius: 8px; background: var(--bg-soft); color: var(--muted); margin-left: 6px; }
.topic { border-top: 1px solid var(--line); padding-top: 4px; }
.terms { margin: 4px 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 4px 10px; }
.terms li { font-size: .9rem; }
.terms .w { color: var(--muted); font-size: .8rem; font-variant-numeric: tabular-nums; }
.papers { margin: 4px 0; padding-left: 20px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  .table-tools, figure .live { display: none !important; }
  figure .static, figure.drawn .static { display: block !important; }
  h2 { break-after: avoid; }
  figure, tr, .topic { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
`;
