import type { WorkerPool } from './parallel/pool.ts';
import { poolFor, sharedFloat64, sharedInt32 } from './parallel/shared.ts';
import type { CsrMatrix } from './types.ts';

/** Per-topic term weights: row c of the dense k × terms matrix is topic c. */
export interface ClassTfidf {
  /** Row-major k × terms: weights[c * terms + t] = W(t, c). */
  weights: Float64Array;
  k: number;
  terms: number;
  /** Words (sum of counts, bigram columns included) per topic: the tf normaliser. */
  topicWords: Float64Array;
  /** f_t: frequency of each term summed over all topics. */
  termTotals: Float64Array;
  /** A: average words per topic (over non-empty topics). */
  averageWords: number;
}

export interface ClassTfidfOptions {
  /**
   * Read each stored count x as 1 + ln x, rounded to float32 (what a float32 matrix of
   * sublinear counts holds), without making that matrix: the same sums, one pass, no copy of
   * the data (23 MB on arXiv).
   */
  sublinear?: boolean;
  /**
   * Threads for the topics' sums (step 1), used when the matrix is large and in shared memory
   * (poolableMatrix; the vectorize stage makes it there): topics are claimed one at a time, each
   * summed by one thread in the serial order, so the weights are the serial doubles.
   */
  pool?: WorkerPool;
}

/**
 * Class-based TF-IDF as BERTopic computes it (ClassTfidfTransformer, default settings):
 *
 *   tf(t, c) = Σ counts(d, t) over the topic's documents / words in the topic   (row L1 norm)
 *   W(t, c)  = tf(t, c) · log(1 + A / f_t)
 *
 * with A the average number of words per topic and f_t the frequency of t over all topics.
 * Treating each topic as one big document makes a term that is frequent inside a topic but
 * rare elsewhere score high; the idf part shrinks terms used by every topic ('model', 'data').
 *
 * `counts` are raw term counts (rows = documents, columns = vocabulary); `labels[i]` is the
 * topic of document i, in 0..k-1, or negative for a document to leave out (an outlier).
 * Dense k × V is fine at our sizes (k ≤ 100, V ≈ 50k: 40 MB as Float64).
 */
export function classTfidf(counts: CsrMatrix, labels: Int32Array, k: number, opts: ClassTfidfOptions = {}): ClassTfidf {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`classTfidf: k must be a positive integer, got ${k}`);
  if (labels.length !== counts.rows) {
    throw new RangeError(`classTfidf: labels has ${labels.length} entries but counts has ${counts.rows} rows`);
  }
  if (counts.indptr.length !== counts.rows + 1) {
    throw new RangeError(`classTfidf: indptr length ${counts.indptr.length} must be rows + 1 = ${counts.rows + 1}`);
  }
  const V = counts.cols;
  const pool = poolFor(opts.pool, counts);
  const weights = pool ? sharedFloat64(k * V) : new Float64Array(k * V);

  // 1. Sum the counts of each topic's documents into its row, topic by topic (documents grouped
  //    by a counting sort, ascending within a topic): the writes stay in one row of V doubles
  //    instead of scattering over all k rows, and each cell still adds its documents in order.
  const start = new Int32Array(k + 1);
  for (let i = 0; i < counts.rows; i++) {
    const c = labels[i]!;
    if (c < 0) continue;
    if (c >= k) throw new RangeError(`classTfidf: label ${c} of document ${i} is not below k = ${k}`);
    start[c + 1]!++;
  }
  for (let c = 0; c < k; c++) start[c + 1]! += start[c]!;
  const order = pool ? sharedInt32(start[k]!) : new Int32Array(start[k]!);
  const fill = start.slice(0, k);
  for (let i = 0; i < counts.rows; i++) {
    const c = labels[i]!;
    if (c >= 0) order[fill[c]!++] = i;
  }
  const sums: TopicSumsArgs = { indptr: counts.indptr, indices: counts.indices, data: counts.data, order, start, V, weights, sublinear: opts.sublinear === true };
  if (pool) pool.run('ctfidfTopicSums', sums);
  else for (let c = 0; c < k; c++) sumTopicRow(sums, c);

  // 2. Words per topic, term totals over topics, and A (average words of the non-empty topics:
  //    an empty topic would otherwise pull A down and change every weight).
  const topicWords = new Float64Array(k);
  const termTotals = new Float64Array(V);
  let nonEmpty = 0;
  let allWords = 0;
  for (let c = 0; c < k; c++) {
    const base = c * V;
    let s = 0;
    for (let t = 0; t < V; t++) {
      const x = weights[base + t];
      s += x;
      termTotals[t] += x;
    }
    topicWords[c] = s;
    allWords += s;
    if (s > 0) nonEmpty++;
  }
  const averageWords = nonEmpty > 0 ? allWords / nonEmpty : 0;

  // 3. idf per term; a term no topic uses gets 0 weight everywhere.
  const idf = new Float64Array(V);
  for (let t = 0; t < V; t++) idf[t] = termTotals[t] > 0 ? Math.log(1 + averageWords / termTotals[t]) : 0;

  // 4. W = (row-normalised tf) · idf.
  for (let c = 0; c < k; c++) {
    const words = topicWords[c];
    if (words === 0) continue;
    const base = c * V;
    for (let t = 0; t < V; t++) {
      const x = weights[base + t];
      if (x !== 0) weights[base + t] = (x / words) * idf[t];
    }
  }
  return { weights, k, terms: V, topicWords, termTotals, averageWords };
}

/** What step 1 of classTfidf reads and writes (the pool's ctfidfTopicSums kernel gets the same). */
export interface TopicSumsArgs {
  indptr: Int32Array;
  indices: Int32Array;
  data: Float32Array;
  /** Documents grouped by topic: topic c's are order[start[c], start[c + 1]), ascending. */
  order: Int32Array;
  start: Int32Array;
  V: number;
  /** k × V, row c receives topic c's sums. */
  weights: Float64Array;
  sublinear: boolean;
}

/** Adds the counts (or 1 + ln counts) of topic c's documents, in order, into row c of weights. */
export function sumTopicRow(args: TopicSumsArgs, c: number): void {
  const { indptr, indices, data, order, start, V } = args;
  const row = args.weights.subarray(c * V, (c + 1) * V);
  const tf = args.sublinear ? SUBLINEAR : undefined;
  for (let o = start[c]!; o < start[c + 1]!; o++) {
    const i = order[o]!;
    const end = indptr[i + 1]!;
    if (tf === undefined) {
      for (let p = indptr[i]!; p < end; p++) row[indices[p]!]! += data[p]!;
    } else {
      for (let p = indptr[i]!; p < end; p++) {
        const x = data[p]!;
        row[indices[p]!]! += x >= 1 && x < 256 && Number.isInteger(x) ? tf[x]! : Math.fround(x > 0 ? 1 + Math.log(x) : 0);
      }
    }
  }
}

/** 1 + ln x as float32 for the small whole counts nearly every entry has. */
const SUBLINEAR = ((): Float32Array => {
  const table = new Float32Array(256);
  for (let x = 1; x < 256; x++) table[x] = 1 + Math.log(x);
  return table;
})();

/** Number of documents per topic (labels < 0 are not counted). */
export function topicSizes(labels: Int32Array, k: number): Int32Array {
  const sizes = new Int32Array(k);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (c >= 0 && c < k) sizes[c]++;
  }
  return sizes;
}
