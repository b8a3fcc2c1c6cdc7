// The counting kernels behind fitTfidf / transformTfidf (analysis/tfidf.ts): unigram and bigram
// statistics over the token stream, the raw count matrix in CSR and its TF-IDF weighting.
//
// Why a file of its own: these loops touch every token (10M+ on 75k abstracts) two or three
// times, so they are written for speed on typed arrays, and for the CPU caches: a JS Map keyed
// by a · V + b (an early version) cost ~1 µs a lookup once the keys passed 2^31, and a hash table
// of a million pairs (the next version) missed the caches on nearly every token. So bigram
// candidates are counted by left-term buckets (bigramCandidates), the count matrix looks bigram
// columns up in short per-left-term lists and emits each row's columns in order from a bitset
// (countMatrix, ColumnSet). Only the small keyed counts of phrase display forms (PairCounts over
// PairTable, open addressing on Int32Arrays) still hash. Every change here has kept fitTfidf's
// output bit-identical (test/tfidf.test.ts compares the kernels with plain references).

import { sharedFloat32, sharedInt32 } from './parallel/shared.ts';
import type { PhraseVoter } from './tfidf-phrases.ts';
import type { CsrMatrix, TokenizedCorpus } from './types.ts';

/**
 * A set of (a, b) pairs of non-negative int32s, each numbered in insertion order (0, 1, …):
 * an open-addressing hash table with linear probing on typed arrays. No deletion.
 * A slot holds [a + 1, b, index, 0] side by side, so a probe reads one cache line: with a
 * million pairs the table is far larger than the CPU caches and the misses are the cost.
 */
export class PairTable {
  size = 0;
  private slots: Int32Array; // 4 ints per slot; a + 1 = 0 marks an empty slot
  private mask: number;

  constructor(expected = 16) {
    let cap = 16;
    while (cap * 0.7 < expected) cap *= 2;
    this.slots = new Int32Array(cap * 4);
    this.mask = cap - 1;
  }

  private static hash(a: number, b: number): number {
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    return h ^ (h >>> 13);
  }

  /** Offset of (a, b)'s slot, or of the empty slot where it would go (linear probing). */
  private slotOf(a: number, b: number): number {
    const { slots, mask } = this;
    const a1 = a + 1;
    let s = PairTable.hash(a, b) & mask;
    for (;;) {
      const o = s << 2;
      const x = slots[o]!;
      if (x === 0 || (x === a1 && slots[o + 1] === b)) return o;
      s = (s + 1) & mask;
    }
  }

  /** Index of (a, b), or -1 if absent. */
  get(a: number, b: number): number {
    const o = this.slotOf(a, b);
    return this.slots[o] === 0 ? -1 : this.slots[o + 2]!;
  }

  /** Index of (a, b), adding it (as index `size`) if absent. */
  add(a: number, b: number): number {
    const { slots } = this;
    const o = this.slotOf(a, b);
    if (slots[o] !== 0) return slots[o + 2]!;
    const i = this.size++;
    slots[o] = a + 1;
    slots[o + 1] = b;
    slots[o + 2] = i;
    if (this.size > (this.mask + 1) * 0.7) this.rehash();
    return i;
  }

  /** The pairs in index order: first[i], second[i]. */
  pairs(): { first: Int32Array; second: Int32Array } {
    const first = new Int32Array(this.size);
    const second = new Int32Array(this.size);
    const { slots } = this;
    for (let o = 0; o < slots.length; o += 4) {
      if (slots[o] === 0) continue;
      first[slots[o + 2]!] = slots[o]! - 1;
      second[slots[o + 2]!] = slots[o + 1]!;
    }
    return { first, second };
  }

  private rehash(): void {
    const old = this.slots;
    const cap = (this.mask + 1) * 2;
    const slots = new Int32Array(cap * 4);
    const mask = cap - 1;
    for (let o = 0; o < old.length; o += 4) {
      if (old[o] === 0) continue;
      let s = PairTable.hash(old[o]! - 1, old[o + 1]!) & mask;
      while (slots[s << 2] !== 0) s = (s + 1) & mask;
      slots.set(old.subarray(o, o + 4), s << 2);
    }
    this.slots = slots;
    this.mask = mask;
  }
}

export function docCount(corpus: TokenizedCorpus): number {
  return Math.max(0, corpus.docOffsets.length - 1);
}

export interface UnigramStats {
  df: Int32Array; // documents containing each term id
  cf: Float64Array; // occurrences of each term id
  tokens: number; // word tokens (boundaries excluded)
}

/** Unigram document frequency and corpus count per term id. */
export function unigramStats(corpus: TokenizedCorpus): UnigramStats {
  return unigramStatsOfDocs(corpus.tokenIds, corpus.docOffsets, corpus.terms.length, 0, docCount(corpus));
}

/**
 * unigramStats of documents [d0, d1). Documents do not overlap between ranges, so the stats of
 * consecutive ranges add up to those of their union (mergeUnigramStats): what lets the threads
 * of a pool each count a share of the documents.
 */
export function unigramStatsOfDocs(tokenIds: Int32Array, docOffsets: Int32Array, V: number, d0: number, d1: number): UnigramStats {
  const df = new Int32Array(V);
  const cf = new Float64Array(V);
  const lastDoc = new Int32Array(V).fill(-1);
  let tokens = 0;
  for (let d = d0; d < d1; d++) {
    const end = docOffsets[d + 1]!;
    for (let k = docOffsets[d]!; k < end; k++) {
      const t = tokenIds[k]!;
      if (t < 0) continue;
      tokens++;
      cf[t]!++;
      if (lastDoc[t] !== d) {
        lastDoc[t] = d;
        df[t]!++;
      }
    }
  }
  return { df, cf, tokens };
}

/** The stats of the union of disjoint document ranges (the first part's arrays, added to). */
export function mergeUnigramStats(parts: readonly UnigramStats[]): UnigramStats {
  const { df, cf } = parts[0]!;
  let tokens = parts[0]!.tokens;
  for (let p = 1; p < parts.length; p++) {
    const q = parts[p]!;
    for (let t = 0; t < df.length; t++) {
      df[t]! += q.df[t]!;
      cf[t]! += q.cf[t]!; // integer counts: exact in float64 in any order
    }
    tokens += q.tokens;
  }
  return { df, cf, tokens };
}

export interface BigramCandidates {
  size: number;
  first: Int32Array; // term id of the left word
  second: Int32Array;
  df: Int32Array;
  count: Float64Array;
  score: Float64Array; // NPMI (see tfidf.ts)
}

/**
 * Counts adjacent pairs of terms that each occur in at least `minDf` documents (a pair can never
 * be more frequent than its words) and scores them by NPMI. Candidates come grouped by left term
 * (ascending), each group's right terms in order of first occurrence.
 *
 * Why not a hash table of pairs: with a million distinct pairs the table (and its counters) is
 * far larger than the CPU caches, and every one of the ~10M token pairs missed it once or twice.
 * Instead the pairs are bucketed by left term (a counting sort: one pass counts, one scatters the
 * right term and document of each occurrence), and each left term's bucket is counted with
 * per-right-term scratch arrays that stay in cache. Buckets are filled for a range of left terms
 * at a time (8 bytes an occurrence), and each range costs one more read of the token stream: a
 * range holds `pairsPerPass` occurrences, or more when that would take more than `maxPasses`
 * ranges (bucketPasses), so that the reads grow with the corpus and not with its square.
 */
export function bigramCandidates(corpus: TokenizedCorpus, uni: UnigramStats, minDf: number, pairsPerPass = 1 << 22, maxPasses = MAX_BUCKET_PASSES): BigramCandidates {
  const { tokenIds, docOffsets } = corpus;
  const eligible = bigramEligible(uni, minDf);
  const perLeft = pairsPerLeft(tokenIds, docOffsets, eligible, 0, docCount(corpus));
  return scoreCandidates([bigramsOfLeftTerms(tokenIds, docOffsets, eligible, perLeft, 0, eligible.length, pairsPerPass, maxPasses)], uni);
}

/** 1 for the term ids that occur in at least `minDf` documents (a pair can never be more frequent than its words). */
export function bigramEligible(uni: UnigramStats, minDf: number): Uint8Array {
  const V = uni.df.length;
  const eligible = new Uint8Array(V);
  for (let t = 0; t < V; t++) eligible[t] = uni.df[t]! >= minDf ? 1 : 0;
  return eligible;
}

/** Occurrences of eligible pairs per left term in documents [d0, d1) (ranges add up). */
export function pairsPerLeft(tokenIds: Int32Array, docOffsets: Int32Array, eligible: Uint8Array, d0: number, d1: number): Int32Array {
  const perLeft = new Int32Array(eligible.length);
  for (let d = d0; d < d1; d++) {
    const end = docOffsets[d + 1]!;
    for (let k = docOffsets[d]!; k + 1 < end; k++) {
      const a = tokenIds[k]!;
      const b = tokenIds[k + 1]!;
      if (a < 0 || b < 0 || eligible[a] === 0 || eligible[b] === 0) continue;
      perLeft[a]!++;
    }
  }
  return perLeft;
}

/** Counted candidates, grouped by left term (ascending); `score` when already scored (scoreRaw). */
export interface RawCandidates {
  size: number;
  first: Int32Array;
  second: Int32Array;
  df: Int32Array;
  count: Int32Array;
  score?: Float64Array;
}

/**
 * The candidates whose left term is in [lo, hi), over every document, grouped by left term
 * (ascending), each group's right terms in order of first occurrence. Left-term ranges do not
 * share a candidate, so the candidates of consecutive ranges, concatenated, are those of their
 * union in the same order.
 */
export function bigramsOfLeftTerms(
  tokenIds: Int32Array,
  docOffsets: Int32Array,
  eligible: Uint8Array,
  perLeft: Int32Array,
  lo0: number,
  hi0: number,
  pairsPerPass = 1 << 22,
  maxPasses = MAX_BUCKET_PASSES,
): RawCandidates {
  const V = eligible.length;
  const n = Math.max(0, docOffsets.length - 1);
  const { passes, capacity, total } = bucketPasses(perLeft, lo0, hi0, pairsPerPass, maxPasses);
  const right = new Int32Array(capacity); // right term of each occurrence, bucketed by left term
  const doc = new Int32Array(capacity); // its document
  const counter = new BucketCounter(V, total);
  for (let i = 0; i + 1 < passes.length; i++) {
    const lo = passes[i]!;
    const hi = passes[i + 1]!;
    const start = bucketStarts(perLeft, lo, hi);
    scatterPairs(tokenIds, docOffsets, eligible, lo, hi, 0, n, start.slice(0, hi - lo), right, doc);
    counter.countBuckets(right, doc, start, lo, lo, hi);
  }
  return counter.result();
}

/**
 * Bucket passes a large corpus is held to (see bucketPasses). Every pass reads the whole token
 * stream, so with a fixed capacity the passes grew with the corpus and their reads with its
 * square: at 1M generated papers 11 passes over 144M tokens, 12.8 s on one thread, against 5.7 s
 * in 2 passes (measured, bench/RESULTS.md, session 36). Two passes hold half the pairs at a time:
 * 4 bytes per pair in all, less than the stream's own 4 bytes per token.
 */
export const MAX_BUCKET_PASSES = 2;

/**
 * The left-term ranges bigramsOfLeftTerms fills its buckets for, one at a time (passes[i] to
 * passes[i + 1]): each holds at most `capacity` occurrences: pairsPerPass, or more when that
 * would take more than `maxPasses` passes, or one larger bucket.
 */
export function bucketPasses(
  perLeft: Int32Array,
  lo0: number,
  hi0: number,
  pairsPerPass: number,
  maxPasses = MAX_BUCKET_PASSES,
): { passes: number[]; capacity: number; total: number } {
  let total = 0;
  let maxBucket = 0;
  for (let a = lo0; a < hi0; a++) {
    total += perLeft[a]!;
    if (perLeft[a]! > maxBucket) maxBucket = perLeft[a]!;
  }
  // Ranges end at bucket edges, so a pass may fall short of the capacity by up to a bucket: the
  // largest bucket is added to keep the count of passes within maxPasses.
  const perPass = Math.max(pairsPerPass, Math.ceil(total / maxPasses) + (maxPasses > 1 ? maxBucket : 0));
  const capacity = Math.max(1, Math.min(total, Math.max(perPass, maxBucket)));
  const passes = [lo0];
  for (let lo = lo0; lo < hi0; ) {
    let hi = lo;
    let inRange = 0;
    while (hi < hi0 && (hi === lo || inRange + perLeft[hi]! <= capacity)) inRange += perLeft[hi++]!;
    passes.push(hi);
    lo = hi;
  }
  return { passes, capacity, total };
}

/** Where each left term's bucket starts in a pass over [lo, hi): start[a − lo], and the pass's total at start[hi − lo]. */
export function bucketStarts(perLeft: Int32Array, lo: number, hi: number): Int32Array {
  const start = new Int32Array(hi - lo + 1);
  for (let a = lo; a < hi; a++) start[a - lo + 1] = start[a - lo]! + perLeft[a]!;
  return start;
}

/**
 * Writes the right term and document of each eligible pair with its left term in [lo, hi), in
 * documents [d0, d1), to right / doc at fill[a − lo]++. Buckets filled from
 * consecutive document ranges, each range starting where the previous one's share of the bucket
 * ends, hold their occurrences in document order: as one pass over all documents would.
 */
export function scatterPairs(
  tokenIds: Int32Array,
  docOffsets: Int32Array,
  eligible: Uint8Array,
  lo: number,
  hi: number,
  d0: number,
  d1: number,
  fill: Int32Array,
  right: Int32Array,
  doc: Int32Array,
): void {
  for (let d = d0; d < d1; d++) {
    const end = docOffsets[d + 1]!;
    for (let k = docOffsets[d]!; k + 1 < end; k++) {
      const a = tokenIds[k]!;
      if (a < lo || a >= hi) continue;
      const b = tokenIds[k + 1]!;
      if (b < 0 || eligible[a] === 0 || eligible[b] === 0) continue;
      const i = fill[a - lo]!++;
      right[i] = b;
      doc[i] = d;
    }
  }
}

/**
 * Counts filled buckets into candidates, with per-right-term scratch arrays that stay in cache
 * (see bigramCandidates).
 */
export class BucketCounter {
  private count: Int32Array;
  private df: Int32Array;
  private lastDoc: Int32Array;
  private touched: Int32Array;
  private out: CandidateList;

  constructor(V: number, expectedPairs: number) {
    this.count = new Int32Array(V);
    this.df = new Int32Array(V);
    this.lastDoc = new Int32Array(V).fill(-1);
    this.touched = new Int32Array(V);
    this.out = new CandidateList(Math.max(16, expectedPairs >> 3));
  }

  /** The buckets of left terms [lo, hi): a's is right / doc [start[a − base], start[a − base + 1]). */
  countBuckets(right: Int32Array, doc: Int32Array, start: Int32Array, base: number, lo: number, hi: number): void {
    const { count, df, lastDoc, touched, out } = this;
    for (let a = lo; a < hi; a++) {
      const end = start[a - base + 1]!;
      let nTouched = 0;
      for (let i = start[a - base]!; i < end; i++) {
        const b = right[i]!;
        if (count[b] === 0) touched[nTouched++] = b;
        count[b]!++;
        const d = doc[i]!;
        if (lastDoc[b] !== d) {
          lastDoc[b] = d;
          df[b]!++;
        }
      }
      for (let j = 0; j < nTouched; j++) {
        const b = touched[j]!;
        out.push(a, b, df[b]!, count[b]!);
        count[b] = 0;
        df[b] = 0;
        lastDoc[b] = -1;
      }
    }
  }

  result(): RawCandidates {
    const { out } = this;
    return { size: out.size, first: out.first, second: out.second, df: out.df, count: out.count };
  }
}

/** NPMI of each candidate (see tfidf.ts), the same arithmetic wherever it runs. */
export function scoreRaw(c: RawCandidates, cf: Float64Array, tokens: number): Float64Array {
  const score = new Float64Array(c.size);
  for (let i = 0; i < c.size; i++) {
    const pab = c.count[i]! / tokens;
    const pa = cf[c.first[i]!]! / tokens;
    const pb = cf[c.second[i]!]! / tokens;
    score[i] = pab >= 1 ? 1 : Math.log(pab / (pa * pb)) / -Math.log(pab);
  }
  return score;
}

/** The candidates of consecutive left-term ranges, joined in order and scored by NPMI (unless scored already). */
export function scoreCandidates(parts: readonly RawCandidates[], uni: UnigramStats): BigramCandidates {
  let size = 0;
  for (const p of parts) size += p.size;
  const first = new Int32Array(size);
  const second = new Int32Array(size);
  const pairDf = new Int32Array(size);
  const pairCount = new Float64Array(size);
  const score = new Float64Array(size);
  let at = 0;
  for (const p of parts) {
    first.set(p.first.subarray(0, p.size), at);
    second.set(p.second.subarray(0, p.size), at);
    pairDf.set(p.df.subarray(0, p.size), at);
    for (let i = 0; i < p.size; i++) pairCount[at + i] = p.count[i]!;
    score.set(p.score ?? scoreRaw(p, uni.cf, uni.tokens), at);
    at += p.size;
  }
  return { size, first, second, df: pairDf, count: pairCount, score };
}

/** Growable columns of (left, right, df, count) candidates. */
class CandidateList {
  size = 0;
  first: Int32Array;
  second: Int32Array;
  df: Int32Array;
  count: Int32Array;

  constructor(capacity: number) {
    this.first = new Int32Array(capacity);
    this.second = new Int32Array(capacity);
    this.df = new Int32Array(capacity);
    this.count = new Int32Array(capacity);
  }

  push(a: number, b: number, df: number, count: number): void {
    if (this.size === this.first.length) {
      const grow = (x: Int32Array) => {
        const y = new Int32Array(x.length * 2);
        y.set(x);
        return y;
      };
      this.first = grow(this.first);
      this.second = grow(this.second);
      this.df = grow(this.df);
      this.count = grow(this.count);
    }
    const i = this.size++;
    this.first[i] = a;
    this.second[i] = b;
    this.df[i] = df;
    this.count[i] = count;
  }
}

/**
 * Column lookups for a token stream: the unigram column of each term id, and the bigram columns
 * grouped by left term (CSR: right terms ascending, searched per token). Why not a hash table of
 * pairs: most tokens start some bigram column, a hash probe per token lands anywhere in the
 * table, while the few right terms of a frequent left word stay in cache.
 */
export interface ColumnIndex {
  unigram: Int32Array; // term id → column or -1
  bigramStart: Int32Array; // left term id a → its entries [bigramStart[a], bigramStart[a + 1])
  bigramRight: Int32Array; // right term id of each entry, ascending within a left term
  bigramColumn: Int32Array; // column of each entry
}

/** Builds the lookups from each column's term ids (b < 0 for a unigram column; a < 0: skipped, never counted). */
export function columnIndex(V: number, columns: readonly { a: number; b: number }[]): ColumnIndex {
  const unigram = new Int32Array(V).fill(-1);
  const bigramStart = new Int32Array(V + 1);
  columns.forEach((f, col) => {
    if (f.a < 0) return;
    if (f.b < 0) unigram[f.a] = col;
    else bigramStart[f.a + 1]!++;
  });
  for (let a = 0; a < V; a++) bigramStart[a + 1]! += bigramStart[a]!;
  const fill = bigramStart.slice(0, V);
  const bigramRight = new Int32Array(bigramStart[V]!);
  const bigramColumn = new Int32Array(bigramStart[V]!);
  columns.forEach((f, col) => {
    if (f.a < 0 || f.b < 0) return;
    const e = fill[f.a]!++;
    bigramRight[e] = f.b;
    bigramColumn[e] = col;
  });
  // Right terms ascending within each left term (insertion sort: the lists are short).
  for (let a = 0; a < V; a++) {
    for (let i = bigramStart[a]! + 1; i < bigramStart[a + 1]!; i++) {
      const r = bigramRight[i]!;
      const c = bigramColumn[i]!;
      let j = i - 1;
      while (j >= bigramStart[a]! && bigramRight[j]! > r) {
        bigramRight[j + 1] = bigramRight[j]!;
        bigramColumn[j + 1] = bigramColumn[j]!;
        j--;
      }
      bigramRight[j + 1] = r;
      bigramColumn[j + 1] = c;
    }
  }
  return { unigram, bigramStart, bigramRight, bigramColumn };
}

/** Entry of `b` in right[lo..hi) (ascending), or -1: bisection down to a short run, then a scan. */
function findRight(right: Int32Array, lo: number, hi: number, b: number): number {
  while (hi - lo > 8) {
    const mid = (lo + hi) >>> 1;
    if (right[mid]! <= b) lo = mid;
    else hi = mid;
  }
  for (let i = lo; i < hi; i++) {
    const r = right[i]!;
    if (r >= b) return r === b ? i : -1;
  }
  return -1;
}

/** Sorts a[0..n) ascending in place (insertion sort: used for short rows only). */
function insertionSort(a: Int32Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const x = a[i]!;
    let j = i - 1;
    while (j >= 0 && a[j]! > x) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = x;
  }
}

/**
 * The columns of one row in ascending order without sorting them: a bit per column, and a
 * summary bit per 32-column word, so a row is read back by scanning cols / 1024 summary words and
 * the set bits under them (Math.clz32 finds each). Rows of abstracts have ~80 distinct columns,
 * where sorting the touched list (the typed-array sort) cost about a third of countMatrix; short
 * rows, where the summary scan would dominate, are insertion-sorted instead.
 */
class ColumnSet {
  private bits: Int32Array;
  private summary: Int32Array;
  readonly touched: Int32Array; // the columns added since the last drain, in order added
  size = 0;

  constructor(cols: number) {
    this.bits = new Int32Array((cols + 31) >>> 5);
    this.summary = new Int32Array((this.bits.length + 31) >>> 5);
    this.touched = new Int32Array(cols);
  }

  /** Adds a column not in the set. */
  add(col: number): void {
    this.touched[this.size++] = col;
    this.bits[col >>> 5]! |= 1 << (col & 31);
    this.summary[col >>> 10]! |= 1 << ((col >>> 5) & 31);
  }

  /** Writes the columns ascending to out[at..] and empties the set. */
  drain(out: Int32Array, at: number): void {
    const { bits, summary, touched } = this;
    const n = this.size;
    this.size = 0;
    if (n * 4 < summary.length || n <= 16) {
      insertionSort(touched, n);
      for (let j = 0; j < n; j++) {
        const col = touched[j]!;
        out[at + j] = col;
        bits[col >>> 5] = 0;
        summary[col >>> 10] = 0;
      }
      return;
    }
    let j = at;
    for (let s = 0; s < summary.length; s++) {
      let sw = summary[s]!;
      if (sw === 0) continue;
      summary[s] = 0;
      while (sw !== 0) {
        const low = sw & -sw;
        sw ^= low;
        const w0 = (s << 5) + (31 - Math.clz32(low));
        let w = bits[w0]!;
        bits[w0] = 0;
        while (w !== 0) {
          const bit = w & -w;
          w ^= bit;
          out[j++] = (w0 << 5) + (31 - Math.clz32(bit));
        }
      }
    }
  }
}

/**
 * Where bigram columns occur: token position of the left word, column and document, in token
 * order. countMatrix finds every occurrence anyway; phrase display forms (tfidf-phrases.ts) read
 * this log instead of searching the token stream a second time.
 */
export class BigramLog {
  size = 0;
  at: Int32Array = new Int32Array(1 << 16);
  column: Int32Array = new Int32Array(1 << 16);
  doc: Int32Array = new Int32Array(1 << 16);

  /**
   * The logs of consecutive document ranges as one (their entries in order), in arrays from
   * `int32` (shared memory for a pool's threads).
   */
  static concat(
    parts: readonly { size: number; at: Int32Array; column: Int32Array; doc: Int32Array }[],
    int32: (length: number) => Int32Array = (length) => new Int32Array(length),
  ): BigramLog {
    const log = new BigramLog();
    let size = 0;
    for (const p of parts) size += p.size;
    log.at = int32(Math.max(1, size));
    log.column = int32(log.at.length);
    log.doc = int32(log.at.length);
    for (const p of parts) {
      log.at.set(p.at.subarray(0, p.size), log.size);
      log.column.set(p.column.subarray(0, p.size), log.size);
      log.doc.set(p.doc.subarray(0, p.size), log.size);
      log.size += p.size;
    }
    return log;
  }

  push(k: number, column: number, d: number): void {
    if (this.size === this.at.length) {
      const grow = (x: Int32Array) => {
        const y = new Int32Array(x.length * 2);
        y.set(x);
        return y;
      };
      this.at = grow(this.at);
      this.column = grow(this.column);
      this.doc = grow(this.doc);
    }
    const i = this.size++;
    this.at[i] = k;
    this.column[i] = column;
    this.doc[i] = d;
  }
}

/**
 * Raw count matrix in one pass over the tokens, columns ascending within a row. Scratch: one
 * count per column and a ColumnSet; no allocation per document. The entries are written in
 * chunks and joined once at the end (a counting pass first would read every token twice).
 * With `log`, every bigram column occurrence is also recorded there.
 */
export function countMatrix(corpus: TokenizedCorpus, cols: number, index: ColumnIndex, log?: BigramLog): CsrMatrix {
  return joinRowBlocks([countRows(corpus.tokenIds, corpus.docOffsets, cols, index, 0, docCount(corpus), log)], cols);
}

/**
 * Rows of a count matrix for a range of documents. The entries are kept in chunks (rows never
 * straddle two): growing one array by doubling held up to three times the entries at once
 * (arXiv's 5.9M entries came to just past the first guess, so the last doubling copied them all
 * into an array twice their size); chunks hold them once, plus the last chunk's unused tail.
 */
export interface RowBlock {
  rows: number;
  nnz: number;
  indptr: Int32Array; // rows + 1 offsets, from 0
  indices: Int32Array[]; // chunk c holds entries [0, used[c])
  data: Float32Array[];
  used: number[];
}

/**
 * Where countRows allocates a block's arrays: plain memory, or shared memory when the block is
 * made in a pool's thread and joined by several (the joining threads read it where it is).
 */
export interface RowArrays {
  int32(length: number): Int32Array;
  float32(length: number): Float32Array;
}
export const LOCAL_ROW_ARRAYS: RowArrays = { int32: (length) => new Int32Array(length), float32: (length) => new Float32Array(length) };

/** Bytes per slab of SharedSlabArrays: above glibc's largest mmap threshold (32 MB), so each slab is its own mapping. */
export const ROW_SLAB_BYTES = 64 << 20;

/**
 * Row-block arrays in shared memory, carved out of large slabs (views of ROW_SLAB_BYTES each, or
 * one array's size when larger). Why not a SharedArrayBuffer per chunk: at 1M papers the blocks'
 * ~1,500 chunks of 1 MB each came from glibc's malloc arenas, which kept the freed memory: the
 * run's later peaks were 350-750 MB higher than with the blocks in plain memory (measured,
 * bench/RESULTS.md session 36; the same build with MALLOC_MMAP_THRESHOLD_ set low was not). A
 * slab is a mapping of its own, returned whole once its last view is collected, and its untouched
 * tail is never resident.
 */
export class SharedSlabArrays implements RowArrays {
  private slab = new ArrayBuffer(0) as ArrayBufferLike;
  private used = 0;

  int32(length: number): Int32Array {
    return new Int32Array(this.take(length * 4), this.used - length * 4, length);
  }

  float32(length: number): Float32Array {
    return new Float32Array(this.take(length * 4), this.used - length * 4, length);
  }

  /** The slab the next `bytes` come from (this.used is moved past them). */
  private take(bytes: number): ArrayBufferLike {
    if (this.used + bytes > this.slab.byteLength) {
      this.slab = new SharedArrayBuffer(Math.max(ROW_SLAB_BYTES, bytes));
      this.used = 0;
    }
    this.used += bytes;
    return this.slab;
  }
}

/** Entries per chunk of a RowBlock after the first (4 MB per array). */
const ROW_CHUNK = 1 << 20;

/**
 * The count-matrix rows of documents [d0, d1) (see countMatrix); `log` records the occurrences
 * with their token positions and documents in the whole stream. Rows do not depend on other
 * documents, so the blocks of consecutive ranges joined (joinRowBlocks) are the whole matrix, and
 * their logs, concatenated (BigramLog.concat), the whole log.
 */
export function countRows(
  tokenIds: Int32Array,
  docOffsets: Int32Array,
  cols: number,
  index: ColumnIndex,
  d0: number,
  d1: number,
  log?: BigramLog,
  chunk = ROW_CHUNK,
  arrays: RowArrays = LOCAL_ROW_ARRAYS,
): RowBlock {
  const { unigram, bigramStart, bigramRight, bigramColumn } = index;
  const scratch = new Int32Array(cols); // count per column for the current row
  const row = new ColumnSet(cols);
  const rows = d1 - d0;
  const indptr = arrays.int32(rows + 1);
  const block: RowBlock = { rows, nnz: 0, indptr, indices: [], data: [], used: [] };
  // A first chunk for about half the tokens (a row of abstracts has ~one entry per two tokens).
  let indices = arrays.int32(Math.min(chunk, Math.max(1024, (docOffsets[d1]! - docOffsets[d0]!) >> 1)));
  let data = arrays.float32(indices.length);
  let fill = 0; // entries in the current chunk
  let nnz = 0;
  for (let d = d0; d < d1; d++) {
    const end = docOffsets[d + 1]!;
    for (let k = docOffsets[d]!; k < end; k++) {
      const a = tokenIds[k]!;
      if (a < 0) continue;
      const u = unigram[a]!;
      if (u >= 0) {
        if (scratch[u] === 0) row.add(u);
        scratch[u]!++;
      }
      const lo = bigramStart[a]!;
      const hi = bigramStart[a + 1]!;
      if (lo < hi && k + 1 < end) {
        const b = tokenIds[k + 1]!;
        if (b >= 0) {
          const e = findRight(bigramRight, lo, hi, b);
          if (e >= 0) {
            const col = bigramColumn[e]!;
            if (scratch[col] === 0) row.add(col);
            scratch[col]!++;
            if (log !== undefined) log.push(k, col, d);
          }
        }
      }
    }
    const nTouched = row.size;
    if (fill + nTouched > indices.length) {
      block.indices.push(indices);
      block.data.push(data);
      block.used.push(fill);
      indices = arrays.int32(Math.max(chunk, nTouched));
      data = arrays.float32(indices.length);
      fill = 0;
    }
    row.drain(indices, fill);
    for (let j = fill; j < fill + nTouched; j++) {
      const col = indices[j]!;
      data[j] = scratch[col]!;
      scratch[col] = 0;
    }
    fill += nTouched;
    nnz += nTouched;
    indptr[d - d0 + 1] = nnz;
  }
  block.indices.push(indices);
  block.data.push(data);
  block.used.push(fill);
  block.nnz = nnz;
  return block;
}

/** One CSR matrix of row blocks of consecutive documents, in order (exact-size arrays). */
export function joinRowBlocks(blocks: readonly RowBlock[], cols: number): CsrMatrix {
  const joined = joinedRowsLayout(blocks, cols);
  copyRowBlocks(blocks, joined, 0, blocks.length);
  return joined.matrix;
}

/** A joined matrix's arrays (joinedRowsLayout) and where block k's rows and entries start in it. */
export interface JoinedRows {
  matrix: CsrMatrix;
  rowAt: Int32Array;
  entryAt: Int32Array;
}

/** The joined matrix of row blocks of consecutive documents, sized and unfilled, and where each block goes. */
export function joinedRowsLayout(blocks: readonly { rows: number; nnz: number }[], cols: number): JoinedRows {
  const rowAt = new Int32Array(blocks.length + 1);
  const entryAt = new Int32Array(blocks.length + 1);
  blocks.forEach((b, k) => {
    rowAt[k + 1] = rowAt[k]! + b.rows;
    entryAt[k + 1] = entryAt[k]! + b.nnz;
  });
  const rows = rowAt[blocks.length]!;
  const nnz = entryAt[blocks.length]!;
  // In shared memory: the pool's threads read the counts where they are (describe's and trends'
  // per-topic and per-period sums, analysis/parallel/topic-term-kernels.ts), and may fill them.
  return { matrix: { rows, cols, indptr: sharedInt32(rows + 1), indices: sharedInt32(nnz), data: sharedFloat32(nnz) }, rowAt, entryAt };
}

/**
 * Copies blocks [from, to) into their places in `joined`. Blocks do not share rows or entries, so
 * threads may copy disjoint ranges of them (most of the cost at 1M papers is the first touch of
 * the joined arrays' pages: ~2.5 s on one thread for 776 MB).
 */
export function copyRowBlocks(blocks: readonly RowBlock[], joined: JoinedRows, from: number, to: number): void {
  const { indptr, indices, data } = joined.matrix;
  for (let k = from; k < to; k++) {
    const b = blocks[k]!;
    const r = joined.rowAt[k]!;
    const at = joined.entryAt[k]!;
    for (let i = 1; i <= b.rows; i++) indptr[r + i] = at + b.indptr[i]!;
    let chunkAt = at;
    for (let c = 0; c < b.indices.length; c++) {
      indices.set(b.indices[c]!.subarray(0, b.used[c]!), chunkAt);
      data.set(b.data[c]!.subarray(0, b.used[c]!), chunkAt);
      chunkAt += b.used[c]!;
    }
  }
}

/** The counting passes of fitTfidf: these serial ones, or the same split over a pool (parallel/tfidf-kernels.ts); both give identical results. */
export interface TfidfCounting {
  unigramStats(): UnigramStats;
  bigramCandidates(uni: UnigramStats, minDf: number): BigramCandidates;
  countMatrix(cols: number, index: ColumnIndex, log?: BigramLog): CsrMatrix;
  /** How the phrase displays' votes are computed (tfidf-phrases.ts); all at once on this thread when absent. */
  phraseVoter?: PhraseVoter;
  /** The weights of the count matrix (weigh's). */
  weigh(counts: CsrMatrix, idf: Float64Array, sublinearTf: boolean): CsrMatrix;
}

export function serialTfidfCounting(corpus: TokenizedCorpus): TfidfCounting {
  return {
    unigramStats: () => unigramStats(corpus),
    bigramCandidates: (uni, minDf) => bigramCandidates(corpus, uni, minDf),
    countMatrix: (cols, index, log) => countMatrix(corpus, cols, index, log),
    weigh,
  };
}

/** TF-IDF weights from raw counts: (1 + ln tf or tf) · idf, then l2-normalised rows. */
export function weigh(counts: CsrMatrix, idf: Float64Array, sublinearTf: boolean): CsrMatrix {
  const data = new Float32Array(counts.data.length);
  weighRows(counts, idf, sublinearTf, data, 0, counts.rows);
  return { rows: counts.rows, cols: counts.cols, indptr: counts.indptr, indices: counts.indices, data };
}

/**
 * weigh's values of rows [r0, r1) into `data` (at the rows' own offsets). Each row is weighed on
 * its own, so rows weighed in any split equal those of one pass (what lets a pool share them).
 */
export function weighRows(counts: CsrMatrix, idf: Float64Array, sublinearTf: boolean, data: Float32Array, r0: number, r1: number): void {
  // 1 + ln tf for the small counts nearly every entry has (same doubles as computing it inline).
  const LOG_TABLE = 256;
  const logTf = new Float64Array(LOG_TABLE);
  for (let tf = 1; tf < LOG_TABLE; tf++) logTf[tf] = sublinearTf ? 1 + Math.log(tf) : tf;
  let row = new Float64Array(64); // this row's weights before normalising
  for (let i = r0; i < r1; i++) {
    const start = counts.indptr[i]!;
    const end = counts.indptr[i + 1]!;
    if (end - start > row.length) row = new Float64Array(2 * (end - start));
    let ss = 0;
    for (let p = start; p < end; p++) {
      const tf = counts.data[p]!;
      const w = tf < LOG_TABLE && tf >= 1 && Number.isInteger(tf) ? logTf[tf]! : sublinearTf ? 1 + Math.log(tf) : tf;
      const v = w * idf[counts.indices[p]!]!;
      row[p - start] = v;
      ss += v * v;
    }
    const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let p = start; p < end; p++) data[p] = row[p - start]! * inv;
  }
}

/**
 * Counts per (a, b) pair of non-negative int32s, kept in insertion order: what a
 * Map<number, number> keyed by a · W + b did, without heap-number keys once a · W passes 2^31.
 */
export class PairCounts {
  private table = new PairTable(1024);
  private counts = new Float64Array(1024);

  get size(): number {
    return this.table.size;
  }

  add(a: number, b: number, amount = 1): void {
    const i = this.table.add(a, b);
    if (i === this.counts.length) {
      const grown = new Float64Array(i * 2);
      grown.set(this.counts);
      this.counts = grown;
    }
    this.counts[i]! += amount;
  }

  /** The count of (a, b), or undefined if never added. */
  get(a: number, b: number): number | undefined {
    const i = this.table.get(a, b);
    return i < 0 ? undefined : this.counts[i]!;
  }

  /** Every pair with its count, in the order first added. */
  forEach(visit: (a: number, b: number, count: number) => void): void {
    const { first, second } = this.table.pairs();
    for (let i = 0; i < first.length; i++) visit(first[i]!, second[i]!, this.counts[i]!);
  }
}
