// The small-problem path: Lloyd iterations by ml-kmeans from OUR initial centroids (its own
// k-means++ is far too slow above ~10⁴ points, and we want one seeding for both paths). We drive
// its generator step by step so the stopping rule, the inertia and the result are exactly those
// of kmeans-lloyd.ts: same initial centres, same assignment rule up to floating-point ties
// (ml-kmeans sums (x − c)² directly, we use the expanded form), same means, same tolerance test.

import { createRequire } from 'node:module';
import { type LloydOptions, type LloydResult, lloyd, partitionInertia } from './kmeans-lloyd.ts';

type KmeansGenerator = (typeof import('ml-kmeans'))['kmeansGenerator'];
let loaded: KmeansGenerator | undefined;
/**
 * ml-kmeans, loaded on first use: only this small-problem path needs it, and importing it cost
 * ~150-240 ms in every thread that loaded our code (the main one at start-up, and each worker
 * of the pool), whatever the size of the run. (A synchronous require of an ES module: Node 20.19+.)
 */
function kmeansGenerator(...args: Parameters<KmeansGenerator>): ReturnType<KmeansGenerator> {
  loaded ??= (createRequire(import.meta.url)('ml-kmeans') as typeof import('ml-kmeans')).kmeansGenerator;
  return loaded(...args);
}

/**
 * Lloyd via ml-kmeans. ml-kmeans keeps an empty cluster's old centre where we re-seed it with the
 * farthest point; the moment a step leaves a cluster empty, the run is redone by our kernel from
 * the same initial centres, so both paths always share our empty-cluster semantics.
 */
export function lloydWithMlKMeans(
  X: Float32Array,
  n: number,
  d: number,
  initial: Float64Array,
  k: number,
  opts: LloydOptions,
): LloydResult {
  const data: number[][] = [];
  for (let i = 0; i < n; i++) data.push(Array.from(X.subarray(i * d, (i + 1) * d)));
  const start: number[][] = [];
  for (let j = 0; j < k; j++) start.push(Array.from(initial.subarray(j * d, (j + 1) * d)));

  const labels = new Int32Array(n).fill(-1);
  let centroids = Float64Array.from(initial);
  let prevInertia = Infinity;
  let inertia = Infinity;
  let iterations = 0;
  let converged = false;
  // tolerance −1: ml-kmeans never declares convergence itself; our rule below decides.
  for (const step of kmeansGenerator(data, k, { initialization: start, maxIterations: opts.maxIter, tolerance: -1 })) {
    iterations++;
    const counts = new Int32Array(k);
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const a = step.clusters[i];
      counts[a]++;
      if (a !== labels[i]) {
        labels[i] = a;
        changed++;
      }
    }
    for (let j = 0; j < k; j++) if (counts[j] === 0) return lloyd(X, n, d, initial, k, opts);
    centroids = new Float64Array(k * d);
    for (let j = 0; j < k; j++) centroids.set(step.centroids[j], j * d);
    inertia = partitionInertia(X, n, d, labels, centroids);
    if (changed === 0) {
      converged = true;
      break;
    }
    if (Number.isFinite(prevInertia) && prevInertia - inertia <= opts.tol * prevInertia) break;
    prevInertia = inertia;
  }
  return { labels, centroids, inertia, iterations, converged, skipped: 0 };
}
