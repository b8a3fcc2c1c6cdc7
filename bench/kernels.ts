// Kernel benchmark: randomized PCA and k-means on a TF-IDF matrix saved by a pipeline run
// (<out>/stages/vectorize), serial vs a WorkerPool, with wall time and this process's CPU time
// (the workers' CPU counts: process.cpuUsage covers every thread). Prints figures; asserts nothing.
//
//   npx tsx bench/kernels.ts --stages /tmp/x/stages [--threads 2] [--k 30] [--power-iter 4] [--oversamples 10] [--only pca|kmeans] [--serial]
//   npx tsx bench/kernels.ts --stages /tmp/x/stages --warm 300 [--warm-iters 0,1,2]
//     warm start: fit the first rows − 300 rows cold, then refit all rows from those components
//     (initialBasis) with each number of power iterations, against a cold fit of all rows

import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { fitKMeans, normalizeRowsL2 } from '../analysis/kmeans.ts';
import { WorkerPool } from '../analysis/parallel/pool.ts';
import { createRandom, gaussian } from '../analysis/random.ts';
import { fitPca, type PcaOptions, type PcaResult } from '../analysis/pca.ts';
import type { CsrMatrix } from '../analysis/types.ts';
import { tfidfWeights, type VectorizeOutput } from '../pipeline/stages/vectorize.ts';
import { loadArtifact } from '../pipeline/artifacts.ts';

const { values } = parseArgs({
  options: {
    stages: { type: 'string' },
    threads: { type: 'string', default: '2' },
    k: { type: 'string', default: '30' },
    components: { type: 'string', default: '100' },
    'power-iter': { type: 'string', default: '4' },
    oversamples: { type: 'string', default: '10' },
    'n-init': { type: 'string', default: '5' },
    only: { type: 'string' },
    serial: { type: 'boolean', default: false },
    warm: { type: 'string' },
    'warm-iters': { type: 'string', default: '0,1,2' },
    'kmeans-synth': { type: 'string' },
  },
});
if (values['kmeans-synth']) {
  await kmeansSynthetic(Number(values['kmeans-synth']), Number(values.components), Number(values.k));
  process.exit(0);
}
if (!values.stages) throw new Error('--stages <out>/stages is required');

function timed<T>(label: string, f: () => T): T {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = f();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  console.log(`${label.padEnd(34)} wall ${wall.toFixed(2)} s  cpu ${cpu.toFixed(2)} s  rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
  return r;
}

// The artifact keeps the counts; the weights are made from them as reduce makes them.
const X = tfidfWeights(loadArtifact<VectorizeOutput>(join(values.stages, 'vectorize')));
console.log(`X: ${X.rows} × ${X.cols}, ${X.indptr[X.rows]} nnz`);
const threads = Number(values.threads);
const t0 = performance.now();
const pool = values.serial ? WorkerPool.serial() : await WorkerPool.start({ threads });
console.log(`pool start ${((performance.now() - t0) / 1000).toFixed(2)} s`);
console.log(`pool: ${pool.threads} threads ${pool.startErrors.join('; ')}`);
const pcaOpts: PcaOptions = { nComponents: Number(values.components), nPowerIter: Number(values['power-iter']), nOversamples: Number(values.oversamples), seed: 42 };
const evrSum = (p: PcaResult): number => p.explainedVarianceRatio.reduce((s, v) => s + v, 0);
if (values.warm) {
  // Yesterday's archive = all but the last `warm` rows (same vocabulary: the caller of a real
  // warm start remaps columns; this isolates the effect of the starting basis).
  const keep = X.rows - Number(values.warm);
  const nnz = X.indptr[keep];
  const before: CsrMatrix = { rows: keep, cols: X.cols, indptr: X.indptr.slice(0, keep + 1), indices: X.indices.slice(0, nnz), data: X.data.slice(0, nnz) };
  const prev = timed(`pca of ${keep} rows (cold, q=${pcaOpts.nPowerIter})`, () => fitPca(before, pcaOpts, pool));
  const cold = timed(`pca of ${X.rows} rows (cold, q=${pcaOpts.nPowerIter})`, () => fitPca(X, pcaOpts, pool));
  console.log(`cold: explained variance ratio ${evrSum(cold).toFixed(5)}`);
  for (const q of values['warm-iters'].split(',').map(Number)) {
    const warm = timed(`pca of ${X.rows} rows (warm, q=${q})`, () => fitPca(X, { ...pcaOpts, nPowerIter: q, initialBasis: prev.components }, pool));
    const e = evrSum(warm);
    console.log(`warm q=${q}: explained variance ratio ${e.toFixed(5)} (${(((e - evrSum(cold)) / evrSum(cold)) * 100).toFixed(2)}% against cold)`);
  }
} else {
  const pca = timed(`pca (${pool.threads} thr, q=${pcaOpts.nPowerIter}, p=${pcaOpts.nOversamples})`, () => fitPca(X, pcaOpts, pool));
  const ev = pca.explainedVarianceRatio.reduce((s, v) => s + v, 0);
  console.log(`explained variance ratio (sum of ${pca.nComponents}): ${ev.toFixed(5)}`);
  if (values.only !== 'pca') {
    const d = pca.nComponents;
    const n = X.rows;
    const pts = normalizeRowsL2(pca.scores, n, d);
    const km = timed(`kmeans k=${values.k} (${pool.threads} thr)`, () => fitKMeans(pts, n, d, { k: Number(values.k), nInit: Number(values['n-init']), seed: 42 }, pool));
    console.log(`inertia ${km.inertia.toFixed(3)} restarts ${km.restartInertias.map((v) => v.toFixed(2)).join(' ')} iter ${km.iterations}`);
  }
}
await pool.close();

// k-means alone on a synthetic Gaussian mixture (L2-normalised rows, 60 blobs; no saved run
// needed): a cold fit, then the nightly warm-only fit from its centres.
//   npx tsx bench/kernels.ts --kmeans-synth 1000000 --components 100 --k 50 [--threads 2]
async function kmeansSynthetic(n: number, d: number, k: number): Promise<void> {
  const rnd = createRandom(1);
  const blobs = 60;
  const centres = new Float64Array(blobs * d).map(() => gaussian(rnd));
  const raw = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const b = Math.floor(rnd() * blobs);
    for (let t = 0; t < d; t++) raw[i * d + t] = centres[b * d + t] + 1.2 * gaussian(rnd);
  }
  const pts = normalizeRowsL2(raw, n, d);
  console.log(`synthetic mixture: ${n} × ${d} (${((n * d * 4) / 2 ** 20).toFixed(0)} MB as float32), k = ${k}`);
  const pool = values.serial ? WorkerPool.serial() : await WorkerPool.start({ threads: Number(values.threads) });
  const nInit = Number(values['n-init']);
  const cold = timed(`kmeans cold k=${k} nInit=${nInit} (${pool.threads} thr)`, () => fitKMeans(pts, n, d, { k, nInit, seed: 42 }, pool));
  console.log(`inertia ${cold.inertia.toFixed(3)} restarts ${cold.restartInertias.map((v) => v.toFixed(2)).join(' ')} iter ${cold.iterations}`);
  const warm = timed(`kmeans warmOnly (${pool.threads} thr)`, () =>
    fitKMeans(pts, n, d, { k, seed: 42, initialCentroids: cold.centroids, warmOnly: true }, pool),
  );
  console.log(`inertia ${warm.inertia.toFixed(3)} iter ${warm.iterations}`);
  await pool.close();
}
