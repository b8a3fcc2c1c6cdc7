// Vega-Lite → Vega compilation, for callers that want the Vega spec itself (tests, tools). The
// report compiles each chart once, where it is drawn (chart-renderer.ts), and the page reuses that
// compiled spec. vega-lite is loaded on first use (see chart-render.mjs).

import type { Spec as VegaSpec } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { chartRenderModule } from './chart-renderer.ts';

export interface CompiledChart {
  vega: VegaSpec;
  warnings: string[];
}

/** Compiles a Vega-Lite spec and returns the Vega spec plus every warning vega-lite logged. */
export async function compileSpec(spec: TopLevelSpec): Promise<CompiledChart> {
  const { compiled, warnings } = await (await chartRenderModule()).compileChart(spec);
  return { vega: JSON.parse(compiled) as VegaSpec, warnings };
}
