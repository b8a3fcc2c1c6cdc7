import type { WorkerPool } from '../parallel/pool.ts';
import { poolFor } from '../parallel/shared.ts';
import { balancedRowBounds } from '../parallel/sparse-kernels.ts';
import type { CsrMatrix } from '../types.ts';

export interface NpmiResult {
  perTopic: number[]; // mean NPMI over the topic's term pairs; NaN for a topic with fewer than 2 terms
  mean: number; // mean over the topics that have a value (NaN if none)
}

/**
 * NPMI coherence of each topic's top-n terms, by document co-occurrence over the corpus — the
 * definition of ../shared/eval/score.py (npmi_coherence), applied to our own term columns:
 *
 *   for each pair (a, b) of the topic's first `topn` terms:
 *     D(x) = documents where column x has a non-zero count, N = counts.rows
 *     joint = |D(a) ∩ D(b)|
 *     joint = 0 (or a term in no document)  →  −1
 *     p_ab = joint / N ≥ 1                  →  1
 *     otherwise  log(p_ab / (p_a · p_b)) / −log(p_ab)
 *   topic score = mean over its pairs; overall = mean over topics.
 *
 * `topTerms` are column ids, or term keys resolved through `vocabulary` (an unknown key occurs
 * in no document, so its pairs score −1, as in score.py). With a `pool` of two or more threads
 * and `counts` large and in shared memory (poolableMatrix), the rows are counted in parallel:
 * the same whole numbers, the same scores.
 */
export function npmiCoherence(
  topTerms: string[][] | number[][],
  counts: CsrMatrix,
  topn = 10,
  vocabulary?: string[],
  pool?: WorkerPool,
): NpmiResult {
  if (!Number.isInteger(topn) || topn < 2 || topn > 31) throw new RangeError(`npmiCoherence: topn must be an integer in [2, 31], got ${topn}`);
  let index: Map<string, number> | null = null;
  const columnOf = (term: string | number): number => {
    if (typeof term === 'number') {
      if (!Number.isInteger(term) || term < 0 || term >= counts.cols) {
        throw new RangeError(`npmiCoherence: column ${term} is outside 0..${counts.cols - 1}`);
      }
      return term;
    }
    if (!vocabulary) throw new TypeError('npmiCoherence: string terms need the vocabulary to find their columns');
    if (!index) index = new Map(vocabulary.map((v, i) => [v, i]));
    return index.get(term) ?? -1;
  };
  const topics = topTerms.map((ts) => (ts as (string | number)[]).slice(0, topn).map(columnOf));
  const { docs, joint } = documentCounts(topics, counts, topn, pool);

  const N = counts.rows;
  const perTopic = topics.map((ts, t) => {
    let sum = 0;
    let pairs = 0;
    for (let i = 0; i < ts.length; i++) {
      for (let j = i + 1; j < ts.length; j++) {
        sum += npmiPair(docs(ts[i]!), docs(ts[j]!), joint[(t * topn + i) * topn + j]!, N);
        pairs++;
      }
    }
    return pairs > 0 ? sum / pairs : NaN;
  });
  const valid = perTopic.filter((v) => !Number.isNaN(v));
  return { perTopic, mean: valid.length > 0 ? valid.reduce((a, b) => a + b, 0) / valid.length : NaN };
}

/**
 * In one pass over the matrix: D(x) for each column asked for (`docs`, 0 for column −1), and for
 * each topic t and positions i < j of its list, |D(ts[i]) ∩ D(ts[j])| at joint[(t·topn + i)·topn + j].
 *
 * Why not intersect the columns' document lists pair by pair: a topic's frequent terms each occur
 * in a large share of the corpus, so the 45 merges of a topic read every list 9 times (4.6 s
 * over 1M abstracts, k = 50). Here each stored entry of a listed column is read once: a document
 * notes which positions of which topics it holds, and counts those pairs at its end.
 */
function documentCounts(topics: number[][], counts: CsrMatrix, topn: number, pool: WorkerPool | undefined): { docs: (column: number) => number; joint: Int32Array } {
  const k = topics.length;
  // Each listed column's slot, and its occurrences (topic, position) back to back per slot: a
  // column can be listed by several topics, or twice by one.
  const slot = new Int32Array(counts.cols).fill(-1);
  let slots = 0;
  let occurrences = 0;
  for (const ts of topics) {
    for (const c of ts) {
      if (c < 0) continue;
      if (slot[c] === -1) slot[c] = slots++;
      occurrences++;
    }
  }
  const occStart = new Int32Array(slots + 1);
  for (const ts of topics) for (const c of ts) if (c >= 0) occStart[slot[c]! + 1]!++;
  for (let s = 0; s < slots; s++) occStart[s + 1]! += occStart[s]!;
  const occTopic = new Int32Array(occurrences);
  const occPos = new Int32Array(occurrences);
  const fill = occStart.slice(0, slots);
  topics.forEach((ts, t) =>
    ts.forEach((c, i) => {
      if (c < 0) return;
      const o = fill[slot[c]!]!++;
      occTopic[o] = t;
      occPos[o] = i;
    }),
  );

  const args: NpmiRowsArgs = { indptr: counts.indptr, indices: counts.indices, data: counts.data, slot, slots, occStart, occTopic, occPos, k, topn };
  const threads = poolFor(pool, counts);
  let total: NpmiRowCounts;
  if (threads) {
    // Blocks of rows with about as many stored entries each, claimed by the threads; each thread
    // counts into its own arrays. The counts are whole numbers, so their sum is the one-thread answer.
    const blocks: NpmiBlocksArgs = { ...args, bounds: balancedRowBounds(counts.indptr, counts.rows, ROW_BLOCKS, 0) };
    const partial = threads.run<NpmiRowCounts>('npmiRows', blocks);
    total = partial[0]!;
    for (const r of partial.slice(1)) {
      addInto(total.docCount, r.docCount);
      addInto(total.joint, r.joint);
      if (total.hist) addInto(total.hist, r.hist!);
    }
  } else {
    total = emptyNpmiCounts(args);
    countNpmiRows(args, 0, counts.rows, total);
  }
  const { docCount, joint, hist } = total;
  if (hist) {
    for (let t = 0; t < k; t++) {
      for (let m = 1; m < 1 << topn; m++) {
        const n = hist[(t << topn) | m]!;
        if (n > 0) addPairs(joint, t, topn, m, n);
      }
    }
  }
  return { docs: (c) => (c >= 0 ? docCount[slot[c]!]! : 0), joint };
}

/** What countNpmiRows reads. */
export interface NpmiRowsArgs {
  indptr: Int32Array;
  indices: Int32Array;
  data: Float32Array;
  /** Each column's slot (−1: not listed), and the slots' (topic, position) occurrences, back to back. */
  slot: Int32Array;
  slots: number;
  occStart: Int32Array;
  occTopic: Int32Array;
  occPos: Int32Array;
  k: number;
  topn: number;
}

/** The pool's npmiRows kernel: the same, and blocks of rows, block b being rows [bounds[b], bounds[b + 1]). */
export interface NpmiBlocksArgs extends NpmiRowsArgs {
  bounds: Int32Array;
}

/** Counts over some rows: documents per slot, and per topic the position sets (hist) or the pairs (joint). */
export interface NpmiRowCounts {
  docCount: Int32Array;
  joint: Int32Array;
  hist?: Int32Array;
}

/** Blocks of rows the pool's threads claim (npmiRows). */
const ROW_BLOCKS = 64;

/** Zeroed counts for `args`' topics and slots. */
export function emptyNpmiCounts(args: NpmiRowsArgs): NpmiRowCounts {
  const docCount = new Int32Array(args.slots);
  const joint = new Int32Array(args.k * args.topn * args.topn);
  return args.topn <= HIST_MAX_TERMS ? { docCount, joint, hist: new Int32Array(args.k << args.topn) } : { docCount, joint };
}

/** Adds the counts of rows [r0, r1) into `into` (see documentCounts). */
export function countNpmiRows(args: NpmiRowsArgs, r0: number, r1: number, into: NpmiRowCounts): void {
  const { indptr, indices, data, slot, occStart, occTopic, occPos, k, topn } = args;
  const { docCount, joint, hist } = into;
  // The positions of topic t that the current document holds, as bits; with up to 12 positions,
  // documents are counted by that set (hist) and the pairs of each set added at the end, else
  // each document adds its own pairs.
  const mask = new Int32Array(k);
  const touched = new Int32Array(k);
  for (let i = r0; i < r1; i++) {
    let nTouched = 0;
    const end = indptr[i + 1]!;
    for (let p = indptr[i]!; p < end; p++) {
      const s = slot[indices[p]!]!;
      if (s < 0 || data[p] === 0) continue;
      docCount[s]!++;
      for (let o = occStart[s]!; o < occStart[s + 1]!; o++) {
        const t = occTopic[o]!;
        if (mask[t] === 0) touched[nTouched++] = t;
        mask[t]! |= 1 << occPos[o]!;
      }
    }
    for (let u = 0; u < nTouched; u++) {
      const t = touched[u]!;
      if (hist) hist[(t << topn) | mask[t]!]!++;
      else addPairs(joint, t, topn, mask[t]!, 1);
      mask[t] = 0;
    }
  }
}

function addInto(total: Int32Array, part: Int32Array): void {
  for (let i = 0; i < total.length; i++) total[i]! += part[i]!;
}

/** Topics of at most this many terms count documents by the set of positions they hold (2^n slots a topic). */
const HIST_MAX_TERMS = 12;

/** Adds n to joint[t][i][j] for every pair of positions i < j set in `bits`. */
function addPairs(joint: Int32Array, t: number, topn: number, bits: number, n: number): void {
  for (let rest = bits; rest !== 0; ) {
    const i = 31 - Math.clz32(rest & -rest);
    rest &= rest - 1;
    const row = (t * topn + i) * topn;
    for (let others = rest; others !== 0; others &= others - 1) joint[row + 31 - Math.clz32(others & -others)]! += n;
  }
}

/** NPMI of two terms from their document counts and the count of documents holding both. */
function npmiPair(a: number, b: number, joint: number, N: number): number {
  if (a === 0 || b === 0 || joint === 0) return -1;
  const pab = joint / N;
  if (pab >= 1) return 1;
  return Math.log(pab / ((a / N) * (b / N))) / -Math.log(pab);
}
