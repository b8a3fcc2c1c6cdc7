// c-TF-IDF's topic sums, the trends' period terms, NPMI's counts and the column totals over the
// worker pool give the one-thread answers, bit for bit, on a count matrix large enough to be split
// (poolableMatrix).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnTotals } from '../analysis/column-totals.ts';
import { addColumnSums } from '../analysis/sparse.ts';
import { classTfidf } from '../analysis/ctfidf.ts';
import { WorkerPool } from '../analysis/parallel/pool.ts';
import { isShared, PARALLEL_MIN_ENTRIES, poolableMatrix, sharedFloat32, sharedInt32 } from '../analysis/parallel/shared.ts';
import { periodTopTerms } from '../analysis/period-terms.ts';
import { npmiCoherence } from '../analysis/quality/npmi.ts';
import { createRandom } from '../analysis/random.ts';
import type { CsrMatrix } from '../analysis/types.ts';

const ROWS = 60_000;
const V = 3_000;
const K = 12;
const PERIODS = 9;

/** Random counts with a few frequent columns, in shared memory; `plain` is the same matrix in ordinary arrays. */
function countMatrix(): { shared: CsrMatrix; plain: CsrMatrix; labels: Int32Array; periods: Int32Array } {
  const random = createRandom(5);
  const perRow = Math.ceil(PARALLEL_MIN_ENTRIES / ROWS) + 2;
  const indptr = sharedInt32(ROWS + 1);
  const indices = sharedInt32(ROWS * perRow);
  const data = sharedFloat32(ROWS * perRow);
  const labels = new Int32Array(ROWS);
  const periods = new Int32Array(ROWS);
  const row = new Set<number>();
  let at = 0;
  for (let i = 0; i < ROWS; i++) {
    labels[i] = Math.floor(random() * K);
    periods[i] = Math.floor(random() * PERIODS);
    row.clear();
    // Topic-flavoured columns: each topic favours its own stretch of the vocabulary.
    while (row.size < perRow) row.add(random() < 0.5 ? Math.floor(random() ** 2 * V) : (labels[i]! * 211 + Math.floor(random() * 300)) % V);
    for (const t of [...row].sort((a, b) => a - b)) {
      indices[at] = t;
      data[at++] = 1 + Math.floor(random() ** 4 * 6);
    }
    indptr[i + 1] = at;
  }
  const shared: CsrMatrix = { rows: ROWS, cols: V, indptr, indices: indices.subarray(0, at), data: data.subarray(0, at) };
  const plain: CsrMatrix = { rows: ROWS, cols: V, indptr: Int32Array.from(indptr), indices: Int32Array.from(shared.indices), data: Float32Array.from(shared.data) };
  return { shared, plain, labels, periods };
}

describe('topic and period sums over the pool', () => {
  let pool: WorkerPool;
  const calls: string[] = [];
  let counting: WorkerPool;
  const m = countMatrix();
  beforeAll(async () => {
    pool = await WorkerPool.start({ threads: 2 });
    // The same pool, noting which kernels were run on it.
    counting = new Proxy(pool, {
      get(target, prop, receiver) {
        if (prop === 'run') return (name: string, args: unknown) => (calls.push(name), target.run(name, args));
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('the shared matrix is large enough to split; ordinary arrays are not split', () => {
    expect(pool.threads).toBe(2);
    expect(poolableMatrix(m.shared)).toBe(true);
    expect(poolableMatrix(m.plain)).toBe(false);
  });

  it('classTfidf: the same weights, totals and A with the pool as on one thread', () => {
    calls.length = 0;
    const alone = classTfidf(m.plain, m.labels, K, { sublinear: true });
    const pooled = classTfidf(m.shared, m.labels, K, { sublinear: true, pool: counting });
    expect(calls).toEqual(['ctfidfTopicSums']);
    expect(isShared(pooled.weights)).toBe(true);
    expect(pooled.weights).toEqual(alone.weights);
    expect(pooled.termTotals).toEqual(alone.termTotals);
    expect(pooled.topicWords).toEqual(alone.topicWords);
    expect(pooled.averageWords).toBe(alone.averageWords);
    // Raw counts too, and an outlier label left out.
    const labels = m.labels.slice();
    labels[7] = -1;
    expect(classTfidf(m.shared, labels, K, { pool: counting }).weights).toEqual(classTfidf(m.plain, labels, K).weights);
  });

  it('npmiCoherence: the same scores with the pool as on one thread (position sets and per-document pairs)', () => {
    const random = createRandom(9);
    // Topics of frequent and topic-flavoured columns, some shared between topics, one repeated.
    const topics = Array.from({ length: K }, (_, c) => Array.from({ length: 16 }, (_, i) => (i % 3 === 0 ? Math.floor(random() * 40) : (c * 211 + Math.floor(random() * 300)) % V)));
    topics[2]![5] = topics[2]![1]!;
    for (const topn of [10, 14]) {
      calls.length = 0;
      const pooled = npmiCoherence(topics, m.shared, topn, undefined, counting);
      expect(calls).toEqual(['npmiRows']);
      expect(pooled).toEqual(npmiCoherence(topics, m.plain, topn));
    }
  });

  it('columnTotals: the same totals with the pool as on one thread, and as adding every entry', () => {
    calls.length = 0;
    const pooled = columnTotals(m.shared, counting);
    expect(calls).toEqual(['columnTotals']);
    const naive = new Float64Array(V);
    for (let p = 0; p < m.plain.indices.length; p++) naive[m.plain.indices[p]!]! += m.plain.data[p]!;
    expect(pooled).toEqual(naive);
    expect(columnTotals(m.plain)).toEqual(naive);
    expect(naive.reduce((s, x) => s + x, 0)).toBeGreaterThan(PARALLEL_MIN_ENTRIES);
  });

  it('columnTotals: counts that are not whole numbers are added on one thread, in entry order', () => {
    // In column 0 of every row a count of 2^24 or 1 + 2^-23: a float64 sum of those loses bits,
    // so added in two groups and then together it differs from the one-thread order; the blocks
    // say the counts are not whole numbers and the caller counts again on one thread.
    const data = sharedFloat32(m.shared.data.length);
    data.set(m.shared.data);
    const mixed: CsrMatrix = { ...m.shared, data };
    for (let i = 0; i < ROWS; i++) data[m.shared.indptr[i]!] = i % 3 === 0 ? 2 ** 24 : 1 + 2 ** -23;
    const alone = new Float64Array(V);
    expect(addColumnSums(mixed, 0, ROWS, alone)).toBe(false);
    const split = new Float64Array(V);
    const half = new Float64Array(V);
    addColumnSums(mixed, 0, ROWS >> 1, split);
    addColumnSums(mixed, ROWS >> 1, ROWS, half);
    split[0]! += half[0]!;
    expect(split[0]).not.toBe(alone[0]); // the grouping shows in this sum
    calls.length = 0;
    expect(columnTotals(mixed, counting)).toEqual(alone);
    expect(calls).toEqual(['columnTotals']);
  });

  it('periodTopTerms: the same terms with the pool as on one thread, with shared display forms', () => {
    // Display forms repeat in pairs for the frequent columns, so cells take the dedup path.
    const display = Array.from({ length: V }, (_, t) => (t < 400 ? `form${t >> 1}` : `term${t}`));
    for (const topN of [1, 5, 9]) {
      calls.length = 0;
      const pooled = periodTopTerms(m.shared, m.labels, m.periods, K, PERIODS, display, topN, counting);
      expect(calls).toEqual(['periodTermIds']);
      expect(pooled).toEqual(periodTopTerms(m.plain, m.labels, m.periods, K, PERIODS, display, topN));
      expect(pooled[0]![0]).toHaveLength(topN);
    }
    // A period without papers stays empty in every topic.
    const periods = m.periods.map((p) => (p === 4 ? 3 : p));
    const pooled = periodTopTerms(m.shared, m.labels, periods, K, PERIODS, display, 5, counting);
    expect(pooled.every((cells) => cells[4]!.length === 0)).toBe(true);
    expect(pooled).toEqual(periodTopTerms(m.plain, m.labels, periods, K, PERIODS, display, 5));
  });
});
