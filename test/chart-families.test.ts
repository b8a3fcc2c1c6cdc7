import { describe, expect, it } from 'vitest';
import type { TopLevelSpec } from 'vega-lite';
import { compileCharts, type CompiledChart, type CompileFailure } from '../reports/chart-families.ts';
import { chartRenderModule } from '../reports/chart-renderer.ts';
import { buildChartSpecs } from '../reports/charts.ts';
import { makeLargeReportModel, makeReportModel } from './fixtures/report-model.ts';

/** Each spec compiled on its own: what compileCharts must give. */
function oneByOne(specs: readonly TopLevelSpec[], compile: (s: TopLevelSpec) => CompiledChart): (CompiledChart | CompileFailure)[] {
  return specs.map((s) => {
    try {
      return compile(s);
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    }
  });
}

/** `compile`, counting its calls. */
function counted(compile: (s: TopLevelSpec) => CompiledChart): { compile: (s: TopLevelSpec) => CompiledChart; calls: () => number } {
  let calls = 0;
  return {
    compile: (s) => {
      calls++;
      return compile(s);
    },
    calls: () => calls,
  };
}

/** A per-topic trend chart's spec with the given title and data (a family member). */
function member(title: string, values: object[], domain = ['a', 'b']): TopLevelSpec {
  return {
    title: { text: title },
    description: `About ${title}`,
    data: { values },
    mark: 'line',
    encoding: { x: { field: 't', type: 'quantitative' }, y: { field: 'v', type: 'quantitative' }, color: { field: 'c', type: 'nominal', scale: { domain, range: ['#111111', '#222222'] } } },
  } as TopLevelSpec;
}

describe('compileCharts: a family of charts compiled once', () => {
  it("gives every chart of the report exactly vega-lite's own compile of it, with far fewer compiles", async () => {
    const m = await chartRenderModule();
    const vegaLite = await m.loadVegaLite();
    const direct = (s: TopLevelSpec) => m.compileWith(vegaLite, s);
    const model = makeReportModel();
    const large = makeLargeReportModel({ topics: 24, points: 300, periods: 14, seed: 3 });
    for (const charts of [buildChartSpecs(model, { topN: 3 }), buildChartSpecs(model, { topN: 12 }), buildChartSpecs(large, { topN: 12 })]) {
      const specs = charts.map((c) => c.spec);
      const c = counted(direct);
      const got = compileCharts(specs, c.compile);
      const expected = oneByOne(specs, direct);
      expect(expected.every((r) => 'compiled' in r)).toBe(true);
      expect(got).toEqual(expected);
      expect(charts.filter((s) => /^topic-\d+$/.test(s.name)).length).toBeGreaterThan(2);
      // A family of three or more costs two compiles (its own and its first member's); smaller
      // ones are compiled chart by chart.
      expect(c.calls()).toBeLessThanOrEqual(specs.length);
    }
    const largeSpecs = buildChartSpecs(large, { topN: 12 }).map((c) => c.spec);
    const c = counted(direct);
    compileCharts(largeSpecs, c.compile);
    expect(largeSpecs.length - c.calls()).toBeGreaterThanOrEqual(15); // 24 per-topic charts, a few families
  });

  it('compiles members one by one when vega-lite reads the varying parts in a way the placeholders do not survive', () => {
    const a = member('first', [{ t: 1, v: 2, c: 'a' }, { t: 2, v: 3, c: 'b' }]);
    const b = member('second', [{ t: 1, v: 3, c: 'a' }]);
    const c = member('third', [{ t: 5, v: 6, c: 'b' }]);
    // The output depends on how many data rows there are (vega-lite's does not): the first
    // member's filled-in text differs from its own compile, so no member is filled in.
    const byLength = (s: TopLevelSpec): CompiledChart => {
      const values = (s as { data: { values: unknown[] } }).data.values;
      return { compiled: JSON.stringify({ rows: values.length, data: values, title: (s as { title: { text: string } }).title.text }), warnings: [] };
    };
    const first = counted(byLength);
    expect(compileCharts([a, b, c], first.compile)).toEqual(oneByOne([a, b, c], byLength));
    expect(first.calls()).toBe(4); // the family's compile, then each member alone
    // The title copied into another string: the marker is left over in every member after the first.
    const copied = (s: TopLevelSpec): CompiledChart => {
      const title = (s as { title: { text: string } }).title.text;
      return { compiled: JSON.stringify({ title, aria: `Chart: ${title}` }), warnings: [] };
    };
    expect(compileCharts([a, b, c], copied)).toEqual(oneByOne([a, b, c], copied));
    // A domain written back reordered is not taken for the member's domain.
    const reversed = (s: TopLevelSpec): CompiledChart => {
      const domain = (s as { encoding: { color: { scale: { domain: string[] } } } }).encoding.color.scale.domain;
      return { compiled: JSON.stringify({ domain: [...domain].reverse() }), warnings: [] };
    };
    const d = member('fourth', [], ['x', 'y']);
    expect(compileCharts([a, d], reversed)).toEqual(oneByOne([a, d], reversed));
  });

  it('a warning, an error or a marker in the text keeps charts out of the family path', () => {
    const plain = (s: TopLevelSpec): CompiledChart => ({ compiled: JSON.stringify(s), warnings: [] });
    const warns = counted((s) => ({ compiled: JSON.stringify(s), warnings: ['dropped an encoding'] }));
    const specs = [member('one', [{ t: 1 }]), member('two', [{ t: 2 }]), member('three', [{ t: 3 }])];
    expect(compileCharts(specs, warns.compile)).toEqual(oneByOne(specs, warns.compile));
    // A chart that does not compile gets its error beside a family; a family whose own compile
    // fails is compiled member by member.
    const failing = (s: TopLevelSpec): CompiledChart => {
      if ((s as { mark?: string }).mark === 'bogus') throw new Error('bad spec');
      if ((s as { title: { text: string } }).title.text.startsWith('\u0001')) throw new Error('no placeholders here');
      return plain(s);
    };
    const mixed = [...specs, { ...specs[0]!, mark: 'bogus' } as unknown as TopLevelSpec];
    const got = compileCharts(mixed, failing);
    expect(got[3]).toEqual({ error: 'bad spec' });
    expect(got).toEqual(oneByOne(mixed, failing));
    // Text that holds the marker itself, a domain with a repeated value and rows that are not
    // objects are compiled alone.
    const odd = [member('a\u0001b', [{ t: 1 }]), member('c', [{ t: '\u00010' }]), member('d', [{ t: 1 }], ['x', 'x']), member('e', [1, 2] as unknown as object[]), member('f', [])];
    const c = counted(plain);
    expect(compileCharts(odd, c.compile)).toEqual(oneByOne(odd, plain));
    expect(c.calls()).toBe(odd.length);
  });

  it('fills placeholders into the right members when charts of two families interleave', () => {
    const other = (title: string): TopLevelSpec => ({ title, data: { values: [{ n: title.length }] }, mark: 'bar', encoding: { x: { field: 'n', type: 'quantitative' } } }) as TopLevelSpec;
    const specs = [member('a', [{ t: 1 }]), other('b'), member('c', [{ t: 2 }]), other('dd'), member('e', [{ t: 3 }])];
    const twice = [...specs, other('eee'), other('ffff')];
    const identity = (s: TopLevelSpec): CompiledChart => ({ compiled: JSON.stringify({ wrapped: s }), warnings: [] });
    const c = counted(identity);
    expect(compileCharts(specs, c.compile)).toEqual(oneByOne(specs, identity));
    expect(c.calls()).toBe(4); // two for the family of three, one for each of the pair
    const d = counted(identity);
    expect(compileCharts(twice, d.compile)).toEqual(oneByOne(twice, identity));
    expect(d.calls()).toBe(4); // two families of three or more: two compiles each
  });
});
