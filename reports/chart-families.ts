// Compiling many Vega-Lite specs where most are members of a family: the per-topic trend charts
// (one per topic, 30 on arXiv at k = 30) differ only in title, description, inline data and the
// colour scale's domain and range. vega-lite spent ~10 ms on each (~0.3–0.45 s of the report's
// single-threaded stretch), so a family is compiled once, from a spec whose varying parts are
// placeholders, and each member's compiled spec is that text with its own parts written in.
//
// Why it is safe: the result must be the text vega-lite gives for the member alone. vega-lite
// copies inline data rows (objects) into the Vega spec without reading them, and a title or a
// description string; it does read scale domains (it writes a sorted domain into an expression,
// picks `zero` from a numeric one). So:
//  - only rows of objects become data placeholders (primitives vega-lite would wrap), and only
//    string arrays without repeats domain/range placeholders of the same length, one per
//    distinct array (the lengths are part of the family's key);
//  - a family's first member is also compiled alone and must equal its filled-in text, else the
//    whole family is compiled member by member;
//  - a filled-in text with a placeholder left over (vega-lite copied one somewhere it was not
//    written back) is compiled alone instead;
//  - a family whose compile warns is compiled member by member (warnings may name values).
// test/chart-families.test.ts checks every chart of the report fixture against one-by-one compiles.

import type { TopLevelSpec } from 'vega-lite';

/** vega-lite's output for one spec: the Vega spec as JSON text and its warnings. */
export interface CompiledChart {
  compiled: string;
  warnings: string[];
}

/** A chart that did not compile. */
export interface CompileFailure {
  error: string;
}

/** A placeholder's marker character; ingest and the labels never keep control characters. */
const MARK = '\u0001';
/** How the marker reads in JSON text (JSON.stringify escapes it). */
const MARK_JSON = '\\u0001';

/** A spec with its varying parts as placeholders: the family key, and those parts as JSON text. */
interface Shape {
  key: string;
  spec: TopLevelSpec;
  slots: string[];
}

/**
 * Compiles every spec (results in spec order), members of a family through one compile of the
 * family (see the header). `compile` compiles one spec (it throws on a spec that does not compile).
 */
export function compileCharts(specs: readonly TopLevelSpec[], compile: (spec: TopLevelSpec) => CompiledChart): (CompiledChart | CompileFailure)[] {
  const alone = (spec: TopLevelSpec): CompiledChart | CompileFailure => {
    try {
      return compile(spec);
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    }
  };
  const shapes = specs.map(shapeOf);
  const families = new Map<string, number[]>();
  shapes.forEach((s, i) => {
    if (!s) return;
    const members = families.get(s.key);
    if (members) members.push(i);
    else families.set(s.key, [i]);
  });
  const results: (CompiledChart | CompileFailure | undefined)[] = new Array(specs.length);
  for (const members of families.values()) {
    if (members.length < 3) continue; // a family costs two compiles: no gain below three
    const family = alone(shapes[members[0]!]!.spec); // may fail where the members would not: then they go alone
    const first = alone(specs[members[0]!]!);
    results[members[0]!] = first;
    const usable = 'compiled' in family && family.warnings.length === 0 && 'compiled' in first && first.warnings.length === 0 && fill(family.compiled, shapes[members[0]!]!.slots) === first.compiled;
    for (const i of members.slice(1)) {
      const text = usable ? fill(family.compiled, shapes[i]!.slots) : undefined;
      results[i] = text !== undefined && !text.includes(MARK_JSON) ? { compiled: text, warnings: [] } : alone(specs[i]!);
    }
  }
  return specs.map((spec, i) => results[i] ?? alone(spec));
}

/**
 * The spec with its title text, description, inline data values and string scale domains and
 * ranges as placeholders (equal parts share one), or undefined when a part already holds the
 * marker or a domain repeats a value.
 */
function shapeOf(spec: TopLevelSpec): Shape | undefined {
  const slots: string[] = [];
  const slotOf = new Map<string, number>();
  let eligible = true;
  const slot = (value: unknown): number => {
    const json = JSON.stringify(value);
    if (json.includes(MARK_JSON)) eligible = false;
    let n = slotOf.get(json);
    if (n === undefined) {
      n = slots.length;
      slotOf.set(json, n);
      slots.push(json);
    }
    return n;
  };
  const walk = (value: unknown, parentKey: string): unknown => {
    if (Array.isArray(value)) return value.map((v) => walk(v, parentKey));
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (key === 'values' && parentKey === 'data' && isObjectRows(v)) out[key] = [{ [MARK]: slot(v) }];
      else if ((key === 'domain' || key === 'range') && parentKey === 'scale' && isDistinctStrings(v)) {
        const n = slot(v);
        out[key] = v.map((_, i) => `${MARK}${n}.${i}`);
      } else out[key] = walk(v, key);
    }
    return out;
  };
  const shaped = walk(spec, '') as Record<string, unknown>;
  const title = shaped.title as unknown;
  if (typeof title === 'string') shaped.title = `${MARK}${slot(title)}`;
  else if (title !== null && typeof title === 'object' && typeof (title as { text?: unknown }).text === 'string') {
    shaped.title = { ...title, text: `${MARK}${slot((title as { text: string }).text)}` };
  }
  if (typeof shaped.description === 'string') shaped.description = `${MARK}${slot(shaped.description)}`;
  if (!eligible || slots.length === 0) return undefined;
  return { key: JSON.stringify(shaped), spec: shaped as unknown as TopLevelSpec, slots };
}

/** Inline data as vega-lite copies it without reading it: rows that are objects (primitives it wraps). */
function isObjectRows(v: unknown): v is object[] {
  return Array.isArray(v) && v.length > 0 && v.every((row) => row !== null && typeof row === 'object' && !Array.isArray(row));
}

function isDistinctStrings(v: unknown): v is string[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string') && new Set(v).size === v.length;
}

// The placeholders as vega-lite writes them back: a data set's values [{"\u0001":n}], a
// domain or range ["\u0001n.0", …, "\u0001n.(L-1)"], a string "\u0001n".
const PLACEHOLDER = /\[\{"\\u0001":(\d+)\}\]|\[("\\u0001(\d+)\.\d+"(?:,"\\u0001\d+\.\d+")*)\]|"\\u0001(\d+)"/g;

/**
 * The family's compiled text with a member's parts written in. A domain or range is written back
 * only where it stands whole and in order; anything else keeps its marker (the caller then
 * compiles the member alone).
 */
function fill(compiled: string, slots: readonly string[]): string {
  return compiled.replace(PLACEHOLDER, (match, values?: string, items?: string, arrayN?: string, stringN?: string) => {
    if (values !== undefined) return slots[Number(values)] ?? match;
    if (stringN !== undefined) return slots[Number(stringN)] ?? match;
    const json = slots[Number(arrayN)];
    if (json === undefined) return match;
    const n = arrayN!;
    const length = (JSON.parse(json) as unknown[]).length;
    const expected = Array.from({ length }, (_, i) => `"${MARK_JSON}${n}.${i}"`).join(',');
    return items === expected ? json : match;
  });
}
