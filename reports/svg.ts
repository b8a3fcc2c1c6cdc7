// Static SVG rendering of a chart, in Node: the report's fallback (no script, print) and the
// charts/*.svg files. Vega runs headless with renderer 'none' and no loader access: our specs
// carry their data inline, so nothing is fetched, and without the optional 'canvas' package
// vega estimates text widths from font size (labels still come out, spacing is approximate).

import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { compileSpec } from './compile.ts';
import { compactSvg } from './svg-compact.ts';

/**
 * Renders a Vega-Lite spec to an SVG document string (compacted: see svg-compact.ts). Rejects when the spec tries to load
 * anything (vega would only log the failure and draw an empty chart): a chart that needs the
 * network is a bug.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { vega: vgSpec } = compileSpec(spec);
  const refused: string[] = [];
  const loader = vega.loader();
  loader.load = async (uri: string) => {
    refused.push(uri);
    throw new Error(`report charts must not load anything (asked for ${uri})`);
  };
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', loader, logLevel: vega.None });
  try {
    const svg = await view.toSVG();
    if (refused.length > 0) throw new Error(`report charts must not load anything (asked for ${refused.join(', ')})`);
    return compactSvg(svg);
  } finally {
    view.finalize();
  }
}
