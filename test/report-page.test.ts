// The report page's parts, with known answers: SVG compaction, coordinate rounding, sparklines,
// the "what moved" lists, lineage ("what changed since last night"), the shared topic highlight
// in every live chart, hostile text in the new sections, and the size budget.

import { describe, expect, it } from 'vitest';
import { buildChartSpecs, buildCharts } from '../reports/charts.ts';
import { compileSpec } from '../reports/compile.ts';
import { escapeHtml } from '../reports/escape.ts';
import { renderReportHtml } from '../reports/html.ts';
import { changesSection } from '../reports/sections/changes.ts';
import { reportContext } from '../reports/sections/context.ts';
import { glance } from '../reports/sections/glance.ts';
import { sparklineSvg, topicSeries } from '../reports/sparkline.ts';
import { coordinateRounder, resolveTopN, shortTitle, TOPIC_PALETTE } from '../reports/specs/common.ts';
import { mapSpec } from '../reports/specs/map.ts';
import { mergeCirclePoints, roundSvgGeometry } from '../reports/svg-compact.ts';
import { HOSTILE, makeLargeReportModel, makeReportModel } from './fixtures/report-model.ts';

describe('svg compaction', () => {
  it('rounds geometry to 0.01 px and leaves text alone', () => {
    const svg = '<g transform="translate(337.27200000000005,360.48)"><path d="M0.123456,1e-7h20.003194232129417"/><text x="1.23456">0.123456 and 337.27200000000005</text></g>';
    expect(roundSvgGeometry(svg)).toBe('<g transform="translate(337.27,360.48)"><path d="M0.12,1e-7h20"/><text x="1.23">0.123456 and 337.27200000000005</text></g>');
  });

  it('merges adjacent identical circles into one path of round dots, keeping order and paint', () => {
    const c = (x: number, y: number, fill: string) => `<path transform="translate(${x},${y})" d="M2,0A2,2,0,1,1,-2,0A2,2,0,1,1,2,0" fill="${fill}" stroke-width="2" opacity="0.75"/>`;
    const svg = `<g>${c(1, 2, '#111')}${c(3, 4, '#111')}${c(5, 6, '#222')}</g><text>x</text>${c(7, 8, '#111')}`;
    expect(mergeCirclePoints(svg)).toBe(
      '<g><path d="M1,2h0M3,4h0" fill="none" stroke="#111" opacity="0.75" stroke-width="4" stroke-linecap="round"/>' +
        '<path d="M5,6h0" fill="none" stroke="#222" opacity="0.75" stroke-width="4" stroke-linecap="round"/></g><text>x</text>' +
        '<path d="M7,8h0" fill="none" stroke="#111" opacity="0.75" stroke-width="4" stroke-linecap="round"/>',
    );
    // stroked symbols (hollow points) are left as they are
    const stroked = '<path transform="translate(1,2)" d="M2,0A2,2,0,1,1,-2,0A2,2,0,1,1,2,0" fill="#fff" stroke="#111"/>';
    expect(mergeCirclePoints(stroked)).toBe(stroked);
  });
});

describe('chart data trimming', () => {
  it('rounds coordinates to ~1/4000 of their range', () => {
    const r = coordinateRounder([-0.3, 0.5]); // range 0.8 → 4 decimals
    expect(r(0.123456789)).toBe(0.1235);
    expect(r(-0.00004)).toBe(0);
    expect(coordinateRounder([0, 4000])(12.6)).toBe(13);
  });

  it('cuts titles to 100 characters at a word boundary', () => {
    const long = 'word '.repeat(40);
    const cut = shortTitle(long);
    expect(cut.length).toBeLessThanOrEqual(100);
    expect(cut.endsWith('word…')).toBe(true);
    expect(shortTitle('  short\n title ')).toBe('short title');
  });

  it('map points carry x, y, topic id and a short title only', () => {
    const model = makeLargeReportModel({ topics: 5, points: 10, periods: 4 });
    const spec = mapSpec(model) as unknown as { data: { values: Record<string, unknown>[] } };
    for (const v of spec.data.values) {
      expect(Object.keys(v).sort()).toEqual(['k', 'p', 'x', 'y']);
      expect((v.p as string).length).toBeLessThanOrEqual(100);
    }
  });

  it('never gives two topics one colour: top N is capped at the palette', () => {
    expect(resolveTopN({ topN: 30 })).toBe(TOPIC_PALETTE.length);
    expect(new Set(TOPIC_PALETTE).size).toBe(TOPIC_PALETTE.length);
  });
});

describe('sparkline', () => {
  const series = { keys: ['a', 'b', 'c', 'd'], shares: [0, 0.5, null, 1], partial: [true, false, false, false], bursts: [{ from: 1, to: 1 }] };

  it('draws the line (broken at gaps), burst bands and hollow partial points', () => {
    const svg = sparklineSvg(series, { width: 35, height: 14, color: '#0072B2', label: 'x' });
    // plot area x 2..32 (step 10), y 2..12; gaps break the line
    expect(svg).toContain('d="M2,12L12,7M32,2"');
    expect(svg.match(/<rect /g)).toHaveLength(1);
    expect(svg).toContain('<rect x="7" y="2" width="10"');
    expect(svg.match(/<circle /g)).toHaveLength(1);
    expect(svg).not.toContain('xmlns'); // inline SVG needs no namespace URL
  });

  it('escapes its label and refuses colours that are not hex', () => {
    const svg = sparklineSvg(series, { width: 100, height: 40, color: 'red" onload="x', label: HOSTILE.imgTitle, axis: true });
    expect(svg).not.toContain('onload');
    expect(svg).not.toContain('<img');
    expect(svg).toContain('#9a9a9a');
  });

  it('reads a topic series from the model', () => {
    const s = topicSeries(makeReportModel(), 12);
    expect(s.keys).toEqual(['2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06']);
    expect(s.shares[0]).toBeCloseTo(5 / 50, 10);
    expect(s.bursts).toEqual([{ from: 3, to: 4 }]);
  });
});

describe('what moved and what changed', () => {
  const model = makeReportModel();
  const ctx = reportContext(model, [], 3);

  it('lists significant risers and fallers by z, new topics and bursts reaching now', () => {
    const g = glance(ctx);
    expect(g.rising.map((t) => t.id)).toEqual([12]);
    expect(g.falling.map((t) => t.id)).toEqual([11]);
    expect(g.fresh.map((t) => t.id)).toEqual([12, 13]); // split and born
    // topic 12's burst ends in 2025-05; the latest period (2025-06) is partial, so it counts as now
    expect(g.burstingNow.map((b) => b.topic.id)).toEqual([12]);
    const ended = makeReportModel();
    ended.trends.periods[ended.trends.periods.length - 1]!.partial = false;
    expect(glance(reportContext(ended, [], 3)).burstingNow).toEqual([]);
  });

  it('names continued, born, split, merged and died topics, with old labels escaped', () => {
    const html = changesSection(ctx);
    expect(html).toMatch(/<span class="value">2<\/span> continued/);
    expect(html).toMatch(/<span class="value">1<\/span> died/);
    expect(html).toContain('split</span>');
    expect(html).toMatch(/from language models \(#10\)/);
    expect(html).toContain(`from ${escapeHtml(HOSTILE.scriptTitle)} (#20) + audio (#21)`);
    expect(html).toContain(escapeHtml(HOSTILE.imgTitle));
    expect(html).toMatch(/drifted<\/span>.*reinforcement learning/);
    expect(html).not.toContain('<script>');
  });

  it('a first run (everything born) says so instead of calling every topic new', () => {
    const first = makeReportModel();
    first.lineage = first.topics.map((t) => ({ id: t.id, status: 'born' as const, from: [] }));
    first.died = [];
    const c = reportContext(first, [], 3);
    expect(c.hasPrevious).toBe(false);
    expect(glance(c).fresh).toEqual([]);
    expect(changesSection(c)).toContain('No previous run to compare with');
  });
});

describe('the page', async () => {
  const model = makeReportModel();
  const charts = await buildCharts(model, { topN: 3 });
  const html = renderReportHtml(model, charts, { topN: 3 });

  it('every live chart that shows topics declares the shared focus signal and makes legends clickable', async () => {
    for (const name of ['growth', 'share-area', 'topic-small-multiples', 'heatmap', 'map']) {
      const spec = buildChartSpecs(model, { topN: 3 }).find((c) => c.name === name)!.spec;
      const vega = (await compileSpec(spec)).vega as { signals?: { name: string; value: unknown }[] };
      expect(vega.signals?.find((s) => s.name === 'focus'), name).toEqual({ name: 'focus', value: null });
    }
    const blocks = [...html.matchAll(/<script type="application\/json">([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(blocks.filter((b) => b.includes('"interactive":true')).length).toBeGreaterThanOrEqual(2); // share + map legends
  });

  it('table rows are focusable and carry the topic id for the highlight', () => {
    const rows = [...html.matchAll(/<tr tabindex="0" data-topic="(\d+)" data-name="([^"]*)"/g)];
    expect(rows.map((r) => Number(r[1]))).toEqual([10, 11, 12, 13, 14]);
    expect(rows[2]![2]).toBe('Image &amp; video diffusion');
  });

  it('shows hostile terms, vocabulary and history only as text', () => {
    expect(html).not.toContain(HOSTILE.term);
    expect(html).toContain(escapeHtml(HOSTILE.term));
    expect(html).toContain(`<b>${escapeHtml(HOSTILE.scriptTitle)}</b>`); // new in its period, bold, escaped
    expect(html).toContain(escapeHtml(HOSTILE.imgTitle));
    expect(html).not.toMatch(/<img src=x/);
  });

  it('links arXiv papers, shows editor and automatic labels', () => {
    expect(html).toContain('href="https://arxiv.org/abs/2503.012"');
    expect(html).toContain('auto: diffusion models');
  });
});

describe('size budget', async () => {
  // 40 topics, 3000 map points with 100-character titles, a year of weekly periods.
  const model = makeLargeReportModel({ topics: 40, points: 3000, periods: 52 });
  const charts = await buildCharts(model, { topN: 12 });
  const html = renderReportHtml(model, charts, { topN: 12 });

  // Measured 2.15 MB (runtime 0.53, map 0.46, share charts 0.65, topic sections 0.35): a worst
  // case, every title 100 characters and 52 weekly periods. The old layout made 4+ MB of it.
  it('stays under 2.3 MB (the vega runtime alone is ~0.53 MB)', () => {
    expect(html.length).toBeLessThan(2_300_000);
  });

  it('the map costs under 160 bytes a point, spec and static SVG together', () => {
    const figure = html.match(/<figure data-chart="map"[\s\S]*?<\/figure>/)![0];
    expect(figure.length / 3000).toBeLessThan(160); // 100-character titles are ~110 of it
  });
});
