// Kleinberg's batched two-state burst detection ("Bursty and Hierarchical Structure in Streams",
// KDD 2002, section 4) on per-period proportions: in period t, r_t of d_t papers are on a topic.
//
// State q0 emits a relevant paper with p0 = R / D (the topic's overall share), the burst state q1
// with p1 = s · p0. Entering q1 costs γ · ln(n) (n = number of periods), leaving it is free. The
// cost of a state in period t is −ln[C(d_t, r_t) p^r_t (1 − p)^(d_t − r_t)]; the binomial
// coefficient is the same in both states, so it is left out (it changes neither the optimal
// state sequence nor any burst weight). Viterbi finds the cheapest state sequence; a burst is a
// maximal run in q1, weighted by Σ (cost_0 − cost_1) over the run: how much better the burst
// rate explains those periods.

export interface BurstOptions {
  s?: number; // rate ratio of the burst state, > 1 (default 2)
  gamma?: number; // transition cost factor, ≥ 0 (default 1)
}

export interface Burst {
  start: number; // first period index (inclusive)
  end: number; // last period index (inclusive)
  weight: number; // Σ (cost_0 − cost_1) over the run, > 0
}

function checkOptions(opts: BurstOptions): { s: number; gamma: number } {
  const s = opts.s ?? 2;
  const gamma = opts.gamma ?? 1;
  if (!Number.isFinite(s) || s <= 1) throw new RangeError(`burst rate ratio s must be a finite number > 1, got ${s}`);
  if (!Number.isFinite(gamma) || gamma < 0) throw new RangeError(`burst gamma must be a finite number >= 0, got ${gamma}`);
  return { s, gamma };
}

/**
 * The burst-state probability: s · p0, capped below 1. The cap 1 − (1 − p0) / s (the same ratio
 * applied to the miss rate) keeps p1 strictly between p0 and 1 and is continuous in p0; it only
 * bites for topics holding over 1 / (s + 1) of all papers.
 */
export function burstRate(p0: number, s: number): number {
  return Math.min(s * p0, 1 - (1 - p0) / s);
}

/** −ln(p^r (1 − p)^(d − r)), with 0 · ln 0 = 0. */
function stateCost(r: number, d: number, p: number): number {
  let c = 0;
  if (r > 0) c -= r * Math.log(p);
  if (d - r > 0) c -= (d - r) * Math.log(1 - p);
  return c;
}

/**
 * Bursts of a topic over n periods: r[t] relevant papers of d[t] papers in period t.
 * Empty periods (d[t] = 0) cost nothing in either state. Returns runs in time order.
 */
export function detectBursts(r: ArrayLike<number>, d: ArrayLike<number>, opts: BurstOptions = {}): Burst[] {
  const { s, gamma } = checkOptions(opts);
  const n = r.length;
  if (d.length !== n) throw new RangeError(`r (${n}) and d (${d.length}) must have the same length`);
  let R = 0;
  let D = 0;
  for (let t = 0; t < n; t++) {
    const rt = r[t]!;
    const dt = d[t]!;
    if (!(Number.isInteger(rt) && Number.isInteger(dt) && rt >= 0 && rt <= dt)) {
      throw new RangeError(`period ${t}: need integers 0 <= r <= d, got r = ${rt}, d = ${dt}`);
    }
    R += rt;
    D += dt;
  }
  // A topic with no papers, or with every paper, has no rate to rise above.
  if (R === 0 || R === D) return [];
  const p0 = R / D;
  const p1 = burstRate(p0, s);
  const enter = gamma * Math.log(n);

  const cost0 = new Float64Array(n);
  const cost1 = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    cost0[t] = stateCost(r[t]!, d[t]!, p0);
    cost1[t] = stateCost(r[t]!, d[t]!, p1);
  }

  // Viterbi over two states, starting in q0 before period 0. from1[t] records whether the best
  // path into state j at t came from q1 (bit j). Ties go to q0: no burst without evidence.
  const from = new Uint8Array(n);
  let best0 = 0;
  let best1 = Infinity;
  for (let t = 0; t < n; t++) {
    // into q0: from q0 (free) or q1 (leaving is free)
    const to0From1 = best1 < best0;
    const next0 = (to0From1 ? best1 : best0) + cost0[t]!;
    // into q1: from q1 (stay) or q0 (pay to enter)
    const viaEnter = best0 + enter;
    const to1From1 = best1 < viaEnter;
    const next1 = (to1From1 ? best1 : viaEnter) + cost1[t]!;
    from[t] = (to0From1 ? 1 : 0) | (to1From1 ? 2 : 0);
    best0 = next0;
    best1 = next1;
  }

  const state = new Uint8Array(n);
  let cur = best1 < best0 ? 1 : 0;
  for (let t = n - 1; t >= 0; t--) {
    state[t] = cur;
    cur = (from[t]! >> cur) & 1;
  }

  const bursts: Burst[] = [];
  for (let t = 0; t < n; ) {
    if (state[t] === 0) {
      t++;
      continue;
    }
    const start = t;
    let weight = 0;
    while (t < n && state[t] === 1) {
      weight += cost0[t]! - cost1[t]!;
      t++;
    }
    bursts.push({ start, end: t - 1, weight });
  }
  return bursts;
}
