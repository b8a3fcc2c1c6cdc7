import { describe, expect, it } from 'vitest';
import { normalizeRowsL2 } from '../analysis/kmeans.ts';
import { createRandom } from '../analysis/random.ts';
import { candidateKs, selectK } from '../analysis/select-k.ts';
import type { CsrMatrix } from '../analysis/types.ts';

/**
 * `topics` planted topics, each with its own 12 words (plus 6 words every document may use):
 * every document draws 12 words, 85% from its topic. Returns term counts and the L2-normalised
 * count rows as points (a stand-in for PCA scores, where the planted topics are separated).
 */
function planted(topics: number, docsPerTopic: number, seed: number): { counts: CsrMatrix; points: Float32Array; n: number; d: number } {
  const random = createRandom(seed);
  const own = 12;
  const shared = 6;
  const V = topics * own + shared;
  const n = topics * docsPerTopic;
  const dense = new Float32Array(n * V);
  for (let i = 0; i < n; i++) {
    const topic = i % topics;
    for (let w = 0; w < 12; w++) {
      const col = random() < 0.85 ? topic * own + Math.floor(random() * own) : topics * own + Math.floor(random() * shared);
      dense[i * V + col]! += 1;
    }
  }
  const indptr = new Int32Array(n + 1);
  const indices: number[] = [];
  const data: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < V; j++) {
      if (dense[i * V + j]! > 0) {
        indices.push(j);
        data.push(dense[i * V + j]!);
      }
    }
    indptr[i + 1] = indices.length;
  }
  const counts: CsrMatrix = { rows: n, cols: V, indptr, indices: Int32Array.from(indices), data: Float32Array.from(data) };
  return { counts, points: normalizeRowsL2(dense, n, V), n, d: V };
}

describe('candidateKs', () => {
  it('spreads the candidates geometrically, distinct and ascending', () => {
    expect(candidateKs(8, 40, 8)).toEqual([8, 10, 13, 16, 20, 25, 32, 40]);
    expect(candidateKs(5, 5, 3)).toEqual([5]);
  });
  it('rejects impossible ranges', () => {
    expect(() => candidateKs(1, 10, 5)).toThrow(/kMin/);
    expect(() => candidateKs(10, 5, 5)).toThrow(/kMin/);
    expect(() => candidateKs(2, 10, 0)).toThrow(/steps/);
  });
});

describe('selectK', () => {
  const data = planted(6, 60, 3);
  const ks = candidateKs(2, 14, 13);

  it('finds the planted number of topics by coherence × diversity × stability', () => {
    expect(ks).toContain(6);
    const r = selectK(data.points, data.n, data.d, { kMin: 2, kMax: 14, steps: 13, seed: 1, counts: data.counts });
    expect(r.criterion).toBe('coherence × diversity × stability');
    expect(r.k).toBe(6);
    const at = (k: number) => r.curve.find((p) => p.k === k)!;
    // Splitting a planted topic makes two topics share terms: diversity drops past k = 6.
    expect(at(6).diversity).toBe(1);
    expect(at(12).diversity!).toBeLessThan(1);
    // Merging two topics puts words that never co-occur in one list: coherence drops below k = 6.
    expect(at(3).coherence!).toBeLessThan(at(6).coherence!);
    for (const p of r.curve) expect(Number.isFinite(p.score)).toBe(true);
  });

  it('is deterministic for a seed', () => {
    const a = selectK(data.points, data.n, data.d, { kMin: 4, kMax: 8, steps: 3, seed: 5, counts: data.counts });
    const b = selectK(data.points, data.n, data.d, { kMin: 4, kMax: 8, steps: 3, seed: 5, counts: data.counts });
    expect(b).toEqual(a);
  });

  it('falls back to silhouette × stability without term counts', () => {
    const r = selectK(data.points, data.n, data.d, { kMin: 4, kMax: 8, steps: 3, seed: 1 });
    expect(r.criterion).toBe('silhouette × stability');
    expect(r.curve.every((p) => p.coherence === undefined)).toBe(true);
    expect(r.k).toBe(6);
  });

  it('checks its inputs up front', () => {
    expect(() => selectK(data.points, data.n + 1, data.d, { kMin: 2, kMax: 4, seed: 1 })).toThrow(/n × d/);
    expect(() => selectK(data.points, data.n, data.d, { kMin: 2, kMax: 4, seed: 1, nInit: 0 })).toThrow(/nInit/);
    expect(() => selectK(data.points, data.n, data.d, { kMin: 2, kMax: 4, seed: 1, tolerance: 1 })).toThrow(/tolerance/);
    const wrongRows = { ...data.counts, rows: 3 };
    expect(() => selectK(data.points, data.n, data.d, { kMin: 2, kMax: 4, seed: 1, counts: wrongRows })).toThrow(/rows/);
  });
});
