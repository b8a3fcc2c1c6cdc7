// vega and vega-lite bundled into one file (scripts/build.mjs, buildVegaBundle): the report loads
// it instead of the packages' ~40 modules when it is built for the installed versions
// (reports/chart-render.mjs), through V8's code cache (loadCachedBundle). It must compile and draw
// every chart of the report exactly as the packages do, be found under the name the build gives
// it, be taken when it is there, and use a code cache only when the cache was made from its text.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TopLevelSpec } from 'vega-lite';
import { buildChartSpecs } from '../reports/charts.ts';
import { makeReportModel } from './fixtures/report-model.ts';

interface BuildScript {
  buildVegaBundle(dir?: string): Promise<string>;
}
interface Vegas {
  vega: typeof import('vega');
  vegaLite: typeof import('vega-lite');
}
interface ChartRender {
  loadCachedBundle(path: string): { exports: unknown; cacheAccepted: boolean; saveCache(): boolean };
  vegaBundleName(): string;
  vegaBundleUrl(dist?: URL): URL;
  loadVega(): Promise<unknown>;
  loadVegaLite(): Promise<unknown>;
  compileWith(vegaLite: unknown, spec: TopLevelSpec): { compiled: string; warnings: string[] };
  renderCompiledWith(vega: unknown, compiled: string): Promise<string>;
}

describe('the vega bundle', () => {
  let dir: string;
  let path: string;
  let build: BuildScript;
  let render: ChartRender;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-vega-bundle-'));
    build = (await import('../scripts/build.mjs' as string)) as BuildScript;
    render = (await import('../reports/chart-render.mjs' as string)) as ChartRender;
    path = await build.buildVegaBundle(dir);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is named after the installed versions, the same way by the build and by the report', async () => {
    const vega = await import('vega');
    const vegaLite = await import('vega-lite');
    expect(basename(path)).toBe(`vega-${vega.version}-lite-${vegaLite.version}.cjs`);
    expect(render.vegaBundleName()).toBe(basename(path));
    expect(render.vegaBundleUrl(pathToFileURL(`${dir}/`)).href).toBe(pathToFileURL(path).href);
  });

  it('compiles and draws every chart of the report exactly as the packages do', async () => {
    const bundled = render.loadCachedBundle(path).exports as Vegas;
    const packages: Vegas = { vega: await import('vega'), vegaLite: await import('vega-lite') };
    expect(bundled.vega).not.toBe(packages.vega);
    expect(bundled.vega.version).toBe(packages.vega.version);
    const specs = buildChartSpecs(makeReportModel());
    expect(specs.length).toBeGreaterThan(5);
    for (const { name, spec } of specs) {
      const a = render.compileWith(bundled.vegaLite, spec);
      const b = render.compileWith(packages.vegaLite, spec);
      expect(a, name).toEqual(b);
      const svg = await render.renderCompiledWith(bundled.vega, a.compiled);
      expect(svg.startsWith('<svg'), name).toBe(true);
      expect(svg, name).toBe(await render.renderCompiledWith(packages.vega, b.compiled));
    }
  }, 60_000);

  it('is what the report loads once dist/ has it', async () => {
    await build.buildVegaBundle(); // dist/, as `npm start` builds it
    const vega = (await render.loadVega()) as Vegas['vega'];
    const vegaLite = (await render.loadVegaLite()) as Vegas['vegaLite'];
    expect(vega).not.toBe(await import('vega'));
    expect(vegaLite).not.toBe(await import('vega-lite'));
    expect(vega.version).toBe((await import('vega')).version);
    expect(typeof vegaLite.compile).toBe('function');
  }, 60_000);

  // Each load in a fresh node process: V8 takes a script it has compiled in this process from its
  // own compilation cache, whatever code cache it is handed.
  it('loads through a code cache made from its own text only, and draws the same either way', () => {
    const copyDir = mkdtempSync(join(tmpdir(), 'tt-vega-cache-'));
    try {
      const copy = join(copyDir, basename(path));
      copyFileSync(path, copy);
      const renderUrl = new URL('../reports/chart-render.mjs', import.meta.url).href;
      const spec = buildChartSpecs(makeReportModel())[0]!.spec;
      writeFileSync(join(copyDir, 'spec.json'), JSON.stringify(spec));
      const script = `
        import { readFileSync } from 'node:fs';
        import { setFlagsFromString } from 'node:v8';
        // As a pooled run has it by its report (analysis/parallel/collect.ts).
        if (process.argv[3] === 'expose-gc') setFlagsFromString('--expose-gc');
        const render = await import(${JSON.stringify(renderUrl)});
        const bundle = render.loadCachedBundle(process.argv[1]);
        const { vega, vegaLite } = bundle.exports;
        const { compiled } = render.compileWith(vegaLite, JSON.parse(readFileSync(process.argv[2], 'utf8')));
        const svg = await render.renderCompiledWith(vega, compiled);
        const saved = bundle.cacheAccepted ? false : bundle.saveCache();
        console.log(JSON.stringify({ accepted: bundle.cacheAccepted, saved, svg }));`;
      const load = (flags = ''): { accepted: boolean; saved: boolean; svg: string } =>
        JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script, copy, join(copyDir, 'spec.json'), flags], { encoding: 'utf8' }));
      const caches = () => readdirSync(copyDir).filter((f) => f.endsWith('.v8cache'));

      const first = load(); // no cache yet: compiled, then saved
      expect(first).toMatchObject({ accepted: false, saved: true });
      expect(first.svg.startsWith('<svg')).toBe(true);
      expect(caches()).toHaveLength(1);
      const second = load();
      expect(second).toMatchObject({ accepted: true, saved: false });
      expect(second.svg).toBe(first.svg);
      // A process whose pool has set V8's --expose-gc takes it too (V8 compares the flags).
      expect(load('expose-gc')).toMatchObject({ accepted: true, saved: false, svg: first.svg });

      // A damaged cache is rejected by V8: compiled as without, and replaced.
      writeFileSync(join(copyDir, caches()[0]!), Buffer.alloc(4096, 7));
      expect(load()).toMatchObject({ accepted: false, saved: true, svg: first.svg });
      expect(load()).toMatchObject({ accepted: true, svg: first.svg });

      // A rebuilt bundle of the same length (V8 checks only the length) must not meet the old cache.
      const text = readFileSync(copy, 'utf8');
      expect(text).toContain('__create');
      writeFileSync(copy, text.replaceAll('__create', '__creatf'));
      const rebuilt = load();
      expect(rebuilt).toMatchObject({ accepted: false, saved: true, svg: first.svg });
      expect(caches()).toHaveLength(1); // the stale cache is gone
      expect(load()).toMatchObject({ accepted: true, svg: first.svg });
    } finally {
      rmSync(copyDir, { recursive: true, force: true });
    }
  }, 60_000);
});
