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
 * in no document, so its pairs score −1, as in score.py).
 */
export function npmiCoherence(
  topTerms: string[][] | number[][],
  counts: CsrMatrix,
  topn = 10,
  vocabulary?: string[],
): NpmiResult {
  if (!Number.isInteger(topn) || topn < 2) throw new RangeError(`npmiCoherence: topn must be an integer ≥ 2, got ${topn}`);
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

  // Documents of each column asked for, in one pass over the matrix (ascending doc ids). The
  // column → slot lookup is an array, not a Map: it runs once per stored entry (6M on arXiv).
  const slot = new Int32Array(counts.cols).fill(-1);
  let slots = 0;
  for (const ts of topics) for (const t of ts) if (t >= 0 && slot[t] === -1) slot[t] = slots++;
  const lists: number[][] = Array.from({ length: slots }, () => []);
  const { indptr, indices, data } = counts;
  for (let i = 0; i < counts.rows; i++) {
    const end = indptr[i + 1]!;
    for (let p = indptr[i]!; p < end; p++) {
      const s = slot[indices[p]!]!;
      if (s >= 0 && data[p] !== 0) lists[s]!.push(i);
    }
  }
  const docsOf = (t: number): number[] => (t >= 0 ? lists[slot[t]!]! : []);

  const N = counts.rows;
  const perTopic = topics.map((ts) => {
    let sum = 0;
    let pairs = 0;
    for (let i = 0; i < ts.length; i++) {
      for (let j = i + 1; j < ts.length; j++) {
        sum += npmiPair(docsOf(ts[i]), docsOf(ts[j]), N);
        pairs++;
      }
    }
    return pairs > 0 ? sum / pairs : NaN;
  });
  const valid = perTopic.filter((v) => !Number.isNaN(v));
  return { perTopic, mean: valid.length > 0 ? valid.reduce((a, b) => a + b, 0) / valid.length : NaN };
}

/** NPMI of two terms from their ascending document lists (see npmiCoherence). */
function npmiPair(a: number[], b: number[], N: number): number {
  if (a.length === 0 || b.length === 0) return -1;
  let joint = 0;
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i] === b[j]) {
      joint++;
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  if (joint === 0) return -1;
  const pab = joint / N;
  if (pab >= 1) return 1;
  return Math.log(pab / ((a.length / N) * (b.length / N))) / -Math.log(pab);
}
