// Agreement between two labelings of the same items: between k-means restarts (is the
// partition stable?) and against labels the input carries (20 Newsgroups groups, arXiv
// categories). Definitions and edge cases follow scikit-learn's metrics.cluster, natural log.

export type Labeling = Int32Array | ArrayLike<number> | readonly string[];

export interface Agreement {
  ari: number; // adjusted Rand index
  nmi: number; // normalised mutual information, arithmetic-mean normaliser (sklearn's default)
  homogeneity: number; // each predicted cluster holds members of one true class only
  completeness: number; // each true class sits in one predicted cluster
  vMeasure: number; // harmonic mean of homogeneity and completeness (= NMI, arithmetic)
}

/** Contingency table of two labelings: counts of (true class, predicted cluster) pairs. */
interface Contingency {
  n: number;
  rowSums: number[]; // per true class
  colSums: number[]; // per predicted cluster
  cells: number[]; // non-zero cell counts
  cellRow: number[]; // true class of each cell
  cellCol: number[]; // predicted cluster of each cell
}

function contingency(labelsTrue: Labeling, labelsPred: Labeling): Contingency {
  if (labelsTrue.length !== labelsPred.length) {
    throw new RangeError(`agreement: labelings differ in length (${labelsTrue.length} vs ${labelsPred.length})`);
  }
  const n = labelsTrue.length;
  // Pass 1: class and cluster index of every item, numbered in order of first appearance.
  const rowOf = new Map<string | number, number>();
  const colOf = new Map<string | number, number>();
  const rowSums: number[] = [];
  const colSums: number[] = [];
  const rowIdx = new Int32Array(n);
  const colIdx = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const a = labelsTrue[i]!;
    const b = labelsPred[i]!;
    let r = rowOf.get(a);
    if (r === undefined) rowOf.set(a, (r = rowSums.push(0) - 1));
    let c = colOf.get(b);
    if (c === undefined) colOf.set(b, (c = colSums.push(0) - 1));
    rowSums[r]!++;
    colSums[c]!++;
    rowIdx[i] = r;
    colIdx[i] = c;
  }
  // Pass 2: the non-zero cells, in order of first appearance (sums over cells keep one order).
  // A dense cell index when the table is small (always, for topics × classes); else a Map keyed
  // r · 2^26 + c (exact in a double for up to 2^26 distinct clusters).
  const cells: number[] = [];
  const cellRow: number[] = [];
  const cellCol: number[] = [];
  const C = colSums.length;
  const dense = rowSums.length * C <= 1 << 22 ? new Int32Array(rowSums.length * C).fill(-1) : undefined;
  const cellOf = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const r = rowIdx[i]!;
    const c = colIdx[i]!;
    const cell = dense ? dense[r * C + c]! : (cellOf.get(r * 67108864 + c) ?? -1);
    if (cell < 0) {
      const e = cells.push(1) - 1;
      if (dense) dense[r * C + c] = e;
      else cellOf.set(r * 67108864 + c, e);
      cellRow.push(r);
      cellCol.push(c);
    } else cells[cell]!++;
  }
  return { n, rowSums, colSums, cells, cellRow, cellCol };
}

function entropyOf(sums: number[], n: number): number {
  let h = 0;
  for (const s of sums) if (s > 0) h -= (s / n) * Math.log(s / n);
  return Math.max(0, h);
}

/** Σ p_ij log(p_ij / (p_i p_j)) over the non-zero cells, in nats. */
function mutualInfoOf(t: Contingency): number {
  let mi = 0;
  for (let e = 0; e < t.cells.length; e++) {
    const nij = t.cells[e];
    mi += (nij / t.n) * Math.log((t.n * nij) / (t.rowSums[t.cellRow[e]] * t.colSums[t.cellCol[e]]));
  }
  return Math.max(0, mi);
}

/** Adjusted Rand index (Hubert & Arabie 1985): 1 = same partition, ≈ 0 = chance, may be < 0. */
export function adjustedRandIndex(labelsTrue: Labeling, labelsPred: Labeling): number {
  return ariOf(contingency(labelsTrue, labelsPred));
}

function ariOf(t: Contingency): number {
  // sklearn's pair confusion matrix (ordered pairs; the factor 2 cancels).
  const sumSquares = t.cells.reduce((acc, x) => acc + x * x, 0);
  const rowSq = t.rowSums.reduce((acc, x) => acc + x * x, 0);
  const colSq = t.colSums.reduce((acc, x) => acc + x * x, 0);
  const tp = sumSquares - t.n;
  const fp = colSq - sumSquares;
  const fn = rowSq - sumSquares;
  const tn = t.n * t.n - fp - fn - sumSquares;
  if (fn === 0 && fp === 0) return 1;
  return (2 * (tp * tn - fn * fp)) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}

/** Mutual information in nats. */
export function mutualInformation(labelsTrue: Labeling, labelsPred: Labeling): number {
  return mutualInfoOf(contingency(labelsTrue, labelsPred));
}

/** NMI with the arithmetic mean of the two entropies as normaliser (sklearn's default). */
export function normalizedMutualInfo(labelsTrue: Labeling, labelsPred: Labeling): number {
  return nmiOf(contingency(labelsTrue, labelsPred));
}

function nmiOf(t: Contingency): number {
  // Both labelings a single class (or empty): a perfect match by convention.
  if (t.rowSums.length === t.colSums.length && t.rowSums.length <= 1) return 1;
  const mi = mutualInfoOf(t);
  if (mi === 0) return 0;
  const normaliser = (entropyOf(t.rowSums, t.n) + entropyOf(t.colSums, t.n)) / 2;
  return mi / normaliser;
}

/** Homogeneity, completeness and V-measure (Rosenberg & Hirschberg 2007), β = 1. */
export function homogeneityCompletenessVMeasure(
  labelsTrue: Labeling,
  labelsPred: Labeling,
): { homogeneity: number; completeness: number; vMeasure: number } {
  if (labelsTrue.length === 0 && labelsPred.length === 0) return { homogeneity: 1, completeness: 1, vMeasure: 1 };
  return hcvOf(contingency(labelsTrue, labelsPred));
}

function hcvOf(t: Contingency): { homogeneity: number; completeness: number; vMeasure: number } {
  const hC = entropyOf(t.rowSums, t.n);
  const hK = entropyOf(t.colSums, t.n);
  const mi = mutualInfoOf(t);
  const homogeneity = hC > 0 ? mi / hC : 1;
  const completeness = hK > 0 ? mi / hK : 1;
  const vMeasure = homogeneity + completeness === 0 ? 0 : (2 * homogeneity * completeness) / (homogeneity + completeness);
  return { homogeneity, completeness, vMeasure };
}

/** All agreement figures at once. `labelsTrue` is the reference side for homogeneity / completeness. */
export function agreement(labelsTrue: Labeling, labelsPred: Labeling): Agreement {
  // One contingency table for all five figures (the same numbers as the functions above).
  const t = contingency(labelsTrue, labelsPred);
  const empty = labelsTrue.length === 0 && labelsPred.length === 0;
  return {
    ari: ariOf(t),
    nmi: nmiOf(t),
    ...(empty ? { homogeneity: 1, completeness: 1, vMeasure: 1 } : hcvOf(t)),
  };
}
