// Static SVG rendering of one chart in the calling thread: the report's fallback image (no
// script, print) and the charts/*.svg files. The report stage draws its charts on worker threads
// with the same code (chart-renderer.ts, chart-render.mjs).

import type { TopLevelSpec } from 'vega-lite';
import { chartRenderModule } from './chart-renderer.ts';
import { compactSvg } from './svg-compact.ts';

/**
 * Renders a Vega-Lite spec to an SVG document string (compacted: see svg-compact.ts). Rejects when
 * the spec does not compile or tries to load anything (a chart that needs the network is a bug).
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const m = await chartRenderModule();
  const { compiled } = await m.compileChart(spec);
  return compactSvg(await m.renderCompiled(compiled));
}
