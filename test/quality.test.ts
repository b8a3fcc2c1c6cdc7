import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerPool } from '../analysis/parallel/pool.ts';
import type { CsrMatrix } from '../analysis/types.ts';
import { createRandom, gaussian } from '../analysis/random.ts';
import {
  adjustedRandIndex,
  agreement,
  homogeneityCompletenessVMeasure,
  mutualInformation,
  normalizedMutualInfo,
} from '../analysis/quality/agreement.ts';
import { npmiCoherence } from '../analysis/quality/npmi.ts';
import { scoreTermForm, topicDiversity, topicDiversityReport } from '../analysis/quality/diversity.ts';
import { silhouette } from '../analysis/quality/silhouette.ts';
import { clusterSizes, sizeBalance } from '../analysis/quality/balance.ts';
import { csr } from './helpers/csr.ts';


describe('agreement', () => {
  it('ARI: scikit-learn documentation examples', () => {
    expect(adjustedRandIndex([0, 0, 1, 1], [1, 1, 0, 0])).toBeCloseTo(1, 12);
    expect(adjustedRandIndex([0, 0, 1, 2], [0, 0, 1, 1])).toBeCloseTo(4 / 7, 12); // 0.5714…
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(4 / 7, 12); // symmetric
    expect(adjustedRandIndex([0, 0, 0, 0], [0, 1, 2, 3])).toBeCloseTo(0, 12);
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(-0.5, 12);
  });

  it('NMI, homogeneity, completeness, V-measure by hand', () => {
    // true [0,0,1,1] vs pred [0,0,1,2]: H(true) = ln 2, H(pred) = 1.5 ln 2, MI = ln 2
    // → NMI = ln2 / 1.25 ln2 = 0.8; h = 1; c = 2/3; V = 0.8
    const a = [0, 0, 1, 1];
    const b = [0, 0, 1, 2];
    expect(mutualInformation(a, b)).toBeCloseTo(Math.LN2, 12);
    expect(normalizedMutualInfo(a, b)).toBeCloseTo(0.8, 12);
    const hcv = homogeneityCompletenessVMeasure(a, b);
    expect(hcv.homogeneity).toBeCloseTo(1, 12);
    expect(hcv.completeness).toBeCloseTo(2 / 3, 12);
    expect(hcv.vMeasure).toBeCloseTo(0.8, 12);
  });

  it('edge cases follow scikit-learn', () => {
    expect(normalizedMutualInfo([0, 0, 0, 0], [0, 1, 2, 3])).toBe(0); // no information shared
    expect(normalizedMutualInfo([1, 1, 1], [5, 5, 5])).toBe(1); // one class each side
    const hcv = homogeneityCompletenessVMeasure([0, 0, 1, 1], [0, 0, 0, 0]);
    expect(hcv.homogeneity).toBeCloseTo(0, 12);
    expect(hcv.completeness).toBe(1);
    expect(hcv.vMeasure).toBeCloseTo(0, 12);
  });

  it('accepts strings and typed arrays, and ignores how clusters are named', () => {
    const truth = ['cs.CL', 'cs.CL', 'cs.CV', 'cs.CV', 'cs.LG', 'cs.LG'];
    const pred = Int32Array.from([2, 2, 0, 0, 1, 1]);
    const all = agreement(truth, pred);
    expect(all.ari).toBeCloseTo(1, 12);
    expect(all.nmi).toBeCloseTo(1, 12);
    expect(all.vMeasure).toBeCloseTo(1, 12);
    const imperfect = agreement(truth, Int32Array.from([2, 2, 0, 1, 1, 1]));
    expect(imperfect.ari).toBeLessThan(1);
    expect(imperfect.nmi).toBeLessThan(1);
  });

  it('rejects labelings of different lengths', () => {
    expect(() => adjustedRandIndex([0, 1], [0])).toThrow(/length/);
  });
});

describe('npmiCoherence', () => {
  // Columns a, b, c. doc0 {a, b}, doc1 {a, b}, doc2 {a}, doc3 {c}.
  const counts = csr([
    [1, 2, 0],
    [3, 1, 0],
    [1, 0, 0],
    [0, 0, 1],
  ]);
  const npmiAB = Math.log(0.5 / (0.75 * 0.5)) / -Math.log(0.5); // log(4/3) / log 2 = 0.41504

  it('matches hand-computed values, −1 for pairs that never co-occur', () => {
    const r = npmiCoherence([[0, 1], [0, 1, 2]], counts);
    expect(r.perTopic[0]).toBeCloseTo(npmiAB, 12);
    expect(r.perTopic[1]).toBeCloseTo((npmiAB - 1 - 1) / 3, 12);
    expect(r.mean).toBeCloseTo((npmiAB + (npmiAB - 2) / 3) / 2, 12);
  });

  it('resolves term keys through the vocabulary; unknown keys score −1', () => {
    const r = npmiCoherence([['a', 'b'], ['a', 'nowhere']], counts, 10, ['a', 'b', 'c']);
    expect(r.perTopic[0]).toBeCloseTo(npmiAB, 12);
    expect(r.perTopic[1]).toBe(-1);
  });

  it('only the first topn terms count; a pair present in every document scores 1', () => {
    const everywhere = csr([
      [1, 1, 0],
      [1, 1, 1],
    ]);
    expect(npmiCoherence([[0, 1, 2]], everywhere, 2).perTopic[0]).toBe(1);
    expect(Number.isNaN(npmiCoherence([[0]], everywhere).perTopic[0])).toBe(true);
  });

  // The definition, pair by pair: each term's document list, and the pair's by intersecting them.
  function npmiByPairs(topics: number[][], m: CsrMatrix, topn: number): number[] {
    const docsOf = (c: number): Set<number> => {
      const d = new Set<number>();
      if (c < 0) return d;
      for (let i = 0; i < m.rows; i++) for (let p = m.indptr[i]!; p < m.indptr[i + 1]!; p++) if (m.indices[p] === c && m.data[p] !== 0) d.add(i);
      return d;
    };
    return topics.map((ts) => {
      const cols = ts.slice(0, topn);
      let sum = 0;
      let pairs = 0;
      for (let i = 0; i < cols.length; i++) {
        for (let j = i + 1; j < cols.length; j++) {
          const a = docsOf(cols[i]!);
          const b = docsOf(cols[j]!);
          const joint = [...a].filter((x) => b.has(x)).length;
          const N = m.rows;
          const pab = joint / N;
          sum += a.size === 0 || b.size === 0 || joint === 0 ? -1 : pab >= 1 ? 1 : Math.log(pab / ((a.size / N) * (b.size / N))) / -Math.log(pab);
          pairs++;
        }
      }
      return pairs > 0 ? sum / pairs : NaN;
    });
  }

  it('equals the pair-by-pair definition bit for bit on random corpora (shared terms, repeats, unknown keys, stored zeros)', () => {
    const rnd = createRandom(7);
    for (let trial = 0; trial < 60; trial++) {
      const rows = 1 + Math.floor(rnd() * 60);
      const cols = 2 + Math.floor(rnd() * 12);
      const dense = Array.from({ length: rows }, () => Array.from({ length: cols }, () => (rnd() < 0.35 ? Math.floor(rnd() * 3) + 1 : 0)));
      const m = csr(dense);
      // A few stored zeros: present in the structure, in no document's set.
      for (let p = 0; p < m.data.length; p++) if (rnd() < 0.05) m.data[p] = 0;
      const topn = 2 + Math.floor(rnd() * 16); // above 12 the per-document pairs, else counts by position set
      const vocabulary = Array.from({ length: cols }, (_, c) => `t${c}`);
      const topics = Array.from({ length: 1 + Math.floor(rnd() * 6) }, () =>
        Array.from({ length: Math.floor(rnd() * (topn + 3)) }, () => (rnd() < 0.1 ? 'unknown' : `t${Math.floor(rnd() * cols)}`)),
      );
      const got = npmiCoherence(topics, m, topn, vocabulary).perTopic;
      const want = npmiByPairs(topics.map((ts) => ts.map((t) => vocabulary.indexOf(t))), m, topn);
      expect(got).toEqual(want);
    }
  });

  it('rejects topn outside [2, 31] (positions are bits of a 32-bit integer)', () => {
    expect(() => npmiCoherence([[0, 1]], counts, 32)).toThrow(/topn/);
    expect(() => npmiCoherence([[0, 1]], counts, 1)).toThrow(/topn/);
    expect(npmiCoherence([[0, 1]], counts, 31).perTopic[0]).toBeCloseTo(npmiAB, 12);
  });
});

describe('topicDiversity', () => {
  it('counts distinct terms, folding plurals as score.py does', () => {
    const topics = [
      ['model', 'graph', 'neural networks'],
      ['Models', 'image', 'neural network'],
    ];
    // model/Models and 'neural networks'/'neural network' fold together: 4 distinct of 6
    expect(topicDiversity(topics, 3)).toBeCloseTo(4 / 6, 12);
    expect(topicDiversity(topics, 1)).toBeCloseTo(1 / 2, 12);
    expect(scoreTermForm('Language Models')).toBe('language model');
    expect(scoreTermForm('class')).toBe('class');
    expect(topicDiversityReport([['a', 'b'], ['c', 'd']])).toEqual({ td10: 1, td25: 1 });
  });
});

describe('silhouette', () => {
  it('matches a hand computation (1-D, euclidean)', () => {
    // points 0, 1 | 4, 5: s = 7/9 for the outer points, 5/7 for the inner ones
    const r = silhouette(Float32Array.from([0, 1, 4, 5]), 4, 1, Int32Array.from([0, 0, 1, 1]), 2, { metric: 'euclidean' });
    expect(r.mean).toBeCloseTo((7 / 9 + 5 / 7) / 2, 6);
    expect(r.perCluster[0]).toBeCloseTo((7 / 9 + 5 / 7) / 2, 6);
    expect(r.sampled).toBe(4);
  });

  it('two tight blobs score ≈ 1 (cosine); mixing labels drops it below 0', () => {
    const random = createRandom(7);
    const n = 400;
    const d = 5;
    const points = new Float32Array(n * d);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % 2;
      for (let j = 0; j < d; j++) points[i * d + j] = (j === labels[i] ? 1 : 0) + 0.01 * gaussian(random);
    }
    const good = silhouette(points, n, d, labels, 2);
    expect(good.mean).toBeGreaterThan(0.95);
    const shuffled = labels.map((_, i) => (i % 4 < 2 ? labels[i] : 1 - labels[i]));
    expect(silhouette(points, n, d, shuffled, 2).mean).toBeLessThan(0.05);
  });

  it('samples with a seed: the same seed gives the same figure, at most sampleSize points', () => {
    const random = createRandom(3);
    const n = 500;
    const points = Float64Array.from({ length: n * 3 }, () => gaussian(random));
    const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
    const a = silhouette(points, n, 3, labels, 3, { sampleSize: 100, seed: 1 });
    const b = silhouette(points, n, 3, labels, 3, { sampleSize: 100, seed: 1 });
    expect(a.sampled).toBe(100);
    expect(a.mean).toBe(b.mean);
  });

  it('is undefined (NaN) with one cluster; a singleton cluster scores 0', () => {
    expect(Number.isNaN(silhouette(Float32Array.from([0, 1]), 2, 1, Int32Array.from([0, 0]), 1).mean)).toBe(true);
    const r = silhouette(Float32Array.from([0, 1, 9]), 3, 1, Int32Array.from([0, 0, 1]), 2, { metric: 'euclidean' });
    expect(r.perCluster[1]).toBe(0);
  });
});

describe('sizeBalance', () => {
  it('hand-computed figures', () => {
    const sizes = clusterSizes(Int32Array.from([0, 1, 2, 2]), 3);
    expect(Array.from(sizes)).toEqual([1, 1, 2]);
    const b = sizeBalance(sizes);
    expect(b.min).toBe(1);
    expect(b.max).toBe(2);
    expect(b.ratio).toBe(0.5);
    expect(b.entropy).toBeCloseTo((1.5 * Math.LN2) / Math.log(3), 12);
    expect(b.gini).toBeCloseTo(1 / 6, 12);
  });

  it('equal sizes: ratio 1, entropy 1, Gini 0; a degenerate partition shows', () => {
    expect(sizeBalance([5, 5, 5, 5])).toEqual({ min: 5, max: 5, ratio: 1, entropy: 1, gini: 0 });
    const bad = sizeBalance([1, 1, 1, 3384]);
    expect(bad.entropy).toBeLessThan(0.01);
    expect(bad.gini).toBeGreaterThan(0.74);
  });
});

describe('per-topic flags (describe stage)', () => {
  it('flags tiny, giant, incoherent and not separated topics; undefined figures raise no flag', async () => {
    const { topicFlags, SIZE_FLAG_FACTOR } = await import('../pipeline/stages/describe.ts');
    expect(SIZE_FLAG_FACTOR).toBe(4);
    expect(topicFlags(1, 0.3, 0.1)).toEqual([]);
    expect(topicFlags(0.2, 0.3, 0.1)).toEqual(['tiny']);
    expect(topicFlags(5, 0.3, 0.1)).toEqual(['giant']);
    expect(topicFlags(1, -0.1, -0.05)).toEqual(['incoherent', 'not separated']);
    expect(topicFlags(1, undefined, undefined)).toEqual([]);
  });
});

/** The silhouette by its definition: every distance from both ends, summed in sample order. */
function plain(points: Float64Array, n: number, d: number, labels: Int32Array, k: number, metric: 'cosine' | 'euclidean') {
  const X = Float64Array.from(points);
  if (metric === 'cosine') {
    for (let i = 0; i < n; i++) {
      let norm = 0;
      for (let j = 0; j < d; j++) norm += points[i * d + j]! * points[i * d + j]!;
      const inv = 1 / Math.sqrt(norm);
      for (let j = 0; j < d; j++) X[i * d + j]! *= inv;
    }
  }
  const count = new Array(k).fill(0);
  for (const c of labels) count[c]++;
  const perSum = new Array(k).fill(0);
  let total = 0;
  for (let s = 0; s < n; s++) {
    const sums = new Array(k).fill(0);
    for (let t = 0; t < n; t++) {
      if (t === s) continue;
      let acc = 0;
      for (let j = 0; j < d; j++) {
        if (metric === 'cosine') acc += X[s * d + j]! * X[t * d + j]!;
        else acc += (X[s * d + j]! - X[t * d + j]!) ** 2;
      }
      sums[labels[t]!] += metric === 'cosine' ? Math.max(0, 1 - acc) : Math.sqrt(acc);
    }
    const own = labels[s]!;
    let value = 0;
    if (count[own] > 1) {
      const a = sums[own] / (count[own] - 1);
      let b = Infinity;
      for (let c = 0; c < k; c++) if (c !== own && count[c] > 0) b = Math.min(b, sums[c] / count[c]);
      value = (b - a) / Math.max(a, b);
    }
    perSum[own] += value;
    total += value;
  }
  return { mean: total / n, perCluster: perSum.map((x, c) => x / count[c]) };
}

// The blocked silhouette kernel (pairs once, four rows at a time) against the textbook loop:
// every distance computed from both ends, summed in sample order. Bit-identical, not just close.
describe('silhouette: blocked kernel equals the plain definition', () => {

  for (const [metric, n] of [['cosine', 37], ['cosine', 42], ['cosine', 3], ['euclidean', 37]] as const) {
    it(`${metric}: ${n} points, 3 clusters, 5 dimensions`, () => {
      const random = createRandom(5);
      const d = 5;
      const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
      const points = Float64Array.from({ length: n * d }, (_, x) => gaussian(random) + (labels[Math.floor(x / d)]! === x % d ? 3 : 0));
      const got = silhouette(points, n, d, labels, 3, { metric, sampleSize: 1000 });
      const want = plain(points, n, d, labels, 3, metric);
      expect(got.mean).toBe(want.mean);
      expect(got.perCluster).toEqual(want.perCluster);
      if (n > 3) expect(got.mean).toBeGreaterThan(0.2);
    });
  }
});

describe('silhouette over the worker pool', () => {
  let pool: WorkerPool;
  beforeAll(async () => {
    pool = await WorkerPool.start({ threads: 3 });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('gives the one-thread figures bit for bit (sampled and whole), and the plain definition', () => {
    const random = createRandom(9);
    const n = 900;
    const d = 11;
    const k = 6;
    const labels = Int32Array.from({ length: n }, (_, i) => (i * 7) % k);
    const points = Float32Array.from({ length: n * d }, (_, x) => gaussian(random) + (labels[Math.floor(x / d)]! === x % d ? 2 : 0));
    for (const sampleSize of [n, 611]) {
      const serial = silhouette(points, n, d, labels, k, { sampleSize, seed: 4 });
      const pooled = silhouette(points, n, d, labels, k, { sampleSize, seed: 4 }, pool);
      expect(pooled.sampled).toBe(Math.min(n, sampleSize));
      expect(pooled.mean).toBe(serial.mean);
      expect(pooled.perCluster).toEqual(serial.perCluster);
      expect(serial.mean).toBeGreaterThan(0.02);
    }
    const small = 300; // at PARALLEL_MIN_SAMPLE or above, so the pool computes it
    const sub = points.slice(0, small * d);
    const want = plain(Float64Array.from(sub), small, d, labels.subarray(0, small), k, 'cosine');
    const got = silhouette(sub, small, d, labels.subarray(0, small), k, {}, pool);
    expect(got.mean).toBe(want.mean);
    expect(got.perCluster).toEqual(want.perCluster);
  });
});

describe('agreement: one contingency table for all figures', () => {
  it('equals the separate functions, on string classes against numeric clusters', () => {
    const random = createRandom(8);
    const truth = Array.from({ length: 500 }, () => ['cs.LG', 'cs.CL', 'cs.CV', 'stat.ML'][Math.floor(random() * 4)]!);
    const pred = Int32Array.from(truth, (t) => (random() < 0.7 ? t.length % 3 : Math.floor(random() * 5)));
    const all = agreement(truth, pred);
    expect(all.ari).toBe(adjustedRandIndex(truth, pred));
    expect(all.nmi).toBe(normalizedMutualInfo(truth, pred));
    const hcv = homogeneityCompletenessVMeasure(truth, pred);
    expect([all.homogeneity, all.completeness, all.vMeasure]).toEqual([hcv.homogeneity, hcv.completeness, hcv.vMeasure]);
    expect(all.nmi).toBeGreaterThan(0.05);
    expect(agreement([], [])).toEqual({ ari: 1, nmi: 1, homogeneity: 1, completeness: 1, vMeasure: 1 });
  });
});
