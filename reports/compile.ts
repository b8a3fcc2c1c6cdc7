// Vega-Lite → Vega compilation shared by the SVG renderer and the HTML report. Every spec we build
// must compile cleanly, so warnings are collected and turned into an error: a warning here means
// a chart that silently drops an encoding.

import { compile, type TopLevelSpec } from 'vega-lite';
import type { Spec as VegaSpec } from 'vega';

export interface CompiledChart {
  vega: VegaSpec;
  warnings: string[];
}

// The report compiles each chart twice: once for its static SVG (svg.ts), once for the live
// spec in the page (html-figure.ts); vega-lite's compile is ~10 ms a chart and the report has
// ~40. So results are kept per spec object (a WeakMap: they go when the spec does), as JSON text:
// each caller gets its own copy to change (the page adds legend interactivity, vega's parser
// may annotate what it reads). A spec must not be changed after it is first compiled.
const compiled = new WeakMap<TopLevelSpec, { json: string; warnings: string[] }>();

/** Compiles a Vega-Lite spec and returns the Vega spec plus every warning vega-lite logged. */
export function compileSpec(spec: TopLevelSpec): CompiledChart {
  let hit = compiled.get(spec);
  if (!hit) {
    const fresh = compileFresh(spec);
    hit = { json: JSON.stringify(fresh.vega), warnings: fresh.warnings };
    compiled.set(spec, hit);
  }
  return { vega: JSON.parse(hit.json) as VegaSpec, warnings: [...hit.warnings] };
}

function compileFresh(spec: TopLevelSpec): CompiledChart {
  const warnings: string[] = [];
  let level = 2;
  const logger = {
    level(value?: number) {
      if (value === undefined) return level;
      level = value;
      return logger;
    },
    error(...args: unknown[]) {
      warnings.push(`error: ${args.map(String).join(' ')}`);
      return logger;
    },
    warn(...args: unknown[]) {
      warnings.push(args.map(String).join(' '));
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  const { spec: vega } = compile(spec, { logger });
  return { vega, warnings };
}

/** As compileSpec, but a warning is an error (used for everything the report ships). */
export function compileStrict(spec: TopLevelSpec): VegaSpec {
  const { vega, warnings } = compileSpec(spec);
  if (warnings.length > 0) {
    const title = typeof spec.title === 'string' ? spec.title : (spec.description ?? 'chart');
    throw new Error(`vega-lite warnings compiling "${title}": ${warnings.join('; ')}`);
  }
  return vega;
}
