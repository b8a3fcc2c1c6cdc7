// Choosing the number of topics when the config does not fix it.
//
// Every candidate k (a geometric grid over kMin..kMax) is fitted with k-means (nInit seeded
// restarts) on one seeded sample of at most `sampleSize` documents, and scored on that sample:
//
//   agreement  mean ARI between the restarts: a k the data does not support gives partitions
//              that change with the seed;
//   coherence  mean NPMI (document co-occurrence within the sample) of each topic's top-10
//              c-TF-IDF terms: do a topic's words belong together?
//   diversity  unique share of all topics' top-10 terms (TD@10): once k exceeds the number of
//              topics the data holds, k-means splits real topics and the halves share their terms;
//   silhouette mean cosine silhouette on a sub-sample (recorded for the chart; not in the score,
//              because on text it falls steadily with k and says little about where to stop).
//
//   stability  = (1 + max(agreement, 0)) / 2, in [0.5, 1]
//   score = max(coherence, 0) × diversity × stability       (when term counts are given)
//   score = max(silhouette, 0) × stability                   (points only: a weak fallback; on
//                                                             text the silhouette creeps up with
//                                                             k, so it tends to pick kMax)
//
// Coherence × diversity is the usual topic-model criterion ("topic quality", Dieng et al. 2020):
// too few topics merge subjects whose words never co-occur (coherence falls), too many split a
// subject into halves that share their terms (diversity falls). Coherence and diversity are
// those of the best of the restarts' partitions (one partition's NPMI varies by a few
// hundredths with the seed, as much as neighbouring ks differ). Agreement enters
// softened: with two restarts one unlucky k-means start halves the ARI even at the right k, so it
// can cost a candidate at most half its score. The k with the best score wins; scores within
// `tolerance` (relative) of the best count as ties and go to the smaller k, the cheaper and more
// readable model.
// Cost: candidates × nInit k-means fits on ≤ sampleSize rows plus one c-TF-IDF per candidate.
import { classTfidf } from './ctfidf.ts';
import { fitKMeans } from './kmeans.ts';
import { npmiCoherence } from './quality/npmi.ts';
import { restartAgreement } from './quality/restart-agreement.ts';
import { silhouette } from './quality/silhouette.ts';
import { createRandom, deriveSeed } from './random.ts';
import type { CsrMatrix } from './types.ts';

export interface KCurvePoint {
  k: number;
  score: number;
  silhouette: number;
  agreement: number;
  /** Mean NPMI of the top-10 terms (only with term counts). */
  coherence?: number;
  /** TD@10 of the top-10 terms (only with term counts). */
  diversity?: number;
  inertia: number;
}

export interface SelectKOptions {
  kMin: number;
  kMax: number;
  seed: number;
  /** Candidates scanned between kMin and kMax, spread geometrically (default 8). */
  steps?: number;
  /** Documents fitted per candidate (default 8000). */
  sampleSize?: number;
  /** k-means restarts per candidate, ≥ 2 for the agreement factor (default 2). */
  nInit?: number;
  /** Relative: scores this close to the best count as ties, won by the smaller k (default 0.02). */
  tolerance?: number;
  /**
   * Raw term counts (documents × terms, rows aligned with `points`), e.g. the TF-IDF model's
   * `counts`. With them the score is topic quality × agreement; without, silhouette × agreement.
   */
  counts?: CsrMatrix;
}

export interface SelectKResult {
  k: number;
  curve: KCurvePoint[];
  criterion: 'coherence × diversity × stability' | 'silhouette × stability';
}

/** The candidate ks: `steps` values from kMin to kMax spread geometrically, distinct, ascending. */
export function candidateKs(kMin: number, kMax: number, steps: number): number[] {
  if (!Number.isInteger(kMin) || !Number.isInteger(kMax) || kMin < 2 || kMax < kMin) {
    throw new RangeError(`selectK: need integers 2 ≤ kMin ≤ kMax, got ${kMin}..${kMax}`);
  }
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`selectK: steps must be a positive integer, got ${steps}`);
  const ks = new Set<number>();
  for (let i = 0; i < steps; i++) {
    const t = steps === 1 ? 0 : i / (steps - 1);
    ks.add(Math.round(kMin * Math.pow(kMax / kMin, t)));
  }
  return [...ks].sort((a, b) => a - b);
}

const TOP_TERMS = 10;

export function selectK(points: Float32Array, n: number, d: number, opts: SelectKOptions): SelectKResult {
  const steps = opts.steps ?? 8;
  const sampleSize = opts.sampleSize ?? 8000;
  const nInit = opts.nInit ?? 2;
  const tolerance = opts.tolerance ?? 0.02;
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 1 || d < 1 || points.length !== n * d) {
    throw new RangeError(`selectK: points has ${points.length} values, expected n × d = ${n} × ${d}`);
  }
  if (!Number.isInteger(sampleSize) || sampleSize < 10) throw new RangeError(`selectK: sampleSize must be an integer ≥ 10, got ${sampleSize}`);
  if (!Number.isInteger(nInit) || nInit < 1) throw new RangeError(`selectK: nInit must be a positive integer, got ${nInit}`);
  if (!(tolerance >= 0 && tolerance < 1)) throw new RangeError(`selectK: tolerance must be in [0, 1), got ${tolerance}`);
  if (opts.counts && opts.counts.rows !== n) {
    throw new RangeError(`selectK: counts has ${opts.counts.rows} rows, expected one per point (${n})`);
  }
  const ks = candidateKs(opts.kMin, opts.kMax, steps);
  const rows = sampleRowIndices(n, sampleSize, deriveSeed(opts.seed, 7919));
  const m = rows.length;
  const sample = gatherRows(points, rows, d);
  const counts = opts.counts ? csrRows(opts.counts, rows) : null;

  const curve: KCurvePoint[] = [];
  for (const k of ks) {
    if (k >= m) break;
    const fit = fitKMeans(sample, m, d, { k, nInit, seed: deriveSeed(opts.seed, k), sampleSize: m });
    const sil = silhouette(sample, m, d, fit.labels, k, { sampleSize: 1500, seed: opts.seed }).mean;
    const agreement = fit.restartLabels.length > 1 ? restartAgreement(fit.restartLabels) : 1;
    const point: KCurvePoint = { k, score: 0, silhouette: sil, agreement, inertia: fit.inertia };
    if (counts) {
      // The best of the restarts' partitions: a k is judged by the best partition k-means finds
      // for it, not by an unlucky start (that one already costs it through the agreement).
      let bestQuality = -Infinity;
      for (const partition of fit.restartLabels) {
        const top = topTermColumns(counts, partition, k);
        const coherence = npmiCoherence(top, counts, TOP_TERMS).mean || 0;
        const diversity = uniqueShare(top);
        const quality = Math.max(0, coherence) * diversity;
        if (quality > bestQuality) {
          bestQuality = quality;
          point.coherence = coherence;
          point.diversity = diversity;
        }
      }
      point.score = bestQuality * stability(agreement);
    } else {
      point.score = Math.max(0, sil || 0) * stability(agreement);
    }
    curve.push(point);
  }
  if (curve.length === 0) throw new RangeError(`selectK: no candidate k below the ${m} sampled points`);
  const best = Math.max(...curve.map((p) => p.score));
  const chosen = curve.find((p) => p.score >= best * (1 - tolerance))!;
  return { k: chosen.k, curve, criterion: counts ? 'coherence × diversity × stability' : 'silhouette × stability' };
}

/** Restart agreement mapped to a factor in [0.5, 1] (see the header); NaN (one restart) counts as 1. */
function stability(agreement: number): number {
  return Number.isNaN(agreement) ? 1 : (1 + Math.max(0, agreement)) / 2;
}

/**
 * Each topic's top-10 columns by c-TF-IDF weight times the topic's share of the term's weight
 * (the ranking describeTopics uses, without its MMR pass): column ids, best first.
 */
function topTermColumns(counts: CsrMatrix, labels: Int32Array, k: number): number[][] {
  const { weights } = classTfidf(counts, labels, k);
  const V = counts.cols;
  const totals = new Float64Array(V);
  for (let c = 0; c < k; c++) for (let t = 0; t < V; t++) totals[t] += weights[c * V + t]!;
  const out: number[][] = [];
  for (let c = 0; c < k; c++) {
    // Keep the best TOP_TERMS by insertion into a short sorted list (k × V work, no full sort).
    const best: { t: number; s: number }[] = [];
    for (let t = 0; t < V; t++) {
      const w = weights[c * V + t]!;
      if (w <= 0) continue;
      const s = (w * w) / totals[t]!;
      if (best.length === TOP_TERMS && s <= best[TOP_TERMS - 1]!.s) continue;
      let i = best.length;
      while (i > 0 && best[i - 1]!.s < s) i--;
      best.splice(i, 0, { t, s });
      if (best.length > TOP_TERMS) best.pop();
    }
    out.push(best.map((b) => b.t));
  }
  return out;
}

/** Distinct share of all listed columns (topic diversity over column ids). */
function uniqueShare(top: number[][]): number {
  const seen = new Set<number>();
  let total = 0;
  for (const ts of top) {
    for (const t of ts) seen.add(t);
    total += ts.length;
  }
  return total > 0 ? seen.size / total : 0;
}

/** A seeded sample of row indices, ascending (all rows when n ≤ size). */
function sampleRowIndices(n: number, size: number, seed: number): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  if (n <= size) return idx;
  // Partial Fisher–Yates, then sorted so the sample keeps the input's (canonical) row order.
  const random = createRandom(seed);
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx.slice(0, size).sort();
}

function gatherRows(points: Float32Array, rows: Int32Array, d: number): Float32Array {
  if (rows.length * d === points.length) return points;
  const out = new Float32Array(rows.length * d);
  for (let r = 0; r < rows.length; r++) out.set(points.subarray(rows[r]! * d, rows[r]! * d + d), r * d);
  return out;
}

/** The given rows of a CSR matrix, in that order. */
function csrRows(X: CsrMatrix, rows: Int32Array): CsrMatrix {
  if (rows.length === X.rows) return X;
  let nnz = 0;
  for (const r of rows) nnz += X.indptr[r + 1]! - X.indptr[r]!;
  const indptr = new Int32Array(rows.length + 1);
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  let p = 0;
  rows.forEach((r, i) => {
    for (let q = X.indptr[r]!; q < X.indptr[r + 1]!; q++) {
      indices[p] = X.indices[q]!;
      data[p] = X.data[q]!;
      p++;
    }
    indptr[i + 1] = p;
  });
  return { rows: rows.length, cols: X.cols, indptr, indices, data };
}
