// vega and vega-lite bundled into one file (scripts/build.mjs, buildVegaBundle): the report loads
// it instead of the packages' ~40 modules when it is built for the installed versions
// (reports/chart-render.mjs). It must compile and draw every chart of the report exactly as the
// packages do, be found under the name the build gives it, and be taken when it is there.
import { mkdtempSync, rmSync } from 'node:fs';
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
    expect(basename(path)).toBe(`vega-${vega.version}-lite-${vegaLite.version}.mjs`);
    expect(render.vegaBundleName()).toBe(basename(path));
    expect(render.vegaBundleUrl(pathToFileURL(`${dir}/`)).href).toBe(pathToFileURL(path).href);
  });

  it('compiles and draws every chart of the report exactly as the packages do', async () => {
    const bundled = (await import(pathToFileURL(path).href)) as Vegas;
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
    const fromDist = (await import(render.vegaBundleUrl().href)) as Vegas;
    expect(await render.loadVega()).toBe(fromDist.vega);
    expect(await render.loadVegaLite()).toBe(fromDist.vegaLite);
  }, 60_000);
});
