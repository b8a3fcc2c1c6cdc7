import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TopLevelSpec } from 'vega-lite';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { buildChartSpecs, buildCharts, drawCharts, type RenderedChart } from '../reports/charts.ts';
import { ChartRenderer, chartRenderModule } from '../reports/chart-renderer.ts';
import { renderWorkers } from '../pipeline/stages/report.ts';
import { compileSpec } from '../reports/compile.ts';
import { csvCell, toCsv } from '../reports/csv.ts';
import { randomStrings } from './fixtures/random-strings.ts';
import { escapeAttr, escapeHtml, jsonForScript, safeHttpUrl } from '../reports/escape.ts';
import { assignmentsCsv, assignmentsCsvBlocks, clustersCsv, clustersJson, round6, trendsCsv } from '../reports/exports.ts';
import { writeBlocks } from '../pipeline/write-blocks.ts';
import { renderReportHtml } from '../reports/html.ts';
import type { ReportModel } from '../reports/model.ts';
import { OTHER_LABEL, topicLegend } from '../reports/specs/common.ts';
import { growthSpec } from '../reports/specs/growth.ts';
import { kCurveSpec } from '../reports/specs/k-curve.ts';
import { mapSpec } from '../reports/specs/map.ts';
import { shareAreaSpec } from '../reports/specs/share-area.ts';
import { renderSvg } from '../reports/svg.ts';
import { HOSTILE, makeReportModel } from './fixtures/report-model.ts';

/** The fixture with every list reversed: outputs must not depend on input order. */
function shuffledModel(): ReportModel {
  const m = makeReportModel();
  return {
    ...m,
    topics: [...m.topics].reverse(),
    trends: { ...m.trends, rows: [...m.trends.rows].reverse() },
    map: [...m.map].reverse(),
  };
}

// Axis titles each chart must show (what a reader needs to read the chart).
const AXIS_TITLES: Record<string, string[]> = {
  growth: ['Growth (log2 recent share / baseline share)', 'Topic'],
  'share-area': ['Share of papers', 'Period (month; values at mid-period)'],
  sizes: ['Papers', 'Topic'],
  'top-terms': ['Weight', 'Term'],
  'topic-small-multiples': ['Share of papers', 'Period (month)'],
  heatmap: ['Topic', 'Period (month)'],
  map: ['Map dimension 1', 'Map dimension 2'],
  'k-curve': ['Number of topics (k)', 'Selection score'],
  'topic-12': ['Share of papers', 'Period (month)'],
};

function chartTitle(spec: TopLevelSpec): string {
  const t = spec.title;
  return typeof t === 'string' ? t : ((t as { text: string }).text);
}

describe('chart specs', () => {
  const model = makeReportModel();
  const specs = buildChartSpecs(model, { topN: 3 });

  it('builds every chart the fixture supports', () => {
    const names = specs.map((c) => c.name);
    for (const name of Object.keys(AXIS_TITLES)) expect(names).toContain(name);
    for (const t of model.topics) expect(names).toContain(`topic-${t.id}`);
  });

  it.each(specs.map((c) => [c.name, c] as const))('%s compiles without warnings and has a description', async (_name, chart) => {
    const { warnings } = await compileSpec(chart.spec);
    expect(warnings).toEqual([]);
    expect(typeof chart.spec.description).toBe('string');
    expect(chartTitle(chart.spec).length).toBeGreaterThan(0);
  });

  it.each(Object.keys(AXIS_TITLES))('%s renders to SVG with marks, its title and axis titles', async (name) => {
    const chart = specs.find((c) => c.name === name)!;
    const svg = await renderSvg(chart.spec);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toMatch(/role-mark/);
    expect(svg).toMatch(/<(path|rect|circle)[^>]*\b(d|width|r)="/);
    expect(svg).toContain(escapeHtml(chartTitle(chart.spec)));
    for (const title of AXIS_TITLES[name]!) expect(svg).toContain(escapeHtml(title));
    expect(svg).not.toContain('<b>'); // the hostile label comes out as text
  });

  it('share chart: shares per period sum to 1 and "other topics" sums the rest', () => {
    const spec = shareAreaSpec(model, { topN: 3 }) as { layer: { data: { values: Record<string, unknown>[] } }[] };
    const values = spec.layer[0]!.data.values;
    const sums = new Map<string, number>();
    for (const v of values) sums.set(v.period as string, (sums.get(v.period as string) ?? 0) + (v.share as number));
    expect(sums.size).toBe(6);
    for (const sum of sums.values()) expect(sum).toBeCloseTo(1, 3); // shares carry 4 significant digits
    const febOther = values.find((v) => v.period === '2025-02' && v.topic === OTHER_LABEL)!;
    expect(febOther.count).toBe(12 + 8); // topics 13 and 14 in February
    expect(febOther.share).toBeCloseTo(20 / 100, 4);
    // partial periods get a band layer
    expect(spec.layer).toHaveLength(2);
    expect(spec.layer[1]!.data.values.map((v) => v.period)).toEqual(['2025-01', '2025-06']);
  });

  it('colours a topic the same in every chart, editor labels win, other is grey', () => {
    const legend = topicLegend(model, 3);
    expect(legend.domain).toEqual(['language models', 'reinforcement learning', 'Image & video diffusion', OTHER_LABEL]);
    const share = JSON.stringify(shareAreaSpec(model, { topN: 3 }));
    const map = JSON.stringify(mapSpec(model, { topN: 3 }));
    const scale = JSON.stringify({ domain: legend.domain, range: legend.range });
    expect(share).toContain(scale);
    expect(map).toContain(scale);
    expect(legend.range[3]).toBe('#9a9a9a');
    const custom = makeReportModel();
    custom.topics[0]!.color = '#123456';
    expect(topicLegend(custom, 3).range[0]).toBe('#123456');
  });

  it('is independent of input order', () => {
    const a = JSON.stringify(buildChartSpecs(makeReportModel(), { topN: 3 }));
    const b = JSON.stringify(buildChartSpecs(shuffledModel(), { topN: 3 }));
    expect(b).toBe(a);
  });

  it('checks its parameters up front', () => {
    expect(() => shareAreaSpec(model, { topN: 0 })).toThrow(/topN/);
    expect(() => shareAreaSpec(model, { topN: 2.5 })).toThrow(/topN/);
    const bare = makeReportModel();
    bare.topics = bare.topics.map(({ trend: _t, ...rest }) => rest);
    delete bare.facts.kCurve;
    expect(() => growthSpec(bare)).toThrow(/trend/);
    expect(() => kCurveSpec(bare)).toThrow(/kCurve/);
    const names = buildChartSpecs(bare).map((c) => c.name);
    expect(names).not.toContain('growth');
    expect(names).not.toContain('k-curve');
  });

  it('draws no chart over time when fewer than two periods have papers', () => {
    const over = ['growth', 'share-area', 'topic-small-multiples', 'heatmap'];
    const all = buildChartSpecs(makeReportModel()).map((c) => c.name);
    for (const name of over) expect(all).toContain(name);
    expect(all.some((n) => /^topic-\d+$/.test(n))).toBe(true);
    const one = makeReportModel(); // every paper in one period (an undated corpus: all on the run's day)
    const first = one.trends.periods.find((p) => p.total > 0)!;
    one.trends.periods = one.trends.periods.map((p) => (p === first ? p : { ...p, total: 0 }));
    const names = buildChartSpecs(one).map((c) => c.name);
    for (const name of over) expect(names).not.toContain(name);
    expect(names.some((n) => /^topic-\d+$/.test(n))).toBe(false);
    expect(names).toContain('sizes');
    expect(names).toContain('top-terms');
  });

  it('renderSvg refuses to load anything', async () => {
    const spec: TopLevelSpec = { data: { url: 'https://example.org/data.json' }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } } };
    await expect(renderSvg(spec)).rejects.toThrow(/must not load/);
  });
});

describe('escaping', () => {
  it('escapes text and attributes', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(escapeAttr('a`b\nc"')).toBe('a&#96;b&#10;c&quot;');
    expect(escapeHtml(undefined)).toBe('');
  });

  it('keeps only absolute http(s) URLs', () => {
    expect(safeHttpUrl('https://arxiv.org/abs/2501.00001')).toBe('https://arxiv.org/abs/2501.00001');
    expect(safeHttpUrl(' http://example.org/a b')).toBe('http://example.org/a%20b');
    for (const bad of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'java\tscript:alert(1)', ' javascript:alert(1)', 'data:text/html,x', '//evil.org/x', '/relative', 'https://user:pw@host/', 'vbscript:x', '', undefined]) {
      expect(safeHttpUrl(bad), String(bad)).toBeUndefined();
    }
  });

  it('JSON for script blocks cannot close the element and round-trips', () => {
    const value = { t: HOSTILE.closeScript, c: '<!-- x -->', l: '\u2028' };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/[<>]/);
    expect(text).not.toContain('\u2028');
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('csv', () => {
  it('neutralises formula cells but keeps numbers', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('\rx')).toBe(`"'\rx"`);
    expect(csvCell(-1.5)).toBe('-1.5');
    expect(csvCell(0)).toBe('0');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(null)).toBe('');
  });

  it('agrees with the regular-expression definition on 20 000 random cells', () => {
    const reference = (text: string): string => {
      if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
      return /[",\r\n]/.test(text) || (text.length > 0 && (/\s/.test(text[0]!) || /\s/.test(text[text.length - 1]!))) ? `"${text.replace(/"/g, '""')}"` : text;
    };
    const alphabet = ['a', '1', '=', '+', '-', '@', '\t', '\r', '\n', ' ', ',', '"', "'", '\u00a0', '\u2028', '\u3000', '\ufeff', '\u200b', '\v', '\f', 'é', '\ud83d\ude00'];
    for (const s of randomStrings(5, alphabet, 6, 20000)) {
      if (csvCell(s) !== reference(s)) expect({ s, got: csvCell(s) }).toEqual({ s, got: reference(s) });
    }
  });

  it('quotes per RFC 4180 with CRLF line ends', () => {
    expect(toCsv(['a', 'b'], [['x,y', 'say "hi"'], ['line\nbreak', 2]])).toBe('a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",2\r\n');
    expect(() => toCsv(['a'], [[1, 2]])).toThrow(/cells/);
  });
});

describe('exports', () => {
  const model = makeReportModel();

  it('clusters.json has the contract keys in a fixed order and is byte-stable', () => {
    const text = clustersJson(model);
    const parsed = JSON.parse(text) as { clusters: Record<string, unknown>[] };
    expect(parsed.clusters.map((c) => c.id)).toEqual([10, 11, 12, 13, 14]);
    const diffusion = parsed.clusters.find((c) => c.id === 12)!;
    expect(Object.keys(diffusion)).toEqual(['id', 'label', 'editor_label', 'size', 'share', 'top_terms', 'representative', 'trend', 'quality']);
    expect(Object.keys(parsed.clusters[0]!)).not.toContain('editor_label');
    expect((diffusion.top_terms as { term: string; weight: number }[])[2]).toEqual({ term: 'denoising', weight: 0.166667 });
    expect(diffusion.representative).toEqual(['p12-1', 'p12-2']);
    expect(diffusion.trend).toEqual({ recent_share: 0.27, baseline_share: 0.1, growth: 1.4, z: 4.2, bursts: [{ start: '2025-04', end: '2025-05', weight: 3.5 }] });
    expect(clustersJson(shuffledModel())).toBe(text);
  });

  it('rounds to 6 significant digits', () => {
    expect(round6(1 / 3)).toBe(0.333333);
    expect(round6(123456789)).toBe(123457000);
    expect(round6(Number.NaN)).toBeNull();
    expect(round6(-0)).toBe(0);
  });

  it('clusters.csv has one row per topic with neutralised text', () => {
    const lines = clustersCsv(model).trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,label,editor_label,size,share,growth,z,npmi,top_terms,representative');
    expect(lines).toHaveLength(6);
    expect(lines[3]).toMatch(/^12,diffusion models,Image & video diffusion,92,/);
  });

  it('assignments.csv: exact columns, sorted by id, formula titles neutralised', () => {
    const csv = assignmentsCsv([
      { id: 'b', cluster: 2, label: 'x', score: 0.1234567, date: '2025-01-02', title: '=cmd|calc' },
      { id: 'a', cluster: 1, label: '-y', score: -0.5, date: '2025-01-01', title: 'plain, "quoted"' },
    ]);
    expect(csv).toBe(
      'id,cluster,label,score,date,title\r\n' + `a,1,'-y,-0.5,2025-01-01,"plain, ""quoted"""\r\n` + "b,2,x,0.123457,2025-01-02,'=cmd|calc\r\n",
    );
  });

  it('assignments.csv in blocks: whole lines, the header first, the same text joined and on disk', () => {
    const rows = Array.from({ length: 23 }, (_, i) => ({ id: `p${String(22 - i).padStart(2, '0')}`, cluster: i % 4, label: `t${i % 4}`, score: i / 7, date: '2025-01-01', title: i === 5 ? '=x' : `title ${i}` }));
    const whole = assignmentsCsv(rows);
    const blocks = [...assignmentsCsvBlocks(rows, 5)];
    expect(blocks).toHaveLength(5); // 24 lines (header + 23) in blocks of 5
    expect(blocks.join('')).toBe(whole);
    expect(blocks.every((b) => b.endsWith('\r\n'))).toBe(true);
    expect(blocks[0]!.startsWith('id,cluster,label,score,date,title\r\np00,')).toBe(true);
    expect([...assignmentsCsvBlocks([], 5)]).toEqual(['id,cluster,label,score,date,title\r\n']);
    const dir = mkdtempSync(join(tmpdir(), 'tt-blocks-'));
    try {
      writeBlocks(join(dir, 'a.csv'), assignmentsCsvBlocks(rows, 3));
      expect(readFileSync(join(dir, 'a.csv'), 'utf8')).toBe(whole);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('assignments.csv lines are csvRow of their cells, whatever the cells hold', () => {
    const texts = ['plain', '=SUM(A1)', '+1', '-x', '@me', '\tlead', ' padded ', 'a,b', 'say "hi"', 'line\nbreak', '', 'ünï €'];
    const scores = [0.1234567, -0.5, 0, -0, Number.NaN, Number.POSITIVE_INFINITY, 1e-9, 12345678.9, 0.1234567];
    const rows = Array.from({ length: 60 }, (_, i) => ({
      id: texts[i % texts.length]! + String(i % 7),
      cluster: i % 5,
      label: texts[(i * 5) % texts.length]!,
      score: scores[i % scores.length]!,
      date: i % 11 === 0 ? '=1+1' : '2025-01-02',
      title: texts[(i * 7) % texts.length]!,
    }));
    const sorted = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) || a.cluster - b.cluster);
    const expected = toCsv(
      ['id', 'cluster', 'label', 'score', 'date', 'title'],
      sorted.map((r) => [r.id, r.cluster, r.label, round6(r.score), r.date, r.title]),
    );
    expect(assignmentsCsv(rows)).toBe(expected);
  });

  it('trends.csv: period,cluster,count,share,partial in time order', () => {
    const lines = trendsCsv(shuffledModel().trends).trimEnd().split('\r\n');
    expect(lines[0]).toBe('period,cluster,count,share,partial');
    expect(lines[1]).toBe('2025-01,10,20,0.4,true');
    expect(lines[2]).toBe('2025-01,11,15,0.3,true');
    expect(lines).toHaveLength(1 + 6 * 5);
    expect(trendsCsv(shuffledModel().trends)).toBe(trendsCsv(model.trends));
  });
});

describe('report html', async () => {
  const model = makeReportModel();
  const charts: RenderedChart[] = await buildCharts(model, { topN: 3 });
  const html = renderReportHtml(model, charts, { topN: 3 });
  const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];

  it('names every topic, escaped', () => {
    for (const t of model.topics) expect(html).toContain(escapeHtml(t.editorLabel ?? t.label));
    expect(html).toContain('graphs &amp; &lt;b&gt;&quot;networks&quot;&lt;/b&gt;');
    expect(html).not.toContain('<b>"networks"</b>');
  });

  it('loads nothing: no script src, no external src/href except paper links', () => {
    expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
    const markup = html.replace(/<script[^>]*>[\s\S]*?<\/script>/g, '').replace(/"data:image\/svg\+xml,[^"]*"/g, '""');
    expect(markup).not.toMatch(/<link\b/i);
    expect(markup).not.toMatch(/@import|url\(/i);
    expect(markup).not.toMatch(/<(iframe|object|embed|base|form)\b/i);
    const refs = [...html.matchAll(/\s(src|href)="([^"]*)"/g)].map((m) => m[2]!);
    const external = refs.filter((r) => !r.startsWith('#') && !r.startsWith('data:image/svg+xml,'));
    expect(external.length).toBeGreaterThan(0);
    for (const ref of external) expect(ref).toMatch(/^https?:\/\//);
    // outside the inlined vega runtime, the only absolute URLs in the page are the paper links
    const urls = [...markup.matchAll(/https?:\/\/[^\s"<>]*/g)].map((m) => m[0]);
    for (const u of urls) expect(external).toContain(u);
    const paperUrls = new Set(model.topics.flatMap((t) => t.representative.map((p) => safeHttpUrl(p.url))).filter(Boolean).map((u) => escapeAttr(u)));
    for (const ref of external) expect(paperUrls.has(ref), ref).toBe(true);
    for (const m of html.matchAll(/<a href="https?:[^>]*>/g)) expect(m[0]).toContain('rel="noopener noreferrer"');
  });

  it('has a CSP whose hashes are exactly the inline scripts', () => {
    const meta = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/);
    expect(meta).not.toBeNull();
    const csp = meta![1]!.replace(/&#39;/g, "'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/unsafe-eval|unsafe-inline'[^;]*;?\s*$|script-src[^;]*unsafe/);
    const hashes = [...csp.matchAll(/'sha256-([^']+)'/g)].map((m) => m[1]);
    const executable = scripts.filter((s) => !/type="application\/json"/.test(s[1]!));
    expect(executable).toHaveLength(3);
    const actual = executable.map((s) => createHash('sha256').update(s[2]!, 'utf8').digest('base64'));
    expect(new Set(actual)).toEqual(new Set(hashes));
  });

  it('JSON blocks parse back and cannot be broken out of', () => {
    const blocks = scripts.filter((s) => /type="application\/json"/.test(s[1]!));
    // growth, share-area, small multiples, heatmap, map, k-curve (per-topic charts are inline sparklines)
    expect(blocks.length).toBe(6);
    const all = blocks.map((b) => JSON.parse(b[2]!) as unknown);
    expect(JSON.stringify(all)).toContain(JSON.stringify(HOSTILE.closeScript).slice(1, -1)); // the map's planted title survives as data
    for (const b of blocks) expect(b[2]).not.toMatch(/[<>]/);
    expect(html).not.toContain('vega.github.io/schema');
  });

  it('shows hostile titles as text and never links non-http URLs', () => {
    expect(html).not.toContain(HOSTILE.scriptTitle);
    expect(html).not.toContain('<img src=x');
    expect(html).toContain(escapeHtml(HOSTILE.scriptTitle));
    expect(html).toContain(escapeHtml(HOSTILE.imgTitle));
    expect(html).not.toMatch(/href="\s*javascript:/i);
    expect(html).not.toMatch(/href="data:/i);
    expect(html).toContain('href="https://example.org/a?b=1&amp;c=%22x%22"');
    // each planted script would set window.__pwned: the text appears only escaped, never in a <script> body
    for (const s of scripts.filter((x) => !/application\/json/.test(x[1]!))) expect(s[2]).not.toContain("__pwned");
  });

  it('is in reading order and deterministic', () => {
    const order = ['<h1>', 'id="now"', 'id="share"', 'id="topics"', 'id="topic-details"', 'id="changes"', 'id="map"', 'id="k-curve"', 'id="run"'].map((s) => html.indexOf(s));
    for (const i of order) expect(i).toBeGreaterThan(-1);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(renderReportHtml(model, charts, { topN: 3 })).toBe(html);
  });
});

describe('chart rendering', () => {
  const model = makeReportModel();
  const specs = buildChartSpecs(model, { topN: 3 });

  it('worker threads and the calling thread draw identical SVGs and compiled specs', async () => {
    const here = await drawCharts(specs, ChartRenderer.start(0));
    const renderer = ChartRenderer.start(2);
    expect(renderer.threads).toBe(2);
    const workers = await drawCharts(specs, renderer);
    expect(renderer.threads).toBe(0); // ended after drawing
    expect(workers.map((c) => c.name)).toEqual(specs.map((c) => c.name));
    for (let i = 0; i < specs.length; i++) {
      expect(workers[i]!.svg.startsWith('<svg'), specs[i]!.name).toBe(true);
      expect(workers[i]!.svg, specs[i]!.name).toBe(here[i]!.svg);
      expect(workers[i]!.compiled, specs[i]!.name).toBe(here[i]!.compiled);
      expect(JSON.parse(workers[i]!.compiled!)).toEqual((await compileSpec(specs[i]!.spec)).vega);
    }
  });

  it('charts of one family drawn from one parse of their spec give the SVGs each draws alone', async () => {
    const m = await chartRenderModule();
    // Every chart of the report with 3 and with 12 palette topics: per-topic charts in the
    // palette, outside it (a domain of their own), with and without bursts, hostile labels.
    const all = [...specs, ...buildChartSpecs(model, { topN: 12 })];
    const compiled = await Promise.all(all.map(async (c) => (await m.compileChart(c.spec)).compiled));
    const { results, parsesShared } = await m.renderCompiledMany(compiled);
    expect(parsesShared).toBeGreaterThan(0);
    // With every topic in the palette, the per-topic charts differ only in title, data and
    // colours: one parse for those with bursts shaded, one for those without.
    const palette = all.slice(specs.length).map((c, i) => ({ name: c.name, compiled: compiled[specs.length + i]! })).filter((c) => /^topic-\d+$/.test(c.name));
    expect(palette.length).toBe(5);
    expect((await m.renderCompiledMany(palette.map((c) => c.compiled))).parsesShared).toBe(palette.length - 2);
    for (let i = 0; i < all.length; i++) {
      const r = results[i]!;
      expect('svg' in r ? r.svg : r.error, all[i]!.name).toBe(await m.renderCompiled(compiled[i]!));
    }
    // A family member whose data changes the layout (wider axis labels) still matches.
    const wide = structuredClone(JSON.parse(compiled.find((_, i) => /^topic-/.test(all[i]!.name))!)) as { data: { values?: { share?: number }[] }[] };
    for (const d of wide.data) for (const v of d.values ?? []) if (typeof v.share === 'number') v.share *= 1000;
    const pair = [compiled.find((_, i) => /^topic-/.test(all[i]!.name))!, JSON.stringify(wide)];
    const again = await m.renderCompiledMany(pair);
    expect(again.parsesShared).toBe(1);
    expect(again.results.map((r) => ('svg' in r ? r.svg : r.error))).toEqual([await m.renderCompiled(pair[0]!), await m.renderCompiled(pair[1]!)]);
  });

  it('render workers: none below 4 threads, one fewer than the threads otherwise, at most 3', () => {
    expect([1, 2, 3, 4, 5, 16].map(renderWorkers)).toEqual([0, 0, 0, 3, 3, 3]);
  });

  it("a chart's SVG depends on its spec alone (vega's gradient ids restart per chart)", async () => {
    const heatmap = specs.find((c) => c.name === 'heatmap')!.spec;
    const first = await renderSvg(heatmap);
    expect(first).toContain('id="gradient_0"');
    await renderSvg(heatmap);
    expect(await renderSvg(heatmap)).toBe(first);
  });

  it('a chart that cannot render gets an empty SVG and the others still draw', async () => {
    const bad: TopLevelSpec = { data: { url: 'https://example.org/data.json' }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } } };
    const sizes = specs.find((c) => c.name === 'sizes')!.spec;
    const seen: number[] = [];
    const drawn = await ChartRenderer.start(2).draw([bad, sizes], (i) => seen.push(i));
    expect(drawn[0]!.svg).toBe('');
    expect(drawn[0]!.error).toMatch(/must not load/);
    expect(drawn[0]!.compiled).toBeDefined();
    expect(drawn[1]!.svg).toBe(await renderSvg(sizes));
    expect([...seen].sort()).toEqual([0, 1]);
  });

  it('a render worker of another message protocol refuses to serve instead of waiting forever', async () => {
    const worker = new Worker(new URL('../reports/chart-render.mjs', import.meta.url), { workerData: { role: 'topic-trends-chart-render', protocol: -1 } });
    const error = await new Promise<Error>((resolve) => worker.once('error', resolve));
    expect(error.message).toMatch(/protocol/);
    await worker.terminate();
  });

  it('no module imports vega or vega-lite at start-up (they load with the first chart)', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const files = ['pipeline', 'reports', 'analysis'].flatMap((d) =>
      readdirSync(join(root, d), { recursive: true, encoding: 'utf8' }).filter((f) => /\.(ts|mjs)$/.test(f)).map((f) => join(root, d, f)),
    );
    expect(files.length).toBeGreaterThan(20);
    const offenders = files.filter((f) => /^import\s+(?!type\b)[^;]*from\s+'vega(-lite)?'/m.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
