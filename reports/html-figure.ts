// A chart as the report shows it: the static SVG rendered in Node, as a data: image (an <img>
// never runs script, whatever the SVG holds), shown until the live chart draws, without script,
// and in print when the live chart did not draw; plus, for live charts, the compiled Vega spec
// in a JSON block for the page script to draw.

import type { TopLevelSpec } from 'vega-lite';
import { escapeAttr, escapeHtml, jsonForScript } from './escape.ts';

export interface ReportChart {
  name: string;
  title: string;
  spec: TopLevelSpec;
  svg: string;
  /** The compiled Vega spec as JSON text (chart-renderer.ts); a live chart needs it. */
  compiled?: string;
}

/**
 * A data: URI for an SVG, percent-encoding only what URLs and HTML attributes need (a third
 * smaller than base64). ':' too, so the SVG namespace URI does not read as a link in the source.
 */
export function svgDataUri(svg: string): string {
  return `data:image/svg+xml,${svg.replace(/[%#"'<>&:\r\n\t]/g, (c) => (c === "'" ? '%27' : encodeURIComponent(c)))}`;
}

/**
 * Legend entries answer clicks (vega makes them inert by default), so a reader can pick a topic
 * in any legend; the page script maps the entry's label back to the topic.
 */
function interactiveLegends(node: unknown): void {
  if (Array.isArray(node)) {
    for (const child of node) interactiveLegends(child);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  if (Array.isArray(record.legends)) {
    for (const legend of record.legends as Record<string, unknown>[]) {
      const encode = (legend.encode ?? {}) as Record<string, Record<string, unknown> | undefined>;
      legend.encode = {
        ...encode,
        symbols: { ...encode.symbols, interactive: true },
        labels: { ...encode.labels, interactive: true },
      };
    }
  }
  if (Array.isArray(record.marks)) interactiveLegends(record.marks);
}

/** The compiled Vega spec (JSON text) as the page draws it, without its $schema (the only URL a spec carries). */
export function liveSpecJson(compiled: string): string {
  const spec = JSON.parse(compiled) as Record<string, unknown>;
  delete spec.$schema;
  interactiveLegends(spec);
  return jsonForScript(spec);
}

export function figure(chart: ReportChart | undefined, options: { live?: boolean; caption?: boolean } = {}): string {
  if (!chart) return '';
  const live = options.live ?? true;
  const description = typeof chart.spec.description === 'string' ? chart.spec.description : chart.title;
  // Size the fallback image by the SVG's own width so it is not blown up on wide screens.
  const width = /^<svg[^>]*\swidth="(\d+(?:\.\d+)?)"/.exec(chart.svg)?.[1];
  const img = chart.svg
    ? `<img src="${escapeAttr(svgDataUri(chart.svg))}" alt="${escapeAttr(description)}"${width ? ` width="${Math.round(Number(width))}"` : ''}>`
    : `<p class="muted">(${escapeHtml(chart.title)}: no static rendering)</p>`;
  if (live && chart.compiled === undefined) throw new Error(`chart "${chart.name}" has no compiled Vega spec to draw live`);
  const spec = live ? `<script type="application/json">${liveSpecJson(chart.compiled!)}</script>` : '';
  return `<figure${live ? ` data-chart="${escapeAttr(chart.name)}"` : ''} aria-label="${escapeAttr(chart.title)}">
${live ? '<div class="live"></div>' : ''}<div class="static">${img}</div>${spec}
${options.caption === false ? '' : `<figcaption>${escapeHtml(description)}</figcaption>`}
</figure>`;
}
