export interface RepresentativeOptions {
  /** Representatives per topic (default 5). */
  perTopic?: number;
  /** Pick by MMR so that representatives are not near-duplicates of one another (default false). */
  diversity?: boolean;
  /** MMR trade-off in [0, 1] when diversity is on: 1 = nearest only (default 0.7). */
  lambda?: number;
  /** With diversity on, MMR chooses among this many nearest members per pick (default 10). */
  poolFactor?: number;
}

export interface Representative {
  doc: number; // row index into scores
  score: number; // cosine similarity to the topic centroid
}

interface Member extends Representative {
  norm: number; // the row's Euclidean length
}

/**
 * The most typical members of each topic: those nearest (by cosine) to the topic centroid.
 *
 * `scores` is n × d row-major (the PCA scores; rows need not be normalised, cosine is computed
 * here), `labels[i]` the topic of row i (negative = none), `centroids` k × d row-major.
 * Ties go to the lower document index, so the result does not depend on anything but the data.
 *
 * With `diversity`, representatives are picked by maximal marginal relevance among the
 * poolFactor · perTopic nearest members: next = argmax λ · cos(x, centroid) − (1 − λ) · max cos(x, chosen).
 * A topic's result is best first (the first pick is always the member nearest the centroid).
 */
export function representativeDocs(
  scores: Float32Array | Float64Array,
  n: number,
  d: number,
  labels: Int32Array,
  centroids: Float32Array | Float64Array,
  k: number,
  opts: RepresentativeOptions = {},
): Representative[][] {
  const perTopic = opts.perTopic ?? 5;
  const lambda = opts.lambda ?? 0.7;
  const poolFactor = opts.poolFactor ?? 10;
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(d) || d < 1) {
    throw new RangeError(`representativeDocs: n must be ≥ 0 and d ≥ 1 integers, got n = ${n}, d = ${d}`);
  }
  if (scores.length !== n * d) throw new RangeError(`representativeDocs: scores has ${scores.length} values, expected n × d = ${n * d}`);
  if (labels.length !== n) throw new RangeError(`representativeDocs: labels has ${labels.length} entries, expected n = ${n}`);
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`representativeDocs: k must be a positive integer, got ${k}`);
  if (centroids.length !== k * d) {
    throw new RangeError(`representativeDocs: centroids has ${centroids.length} values, expected k × d = ${k * d}`);
  }
  if (!Number.isInteger(perTopic) || perTopic < 1) throw new RangeError(`representativeDocs: perTopic must be a positive integer, got ${perTopic}`);
  if (!(lambda >= 0 && lambda <= 1)) throw new RangeError(`representativeDocs: lambda must be in [0, 1], got ${lambda}`);
  if (!Number.isInteger(poolFactor) || poolFactor < 1) throw new RangeError(`representativeDocs: poolFactor must be a positive integer, got ${poolFactor}`);

  const rowNorm = (m: Float32Array | Float64Array, i: number) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += m[i * d + j] * m[i * d + j];
    return Math.sqrt(s);
  };
  const centroidNorms = Array.from({ length: k }, (_, c) => rowNorm(centroids, c));

  // Each topic's `keep` members nearest its centroid by cosine, best first (ties: lower index),
  // kept while the rows are read: only these are ever looked at again. (Sorting every topic's
  // members took most of this function's ~0.1 s on arXiv's 75k papers.) Rows come in index order,
  // so a member that ties the last kept one loses to it.
  const keep = opts.diversity ? perTopic * poolFactor : perTopic;
  const nearest: Member[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (c < 0) continue;
    if (c >= k) throw new RangeError(`representativeDocs: label ${c} of row ${i} is not below k = ${k}`);
    // The row's dot product with its centroid and its squared length in one read of the row,
    // each summed in index order as before (the same doubles).
    const row = i * d;
    const centre = c * d;
    let dot = 0;
    let squares = 0;
    for (let j = 0; j < d; j++) {
      const x = scores[row + j];
      dot += x * centroids[centre + j];
      squares += x * x;
    }
    const norm = Math.sqrt(squares);
    const denom = norm * centroidNorms[c];
    const score = denom > 0 ? dot / denom : 0;
    const list = nearest[c];
    if (list.length === keep && !(score > list[keep - 1].score)) continue;
    let at = list.length === keep ? keep - 1 : list.length;
    while (at > 0 && list[at - 1].score < score) at--;
    if (list.length === keep) list.pop();
    list.splice(at, 0, { doc: i, score, norm });
  }

  return nearest.map((list) => {
    if (!opts.diversity) return list.map(({ doc, score }) => ({ doc, score }));
    const pool = list; // the MMR candidates: the `keep` nearest
    const picked: Member[] = [];
    const maxSim = new Float64Array(pool.length).fill(-1);
    const alive = new Uint8Array(pool.length).fill(1);
    while (picked.length < perTopic && picked.length < pool.length) {
      let arg = -1;
      let argValue = -Infinity;
      for (let i = 0; i < pool.length; i++) {
        if (!alive[i]) continue;
        const value = lambda * pool[i].score - (1 - lambda) * (picked.length > 0 ? maxSim[i] : 0);
        if (value > argValue) {
          argValue = value; // strict '>' keeps the nearer (and then lower-index) member on ties
          arg = i;
        }
      }
      alive[arg] = 0;
      const p = pool[arg];
      picked.push(p);
      for (let i = 0; i < pool.length; i++) {
        if (!alive[i]) continue;
        const q = pool[i];
        let dot = 0;
        for (let j = 0; j < d; j++) dot += scores[q.doc * d + j] * scores[p.doc * d + j];
        const denom = q.norm * p.norm;
        const sim = denom > 0 ? dot / denom : 0;
        if (sim > maxSim[i]) maxSim[i] = sim;
      }
    }
    return picked.map(({ doc, score }) => ({ doc, score }));
  });
}
