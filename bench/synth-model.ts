// The scale-corpus model: per-category pools of real sentences and titles, and the sampler that
// draws synthetic papers from them. Papers keep their source category as `label`, so topic
// structure (and NMI against labels) survives the resampling; a few categories get a mild
// linear trend in their dates so the trend stage has something real to find.
//
// Determinism: the model sorts every pool, so the same records in any order give the same
// model, and paper i is drawn from its own seeded generator (deriveSeed(seed, i)), so paper i is
// the same whatever n is and however the output is sharded.
import { createRandom, deriveSeed } from '../analysis/random.ts';
import type { Random } from '../analysis/types.ts';
import { usableSentences } from './synth-sentences.ts';

export interface SourceRecord {
  title?: string;
  text?: string;
  label?: string;
}

export interface SynthCategory {
  name: string;
  docs: number; // source papers of this category (its sampling weight)
  openers: string[]; // first sentences of abstracts (they read as openers: "We study ...")
  bodies: string[]; // every other sentence
  titles: string[];
  titleWords: string[]; // distinct content words of the titles, for swapping into titles
}

export interface SynthModel {
  categories: SynthCategory[]; // sorted by name
  cumulative: Float64Array; // cumulative category weights, last = 1
}

export interface SynthPaper {
  id: string;
  title: string;
  text: string;
  date: string;
  label: string;
}

export interface SynthOptions {
  seed: number;
  /** First day of the date range, YYYY-MM-DD (UTC). */
  start: string;
  /** Length of the date range in days; dates are start … start + days − 1. */
  days: number;
  /** Linear trend per category: density over the year ∝ 1 + slope·(t − ½), |slope| ≤ 2. */
  trends: ReadonlyMap<string, number>;
}

export const DEFAULT_START = '2025-07-01';
export const DEFAULT_DAYS = 365; // 2025-07-01 … 2026-06-30

const TITLE_WORD = /^[A-Za-z][a-z]{3,}$/;
const MIN_SENTENCES = 5;
const MAX_SENTENCES = 9;

/** Collects records one at a time (the source is streamed) and builds a SynthModel. */
export class SynthModelBuilder {
  private readonly byLabel = new Map<string, { docs: number; openers: string[]; bodies: string[]; titles: string[] }>();

  add(record: SourceRecord): void {
    const label = typeof record.label === 'string' && record.label ? record.label : '';
    if (!label) return; // unlabelled papers carry no topic to preserve
    const sentences = usableSentences(record.text ?? '');
    if (sentences.length < 2) return;
    let pool = this.byLabel.get(label);
    if (!pool) {
      pool = { docs: 0, openers: [], bodies: [], titles: [] };
      this.byLabel.set(label, pool);
    }
    pool.docs++;
    pool.openers.push(sentences[0]!);
    for (let i = 1; i < sentences.length; i++) pool.bodies.push(sentences[i]!);
    const title = (record.title ?? '').replace(/\s+/g, ' ').trim();
    if (title) pool.titles.push(title);
  }

  /**
   * @param minDocs categories with fewer usable source papers are left out: their pools are so
   *   small that every synthetic paper of theirs would repeat the same few sentences.
   */
  build(minDocs = 5): SynthModel {
    if (!Number.isInteger(minDocs) || minDocs < 1) throw new RangeError(`minDocs must be a positive integer, got ${minDocs}`);
    const categories: SynthCategory[] = [];
    for (const name of [...this.byLabel.keys()].sort()) {
      const pool = this.byLabel.get(name)!;
      if (pool.docs < minDocs || pool.titles.length === 0) continue;
      const words = new Set<string>();
      for (const t of pool.titles) for (const w of t.split(' ')) if (TITLE_WORD.test(w)) words.add(w.toLowerCase());
      categories.push({
        name,
        docs: pool.docs,
        openers: [...pool.openers].sort(),
        bodies: [...pool.bodies].sort(),
        titles: [...pool.titles].sort(),
        titleWords: [...words].sort(),
      });
    }
    if (categories.length === 0) throw new Error(`no category has ${minDocs}+ labelled records with 2+ usable sentences`);
    const total = categories.reduce((s, c) => s + c.docs, 0);
    const cumulative = new Float64Array(categories.length);
    let acc = 0;
    categories.forEach((c, i) => {
      acc += c.docs;
      cumulative[i] = acc / total;
    });
    cumulative[categories.length - 1] = 1;
    return { categories, cumulative };
  }
}

/**
 * The default trends: the 2nd and 5th largest categories rise, the 3rd falls. Mild on purpose
 * (a slope of 0.8 moves a category's share by about ±40 % between the ends of the year).
 */
export function defaultTrends(model: SynthModel): Map<string, number> {
  const bySize = [...model.categories].sort((a, b) => b.docs - a.docs || (a.name < b.name ? -1 : 1));
  const plan: [number, number][] = [
    [1, 0.8],
    [2, -0.8],
    [4, 1.2],
  ];
  const trends = new Map<string, number>();
  for (const [rank, slope] of plan) if (bySize[rank]) trends.set(bySize[rank].name, slope);
  return trends;
}

/** Paper number `index` (0-based) of the synthetic corpus. */
export function synthPaper(model: SynthModel, index: number, options: SynthOptions): SynthPaper {
  const random = createRandom(deriveSeed(options.seed, index));
  const category = model.categories[pickCategory(model.cumulative, random())]!;
  const count = MIN_SENTENCES + Math.floor(random() * (MAX_SENTENCES - MIN_SENTENCES + 1));
  const sentences = [pick(category.openers, random)];
  const used = new Set<string>(sentences);
  const pool = category.bodies.length ? category.bodies : category.openers;
  for (let i = 1; i < count; i++) {
    let s = pick(pool, random);
    // A repeated sentence reads as a glitch; retry a few times, then accept it (tiny pools).
    for (let tries = 0; used.has(s) && tries < 4; tries++) s = pick(pool, random);
    used.add(s);
    sentences.push(s);
  }
  const slope = options.trends.get(category.name) ?? 0;
  return {
    id: synthId(index),
    title: swapTitleWords(pick(category.titles, random), category.titleWords, random),
    text: sentences.join(' '),
    date: dayToDate(options.start, trendDay(options.days, slope, random())),
    label: category.name,
  };
}

export function synthId(index: number): string {
  return `synth-${String(index + 1).padStart(7, '0')}`;
}

/** Replaces 1–3 content words of a real title with other title words of the same category. */
export function swapTitleWords(title: string, vocabulary: readonly string[], random: Random): string {
  const words = title.split(' ');
  const slots = words.map((w, i) => (TITLE_WORD.test(w) ? i : -1)).filter((i) => i >= 0);
  if (slots.length === 0 || vocabulary.length === 0) return title;
  const swaps = Math.min(slots.length, 1 + Math.floor(random() * 3));
  for (let n = 0; n < swaps; n++) {
    const at = slots.splice(Math.floor(random() * slots.length), 1)[0]!;
    const word = vocabulary[Math.floor(random() * vocabulary.length)]!;
    const capital = /^[A-Z]/.test(words[at]!);
    words[at] = capital ? word[0]!.toUpperCase() + word.slice(1) : word;
  }
  return words.join(' ');
}

/**
 * A day in 0 … days−1 drawn from the density 1 + slope·(t − ½) on t ∈ [0, 1) by inverting its
 * CDF F(t) = t + slope·(t² − t)/2; slope 0 is uniform.
 */
export function trendDay(days: number, slope: number, u: number): number {
  if (Math.abs(slope) > 2) throw new RangeError(`trend slope must be within [-2, 2], got ${slope}`);
  let t: number;
  if (Math.abs(slope) < 1e-9) t = u;
  else {
    const b = 1 - slope / 2;
    t = (-b + Math.sqrt(b * b + 2 * slope * u)) / slope;
  }
  return Math.min(days - 1, Math.max(0, Math.floor(t * days)));
}

export function dayToDate(start: string, day: number): string {
  const ms = Date.parse(`${start}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new RangeError(`start must be YYYY-MM-DD, got "${start}"`);
  return new Date(ms + day * 86_400_000).toISOString().slice(0, 10);
}

function pickCategory(cumulative: Float64Array, u: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function pick<T>(items: readonly T[], random: Random): T {
  return items[Math.floor(random() * items.length)]!;
}
