import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WorkerPool } from '../analysis/parallel/pool.ts';
import { toSharedInt32 } from '../analysis/parallel/shared.ts';
import { joinBounds, parallelTfidfCounting } from '../analysis/parallel/tfidf-kernels.ts';
import { csrToDense } from '../analysis/sparse.ts';
import {
  BigramLog,
  bigramCandidates,
  bigramEligible,
  bigramsOfLeftTerms,
  bucketPasses,
  columnIndex,
  ROW_SLAB_BYTES,
  SharedSlabArrays,
  countMatrix,
  countRows,
  joinRowBlocks,
  mergeUnigramStats,
  pairsPerLeft,
  scoreCandidates,
  unigramStats,
  unigramStatsOfDocs,
} from '../analysis/tfidf-build.ts';
import { DEFAULT_TFIDF_OPTIONS, defaultTfidfOptions, fitTfidf, type TfidfModel, transformTfidf, type TfidfOptions } from '../analysis/tfidf.ts';
import { tokenizeCorpus } from '../analysis/text/tokenizer.ts';
import type { TokenizedCorpus } from '../analysis/types.ts';
import { loadSotuPapers } from '../pipeline/ingest/sotu.ts';

/** A corpus from token-id lists (ids into `terms`, -1 = boundary). */
function corpusOf(terms: string[], docs: number[][], display = terms): TokenizedCorpus {
  const docOffsets = new Int32Array(docs.length + 1);
  docs.forEach((d, i) => (docOffsets[i + 1] = docOffsets[i] + d.length));
  return { terms, display, docOffsets, tokenIds: Int32Array.from(docs.flat()) };
}

const UNIGRAMS_ONLY: TfidfOptions = { minDf: 1, maxDf: 1.0, sublinearTf: true, bigrams: false };

// d0: apple apple banana   d1: banana cherry   d2: cherry
const fruit = corpusOf(['apple', 'banana', 'cherry'], [[0, 0, 1], [1, 2], [2]]);

function generated(seed: number): TokenizedCorpus {
  let s = seed;
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const V = 400;
  const terms = Array.from({ length: V }, (_, i) => `w${String(i).padStart(3, '0')}`);
  const docs: number[][] = [];
  for (let d = 0; d < 300; d++) {
    const len = d % 10 === 0 ? 150 : 5 + Math.floor(next() * 40);
    const doc: number[] = [];
    for (let k = 0; k < len; k++) {
      if (next() < 0.05) doc.push(-1);
      else if (next() < 0.3 && doc.length > 0 && doc[doc.length - 1]! >= 0 && doc[doc.length - 1]! < 20) doc.push(doc[doc.length - 1]! + 20); // frequent pairs
      else doc.push(Math.floor(next() ** 2 * V));
    }
    docs.push(doc);
  }
  return corpusOf(terms, docs);
}

/**
 * generated(seed) with variants drawn so that frequent pairs have dominant, contested and absent
 * continuations: frequent pairs (x, x + 20) are mostly followed by x + 40, then x + 60, and
 * preceded by x + 80.
 */
function phraseCorpus(seed: number): TokenizedCorpus {
  const base = generated(seed);
  let s = seed * 7919;
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const variants = base.terms.map((t, i) => Array.from({ length: 1 + (i % 3) }, (_, v) => (v === 0 ? t : `${t}/${v}`)));
  // Frequent pairs (x, x + 20) are mostly followed by x + 40, then x + 60, and preceded by x + 80.
  const docs: number[][] = [];
  for (let d = 0; d + 1 < base.docOffsets.length; d++) {
    const doc = Array.from(base.tokenIds.subarray(base.docOffsets[d]!, base.docOffsets[d + 1]!));
    for (let k = 1; k + 3 < doc.length; k++) {
      const x = doc[k]!;
      if (x >= 0 && x < 20 && doc[k + 1] === x + 20) {
        if (next() < 0.8) doc[k + 2] = x + 40;
        if (next() < 0.75) doc[k + 3] = x + 60;
        if (next() < (x % 2 === 0 ? 0.9 : 0.4)) doc[k - 1] = x + 80;
      }
    }
    docs.push(doc);
  }
  const flat = docs.flat();
  return {
    ...corpusOf(base.terms, docs),
    variants,
    tokenVariants: Uint8Array.from(flat, (t) => (t < 0 ? 0 : Math.floor(next() * next() * variants[t]!.length))),
  };
}

describe('fitTfidf: hand-worked 3-document corpus', () => {
  // n = 3; df = apple 1, banana 2, cherry 2.
  // smooth idf: apple ln(4/2) + 1 = 1.6931471805599454, banana = cherry = ln(4/3) + 1 = 1.2876820724517808
  // d0 sublinear: apple (1 + ln 2) · 1.693147 = 2.8667473750380923, banana 1 · 1.287682
  //    l2 norm = hypot(2.866747, 1.287682) = 3.142696  →  apple 0.9122016295971542, banana 0.4097416099937816
  // d1: banana and cherry have equal weights → 1/√2 each;  d2: cherry alone → 1
  const m = fitTfidf(fruit, UNIGRAMS_ONLY);

  it('vocabulary, df and idf', () => {
    expect(m.vocabulary).toEqual(['apple', 'banana', 'cherry']);
    expect(m.display).toEqual(['apple', 'banana', 'cherry']);
    expect(Array.from(m.df)).toEqual([1, 2, 2]);
    expect(m.idf[0]).toBeCloseTo(1.6931471805599454, 12);
    expect(m.idf[1]).toBeCloseTo(1.2876820724517808, 12);
    expect(m.idf[2]).toBeCloseTo(1.2876820724517808, 12);
    expect(m.docs).toBe(3);
  });

  it('tf-idf values with sublinear tf and l2 rows', () => {
    const want = [0.9122016295971542, 0.4097416099937816, 0, 0, Math.SQRT1_2, Math.SQRT1_2, 0, 0, 1];
    const got = csrToDense(m.matrix).data;
    want.forEach((w, i) => expect(Math.abs(got[i] - w)).toBeLessThan(1e-6));
  });

  it('raw tf without sublinear scaling', () => {
    // d0: apple 2 · 1.693147 = 3.386294, banana 1.287682 → 0.9347019636214325, 0.3554324678504174
    const lin = fitTfidf(fruit, { ...UNIGRAMS_ONLY, sublinearTf: false });
    expect(Math.abs(lin.matrix.data[0] - 0.9347019636214325)).toBeLessThan(1e-6);
    expect(Math.abs(lin.matrix.data[1] - 0.3554324678504174)).toBeLessThan(1e-6);
  });

  it('keeps raw counts in the same layout', () => {
    expect(Array.from(m.counts.indptr)).toEqual([0, 2, 4, 5]);
    expect(Array.from(m.counts.indices)).toEqual([0, 1, 1, 2, 2]);
    expect(Array.from(m.counts.data)).toEqual([2, 1, 1, 1, 1]);
    expect(m.counts.indices).toBe(m.matrix.indices);
  });
});

describe('fitTfidf: pruning', () => {
  const cols = (o: Partial<TfidfOptions>) => fitTfidf(fruit, { ...UNIGRAMS_ONLY, ...o }).vocabulary;
  it('min_df as a count and as a fraction', () => {
    expect(cols({ minDf: 2 })).toEqual(['banana', 'cherry']);
    expect(cols({ minDf: 0.5 })).toEqual(['banana', 'cherry']); // ceil(1.5) = 2 documents
    expect(cols({ minDf: 3 })).toEqual([]);
  });
  it('max_df as a fraction and as a count', () => {
    expect(cols({ maxDf: 0.5 })).toEqual(['apple']); // df <= 1.5
    expect(cols({ maxDf: 2 })).toEqual(['apple', 'banana', 'cherry']);
  });
  it('max_features keeps the most frequent, ties by key', () => {
    // corpus counts: apple 2, banana 2, cherry 2
    expect(cols({ maxFeatures: 2 })).toEqual(['apple', 'banana']);
    const skew = corpusOf(['apple', 'banana', 'cherry'], [[2, 2, 1], [2, 1], [0]]);
    expect(fitTfidf(skew, { ...UNIGRAMS_ONLY, maxFeatures: 1 }).vocabulary).toEqual(['cherry']);
  });
  it('max_features over unigrams and bigrams: what sorting every column by count, then key, keeps', () => {
    const corpus = generated(3);
    const opts: TfidfOptions = { minDf: 2, maxDf: 0.9, sublinearTf: true, bigrams: true, bigramMinDf: 2, bigramMinScore: -1 };
    const all = fitTfidf(corpus, opts);
    const cf = new Float64Array(all.vocabulary.length);
    for (let p = 0; p < all.counts.indptr[all.counts.rows]!; p++) cf[all.counts.indices[p]!] += all.counts.data[p]!;
    const byCount = all.vocabulary.map((key, col) => ({ key, cf: cf[col]! })).sort((x, y) => y.cf - x.cf || (x.key < y.key ? -1 : 1));
    let cutsTies = 0;
    for (const max of [1, 17, 60, 151, all.vocabulary.length - 1]) {
      if (byCount[max - 1]!.cf === byCount[max]!.cf) cutsTies++;
      const want = byCount.slice(0, max).map((f) => f.key).sort();
      expect(fitTfidf(corpus, { ...opts, maxFeatures: max }).vocabulary).toEqual(want);
    }
    expect(cutsTies).toBeGreaterThan(1); // the cut falls inside a run of equal counts
  });
  it('rejects bad parameters with clear errors', () => {
    expect(() => fitTfidf(fruit, { ...UNIGRAMS_ONLY, minDf: 0 })).toThrow(/minDf/);
    expect(() => fitTfidf(fruit, { ...UNIGRAMS_ONLY, minDf: 2.5 })).toThrow(/minDf/);
    expect(() => fitTfidf(fruit, { ...UNIGRAMS_ONLY, maxDf: 1.5 })).toThrow(/maxDf/);
    expect(() => fitTfidf(fruit, { ...UNIGRAMS_ONLY, minDf: 3, maxDf: 0.5 })).toThrow(/below minDf/);
    expect(() => fitTfidf(fruit, { ...UNIGRAMS_ONLY, maxFeatures: 0 })).toThrow(/maxFeatures/);
    expect(() => fitTfidf(fruit, { ...UNIGRAMS_ONLY, bigrams: true, bigramMinScore: 2 })).toThrow(/bigramMinScore/);
  });
  it('handles an empty corpus', () => {
    const e = fitTfidf(corpusOf([], []), UNIGRAMS_ONLY);
    expect(e.docs).toBe(0);
    expect(e.vocabulary).toEqual([]);
  });
  it('exports sane defaults', () => {
    expect(DEFAULT_TFIDF_OPTIONS).toMatchObject({ minDf: 5, maxDf: 0.5, sublinearTf: true, bigrams: true });
    expect(defaultTfidfOptions(50).minDf).toBe(2);
    expect(defaultTfidfOptions(50_000).minDf).toBe(5);
  });
});

describe('fitTfidf: collocation bigrams', () => {
  // terms: 0 data, 1 model, 2 network, 3 neural
  // docs 0-9:   neural network | model | data | model | data
  // docs 10-19: model data | model | data | model | data
  // token counts: neural 10, network 10, model 40, data 40 → T = 100
  // NPMI(neural network) = ln(0.1 / (0.1 · 0.1)) / -ln 0.1 = 1            → kept
  // NPMI(model data)     = ln(0.1 / (0.4 · 0.4)) / -ln 0.1 = -0.204       → dropped (chance pair)
  const [DATA, MODEL, NETWORK, NEURAL] = [0, 1, 2, 3];
  const docs: number[][] = [];
  for (let d = 0; d < 10; d++) docs.push([NEURAL, NETWORK, -1, MODEL, -1, DATA, -1, MODEL, -1, DATA]);
  for (let d = 0; d < 10; d++) docs.push([MODEL, DATA, -1, MODEL, -1, DATA, -1, MODEL, -1, DATA]);
  const corpus = corpusOf(['data', 'model', 'network', 'neural'], docs, ['data', 'models', 'networks', 'neural']);
  const opts: TfidfOptions = { minDf: 1, maxDf: 1.0, sublinearTf: true, bigrams: true, bigramMinDf: 3, bigramMinScore: 0.25 };

  it('keeps a collocation and drops a chance pair of frequent words', () => {
    const m = fitTfidf(corpus, opts);
    expect(m.vocabulary).toEqual(['data', 'model', 'network', 'neural', 'neural network']);
    expect(m.display[4]).toBe('neural networks'); // left word as its key, right word as displayed
    expect(m.df[4]).toBe(10);
    // doc 0 counts: neural 1, network 1, model 2, data 2, 'neural network' 1
    expect(Array.from(csrToDense(m.counts).data.subarray(0, 5))).toEqual([2, 2, 1, 1, 1]);
    expect(m.counts.indptr[20] - m.counts.indptr[19]).toBe(2); // doc 19: no bigram column
  });
  it('never pairs across a boundary', () => {
    const split = corpusOf(corpus.terms, docs.map((d) => (d[0] === NEURAL ? [NEURAL, -1, ...d.slice(1)] : d)));
    expect(fitTfidf(split, opts).vocabulary).not.toContain('neural network');
  });
  it('applies bigramMinDf', () => {
    expect(fitTfidf(corpus, { ...opts, bigramMinDf: 11 }).vocabulary).not.toContain('neural network');
    expect(fitTfidf(corpus, { ...opts, bigramMinScore: -1 }).vocabulary).toContain('model data');
  });
  it('transforms new documents with the fitted idf', () => {
    const m = fitTfidf(corpus, opts);
    // the new corpus has its own term ids, in another order
    const fresh = corpusOf(['neural', 'network', 'unknown'], [[0, 1, 2], [2]]);
    const t = transformTfidf(m, fresh);
    expect(t.counts.cols).toBe(5);
    expect(Array.from(t.counts.indices.subarray(0, 3))).toEqual([2, 3, 4]);
    expect(t.counts.indptr[2] - t.counts.indptr[1]).toBe(0);
    let ss = 0;
    for (let p = 0; p < 3; p++) ss += t.matrix.data[p] ** 2;
    expect(ss).toBeCloseTo(1, 6);
  });
});

describe('fitTfidf on tokenized text', () => {
  it('finds phrases in a small generated corpus and is independent of document order', () => {
    const topics = [
      'Neural networks learn representations. Deep neural networks generalise.',
      'Reinforcement learning agents explore environments. Policy gradients help reinforcement learning.',
      'Language models generate text. Large language models answer questions.',
    ];
    const docs = Array.from({ length: 30 }, (_, i) => ({ title: `Report ${i % 7}`, text: topics[i % 3] }));
    const opts: TfidfOptions = { minDf: 2, maxDf: 0.5, sublinearTf: true, bigrams: true, bigramMinDf: 3 };
    const m = fitTfidf(tokenizeCorpus(docs), opts);
    expect(m.vocabulary).toContain('neural network');
    expect(m.vocabulary).toContain('reinforcement learning');
    expect(m.vocabulary).toContain('language model');
    const reversed = fitTfidf(tokenizeCorpus(docs.slice().reverse()), opts);
    expect(reversed.vocabulary).toEqual(m.vocabulary);
    expect(reversed.display).toEqual(m.display);
  });
});

describe('transformTfidf on the fit corpus (fold-in nights rely on it)', () => {
  // 600 State of the Union passages: unigrams, collocation bigrams and pruned terms.
  const corpus = tokenizeCorpus(loadSotuPapers().slice(0, 600));
  for (const sublinearTf of [true, false]) {
    it(`reproduces fitTfidf's matrix and counts exactly (sublinearTf ${sublinearTf})`, () => {
      const m = fitTfidf(corpus, { minDf: 3, maxDf: 0.5, sublinearTf, bigrams: true });
      expect(m.vocabulary.some((v) => v.includes(' '))).toBe(true); // bigram columns are exercised
      const t = transformTfidf(m, corpus, sublinearTf);
      for (const [got, want] of [[t.matrix, m.matrix], [t.counts, m.counts]] as const) {
        expect([got.rows, got.cols]).toEqual([want.rows, want.cols]);
        expect(Array.from(got.indptr)).toEqual(Array.from(want.indptr));
        expect(Array.from(got.indices)).toEqual(Array.from(want.indices));
        expect(Array.from(got.data)).toEqual(Array.from(want.data)); // bit for bit, not close
      }
    });
  }
  it('gives a document the same row whatever corpus it comes in (new papers of a fold-in night)', () => {
    const m = fitTfidf(corpus, { minDf: 3, maxDf: 0.5, sublinearTf: true, bigrams: true });
    const alone = transformTfidf(m, tokenizeCorpus(loadSotuPapers().slice(17, 18)));
    const all = transformTfidf(m, corpus);
    const [a, b] = [all.matrix.indptr[17]!, all.matrix.indptr[18]!];
    expect(Array.from(alone.matrix.indices)).toEqual(Array.from(all.matrix.indices.subarray(a, b)));
    expect(Array.from(alone.matrix.data)).toEqual(Array.from(all.matrix.data.subarray(a, b)));
  });
});

const NEWS = new URL('../../shared/data/20newsgroups-bydate.jsonl.gz', import.meta.url).pathname;
describe.skipIf(!existsSync(NEWS))('fitTfidf on 20 Newsgroups (shared data)', () => {
  it('builds a sane vocabulary from the first 2000 posts', async () => {
    const { createReadStream } = await import('node:fs');
    const { createGunzip } = await import('node:zlib');
    const { createInterface } = await import('node:readline');
    const docs: { title: string; text: string }[] = [];
    const rl = createInterface({ input: createReadStream(NEWS).pipe(createGunzip()), crlfDelay: Infinity });
    for await (const line of rl) {
      if (!line) continue;
      const d = JSON.parse(line);
      docs.push({ title: d.title ?? '', text: d.text ?? '' });
      if (docs.length >= 2000) break;
    }
    rl.close();
    const m = fitTfidf(tokenizeCorpus(docs), DEFAULT_TFIDF_OPTIONS);
    expect(m.vocabulary.length).toBeGreaterThan(2000);
    for (const boiler of ['writes', 'article', 'edu', 'com', 'subject']) expect(m.vocabulary).not.toContain(boiler);
    // rows are unit length
    for (let i = 0; i < 50; i++) {
      let ss = 0;
      for (let p = m.matrix.indptr[i]; p < m.matrix.indptr[i + 1]; p++) ss += m.matrix.data[p] ** 2;
      if (m.matrix.indptr[i + 1] > m.matrix.indptr[i]) expect(ss).toBeCloseTo(1, 5);
    }
  });
});

describe('fitTfidf: phrase display forms (tok-4 corpora)', () => {
  const text = (n: number, s: string) => Array.from({ length: n }, () => ({ title: '', text: s }));
  it('shows a bigram as it is most often written', () => {
    const c = tokenizeCorpus([...text(3, 'The United States grew.'), ...text(3, 'The United States voted.'), ...text(3, 'Each state votes.'), ...text(3, 'A state of mind.')]);
    const m = fitTfidf(c, { minDf: 1, maxDf: 1, sublinearTf: true, bigrams: true, bigramMinDf: 2 });
    const col = m.vocabulary.indexOf('united state');
    expect(col).toBeGreaterThanOrEqual(0);
    expect(m.display[col]).toBe('united states'); // the key is singular, the text is not
  });
  it('extends a bigram by a near-certain next word, not by a frequent one', () => {
    const c = tokenizeCorpus([
      ...text(4, 'Large language models reason.'),
      ...text(4, 'Large language models; agents.'),
      ...text(2, 'Large language corpora exist.'), // 'models' follows 'large language' in 8 of 10
      ...text(5, 'Neural networks learn. Neural networks generalize.'),
      ...text(5, 'Neural networks pretrained deeply.'),
    ]);
    const m = fitTfidf(c, { minDf: 1, maxDf: 1, sublinearTf: true, bigrams: true, bigramMinDf: 2 });
    expect(m.display[m.vocabulary.indexOf('large language')]).toBe('large language models');
    expect(m.display[m.vocabulary.indexOf('neural network')]).toBe('neural networks');
    const nlp = tokenizeCorpus([...text(6, 'Natural language processing helps.'), ...text(3, 'Natural language processing; parsing.')]);
    const fitted = fitTfidf(nlp, { minDf: 1, maxDf: 1, sublinearTf: true, bigrams: true, bigramMinDf: 2 });
    expect(fitted.display[fitted.vocabulary.indexOf('language processing')]).toBe('natural language processing'); // a word before
    const strict = fitTfidf(c, { minDf: 1, maxDf: 1, sublinearTf: true, bigrams: true, bigramMinDf: 2, phraseExtension: 0.9 });
    expect(strict.display[strict.vocabulary.indexOf('large language')]).toBe('large language');
    expect(() => fitTfidf(c, { ...DEFAULT_TFIDF_OPTIONS, phraseExtension: 0.5 })).toThrow(/phraseExtension/);
  });
  it('drops boilerplate phrases', () => {
    const c = tokenizeCorpus([...text(5, 'See the project page. Graph kernels.'), ...text(5, 'Graph kernels; project page.')]);
    const m = fitTfidf(c, { minDf: 1, maxDf: 1, sublinearTf: true, bigrams: true, bigramMinDf: 2 });
    expect(m.vocabulary).toContain('graph kernel');
    expect(m.vocabulary).not.toContain('project page');
    expect(fitTfidf(c, { minDf: 1, maxDf: 1, sublinearTf: true, bigrams: true, bigramMinDf: 2, stopPhrases: new Set() }).vocabulary).toContain('project page');
    // A phrase is matched whole: not by its left word alone, nor with a third word.
    const own = fitTfidf(c, { minDf: 1, maxDf: 1, sublinearTf: true, bigrams: true, bigramMinDf: 2, stopPhrases: new Set(['graph kernel', 'project', 'project page see', 'no such']) });
    expect(own.vocabulary).not.toContain('graph kernel');
    expect(own.vocabulary).toContain('project page');
    expect(own.display[own.vocabulary.indexOf('project page')]).toBe('project page');
  });
});

// The counting kernels (analysis/tfidf-build.ts) against a straightforward reference: per-document
// Maps, string keys, a full sort. A generated corpus with boundaries, repeats, long rows (> 48
// columns: the bitset path of ColumnSet; short rows take the insertion sort) and thousands of distinct pairs.
describe('tfidf-build: typed-array kernels equal a plain reference', () => {
  function referenceCounts(corpus: TokenizedCorpus, vocabulary: string[]): { indptr: number[]; indices: number[]; data: number[] } {
    const col = new Map(vocabulary.map((v, i) => [v, i]));
    const out = { indptr: [0], indices: [] as number[], data: [] as number[] };
    for (let d = 0; d + 1 < corpus.docOffsets.length; d++) {
      const row = new Map<number, number>();
      const add = (key: string) => {
        const c = col.get(key);
        if (c !== undefined) row.set(c, (row.get(c) ?? 0) + 1);
      };
      for (let k = corpus.docOffsets[d]!; k < corpus.docOffsets[d + 1]!; k++) {
        const a = corpus.tokenIds[k]!;
        if (a < 0) continue;
        add(corpus.terms[a]!);
        const b = k + 1 < corpus.docOffsets[d + 1]! ? corpus.tokenIds[k + 1]! : -1;
        if (b >= 0) add(`${corpus.terms[a]} ${corpus.terms[b]}`);
      }
      for (const [c, n] of [...row].sort((x, y) => x[0] - y[0])) {
        out.indices.push(c);
        out.data.push(n);
      }
      out.indptr.push(out.indices.length);
    }
    return out;
  }

  // What the pool's threads compute (analysis/parallel/tfidf-kernels.ts), here on one thread:
  // stats of document ranges merged, candidates of left-term ranges (with many bucket passes each)
  // joined, row blocks and their occurrence logs concatenated: each equals the one-range result.
  for (const cuts of [[150], [1, 37, 299], [0, 0, 300]]) {
    it(`document and left-term ranges join to the whole (cuts ${cuts.join(', ')})`, () => {
      const corpus = generated(4);
      const { tokenIds, docOffsets } = corpus;
      const n = docOffsets.length - 1;
      const V = corpus.terms.length;
      const docBounds = [0, ...cuts.map((c) => Math.min(c, n)), n];
      const ranges = docBounds.slice(1).map((end, i) => [docBounds[i]!, end] as const);
      const uni = unigramStats(corpus);
      const merged = mergeUnigramStats(ranges.map(([a, b]) => unigramStatsOfDocs(tokenIds, docOffsets, V, a, b)));
      expect([Array.from(merged.df), Array.from(merged.cf), merged.tokens]).toEqual([Array.from(uni.df), Array.from(uni.cf), uni.tokens]);
      const eligible = bigramEligible(uni, 3);
      const perLeft = pairsPerLeft(tokenIds, docOffsets, eligible, 0, n);
      const perLeftParts = ranges.map(([a, b]) => pairsPerLeft(tokenIds, docOffsets, eligible, a, b));
      expect(Array.from(perLeft)).toEqual(Array.from(perLeft, (_, t) => perLeftParts.reduce((s, p) => s + p[t]!, 0)));
      const termBounds = [0, ...cuts.map((c) => Math.floor((c * V) / n)), V];
      const whole = bigramCandidates(corpus, uni, 3);
      const joined = scoreCandidates(
        termBounds.slice(1).map((hi, i) => bigramsOfLeftTerms(tokenIds, docOffsets, eligible, perLeft, termBounds[i]!, hi, 50)),
        uni,
      );
      for (const key of ['first', 'second', 'df', 'count', 'score'] as const) expect(Array.from(joined[key])).toEqual(Array.from(whole[key]));
      const columns: { a: number; b: number }[] = [];
      for (let t = 0; t < V; t += 2) columns.push({ a: t, b: -1 });
      for (let i = 0; i < whole.size; i += 3) columns.push({ a: whole.first[i]!, b: whole.second[i]! });
      const index = columnIndex(V, columns);
      const log = new BigramLog();
      const m = countMatrix(corpus, columns.length, index, log);
      const logs = ranges.map(() => new BigramLog());
      const j = joinRowBlocks(
        ranges.map(([a, b], r) => countRows(tokenIds, docOffsets, columns.length, index, a, b, logs[r], 64)), // chunks shorter than some rows
        columns.length,
      );
      for (const key of ['indptr', 'indices', 'data'] as const) expect(Array.from(j[key])).toEqual(Array.from(m[key]));
      expect(log.size).toBeGreaterThan(100);
      const l = BigramLog.concat(logs);
      for (const key of ['at', 'column', 'doc'] as const) expect(Array.from(l[key].subarray(0, l.size))).toEqual(Array.from(log[key].subarray(0, log.size)));
    });
  }

  // The bucket ranges: contiguous, each within the capacity (or a single larger bucket), and no
  // more of them than maxPasses, however the pairs fall; with no cap, pairsPerPass decides alone.
  it('bucket passes cover the left terms in at most maxPasses ranges', () => {
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let trial = 0; trial < 200; trial++) {
      const V = 1 + Math.floor(rand() * 300);
      const perLeft = Int32Array.from({ length: V }, () => (rand() < 0.3 ? 0 : Math.floor(rand() ** 3 * 500)));
      const lo = Math.floor(rand() * V);
      const hi = lo + Math.floor(rand() * (V - lo + 1));
      const pairsPerPass = 1 + Math.floor(rand() * 400);
      let total = 0;
      for (let a = lo; a < hi; a++) total += perLeft[a]!;
      for (const maxPasses of [1, 2, 3, 5, Infinity]) {
        const { passes, capacity, total: counted } = bucketPasses(perLeft, lo, hi, pairsPerPass, maxPasses);
        expect(counted).toBe(total);
        expect(passes[0]).toBe(lo);
        expect(passes[passes.length - 1]).toBe(hi);
        if (Number.isFinite(maxPasses)) expect(passes.length - 1).toBeLessThanOrEqual(maxPasses);
        expect(capacity).toBeLessThanOrEqual(Math.max(1, total));
        for (let i = 0; i + 1 < passes.length; i++) {
          expect(passes[i + 1]!).toBeGreaterThan(passes[i]!);
          let inPass = 0;
          for (let a = passes[i]!; a < passes[i + 1]!; a++) inPass += perLeft[a]!;
          if (passes[i + 1]! - passes[i]! > 1) expect(inPass).toBeLessThanOrEqual(capacity);
        }
        if (maxPasses === Infinity) {
          // The greedy ranges of the old fixed capacity: as many as pairsPerPass alone makes.
          expect(capacity).toBe(Math.max(1, Math.min(total, Math.max(pairsPerPass, ...Array.from(perLeft.subarray(lo, hi)), 0))));
        }
      }
    }
  });

  // The row blocks' shared arrays come out of large slabs: each its own range (none overlaps
  // another), in shared memory, and a request larger than a slab gets a buffer of its own.
  it('slab arrays are disjoint views of shared slabs', () => {
    const slabs = new SharedSlabArrays();
    const sizes = [1, 1 << 18, 7, 1 << 20, 3, (ROW_SLAB_BYTES >> 2) + 5, 1 << 18, 2];
    const arrays = sizes.map((n, i) => (i % 2 === 0 ? slabs.int32(n) : slabs.float32(n)));
    arrays.forEach((a, i) => {
      expect(a.length).toBe(sizes[i]);
      expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
      a.fill(i + 1);
    });
    arrays.forEach((a, i) => expect(a.every((x) => x === i + 1)).toBe(true));
    const buffers = new Set(arrays.map((a) => a.buffer));
    expect(buffers.size).toBeLessThan(arrays.length); // slabs are shared by several arrays
    expect(arrays[5]!.buffer.byteLength).toBe(arrays[5]!.byteLength); // the large one on its own
  });

  // Candidates by brute force: every adjacent pair of eligible terms, its count and documents.
  // pairsPerPass 50 with no cap on the passes forces many left-term ranges (and buckets larger
  // than a range); with the default cap the same pairsPerPass makes two.
  for (const [pairsPerPass, maxPasses] of [
    [1 << 22, undefined],
    [50, Infinity],
    [1, Infinity],
    [50, undefined],
    [50, 3],
  ] as const) {
    it(`bigram candidates equal a brute-force count (pairsPerPass ${pairsPerPass}, maxPasses ${maxPasses ?? 'default'})`, () => {
      const corpus = generated(3);
      const uni = unigramStats(corpus);
      const minDf = 3;
      const ref = new Map<string, { count: number; docs: Set<number> }>();
      for (let d = 0; d + 1 < corpus.docOffsets.length; d++) {
        for (let k = corpus.docOffsets[d]!; k + 1 < corpus.docOffsets[d + 1]!; k++) {
          const a = corpus.tokenIds[k]!;
          const b = corpus.tokenIds[k + 1]!;
          if (a < 0 || b < 0 || uni.df[a]! < minDf || uni.df[b]! < minDf) continue;
          const e = ref.get(`${a},${b}`) ?? { count: 0, docs: new Set<number>() };
          e.count++;
          e.docs.add(d);
          ref.set(`${a},${b}`, e);
        }
      }
      const c = bigramCandidates(corpus, uni, minDf, pairsPerPass, maxPasses);
      expect(c.size).toBe(ref.size);
      expect(c.size).toBeGreaterThan(1000);
      const seen = new Set<string>();
      for (let i = 0; i < c.size; i++) {
        const key = `${c.first[i]},${c.second[i]}`;
        const e = ref.get(key)!;
        expect(e).toBeDefined();
        expect(seen.has(key)).toBe(false);
        seen.add(key);
        expect([c.count[i], c.df[i]]).toEqual([e.count, e.docs.size]);
        const p = (x: number) => x / uni.tokens;
        expect(c.score[i]).toBe(Math.log(p(e.count) / (p(uni.cf[c.first[i]!]!) * p(uni.cf[c.second[i]!]!))) / -Math.log(p(e.count)));
      }
    });
  }

  // Display forms against their definition, counted with Maps over every occurrence: the pair's
  // most frequent written form (ties: first variant), then a next word, a second next word and a
  // previous word each when it holds `share` of the occurrences. Variants are drawn so that
  // frequent pairs have dominant, contested and absent continuations.
  function referenceDisplay(corpus: TokenizedCorpus, a: number, b: number, share: number): string {
    const tv = corpus.tokenVariants!;
    const form = (t: number, v: number) => corpus.variants![t]![v] ?? corpus.display[t]!;
    const best = (m: Map<number, number>) => [...m].sort((x, y) => y[1] - x[1] || x[0] - y[0])[0];
    const bump = (m: Map<number, number>, key: number) => m.set(key, (m.get(key) ?? 0) + 1);
    const occ: { k: number; start: number; end: number }[] = [];
    for (let d = 0; d + 1 < corpus.docOffsets.length; d++) {
      const start = corpus.docOffsets[d]!;
      const end = corpus.docOffsets[d + 1]!;
      for (let k = start; k + 1 < end; k++) if (corpus.tokenIds[k] === a && corpus.tokenIds[k + 1] === b) occ.push({ k, start, end });
    }
    const forms = new Map<number, number>();
    for (const o of occ) bump(forms, tv[o.k]! * 256 + tv[o.k + 1]!);
    const [pair] = best(forms)!;
    let text = `${form(a, pair >> 8)} ${form(b, pair & 255)}`;
    const word = (o: { k: number; start: number; end: number }, at: number) => (at >= o.start && at < o.end ? corpus.tokenIds[at]! : -1);
    const majority = (list: typeof occ, at: number) => {
      const words = new Map<number, number>();
      for (const o of list) if (word(o, o.k + at) >= 0) bump(words, word(o, o.k + at));
      const top = best(words);
      if (!top || top[1] < share * occ.length) return undefined;
      const variants = new Map<number, number>();
      const holding = list.filter((o) => word(o, o.k + at) === top[0]);
      for (const o of holding) bump(variants, tv[o.k + at]!);
      return { text: form(top[0], best(variants)![0]), holding };
    };
    const next = majority(occ, 2);
    if (next) {
      text += ' ' + next.text;
      const second = majority(next.holding, 3);
      if (second) text += ' ' + second.text;
    }
    const before = majority(occ, -1);
    if (before) text = before.text + ' ' + text;
    return text;
  }

  for (const seed of [2, 5]) {
    it(`phrase display forms equal their definition (seed ${seed})`, () => {
      const corpus = phraseCorpus(seed);
      const m = fitTfidf(corpus, { minDf: 2, maxDf: 0.9, sublinearTf: true, bigrams: true, bigramMinDf: 2, bigramMinScore: -1 });
      const termId = new Map(corpus.terms.map((t, i) => [t, i]));
      let extended = 0;
      m.vocabulary.forEach((key, col) => {
        if (!key.includes(' ')) return;
        const [a, b] = key.split(' ').map((t) => termId.get(t)!);
        const want = referenceDisplay(corpus, a!, b!, 0.7);
        expect(m.display[col]).toBe(want);
        if (want.split(' ').length > 2) extended++;
      });
      expect(extended).toBeGreaterThan(10);
      // max_features drops columns after the display forms are chosen: the kept ones read the same.
      const cut = fitTfidf(corpus, { minDf: 2, maxDf: 0.9, sublinearTf: true, bigrams: true, bigramMinDf: 2, bigramMinScore: -1, maxFeatures: 150 });
      expect(cut.vocabulary.filter((v) => v.includes(' ')).length).toBeGreaterThan(5);
      cut.vocabulary.forEach((key, col) => expect(cut.display[col]).toBe(m.display[m.vocabulary.indexOf(key)]));
    });
  }

  for (const seed of [1, 7]) {
    it(`counts, weights and bigram statistics (seed ${seed})`, () => {
      const corpus = generated(seed);
      const opts: TfidfOptions = { minDf: 2, maxDf: 0.9, sublinearTf: true, bigrams: true, bigramMinDf: 2, bigramMinScore: -1 };
      const m = fitTfidf(corpus, opts);
      const bigrams = m.vocabulary.filter((v) => v.includes(' '));
      expect(bigrams.length).toBeGreaterThan(100);
      // Bigram df by brute force: documents containing the adjacent pair.
      for (const key of bigrams.slice(0, 50)) {
        const [a, b] = key.split(' ').map((t) => corpus.terms.indexOf(t));
        let df = 0;
        for (let d = 0; d + 1 < corpus.docOffsets.length; d++) {
          let has = false;
          for (let k = corpus.docOffsets[d]!; k + 1 < corpus.docOffsets[d + 1]!; k++) has ||= corpus.tokenIds[k] === a && corpus.tokenIds[k + 1] === b;
          if (has) df++;
        }
        expect(m.df[m.vocabulary.indexOf(key)]).toBe(df);
      }
      const ref = referenceCounts(corpus, m.vocabulary);
      expect(Array.from(m.counts.indptr)).toEqual(ref.indptr);
      expect(Array.from(m.counts.indices)).toEqual(ref.indices);
      expect(Array.from(m.counts.data)).toEqual(ref.data);
      expect(Math.max(...Array.from({ length: m.counts.rows }, (_, i) => m.counts.indptr[i + 1]! - m.counts.indptr[i]!))).toBeGreaterThan(48);
      // Weights: (1 + ln tf) · idf, l2 rows, computed one value at a time, stored as float32.
      for (let i = 0; i < m.matrix.rows; i++) {
        const start = ref.indptr[i]!;
        const end = ref.indptr[i + 1]!;
        const w = ref.data.slice(start, end).map((tf, j) => (1 + Math.log(tf)) * m.idf[ref.indices[start + j]!]!);
        const norm = Math.sqrt(w.reduce((s, v) => s + v * v, 0));
        w.forEach((v, j) => expect(m.matrix.data[start + j]).toBe(Math.fround(v * (norm > 0 ? 1 / norm : 0))));
      }
      // transformTfidf on the fit corpus reproduces the fit matrix.
      const again = transformTfidf(m, corpus);
      expect(Array.from(again.matrix.data)).toEqual(Array.from(m.matrix.data));
    });
  }
});

// The counting passes split over a pool (analysis/parallel/tfidf-kernels.ts): documents halved for
// document frequencies, pair counts and count-matrix rows, left terms split for bigram candidates.
// The fit must equal the one-thread fit exactly: columns, display forms (from the joined
// occurrence logs), df, idf, counts and weights. 2 and 3 threads (uneven splits); a small
// pairsPerPass is not reachable from here, so the left-term ranges each take one bucket pass.
describe('fitTfidf over a worker pool equals the one-thread fit', () => {
  const pools: WorkerPool[] = [];
  beforeAll(async () => {
    pools.push(await WorkerPool.start({ threads: 2 }), await WorkerPool.start({ threads: 3 }));
  }, 120_000);
  afterAll(async () => {
    for (const p of pools) await p.close();
  });

  const plain = tokenizeCorpus(loadSotuPapers().slice(0, 1500));
  const shared: TokenizedCorpus = { ...plain, tokenIds: toSharedInt32(plain.tokenIds), docOffsets: toSharedInt32(plain.docOffsets) };
  // Byte equality (toEqual on 10⁵-element typed arrays takes seconds); the first difference on failure.
  const sameBytes = (what: string, g: ArrayBufferView, w: ArrayBufferView) => {
    const a = Buffer.from(g.buffer, g.byteOffset, g.byteLength);
    const b = Buffer.from(w.buffer, w.byteOffset, w.byteLength);
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    expect(`${what}: ${i === a.length && a.length === b.length ? 'same' : `differs at byte ${i} of ${a.length} / ${b.length}`}`).toBe(`${what}: same`);
  };
  const expectSame = (got: TfidfModel, want: TfidfModel) => {
    expect(got.vocabulary).toEqual(want.vocabulary);
    expect(got.display).toEqual(want.display);
    sameBytes('df', got.df, want.df);
    sameBytes('idf', got.idf, want.idf);
    for (const [name, g, w] of [['counts', got.counts, want.counts], ['matrix', got.matrix, want.matrix]] as const) {
      expect([g.rows, g.cols]).toEqual([w.rows, w.cols]);
      sameBytes(`${name}.indptr`, g.indptr, w.indptr);
      sameBytes(`${name}.indices`, g.indices, w.indices);
      sameBytes(`${name}.data`, g.data, w.data);
    }
  };

  // Bucket passes over ranges of left terms (pairsPerPass 200 with no cap on the passes: dozens of
  // passes, some buckets larger than a pass; with the default cap: two).
  for (const [threads, maxPasses] of [
    [2, Infinity],
    [3, Infinity],
    [2, undefined],
  ] as const) {
    it(`bigram candidates in bucket passes (maxPasses ${maxPasses ?? 'default'}), ${threads} threads`, () => {
      const pool = pools[threads - 2]!;
      const uni = unigramStats(plain);
      const want = bigramCandidates(plain, uni, 2);
      const { tokenIds, docOffsets } = shared;
      const got = parallelTfidfCounting({ tokenIds, docOffsets }, plain.terms.length, pool, { pairsPerPass: 200, maxPasses }).bigramCandidates(uni, 2);
      expect(got.size).toBeGreaterThan(5000);
      for (const key of ['first', 'second', 'df', 'count', 'score'] as const) sameBytes(key, got[key], want[key]);
    });
  }

  // The join's ranges of blocks: contiguous, and even by bytes copied once the calling thread's
  // logs are counted (each part within one block of its share).
  it('join bounds split the copying evenly, the logs counted to part 0', () => {
    let seed = 11;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let trial = 0; trial < 100; trial++) {
      const blocks = Math.floor(rand() * 60);
      const entryAt = new Int32Array(blocks + 1);
      let biggest = 0;
      for (let k = 0; k < blocks; k++) {
        const size = Math.floor(rand() * 1000);
        biggest = Math.max(biggest, size);
        entryAt[k + 1] = entryAt[k]! + size;
      }
      const logEntries = rand() < 0.3 ? 0 : Math.floor(rand() * entryAt[blocks]!);
      for (const parts of [1, 2, 3]) {
        const bounds = joinBounds(entryAt, blocks, logEntries, parts);
        expect([bounds[0], bounds[parts]]).toEqual([0, blocks]);
        const logCost = 1.5 * logEntries;
        const share = (entryAt[blocks]! + logCost) / parts;
        // When the logs alone are more than part 0's share, it copies no block and the others share them.
        const logsAlone = parts > 1 && logCost > share;
        for (let p = 0; p < parts; p++) {
          expect(bounds[p + 1]!).toBeGreaterThanOrEqual(bounds[p]!);
          const cost = entryAt[bounds[p + 1]!]! - entryAt[bounds[p]!]! + (p === 0 ? logCost : 0);
          if (!logsAlone) expect(Math.abs(cost - share)).toBeLessThanOrEqual(biggest + 1e-9);
          else if (p === 0) expect(bounds[1]).toBe(0);
          else expect(Math.abs(cost - entryAt[blocks]! / (parts - 1))).toBeLessThanOrEqual(biggest + 1e-9);
        }
      }
    }
  });

  // Count-matrix rows claimed in blocks of ~500 tokens (dozens of blocks, in whatever thread claims them).
  for (const threads of [2, 3]) {
    it(`count-matrix rows in many claimed blocks, ${threads} threads`, () => {
      const pool = pools[threads - 2]!;
      const serial = fitTfidf(plain, { minDf: 2, maxDf: 0.5, sublinearTf: true, bigrams: true });
      const termId = new Map(plain.terms.map((t, i) => [t, i]));
      const columns = serial.vocabulary.map((key) => {
        const [a, b] = key.split(' ');
        return { a: termId.get(a!)!, b: b === undefined ? -1 : termId.get(b)! };
      });
      const index = columnIndex(plain.terms.length, columns);
      const wantLog = new BigramLog();
      const want = countMatrix(plain, columns.length, index, wantLog);
      const { tokenIds, docOffsets } = shared;
      const gotLog = new BigramLog();
      const got = parallelTfidfCounting({ tokenIds, docOffsets }, plain.terms.length, pool, { rowBlockTokens: 500 }).countMatrix(columns.length, index, gotLog);
      expect(tokenIds.length / 500).toBeGreaterThan(20);
      for (const key of ['indptr', 'indices', 'data'] as const) sameBytes(key, got[key], want[key]);
      expect(gotLog.size).toBe(wantLog.size);
      for (const key of ['at', 'column', 'doc'] as const) sameBytes(key, gotLog[key].subarray(0, gotLog.size), wantLog[key].subarray(0, wantLog.size));
    });
  }

  it('phrase displays voted by ranges of columns over the threads equal the one-thread displays', () => {
    const opts: TfidfOptions = { minDf: 2, maxDf: 0.9, sublinearTf: true, bigrams: true, bigramMinDf: 2, bigramMinScore: -1 };
    for (const seed of [2, 5]) {
      const corpus = phraseCorpus(seed);
      const serial = fitTfidf(corpus, opts);
      // every part of a display is exercised: the pair's form, a next word, a second one, a previous one
      expect(serial.display.filter((d) => d.split(' ').length >= 4).length).toBeGreaterThan(5);
      const inShared = { ...corpus, tokenIds: toSharedInt32(corpus.tokenIds), docOffsets: toSharedInt32(corpus.docOffsets) };
      for (const pool of pools) {
        const run = vi.spyOn(pool, 'run');
        try {
          const pooled = fitTfidf(inShared, opts, { pool, minTokens: 0, minOccurrences: 0 });
          expect(run.mock.calls.map((c) => c[0])).toContain('tfidfPhraseVotes');
          expect(pooled.vocabulary).toEqual(serial.vocabulary);
          expect(pooled.display).toEqual(serial.display);
        } finally {
          run.mockRestore();
        }
      }
    }
  });

  for (const threads of [2, 3]) {
    for (const opts of [
      { minDf: 2, maxDf: 0.5, sublinearTf: true, bigrams: true },
      { minDf: 3, maxDf: 0.9, sublinearTf: false, bigrams: true, bigramMinScore: -1, maxFeatures: 800 },
      { minDf: 2, maxDf: 0.5, sublinearTf: true, bigrams: false },
    ] satisfies TfidfOptions[]) {
      it(`${threads} threads, ${JSON.stringify(opts)}`, () => {
        const pool = pools[threads - 2]!;
        expect(pool.threads).toBe(threads);
        const serial = fitTfidf(plain, opts);
        expect(serial.vocabulary.some((v) => v.includes(' '))).toBe(opts.bigrams);
        if (opts.bigrams) expect(serial.display.some((d) => d.split(' ').length > 2)).toBe(true); // extended phrases are exercised
        const run = vi.spyOn(pool, 'run');
        const runEach = vi.spyOn(pool, 'runEach');
        // The kernels run, in call order, whichever method ran them.
        const kernelsRun = () =>
          [...run.mock.calls.map((c, i) => [run.mock.invocationCallOrder[i]!, c[0]] as const), ...runEach.mock.calls.map((c, i) => [runEach.mock.invocationCallOrder[i]!, c[0]] as const)]
            .sort((x, y) => x[0] - y[0])
            .map(([, name]) => name);
        try {
          expectSame(fitTfidf(shared, opts, { pool, minTokens: 0 }), serial);
          // The count-matrix blocks joined by the threads (then the workers collect their views of them).
          const counted = ['tfidfCountRows', 'tfidfJoinRows', 'collectGarbage'];
          expect(kernelsRun()).toEqual(opts.bigrams ? ['tfidfUnigram', 'tfidfPairsPerLeft', 'tfidfScatterPairs', 'tfidfCountBuckets', ...counted] : ['tfidfUnigram', ...counted]);
          // The phrase displays' votes split over the threads by ranges of columns: the same displays.
          run.mockClear();
          runEach.mockClear();
          expectSame(fitTfidf(shared, opts, { pool, minTokens: 0, minOccurrences: 0 }), serial);
          // then the workers collect, so their views of the shared log do not keep it alive
          if (opts.bigrams) expect(run.mock.calls.map((c) => c[0]).slice(-2)).toEqual(['tfidfPhraseVotes', 'collectGarbage']);
          else expect(run.mock.calls.map((c) => c[0])).not.toContain('tfidfPhraseVotes');
          // The weights split over the threads by rows (then the workers collect): the same bytes.
          run.mockClear();
          runEach.mockClear();
          expectSame(fitTfidf(shared, opts, { pool, minTokens: 0, minEntries: 0 }), serial);
          expect(run.mock.calls.map((c) => c[0]).slice(-2)).toEqual(['tfidfWeigh', 'collectGarbage']);
          // Not in shared memory, or too few tokens: counted on this thread (same result).
          run.mockClear();
          runEach.mockClear();
          expectSame(fitTfidf(plain, opts, { pool, minTokens: 0 }), serial);
          expectSame(fitTfidf(shared, opts, { pool }), serial);
          expect(run).not.toHaveBeenCalled();
          expect(runEach).not.toHaveBeenCalled();
        } finally {
          run.mockRestore();
          runEach.mockRestore();
        }
      });
    }
  }
});
