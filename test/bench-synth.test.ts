// The scale-corpus generator (bench/synth*.ts) on a handmade 20-record fixture: the sentence
// splitter, the model (order-independent), and the sampler (deterministic, dates in the year,
// ids unique, labels kept, trends pointing the right way).
import { describe, expect, it } from 'vitest';
import { createRandom } from '../analysis/random.ts';
import { parseSynthArgs, synthChunks } from '../bench/synth.ts';
import {
  dayToDate,
  defaultTrends,
  swapTitleWords,
  synthId,
  synthPaper,
  SynthModelBuilder,
  trendDay,
  type SourceRecord,
  type SynthOptions,
} from '../bench/synth-model.ts';
import { splitSentences, usableSentences } from '../bench/synth-sentences.ts';

const TOPICS: Record<string, string[]> = {
  'cs.CV': ['image segmentation', 'object detection', 'video tracking', 'depth estimation', 'image synthesis'],
  'cs.CL': ['machine translation', 'question answering', 'text summarization', 'named entity tagging', 'dialogue systems'],
  'cs.RO': ['robot grasping', 'legged locomotion', 'motion planning', 'visual odometry', 'swarm control'],
  'math.OC': ['convex programs', 'gradient descent', 'integer programming', 'optimal control', 'stochastic approximation'],
};
const COUNTS: Record<string, number> = { 'cs.CV': 8, 'cs.CL': 6, 'cs.RO': 4, 'math.OC': 2 };

/** 20 handmade records: 8 + 6 + 4 + 2 per category, 4 sentences each, one with an "e.g." inside. */
function fixture(): SourceRecord[] {
  const records: SourceRecord[] = [];
  for (const [label, topics] of Object.entries(TOPICS)) {
    for (let i = 0; i < COUNTS[label]!; i++) {
      const topic = topics[i % topics.length]!;
      records.push({
        label,
        title: `Robust ${topic} with Learned Priors number ${i}`,
        text:
          `We study ${topic} in setting ${i} for ${label}. ` +
          `Prior work on ${topic} relies on hand tuned heuristics, e.g. fixed thresholds. ` +
          `Our model for ${topic} variant ${i} improves accuracy by ${i + 3} points. ` +
          `Code for ${topic} and all experiments is released.`,
      });
    }
  }
  return records;
}

function model(records = fixture()) {
  const builder = new SynthModelBuilder();
  for (const r of records) builder.add(r);
  return builder.build(1);
}

const OPTIONS: SynthOptions = { seed: 7, start: '2025-07-01', days: 365, trends: new Map() };

describe('splitSentences', () => {
  it('splits at sentence ends but not after abbreviations or initials', () => {
    expect(splitSentences('We use e.g. Fig. 3 and J. Smith et al. The end! Is it? Yes.')).toEqual([
      'We use e.g. Fig. 3 and J. Smith et al. The end!',
      'Is it?',
      'Yes.',
    ]);
    expect(splitSentences('First one here.  Second\none (with a newline). 3 items follow.')).toEqual([
      'First one here.',
      'Second one (with a newline).',
      '3 items follow.',
    ]);
    expect(splitSentences('   ')).toEqual([]);
  });

  it('does not split inside numbers or lower-case continuations', () => {
    expect(splitSentences('Accuracy rose to 93.5 percent. then fell.')).toEqual(['Accuracy rose to 93.5 percent. then fell.']);
  });

  it('drops headings and fragments from the resampling pool', () => {
    expect(usableSentences('Objective. We study prosthetic vision in patients. Main results. It works well enough.')).toEqual([
      'We study prosthetic vision in patients.',
    ]);
  });
});

describe('SynthModelBuilder', () => {
  it('pools openers, bodies and titles per category, sorted, with frequency weights', () => {
    const m = model();
    expect(m.categories.map((c) => c.name)).toEqual(['cs.CL', 'cs.CV', 'cs.RO', 'math.OC']);
    const cv = m.categories[1]!;
    expect(cv.docs).toBe(8);
    expect(cv.openers).toHaveLength(8);
    expect(cv.bodies).toHaveLength(24);
    expect(cv.bodies.some((s) => s.includes('e.g. fixed thresholds.'))).toBe(true);
    expect([...m.cumulative]).toEqual([6 / 20, 14 / 20, 18 / 20, 1]);
  });

  it('gives the same model whatever the record order', () => {
    const records = fixture();
    const shuffled = [...records].reverse();
    expect(model(shuffled)).toEqual(model(records));
  });

  it('leaves out small categories and refuses when none is left', () => {
    const builder = new SynthModelBuilder();
    for (const r of fixture()) builder.add(r);
    expect(builder.build(3).categories.map((c) => c.name)).toEqual(['cs.CL', 'cs.CV', 'cs.RO']);
    expect(() => builder.build(50)).toThrow(/no category/);
    expect(() => builder.build(0)).toThrow(/minDocs/);
  });
});

describe('synthPaper', () => {
  const m = model();

  it('is deterministic for a seed and differs for another seed', () => {
    const a = Array.from({ length: 50 }, (_, i) => synthPaper(m, i, OPTIONS));
    const b = Array.from({ length: 50 }, (_, i) => synthPaper(m, i, OPTIONS));
    const c = Array.from({ length: 50 }, (_, i) => synthPaper(m, i, { ...OPTIONS, seed: 8 }));
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('builds papers from sentences of their own category, 5–9 of them, with unique ids and dates in the year', () => {
    const papers = Array.from({ length: 400 }, (_, i) => synthPaper(m, i, OPTIONS));
    expect(new Set(papers.map((p) => p.id)).size).toBe(400);
    expect(papers[0]!.id).toBe('synth-0000001');
    for (const p of papers) {
      expect(p.date >= '2025-07-01' && p.date <= '2026-06-30').toBe(true);
      const category = m.categories.find((c) => c.name === p.label)!;
      const pool = new Set([...category.openers, ...category.bodies]);
      const sentences = splitSentences(p.text);
      expect(sentences.length).toBeGreaterThanOrEqual(5);
      expect(sentences.length).toBeLessThanOrEqual(9);
      expect(category.openers).toContain(sentences[0]);
      for (const s of sentences) expect(pool.has(s)).toBe(true);
    }
    // Categories are drawn by frequency: cs.CV (8 of 20) must be the most common.
    const counts = new Map<string, number>();
    for (const p of papers) counts.set(p.label, (counts.get(p.label) ?? 0) + 1);
    expect(counts.get('cs.CV')!).toBeGreaterThan(counts.get('cs.CL')!);
    expect(counts.get('cs.CL')!).toBeGreaterThan(counts.get('math.OC')!);
  });

  it('applies category trends: a rising category has more papers in the second half of the year', () => {
    const trends = new Map([['cs.CV', 2]]);
    const papers = Array.from({ length: 3000 }, (_, i) => synthPaper(m, i, { ...OPTIONS, trends }));
    const late = (label: string) => {
      const of = papers.filter((p) => p.label === label);
      return of.filter((p) => p.date >= '2026-01-01').length / of.length;
    };
    expect(late('cs.CV')).toBeGreaterThan(0.65);
    expect(Math.abs(late('cs.CL') - 0.5)).toBeLessThan(0.07);
  });

  it('picks the 2nd, 3rd and 5th largest categories for the default trends', () => {
    // Only 4 categories in the fixture: the 5th does not exist.
    expect([...defaultTrends(m)]).toEqual([
      ['cs.CL', 0.8],
      ['cs.RO', -0.8],
    ]);
  });
});

describe('helpers', () => {
  it('trendDay inverts the trend density within the range', () => {
    expect(trendDay(365, 0, 0)).toBe(0);
    expect(trendDay(365, 0, 0.5)).toBe(182);
    expect(trendDay(365, 1.5, 0.999999)).toBe(364);
    // Rising density: the median day is later than mid-year.
    expect(trendDay(365, 1, 0.5)).toBeGreaterThan(200);
    expect(() => trendDay(365, 3, 0.5)).toThrow(/slope/);
  });

  it('dayToDate counts days in UTC across the year end', () => {
    expect(dayToDate('2025-07-01', 0)).toBe('2025-07-01');
    expect(dayToDate('2025-07-01', 184)).toBe('2026-01-01');
    expect(dayToDate('2025-07-01', 364)).toBe('2026-06-30');
  });

  it('swapTitleWords changes 1–3 content words, keeping the capitals and the word count', () => {
    const random = createRandom(3);
    const title = 'Robust Image Segmentation of Learned Priors';
    for (let i = 0; i < 20; i++) {
      const out = swapTitleWords(title, ['zebra', 'quartz'], random);
      const a = title.split(' ');
      const b = out.split(' ');
      expect(b).toHaveLength(a.length);
      const changed = a.filter((w, j) => w !== b[j]).length;
      expect(changed).toBeGreaterThanOrEqual(1);
      expect(changed).toBeLessThanOrEqual(3);
      expect(b[3]).toBe('of'); // too short to swap
      for (const w of b) expect(w).toMatch(/^[A-Z]|^of$/);
    }
  });

  it('synthId pads to seven digits', () => {
    expect(synthId(0)).toBe('synth-0000001');
    expect(synthId(1_233_999)).toBe('synth-1234000');
  });

  it('synthChunks yields n JSON lines in id order', () => {
    const lines = [...synthChunks(model(), 4500, OPTIONS)].join('').split('\n').filter(Boolean);
    expect(lines).toHaveLength(4500);
    expect(JSON.parse(lines[4499]!).id).toBe('synth-0004500');
    expect(Object.keys(JSON.parse(lines[0]!))).toEqual(['id', 'title', 'text', 'date', 'label']);
  });

  it('parseSynthArgs checks its flags up front', () => {
    expect(parseSynthArgs(['--n', '100']).out).toBe('bench/out/synth-100.jsonl.gz');
    expect(() => parseSynthArgs([])).toThrow(/--n is required/);
    expect(() => parseSynthArgs(['--n', '1e6'])).toThrow(/whole number/);
    expect(() => parseSynthArgs(['--n', '10', '--bogus'])).toThrow();
  });
});
