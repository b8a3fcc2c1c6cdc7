// Choosing the number of topics when the config does not fix it.
//
// Criterion: for each candidate k, k-means is fitted (a few seeded restarts) on a sample of at
// most `sampleSize` points; two numbers are taken: the mean cosine silhouette on a sub-sample
// (how well separated the topics are) and the mean pairwise ARI between the restarts (how
// reproducible the partition is: a k that the data does not support gives restarts that
// disagree). score = silhouette × agreement. Silhouette alone on text falls as k grows and would
// pick the smallest k; agreement alone favours tiny k too, but their product peaks where the
// partition is both separated and stable. The largest score wins; a score within `tolerance` of
// the best goes to the larger k, because editors prefer specific topics to broad ones.
import { fitKMeans } from './kmeans.ts';
import { restartAgreement } from './quality/restart-agreement.ts';
import { silhouette } from './quality/silhouette.ts';
import { createRandom, deriveSeed } from './random.ts';

export interface KCurvePoint {
  k: number;
  score: number;
  silhouette: number;
  agreement: number;
  inertia: number;
}

export interface SelectKOptions {
  kMin: number;
  kMax: number;
  seed: number;
  /** Candidates scanned between kMin and kMax, spread geometrically (default 8). */
  steps?: number;
  sampleSize?: number; // points fitted per candidate (default 15000)
  nInit?: number; // restarts per candidate (default 3)
  tolerance?: number; // relative: scores this close to the best count as ties (default 0.02)
}

export function candidateKs(kMin: number, kMax: number, steps: number): number[] {
  if (!Number.isInteger(kMin) || !Number.isInteger(kMax) || kMin < 2 || kMax < kMin) {
    throw new RangeError(`selectK: need integers 2 ≤ kMin ≤ kMax, got ${kMin}..${kMax}`);
  }
  const ks = new Set<number>();
  for (let i = 0; i < steps; i++) {
    const t = steps === 1 ? 0 : i / (steps - 1);
    ks.add(Math.round(kMin * Math.pow(kMax / kMin, t)));
  }
  return [...ks].sort((a, b) => a - b);
}

export function selectK(points: Float32Array, n: number, d: number, opts: SelectKOptions): { k: number; curve: KCurvePoint[] } {
  const steps = opts.steps ?? 8;
  const sampleSize = opts.sampleSize ?? 15000;
  const nInit = opts.nInit ?? 3;
  const tolerance = opts.tolerance ?? 0.02;
  const ks = candidateKs(opts.kMin, opts.kMax, steps);
  const { sample, m } = sampleRows(points, n, d, sampleSize, deriveSeed(opts.seed, 7919));

  const curve: KCurvePoint[] = [];
  for (const k of ks) {
    if (k >= m) break;
    const fit = fitKMeans(sample, m, d, { k, nInit, seed: deriveSeed(opts.seed, k), sampleSize: m });
    const sil = silhouette(sample, m, d, fit.labels, k, { sampleSize: 2000, seed: opts.seed }).mean;
    const agreement = fit.restartLabels.length > 1 ? restartAgreement(fit.restartLabels) : 1;
    curve.push({ k, score: Math.max(0, sil) * Math.max(0, agreement), silhouette: sil, agreement, inertia: fit.inertia });
  }
  if (curve.length === 0) throw new RangeError(`selectK: no candidate k below the ${m} sampled points`);
  const best = Math.max(...curve.map((p) => p.score));
  const chosen = [...curve].reverse().find((p) => p.score >= best * (1 - tolerance))!;
  return { k: chosen.k, curve };
}

function sampleRows(points: Float32Array, n: number, d: number, size: number, seed: number): { sample: Float32Array; m: number } {
  if (n <= size) return { sample: points, m: n };
  // Partial Fisher–Yates, then sorted so the sample keeps the input's (canonical) row order.
  const random = createRandom(seed);
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  const chosen = idx.subarray(0, size).sort();
  const sample = new Float32Array(size * d);
  for (let r = 0; r < size; r++) sample.set(points.subarray(chosen[r]! * d, chosen[r]! * d + d), r * d);
  return { sample, m: size };
}
