import { kmeans } from 'ml-kmeans';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitKMeans, normalizeRowsL2, type KMeansOptions } from '../analysis/kmeans.ts';
import { centroidsFromGrouping } from '../analysis/kmeans-warm.ts';
import { WorkerPool } from '../analysis/parallel/pool.ts';
import { isShared, toSharedFloat32 } from '../analysis/parallel/shared.ts';
import { lloydWithMlKMeans } from '../analysis/kmeans-ml.ts';
import { lloyd, partitionInertia, rowDistancesRange, rowSquaredNorms, sumMembersColumns, updateCentroids } from '../analysis/kmeans-lloyd.ts';
import { rowPasses } from '../analysis/kmeans-row-passes.ts';
import { assignRange, assignRangeBounded, boundsMargin } from '../analysis/kmeans-assign.ts';
import { lloydDense } from '../analysis/kmeans-lloyd-dense.ts';
import { canonicalOrder, fillEmptyClusters } from '../analysis/kmeans-partition.ts';
import { greedyKMeansPlusPlus } from '../analysis/kmeans-seeding.ts';
import { createRandom, gaussian } from '../analysis/random.ts';

/** `perBlob` points around each of `blobs` random centres (spread `centreScale`) with unit-σ noise × `noise`. */
function blobs(blobCount: number, perBlob: number, d: number, centreScale: number, noise: number, seed: number) {
  const rnd = createRandom(seed);
  const centres = new Float64Array(blobCount * d).map(() => gaussian(rnd) * centreScale);
  const n = blobCount * perBlob;
  const X = new Float32Array(n * d);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const b = i % blobCount; // interleaved, so blob membership is not a contiguous range
    truth[i] = b;
    for (let t = 0; t < d; t++) X[i * d + t] = centres[b * d + t] + gaussian(rnd) * noise;
  }
  return { X, n, d, truth };
}

/** True when two labelings are the same partition (a bijection maps one onto the other). */
function samePartition(a: Int32Array, b: Int32Array): boolean {
  const ab = new Map<number, number>();
  const ba = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    if ((ab.get(a[i]) ?? b[i]) !== b[i] || (ba.get(b[i]) ?? a[i]) !== a[i]) return false;
    ab.set(a[i], b[i]);
    ba.set(b[i], a[i]);
  }
  return true;
}

describe('normalizeRowsL2', () => {
  it('scales rows to unit length, keeps zero rows, returns a new array', () => {
    const x = new Float32Array([3, 4, 0, 0, 1, 0]);
    const y = normalizeRowsL2(x, 3, 2);
    expect(Array.from(y)).toEqual([0.6000000238418579, 0.800000011920929, 0, 0, 1, 0]);
    expect(y).not.toBe(x);
    expect(x[0]).toBe(3);
    expect(() => normalizeRowsL2(x, 4, 2)).toThrow(/length/);
  });

  it('returns the rows in shared memory, which a threaded fitKMeans reads without copying', () => {
    const y = normalizeRowsL2(new Float32Array([3, 4, 0, 0]), 2, 2);
    expect(isShared(y)).toBe(true);
    expect(toSharedFloat32(y)).toBe(y);
  });
});

describe('fitKMeans on well-separated blobs', () => {
  it('recovers the blobs exactly, with canonical numbering and consistent bookkeeping', () => {
    const { X, n, d, truth } = blobs(6, 80, 10, 10, 0.5, 1);
    const res = fitKMeans(X, n, d, { k: 6, seed: 7 });
    expect(samePartition(res.labels, truth)).toBe(true);
    // canonical numbering: all sizes equal (80), so clusters are ordered by smallest member index:
    // point i belongs to blob i % 6, so cluster c's first member is point c
    for (let c = 0; c < 6; c++) expect(res.labels[c]).toBe(c);
    expect(Array.from(res.sizes)).toEqual([80, 80, 80, 80, 80, 80]);
    // inertia is over all points against the returned centroids, and is the best restart's
    const c64 = Float64Array.from(res.centroids);
    expect(partitionInertia(X, n, d, res.labels, c64)).toBeCloseTo(res.inertia, 3);
    expect(res.inertia).toBe(Math.min(...res.restartInertias));
    expect(res.restartInertias).toHaveLength(5);
    expect(res.restartLabels).toHaveLength(5);
  });

  it('gives the same partition when the rows are permuted', () => {
    const { X, n, d } = blobs(5, 60, 8, 10, 0.5, 2);
    const perm = Array.from({ length: n }, (_, i) => i);
    const rnd = createRandom(99);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    const Y = new Float32Array(n * d);
    perm.forEach((src, dst) => Y.set(X.subarray(src * d, src * d + d), dst * d));
    const a = fitKMeans(X, n, d, { k: 5, seed: 3 });
    const b = fitKMeans(Y, n, d, { k: 5, seed: 3 });
    const bInOriginalOrder = new Int32Array(n);
    perm.forEach((src, dst) => (bInOriginalOrder[src] = b.labels[dst]));
    expect(samePartition(a.labels, bInOriginalOrder)).toBe(true);
  });

  it('greedy k-means++ puts one initial centre in each blob', () => {
    const { X, n, d, truth } = blobs(8, 50, 6, 20, 0.3, 4);
    const centres = greedyKMeansPlusPlus(X, n, d, 8, createRandom(5));
    const hit = new Set<number>();
    for (let c = 0; c < 8; c++) {
      // nearest data point of the centre (it is a copy of one)
      let best = -1;
      let bestD = Infinity;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let t = 0; t < d; t++) s += (X[i * d + t] - centres[c * d + t]) ** 2;
        if (s < bestD) {
          bestD = s;
          best = i;
        }
      }
      expect(bestD).toBe(0);
      hit.add(truth[best]);
    }
    expect(hit.size).toBe(8);
  });
});

describe('Lloyd kernels agree', () => {
  const { X, n, d } = blobs(12, 150, 16, 1.2, 1, 5); // heavily overlapping: many reassignments
  const initial = greedyKMeansPlusPlus(X, n, d, 12, createRandom(6));

  it('Elkan and Hamerly bounds give exactly plain Lloyd (labels, centroids, inertia, iterations)', () => {
    const plain = lloyd(X, n, d, initial, 12, { maxIter: 100, tol: 0, bounds: 'none' });
    expect(plain.iterations).toBeGreaterThan(5);
    for (const bounds of ['elkan', 'hamerly'] as const) {
      const bounded = lloyd(X, n, d, initial, 12, { maxIter: 100, tol: 0, bounds });
      expect(bounded.skipped).toBeGreaterThan(0); // the bounds did something
      expect(Array.from(bounded.labels)).toEqual(Array.from(plain.labels));
      expect(Array.from(bounded.centroids)).toEqual(Array.from(plain.centroids));
      expect(bounded.inertia).toBe(plain.inertia);
      expect(bounded.iterations).toBe(plain.iterations);
    }
  });

  it('the ml-kmeans path equals our kernel from the same initial centroids', () => {
    for (const tol of [0, 1e-4]) {
      const ours = lloyd(X, n, d, initial, 12, { maxIter: 100, tol });
      const ml = lloydWithMlKMeans(X, n, d, initial, 12, { maxIter: 100, tol });
      expect(Array.from(ml.labels)).toEqual(Array.from(ours.labels));
      expect(ml.iterations).toBe(ours.iterations);
      expect(ml.inertia).toBeCloseTo(ours.inertia, 6);
    }
  });

  it('plain ml-kmeans run to convergence from our seeds reaches the same labels', () => {
    const ours = lloyd(X, n, d, initial, 12, { maxIter: 300, tol: 0 });
    expect(ours.converged).toBe(true);
    const data = Array.from({ length: n }, (_, i) => Array.from(X.subarray(i * d, (i + 1) * d)));
    const start = Array.from({ length: 12 }, (_, j) => Array.from(initial.subarray(j * d, (j + 1) * d)));
    const ml = kmeans(data, 12, { initialization: start, maxIterations: 300, tolerance: 0 });
    expect(ml.clusters).toEqual(Array.from(ours.labels));
  });
});

describe('fitKMeans determinism and sampling', () => {
  const { X, n, d } = blobs(10, 100, 12, 1.5, 1, 8);

  it('same seed → identical result; different seed → a (possibly) different but valid fit', () => {
    const a = fitKMeans(X, n, d, { k: 10, seed: 11 });
    const b = fitKMeans(X, n, d, { k: 10, seed: 11 });
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(Array.from(a.centroids)).toEqual(Array.from(b.centroids));
    expect(a.restartInertias).toEqual(b.restartInertias);
    const c = fitKMeans(X, n, d, { k: 10, seed: 12 });
    expect(c.sizes.reduce((s, x) => s + x, 0)).toBe(n);
  });

  it('labels are canonical: sizes descending, ties by smallest member index', () => {
    const res = fitKMeans(X, n, d, { k: 10, seed: 11 });
    const first = new Array<number>(10).fill(-1);
    res.labels.forEach((l, i) => {
      if (first[l] < 0) first[l] = i;
    });
    for (let c = 1; c < 10; c++) {
      expect(res.sizes[c]).toBeLessThanOrEqual(res.sizes[c - 1]);
      if (res.sizes[c] === res.sizes[c - 1]) expect(first[c]).toBeGreaterThan(first[c - 1]);
    }
    expect(Array.from(canonicalOrder(res.labels, 10))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('fits on a sample above sampleSize and still labels every point, inertia over all points', () => {
    const res = fitKMeans(X, n, d, { k: 10, seed: 11, sampleSize: 300 });
    expect(res.labels).toHaveLength(n);
    expect(res.sizes.reduce((s, x) => s + x, 0)).toBe(n);
    // the restarts are compared on the fit sample: their labels and inertias cover it only
    expect(res.restartRows).toHaveLength(300);
    for (const labels of res.restartLabels) expect(labels).toHaveLength(300);
    expect(partitionInertia(X, n, d, res.labels, Float64Array.from(res.centroids))).toBeCloseTo(res.inertia, 2);
    // the sample fit is close to the full fit on this easy-ish problem
    const full = fitKMeans(X, n, d, { k: 10, seed: 11 });
    expect(res.inertia).toBeLessThan(full.inertia * 1.1);
  });
});

describe('no empty clusters in adversarial cases', () => {
  it('all points identical: k clusters, every one non-empty', () => {
    const n = 10;
    const d = 3;
    const X = new Float32Array(n * d).fill(0.5);
    const res = fitKMeans(X, n, d, { k: 3, seed: 1 });
    expect(Array.from(res.sizes).every((s) => s >= 1)).toBe(true);
    expect(res.sizes.reduce((s, x) => s + x, 0)).toBe(n);
    expect(res.inertia).toBe(0);
  });

  it('k = n gives singletons', () => {
    const { X, n, d } = blobs(3, 4, 2, 5, 1, 3);
    const res = fitKMeans(X, n, d, { k: n, seed: 2 });
    expect(Array.from(res.sizes)).toEqual(new Array(n).fill(1));
    expect(res.inertia).toBeCloseTo(0, 10);
  });

  it('many duplicates and k close to n', () => {
    // 20 points with only 5 distinct values, k = 18
    const d = 2;
    const n = 20;
    const X = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      X[i * d] = i % 5;
      X[i * d + 1] = (i % 5) * 2;
    }
    const res = fitKMeans(X, n, d, { k: 18, seed: 4, nInit: 3 });
    expect(Array.from(res.sizes).every((s) => s >= 1)).toBe(true);
    expect(res.sizes.reduce((s, x) => s + x, 0)).toBe(n);
    expect(res.inertia).toBe(0); // every cluster holds copies of one value
  });

  it('fillEmptyClusters moves the farthest point of a multi-member cluster into the empty one', () => {
    const X = new Float32Array([0, 0, 1, 0, 10, 0]);
    const labels = new Int32Array([0, 0, 0]);
    const centroids = new Float64Array([11 / 3, 0, 99, 99]);
    const res = fillEmptyClusters(X, 3, 2, labels, centroids, 2);
    expect(Array.from(res.labels)).toEqual([0, 0, 1]);
    expect(Array.from(res.centroids)).toEqual([0.5, 0, 10, 0]);
    expect(res.inertia).toBeCloseTo(0.5, 12);
  });
});

describe('fitKMeans validates its input', () => {
  const X = new Float32Array(20);
  it('rejects bad shapes and options with clear errors', () => {
    expect(() => fitKMeans(X, 10, 3, { k: 2, seed: 1 })).toThrow(/length/);
    expect(() => fitKMeans(X, 10, 2, { k: 11, seed: 1 })).toThrow(/k must be/);
    expect(() => fitKMeans(X, 10, 2, { k: 0, seed: 1 })).toThrow(/k must be/);
    expect(() => fitKMeans(X, 10, 2, { k: 2, nInit: 0, seed: 1 })).toThrow(/nInit/);
    expect(() => fitKMeans(X, 10, 2, { k: 2, maxIter: 0, seed: 1 })).toThrow(/maxIter/);
    expect(() => fitKMeans(X, 10, 2, { k: 2, tol: -1, seed: 1 })).toThrow(/tol/);
    expect(() => fitKMeans(X, 10, 2, { k: 3, sampleSize: 2, seed: 1 })).toThrow(/sampleSize/);
    expect(() => fitKMeans(new Float32Array([NaN, 0, 0, 0]), 2, 2, { k: 1, seed: 1 })).toThrow(/non-finite/);
  });
});

describe('warm start (initialCentroids)', () => {
  /** Means of the groups of a labeling, float32 (what a caller passes as initialCentroids). */
  const meansOfGroups = (X: Float32Array, n: number, d: number, groups: Int32Array, k: number) => centroidsFromGrouping(X, n, d, groups, k).centroids;

  it('from the true centres: restart 0 converges to them at once and is kept', () => {
    // Overlapping blobs, so seeded restarts land elsewhere and the warm start is what decides.
    const { X, n, d, truth } = blobs(6, 80, 10, 10, 0.5, 1);
    const truthMeans = meansOfGroups(X, n, d, truth, 6);
    const res = fitKMeans(X, n, d, { k: 6, nInit: 3, seed: 7, initialCentroids: truthMeans });
    expect(res.bestRestart).toBe(0);
    expect(res.iterations).toBe(2); // one to assign, one that changes nothing: a fixed point
    expect(samePartition(res.labels, truth)).toBe(true);
    // the centroids are the true means (renumbered canonically: cluster c holds point c)
    for (let c = 0; c < 6; c++) {
      for (let t = 0; t < d; t++) expect(res.centroids[c * d + t]).toBeCloseTo(truthMeans[truth[c] * d + t], 5);
    }
    expect(res.inertia).toBe(res.restartInertias[0]);
  });

  it('keeps the warm restart within warmTolerance, not beyond it', () => {
    // A structureless cloud: the restarts' optima differ by a percent or so (0.016 0 0.004 0.010
    // 0.012 above the best here), like the near-equal partitions of real text.
    const { X, n, d } = blobs(1, 600, 5, 0, 1, 5);
    const cold = fitKMeans(X, n, d, { k: 6, nInit: 5, seed: 5 });
    const worst = 2; // a restart within 1 % of the best, but not the best
    const best = Math.min(...cold.restartInertias);
    expect(cold.restartInertias[worst]! / best - 1).toBeGreaterThan(1e-4);
    expect(cold.restartInertias[worst]! / best - 1).toBeLessThan(0.01);
    const start = meansOfGroups(X, n, d, cold.restartLabels[worst]!, 6);

    const warm = fitKMeans(X, n, d, { k: 6, nInit: 5, seed: 5, initialCentroids: start });
    // restarts 1..4 are the cold fit's restarts 1..4, untouched by the warm start
    expect(warm.restartInertias.slice(1)).toEqual(cold.restartInertias.slice(1));
    expect(warm.bestRestart).toBe(0);
    expect(warm.inertia).toBeGreaterThan(Math.min(...warm.restartInertias.slice(1)));
    // Lloyd from that partition only improves on it
    expect(warm.inertia).toBe(warm.restartInertias[0]);
    expect(warm.inertia).toBeLessThanOrEqual(cold.restartInertias[worst]!);

    // warmTolerance 0: plain lowest inertia
    const strict = fitKMeans(X, n, d, { k: 6, nInit: 5, seed: 5, initialCentroids: start, warmTolerance: 0 });
    expect(strict.bestRestart).not.toBe(0);
    expect(strict.inertia).toBe(Math.min(...strict.restartInertias));
  });

  it('a clearly worse warm start loses to the seeded restarts', () => {
    // Three tight blobs on a line at x = 0, 10 and 100. The stale grouping puts the first two in
    // one cluster and cuts the third in two by the sign of y: a stable local optimum of Lloyd.
    const rnd = createRandom(9);
    const n = 150;
    const d = 2;
    const X = new Float32Array(n * d);
    const truth = new Int32Array(n);
    const bad = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      truth[i] = i % 3;
      X[i * d] = [0, 10, 100][truth[i]]! + 0.5 * gaussian(rnd);
      X[i * d + 1] = 0.5 * gaussian(rnd);
      bad[i] = truth[i] < 2 ? 0 : X[i * d + 1]! < 0 ? 1 : 2;
    }
    const start = meansOfGroups(X, n, d, bad, 3);
    const res = fitKMeans(X, n, d, { k: 3, nInit: 4, seed: 7, initialCentroids: start });
    expect(res.restartInertias[0]).toBeGreaterThan(1.01 * Math.min(...res.restartInertias.slice(1)));
    expect(res.bestRestart).not.toBe(0);
    expect(samePartition(res.labels, truth)).toBe(true);
    // with warmTolerance 1 the warm restart is always kept
    const kept = fitKMeans(X, n, d, { k: 3, nInit: 4, seed: 7, initialCentroids: start, warmTolerance: 1 });
    expect(kept.bestRestart).toBe(0);
    expect(kept.inertia).toBe(res.restartInertias[0]);
  });

  it('is deterministic, and the warm restart also runs on a fit-on-sample', () => {
    const { X, n, d, truth } = blobs(10, 100, 12, 1.5, 1, 8);
    const start = meansOfGroups(X, n, d, truth, 10);
    const a = fitKMeans(X, n, d, { k: 10, seed: 11, initialCentroids: start });
    const b = fitKMeans(X, n, d, { k: 10, seed: 11, initialCentroids: Float32Array.from(start) });
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(Array.from(a.centroids)).toEqual(Array.from(b.centroids));
    expect(a.restartInertias).toEqual(b.restartInertias);
    expect(a.bestRestart).toBe(b.bestRestart);
    const sampled = fitKMeans(X, n, d, { k: 10, seed: 11, sampleSize: 300, initialCentroids: start });
    expect(sampled.labels).toHaveLength(n);
    expect(sampled.restartInertias).toHaveLength(5);
  });

  it('validates initialCentroids and warmTolerance', () => {
    const X = new Float32Array(20);
    expect(() => fitKMeans(X, 10, 2, { k: 2, seed: 1, initialCentroids: new Float32Array(3) })).toThrow(/initialCentroids/);
    expect(() => fitKMeans(X, 10, 2, { k: 2, seed: 1, initialCentroids: new Float32Array([0, 0, NaN, 0]) })).toThrow(/non-finite initial/);
    expect(() => fitKMeans(X, 10, 2, { k: 2, seed: 1, initialCentroids: new Float32Array(4), warmTolerance: -0.1 })).toThrow(/warmTolerance/);
    expect(() => fitKMeans(X, 10, 2, { k: 2, seed: 1, warmTolerance: 2 })).toThrow(/warmTolerance/);
  });
});

describe('centroidsFromGrouping', () => {
  it('means of the grouped rows; rows without a group ignored; an empty group gets the farthest row', () => {
    // rows: (0,0) (2,0) in group 0, (10,0) in group 2, (5,5) ungrouped, (0,9) ungrouped; group 1 empty
    const X = new Float32Array([0, 0, 2, 0, 10, 0, 5, 5, 0, 9]);
    const { centroids, missing } = centroidsFromGrouping(X, 5, 2, new Int32Array([0, 0, 2, -1, -1]), 3);
    expect(missing).toEqual([1]);
    // farthest from its nearest centre ((1,0) or (10,0)): (0,9) at 82 beats (5,5) at 41
    expect(Array.from(centroids)).toEqual([1, 0, 0, 9, 10, 0]);
  });

  it('with no grouped row at all, starts from row 0 and seeds the rest farthest-first', () => {
    const X = new Float32Array([0, 0, 1, 0, 5, 0]);
    const { centroids, missing } = centroidsFromGrouping(X, 3, 2, new Int32Array([-1, -1, -1]), 2);
    expect(missing).toEqual([0, 1]);
    expect(Array.from(centroids)).toEqual([0, 0, 5, 0]);
  });

  it('rejects bad groups and shapes', () => {
    const X = new Float32Array(6);
    expect(() => centroidsFromGrouping(X, 3, 2, new Int32Array([0, 3, 0]), 2)).toThrow(/group 3/);
    expect(() => centroidsFromGrouping(X, 3, 2, new Int32Array(2), 2)).toThrow(/groups/);
    expect(() => centroidsFromGrouping(X, 4, 2, new Int32Array(4), 2)).toThrow(/length/);
    expect(() => centroidsFromGrouping(X, 3, 2, new Int32Array(3), 4)).toThrow(/k must be/);
  });
});

describe('warm start over the worker pool', () => {
  let pool: WorkerPool;
  beforeAll(async () => {
    pool = await WorkerPool.start({ threads: 2 });
  });
  afterAll(async () => {
    await pool.close();
  });

  const same = (n: number, blobCount: number, d: number, opts: Omit<KMeansOptions, 'initialCentroids'>) => {
    const { X, truth } = blobs(blobCount, n / blobCount, d, 1.5, 1, 31);
    // start from a perturbed truth: a partition the warm restart has to improve on
    const groups = Int32Array.from(truth, (b, i) => (i % 7 === 0 ? (b + 1) % opts.k : b % opts.k));
    const initialCentroids = centroidsFromGrouping(X, n, d, groups, opts.k).centroids;
    const serial = fitKMeans(X, n, d, { ...opts, initialCentroids });
    const parallel = fitKMeans(X, n, d, { ...opts, initialCentroids }, pool);
    expect(Array.from(parallel.labels)).toEqual(Array.from(serial.labels));
    expect(Array.from(parallel.centroids)).toEqual(Array.from(serial.centroids));
    expect(parallel.inertia).toBe(serial.inertia);
    expect(parallel.restartInertias).toEqual(serial.restartInertias);
    expect(parallel.bestRestart).toBe(serial.bestRestart);
    expect(parallel.iterations).toBe(serial.iterations);
    expect(serial.iterations).toBeGreaterThan(1);
  };

  it('our Lloyd kernel: bit-identical to the serial run', () => {
    same(6000, 12, 40, { k: 12, nInit: 4, seed: 3 }); // n·k·d above the ml-kmeans threshold
  });

  it('the ml-kmeans path and the fit-on-sample path: identical too', () => {
    same(400, 4, 5, { k: 4, nInit: 3, seed: 5 });
    same(3000, 6, 8, { k: 6, nInit: 4, seed: 6, sampleSize: 900 });
  });
});

describe('blocked assignment pass (kmeans-assign.ts)', () => {
  it('labels every row with its nearest centre, ties to the lowest index, whatever the row range split', () => {
    const { X, n, d } = blobs(7, 43, 9, 1, 1, 41); // n = 301: not a multiple of the 4-row block
    const k = 7;
    const centres = greedyKMeansPlusPlus(X, n, d, k, createRandom(2));
    centres.set(centres.subarray(0, d), 3 * d); // centre 3 duplicates centre 0: exact ties
    const xn = rowSquaredNorms(X, n, d);
    const cn = rowSquaredNorms(centres, k, d);
    const whole = new Int32Array(n);
    const dist2 = new Float64Array(n);
    assignRange(X, d, xn, centres, cn, k, 0, n, whole, dist2);
    for (let i = 0; i < n; i++) {
      let best = -1;
      let bestD = Infinity;
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let t = 0; t < d; t++) s += (X[i * d + t] - centres[j * d + t]) ** 2;
        if (s < bestD - 1e-9) {
          bestD = s;
          best = j;
        }
      }
      expect(whole[i]).toBe(best);
      expect(whole[i]).not.toBe(3);
      expect(dist2[i]).toBeCloseTo(bestD, 9);
    }
    // any split into ranges (odd sizes, so rows change their position in the 4-row block)
    const split = new Int32Array(n);
    for (const [a, b] of [[0, 5], [5, 6], [6, 150], [150, 301]]) assignRange(X, d, xn, centres, cn, k, a, b, split);
    expect(Array.from(split)).toEqual(Array.from(whole));
  });
});

describe('bounded assignment pass (assignRangeBounded)', () => {
  const { X, n, d } = blobs(7, 43, 9, 1, 1, 43);
  const k = 7;
  const centres = greedyKMeansPlusPlus(X, n, d, k, createRandom(3));
  centres.set(centres.subarray(0, d), 5 * d); // centre 5 duplicates centre 0: exact ties
  const xn = rowSquaredNorms(X, n, d);
  const cn = rowSquaredNorms(centres, k, d);
  const margin = boundsMargin(Math.max(...xn));

  it('from unknown bounds: the labels of a full pass, and the nearest / second-nearest distances as bounds', () => {
    const full = new Int32Array(n);
    const dist2 = new Float64Array(n);
    assignRange(X, d, xn, centres, cn, k, 0, n, full, dist2);
    const labels = new Int32Array(n);
    const bounds = { upper: new Float64Array(n).fill(Infinity), lower: new Float64Array(n), margin };
    expect(assignRangeBounded(X, d, xn, centres, cn, k, 0, n, labels, bounds)).toBe(0);
    expect(Array.from(labels)).toEqual(Array.from(full));
    for (let i = 0; i < n; i++) {
      expect(bounds.upper[i]).toBeCloseTo(Math.sqrt(dist2[i]), 9);
      expect(bounds.lower[i]).toBeGreaterThanOrEqual(bounds.upper[i]);
    }
  });

  it('skips the rows whose bounds prove their label, and only those', () => {
    const labels = new Int32Array(n);
    const bounds = { upper: new Float64Array(n).fill(Infinity), lower: new Float64Array(n), margin };
    assignRangeBounded(X, d, xn, centres, cn, k, 0, n, labels, bounds);
    // the same centres again: every row is skipped except those tied between centres 0 and 5
    const tied = Array.from(labels).filter((c) => c === 0).length;
    expect(tied).toBeGreaterThan(0);
    expect(assignRangeBounded(X, d, xn, centres, cn, k, 0, n, labels, bounds)).toBe(n - tied);
    // a skipped row keeps whatever label it holds: the bounds are trusted, not rechecked
    const planted = Int32Array.from(labels);
    const i = labels.findIndex((c) => c !== 0);
    planted[i] = 6 - labels[i]!;
    assignRangeBounded(X, d, xn, centres, cn, k, 0, n, planted, bounds);
    expect(planted[i]).toBe(6 - labels[i]!);
    // a loose upper bound is tightened to the own-centre distance, which still proves the label
    const exact = bounds.upper[i]!;
    bounds.upper[i] = bounds.lower[i]! + 1;
    expect(assignRangeBounded(X, d, xn, centres, cn, k, i, i + 1, labels, bounds)).toBe(1);
    expect(bounds.upper[i]).toBe(exact);
  });
});

describe('lloydDense (plain Lloyd on a blocked pass)', () => {
  const { X, n, d } = blobs(12, 150, 16, 1.2, 1, 5);
  const initial = greedyKMeansPlusPlus(X, n, d, 12, createRandom(6));

  it('is exactly lloyd() without bounds (labels, centroids, inertia, iterations)', () => {
    for (const tol of [0, 1e-4]) {
      const plain = lloyd(X, n, d, initial, 12, { maxIter: 100, tol, bounds: 'none' });
      const dense = lloydDense(X, n, d, initial, 12, { maxIter: 100, tol });
      expect(dense.iterations).toBeGreaterThan(5);
      expect(Array.from(dense.labels)).toEqual(Array.from(plain.labels));
      expect(Array.from(dense.centroids)).toEqual(Array.from(plain.centroids));
      expect(dense.inertia).toBe(plain.inertia);
      expect(dense.iterations).toBe(plain.iterations);
      expect(dense.converged).toBe(plain.converged);
    }
  });

  it('bounded passes (the default) give exactly the unbounded result on overlapping clusters', () => {
    const { X, n, d } = blobs(20, 100, 12, 0.6, 1, 9); // heavy overlap: many rows change late
    const start = greedyKMeansPlusPlus(X, n, d, 20, createRandom(10));
    const none = lloydDense(X, n, d, start, 20, { maxIter: 200, tol: 0, bounds: 'none' });
    const bounded = lloydDense(X, n, d, start, 20, { maxIter: 200, tol: 0 });
    expect(none.iterations).toBeGreaterThan(10);
    expect(Array.from(bounded.labels)).toEqual(Array.from(none.labels));
    expect(Array.from(bounded.centroids)).toEqual(Array.from(none.centroids));
    expect(bounded.inertia).toBe(none.inertia);
    expect(bounded.iterations).toBe(none.iterations);
  });

  it('agrees with ml-kmeans (the exact reference) run to convergence from the same centres', () => {
    const ours = lloydDense(X, n, d, initial, 12, { maxIter: 300, tol: 0 });
    expect(ours.converged).toBe(true);
    const data = Array.from({ length: n }, (_, i) => Array.from(X.subarray(i * d, (i + 1) * d)));
    const start = Array.from({ length: 12 }, (_, j) => Array.from(initial.subarray(j * d, (j + 1) * d)));
    const ml = kmeans(data, 12, { initialization: start, maxIterations: 300, tolerance: 0 });
    expect(ml.clusters).toEqual(Array.from(ours.labels));
  });
});

describe('fit on a sample, refined on all rows', () => {
  const { X, n, d } = blobs(15, 200, 20, 1.2, 1, 17); // n = 3000, overlapping blobs

  it('restarts are compared on the sample; the chosen one is refined to a Lloyd optimum on all rows', () => {
    const sampled = fitKMeans(X, n, d, { k: 15, seed: 4, sampleSize: 600 });
    expect(sampled.restartLabels).toHaveLength(5);
    const rows = sampled.restartRows!;
    expect(rows).toHaveLength(600);
    for (let r = 1; r < rows.length; r++) expect(rows[r]).toBeGreaterThan(rows[r - 1]);
    for (const labels of sampled.restartLabels) expect(labels).toHaveLength(600);
    // each restart's inertia is that of its labels on the sample rows, and the lowest one won
    const sample = new Float32Array(600 * d);
    rows.forEach((row, r) => sample.set(X.subarray(row * d, row * d + d), r * d));
    sampled.restartLabels.forEach((labels, r) => {
      const means = new Float64Array(15 * d);
      const counts = new Int32Array(15);
      labels.forEach((c, i) => {
        counts[c]++;
        for (let t = 0; t < d; t++) means[c * d + t] += sample[i * d + t];
      });
      for (let j = 0; j < 15 * d; j++) means[j] /= counts[Math.floor(j / d)] || 1;
      expect(partitionInertia(sample, 600, d, labels, means)).toBeCloseTo(sampled.restartInertias[r]!, 6);
    });
    expect(sampled.restartInertias[sampled.bestRestart]).toBe(Math.min(...sampled.restartInertias));
    expect(sampled.inertia).toBeGreaterThan(sampled.restartInertias[sampled.bestRestart]!); // all 3000 rows, not 600
    expect(partitionInertia(X, n, d, sampled.labels, Float64Array.from(sampled.centroids))).toBeCloseTo(sampled.inertia, 2);
    // refined on all rows: one more Lloyd pass from its centroids barely moves anything
    const again = lloydDense(X, n, d, Float64Array.from(sampled.centroids), 15, { maxIter: 1, tol: 0 });
    let moved = 0;
    for (let i = 0; i < n; i++) if (again.labels[i] !== sampled.labels[i]) moved++;
    expect(moved).toBeLessThan(n * 0.005);
    // as good as fitting every restart on all rows (within 0.5 %)
    const full = fitKMeans(X, n, d, { k: 15, seed: 4, sampleSize: n });
    expect(sampled.inertia).toBeLessThan(full.inertia * 1.005);
  });

  it('default sample size: 10,000 rows, or 250 per cluster', async () => {
    const { defaultSampleSize } = await import('../analysis/kmeans.ts');
    expect(defaultSampleSize(30)).toBe(10_000);
    expect(defaultSampleSize(50)).toBe(12_500);
  });
});

describe('warmOnly (the nightly fold-in path)', () => {
  const { X, n, d, truth } = blobs(8, 150, 12, 1.5, 1, 23);
  const groups = Int32Array.from(truth, (b, i) => (i % 9 === 0 ? (b + 1) % 8 : b));
  const start = centroidsFromGrouping(X, n, d, groups, 8).centroids;

  it('runs only the warm restart: Lloyd on all rows from initialCentroids', () => {
    const res = fitKMeans(X, n, d, { k: 8, seed: 1, nInit: 5, initialCentroids: start, warmOnly: true });
    expect(res.bestRestart).toBe(0);
    expect(res.restartInertias).toHaveLength(1);
    expect(res.restartLabels).toHaveLength(1);
    const ref = lloyd(X, n, d, Float64Array.from(start), 8, { maxIter: 100, tol: 1e-4, bounds: 'none' });
    expect(res.inertia).toBeCloseTo(ref.inertia, 6);
    expect(res.iterations).toBe(ref.iterations);
    expect(samePartition(res.labels, ref.labels)).toBe(true);
    // the seed plays no part
    const other = fitKMeans(X, n, d, { k: 8, seed: 99, initialCentroids: start, warmOnly: true });
    expect(Array.from(other.labels)).toEqual(Array.from(res.labels));
  });

  it('needs initialCentroids', () => {
    expect(() => fitKMeans(X, n, d, { k: 8, seed: 1, warmOnly: true })).toThrow(/warmOnly needs initialCentroids/);
  });
});

describe('the update step split over threads (kmeans-row-passes.ts)', () => {
  let pool: WorkerPool;
  beforeAll(async () => {
    pool = await WorkerPool.start({ threads: 3 }); // 3 parts: an uneven split of the columns
  });
  afterAll(async () => {
    await pool.close();
  });

  it('member sums by column blocks are the serial sums bit for bit, whatever the split', () => {
    const { X, n, d } = blobs(5, 400, 7, 3, 1, 41);
    // Rows of very different scales, so that the float64 sums round (sums of float32 values of
    // one scale are often exact, and then any order would pass).
    for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) X[i * d + t] *= [1e-7, 1, 1e4][i % 3];
    const k = 5;
    const labels = Int32Array.from({ length: n }, (_, i) => (i * 7919) % k);
    const serial = new Float64Array(k * d);
    updateCentroids(X, n, d, k, labels, new Float64Array(k * d), serial, new Int32Array(k));
    for (const cuts of [[0, 7], [0, 3, 7], [0, 1, 2, 6, 7]]) {
      const split = new Float64Array(k * d).fill(NaN);
      for (let p = 0; p + 1 < cuts.length; p++) sumMembersColumns(X, n, d, labels, split, k, cuts[p], cuts[p + 1]);
      expect(Array.from(split)).toEqual(Array.from(serial));
    }
    // the per-row distances add up to partitionInertia exactly
    const centroids = Float64Array.from({ length: k * d }, (_, i) => Math.sin(i));
    const dist = new Float64Array(n);
    rowDistancesRange(X, d, labels, centroids, 0, 1000, dist);
    rowDistancesRange(X, d, labels, centroids, 1000, n, dist);
    let total = 0;
    for (let i = 0; i < n; i++) total += dist[i];
    expect(total).toBe(partitionInertia(X, n, d, labels, centroids));
  });

  it('Lloyd on all rows with the pooled passes equals the one-thread run exactly', () => {
    const { X, n, d } = blobs(9, 1000, 13, 1.2, 1, 42); // n above two row chunks, so the passes split
    const k = 9;
    const initial = Float64Array.from(X.subarray(0, k * d));
    const serial = lloydDense(X, n, d, initial, k, { maxIter: 50, tol: 0 });
    const passes = rowPasses(X, n, d, k, rowSquaredNorms(X, n, d), pool);
    expect(passes.update).toBeDefined();
    const pooled = lloydDense(X, n, d, initial, k, { maxIter: 50, tol: 0 }, passes.assign, undefined, passes.update);
    expect(serial.iterations).toBeGreaterThan(3);
    expect(pooled.iterations).toBe(serial.iterations);
    expect(Array.from(pooled.labels)).toEqual(Array.from(serial.labels));
    expect(Array.from(pooled.centroids)).toEqual(Array.from(serial.centroids));
    expect(pooled.inertia).toBe(serial.inertia);
  });
});
