// The report's own script, as text to inline. It draws the live charts (compiled Vega specs read
// from JSON blocks, CSP-safe interpreter, a loader that refuses everything), wires the topic
// table (search, sorting, keyboard) and the shared topic highlight: picking a topic in the table
// or in a chart (a mark or a legend entry) sets the `focus` signal of every chart, marks the
// table row and the topic's section, and shows a bar to clear it. It only ever sets textContent,
// attributes and classes: no innerHTML, no eval, no data-derived markup.

export const CLIENT_SCRIPT = `(function () {
  'use strict';
  var views = [];
  var focus = null;
  var nameToId = Object.create(null);
  var idToName = Object.create(null);

  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  function readTopics() {
    each(document.querySelectorAll('#topic-table tbody tr[data-topic]'), function (row) {
      var id = Number(row.getAttribute('data-topic'));
      var name = row.getAttribute('data-name') || '';
      nameToId[name] = id;
      idToName[id] = name;
    });
  }

  // The topic a clicked chart item stands for: marks carry the id as datum.k (-1 is the
  // "other topics" group), legend entries carry the topic's name as datum.value.
  function topicOfItem(item) {
    var datum = item && item.datum;
    if (!datum) return null;
    if (typeof datum.k === 'number' && datum.k >= 0 && idToName[datum.k] !== undefined) return datum.k;
    if (typeof datum.value === 'string' && nameToId[datum.value] !== undefined) return nameToId[datum.value];
    return null;
  }

  function setFocus(id) {
    focus = id;
    views.forEach(function (view) {
      try { view.signal('focus', id).runAsync(); } catch (e) { /* a chart without topics */ }
    });
    each(document.querySelectorAll('#topic-table tbody tr[data-topic]'), function (row) {
      var on = id !== null && Number(row.getAttribute('data-topic')) === id;
      row.setAttribute('aria-selected', on ? 'true' : 'false');
    });
    each(document.querySelectorAll('section.topic[data-topic]'), function (section) {
      section.classList.toggle('picked', id !== null && Number(section.getAttribute('data-topic')) === id);
    });
    document.body.classList.toggle('has-focus', id !== null);
    var bar = document.getElementById('focus-bar');
    var name = document.getElementById('focus-name');
    if (bar) bar.hidden = id === null;
    if (name) name.textContent = id === null ? '' : (idToName[id] || ('topic ' + id));
  }

  function toggle(id) { setFocus(focus === id ? null : id); }

  // Charts: each <figure data-chart> holds a JSON block with a compiled Vega spec.
  function drawCharts() {
    if (!window.vega || !window.vega.expressionInterpreter) return;
    var loader = window.vega.loader();
    loader.load = function () { return Promise.reject(new Error('the report loads nothing')); };
    each(document.querySelectorAll('figure[data-chart]'), function (figure) {
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
        view.addEventListener('click', function (event, item) {
          var id = topicOfItem(item);
          if (id !== null) toggle(id);
        });
        views.push(view);
        if (focus !== null) { try { view.signal('focus', focus); } catch (e) { /* no topics here */ } }
        view.runAsync().then(function () {
          figure.classList.add('drawn');
        }, function () { /* the static SVG stays */ });
      } catch (e) {
        // The static SVG stays visible.
      }
    });
  }

  // Topic table: search filter, column sorting, row selection (click, Enter or Space).
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
    each(headers, function (th, col) {
      var button = th.querySelector('button');
      if (!button) return;
      button.addEventListener('click', function () {
        var numeric = th.getAttribute('data-type') === 'number';
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        each(headers, function (other) { other.removeAttribute('aria-sort'); });
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
    tbody.addEventListener('click', function (event) {
      var target = event.target;
      if (target && target.closest && target.closest('a')) return; // links go to the topic's section
      var row = target && target.closest ? target.closest('tr[data-topic]') : null;
      if (row) toggle(Number(row.getAttribute('data-topic')));
    });
    tbody.addEventListener('keydown', function (event) {
      var row = event.target;
      if (!row || !row.matches || !row.matches('tr[data-topic]')) return;
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        toggle(Number(row.getAttribute('data-topic')));
      } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        var next = event.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling;
        while (next && next.hidden) next = event.key === 'ArrowDown' ? next.nextElementSibling : next.previousElementSibling;
        if (next) next.focus();
      }
    });
    filter();
  }

  function start() {
    readTopics();
    wireTable();
    var clear = document.getElementById('focus-clear');
    if (clear) clear.addEventListener('click', function () { setFocus(null); });
    document.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && focus !== null) setFocus(null);
    });
    // Folded charts and tables print too.
    window.addEventListener('beforeprint', function () {
      each(document.querySelectorAll('details'), function (d) { d.open = true; });
    });
    drawCharts();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
`;
