// Rising and falling topics: the share of each topic in a recent window against a baseline window.
//
// growth = log2 of the ratio of smoothed shares (how much); z = log-odds ratio with an informative
// Dirichlet prior divided by its standard error (how sure), after Monroe, Colaresi & Quinn 2008,
// "Fightin' Words" (Political Analysis 16(4)), eqs. 16–22. The prior gives topic w the
// pseudo-count α_w = α0 · π_w in each window (π_w its share over both windows), so a topic going
// 2 → 4 papers scores far below one going 200 → 300: small counts are shrunk towards no change
// and carry a large standard error.
//
// Windows run over shares of all papers in the window (Σ counts / Σ totals), never raw counts: a
// topic that keeps a constant share of a feed whose volume doubles has growth 0.
//
// A partial last period (the data stops before the period ends, e.g. tonight's week so far) is
// left out of both windows by default: feeds arrive in batches by source or category, so what an
// incomplete period holds so far is not a fair sample of the period, and with a nightly run it
// would move the recent share every night. A partial first period stays in the baseline: it
// holds all of its (older, complete) papers, just fewer days of them.

export interface GrowthOptions {
  recentPeriods?: number; // W: last W usable periods (default max(3, ceil(25% of them)), ≥ 1 baseline left)
  baselinePeriods?: number; // periods right before the recent window (default: all of them)
  prior?: number; // α0, total pseudo-papers of the prior (default 10 · k: 10 per average topic)
  partialLast?: boolean; // the table's last period is partial (default false)
  includePartialLast?: boolean; // keep a partial last period in the recent window (default false)
}

/** Inclusive period index range. */
export interface PeriodRange {
  start: number;
  end: number;
}

export interface TopicGrowth {
  topic: number;
  recentShare: number; // papers of the topic / all papers, recent window (0 if it is empty)
  baselineShare: number; // the same for the baseline window
  recentCount: number;
  baselineCount: number;
  growth: number; // log2(smoothed recent share / smoothed baseline share)
  z: number; // signed: > 0 rising, < 0 falling; |z| > 1.96 ≈ 5 % two-sided
}

export interface GrowthResult {
  recent: PeriodRange | null; // null when there are fewer than two usable periods
  baseline: PeriodRange | null;
  recentTotal: number;
  baselineTotal: number;
  prior: number; // α0 used
  topics: TopicGrowth[];
}

function checkPositiveInt(name: string, v: number | undefined): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new RangeError(`${name} must be a positive integer, got ${v}`);
}

/** Splits the usable periods into baseline and recent windows (null when fewer than two periods). */
export function growthWindows(
  nPeriods: number,
  opts: Pick<GrowthOptions, 'recentPeriods' | 'baselinePeriods' | 'partialLast' | 'includePartialLast'> = {},
): { recent: PeriodRange; baseline: PeriodRange } | null {
  checkPositiveInt('recentPeriods', opts.recentPeriods);
  checkPositiveInt('baselinePeriods', opts.baselinePeriods);
  const usable = opts.partialLast && !opts.includePartialLast ? nPeriods - 1 : nPeriods;
  if (usable < 2) return null;
  const w = Math.min(opts.recentPeriods ?? Math.max(3, Math.ceil(0.25 * usable)), usable - 1);
  const recent = { start: usable - w, end: usable - 1 };
  const b = Math.min(opts.baselinePeriods ?? usable - w, usable - w);
  return { recent, baseline: { start: recent.start - b, end: recent.start - 1 } };
}

/**
 * Growth and significance of every topic.
 * `counts` is periods × k row-major (cell (p, c) at p * k + c), `totals` the papers per period
 * (≥ the row sum; papers without a topic may be counted in totals only).
 */
export function topicGrowth(counts: ArrayLike<number>, totals: ArrayLike<number>, k: number, opts: GrowthOptions = {}): GrowthResult {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  const nP = totals.length;
  if (counts.length !== nP * k) throw new RangeError(`counts has ${counts.length} cells; expected periods (${nP}) × k (${k})`);
  const alpha0 = opts.prior ?? 10 * k;
  if (!Number.isFinite(alpha0) || alpha0 <= 0) throw new RangeError(`prior must be a finite number > 0, got ${alpha0}`);
  const windows = growthWindows(nP, opts);

  const sumWindow = (range: PeriodRange | undefined): { y: Float64Array; n: number } => {
    const y = new Float64Array(k);
    let n = 0;
    if (range) {
      for (let p = range.start; p <= range.end; p++) {
        n += totals[p]!;
        for (let c = 0; c < k; c++) y[c]! += counts[p * k + c]!;
      }
    }
    return { y, n };
  };
  const rec = sumWindow(windows?.recent);
  const base = sumWindow(windows?.baseline);

  const topics: TopicGrowth[] = [];
  const all = rec.n + base.n;
  for (let c = 0; c < k; c++) {
    const yi = rec.y[c]!;
    const yj = base.y[c]!;
    // π_w with add-one smoothing, so a topic absent from both windows still has a proper prior.
    const alpha = (alpha0 * (yi + yj + 1)) / (all + k);
    const growth = Math.log2((yi + alpha) / (rec.n + alpha0)) - Math.log2((yj + alpha) / (base.n + alpha0));
    // Log-odds of the topic in each window; the variance is the delta-method one of a log odds
    // ratio (Monroe et al. keep only the 1/(y + α) terms, which overstates z for big topics).
    const oi = rec.n + alpha0 - yi - alpha;
    const oj = base.n + alpha0 - yj - alpha;
    const delta = Math.log((yi + alpha) / oi) - Math.log((yj + alpha) / oj);
    const variance = 1 / (yi + alpha) + 1 / oi + 1 / (yj + alpha) + 1 / oj;
    topics.push({
      topic: c,
      recentShare: rec.n > 0 ? yi / rec.n : 0,
      baselineShare: base.n > 0 ? yj / base.n : 0,
      recentCount: yi,
      baselineCount: yj,
      growth: windows ? growth : 0,
      // oi or oj is 0 only when one topic holds every paper (k = 1): nothing to compare against.
      z: windows && oi > 0 && oj > 0 ? delta / Math.sqrt(variance) : 0,
    });
  }
  return {
    recent: windows?.recent ?? null,
    baseline: windows?.baseline ?? null,
    recentTotal: rec.n,
    baselineTotal: base.n,
    prior: alpha0,
    topics,
  };
}

/** Topics ordered by z, most rising first (ties: lower topic id first). */
export function rankByZ(topics: readonly TopicGrowth[]): TopicGrowth[] {
  return [...topics].sort((a, b) => b.z - a.z || a.topic - b.topic);
}

/** Topics significantly rising (z ≥ minZ, default 1.96), most significant first. */
export function risingTopics(topics: readonly TopicGrowth[], minZ = 1.96): TopicGrowth[] {
  return rankByZ(topics).filter((t) => t.z >= minZ);
}

/** Topics significantly falling (z ≤ −minZ), most significant first. */
export function fallingTopics(topics: readonly TopicGrowth[], minZ = 1.96): TopicGrowth[] {
  return [...topics].filter((t) => t.z <= -minZ).sort((a, b) => a.z - b.z || a.topic - b.topic);
}
