// The refit policy: whether tonight refits the model (vocabulary, PCA basis, clusters) on the
// whole window or folds tonight's papers into the stored one. A pure function of a few facts,
// so every rule has a known-answer test.
//
// Rules, in order (the first that applies gives the reason):
//   no stored model · config changed · forced (--refit) · the window IS the fit set (a re-run of
//   the fit night or an empty night after it: refitting reproduces that night exactly, and the
//   stage caches make it free) · papers added + dropped since the fit > maxChangedFraction of the
//   fit set · newest paper more than maxAgeDays after the fit's newest paper.
// Otherwise: fold in. A last rule needs tonight's vectors and is applied by vectorize
// (foldInQuality): the share of the new papers' variance the stored basis captures.

export interface RefitPolicy {
  /** Fold in when the rules allow (false: refit every night, the behaviour before issue 6 item 5). */
  incremental: boolean;
  /** Refit whatever the rules say (CLI --refit). */
  refit: boolean;
  /** Refit when papers added + dropped since the last full fit exceed this fraction of the fit set. */
  maxChangedFraction: number;
  /** Refit when the newest paper is more than this many days newer than the fit's newest paper. */
  maxAgeDays: number;
  /**
   * Refit when the share of the new papers' centred TF-IDF variance captured by the stored PCA
   * basis falls below this fraction of the share it captured of the fit window's.
   */
  minCapturedRatio: number;
}

export interface NightFacts {
  /** Stored model (undefined: none). */
  model?: { configHash: string; fitPapers: number; fitDate: string };
  configHash: string;
  /** Window papers the model was not fitted on. */
  added: number;
  /** Fit papers no longer in the window. */
  dropped: number;
  /** Newest paper date of tonight's window. */
  newestDate: string | undefined;
}

export type NightMode = 'refit' | 'fold-in';

export interface NightDecision {
  mode: NightMode;
  reason: string;
}

export function decideNight(policy: RefitPolicy, f: NightFacts): NightDecision {
  const refit = (reason: string): NightDecision => ({ mode: 'refit', reason });
  if (!f.model) return refit('no stored model (first run, or the model was removed)');
  if (f.model.configHash !== f.configHash) return refit('the configuration changed since the last full fit');
  if (policy.refit) return refit('refit forced (--refit / model.refit)');
  if (!policy.incremental) return refit('incremental nights are off (model.incremental = false)');
  if (f.added === 0 && f.dropped === 0) return refit('the window is the set the model was fitted on (a re-run of its night)');
  const changed = f.added + f.dropped;
  const limit = policy.maxChangedFraction * f.model.fitPapers;
  if (changed > limit) {
    return refit(`${changed} papers added or dropped since the last full fit, more than ${fmtPct(policy.maxChangedFraction)} of its ${f.model.fitPapers}`);
  }
  const age = f.newestDate !== undefined ? daysBetween(f.model.fitDate, f.newestDate) : 0;
  if (age > policy.maxAgeDays) return refit(`the model is ${age} days old (newest paper ${f.newestDate}, fit ${f.model.fitDate}; limit ${policy.maxAgeDays})`);
  return {
    mode: 'fold-in',
    reason: `${f.added} new and ${f.dropped} dropped papers folded into the model of ${f.model.fitDate} (${f.model.fitPapers} papers, ${age} days old)`,
  };
}

/** Whole days from a to b ('YYYY-MM-DD'); negative when b is earlier. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

function fmtPct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}
