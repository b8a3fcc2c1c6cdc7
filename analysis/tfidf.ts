// TF-IDF as scikit-learn's TfidfVectorizer computes it (sublinear_tf, smooth_idf, norm='l2'), on
// unigrams plus collocation bigrams, built straight into CSR with typed arrays: never a dense
// N × V matrix and no per-document Map (a scratch array indexed by column + a touched list).
//
// Bigrams: adjacent tokens not separated by a boundary (-1). A pair is kept when it occurs in at
// least bigramMinDf documents AND its normalised pointwise mutual information is at least
// bigramMinScore:
//     NPMI(a, b) = ln(p(ab) / (p(a) p(b))) / -ln p(ab),   in [-1, 1]
// with p(ab) = count(ab) / #tokens and p(a) = count(a) / #tokens (token-level counts; one
// denominator keeps NPMI <= 1 however many boundaries there are).
// NPMI is 0 for words that meet by chance and 1 for words that only occur together; unlike raw
// PMI it does not favour rare pairs, and unlike a count threshold it drops frequent chance
// pairs ("model learning"). 'language model', 'neural network', 'reinforcement learning' score
// ~0.3-0.6 on arXiv abstracts; chance pairs of frequent words score near 0.

//
// Display forms. A bigram column shows as it is most often written ('united states', 'james
// monroe'; the corpus's tokenVariants say which form each token was written in), and a bigram
// that is nearly always continued by the same word shows with it: 'large language' is followed
// by 'models' in ~95% of its occurrences, so it reads 'large language models' (up to two words
// are added after, and one before: 'natural language processing' for 'language processing',
// each when at least phraseExtension of the occurrences continue that way). The column itself
// stays the bigram: only what a reader sees changes.

import { csrEmpty } from './sparse.ts';
import { codeUnitOrder } from './text/key-order.ts';
import type { WorkerPool } from './parallel/pool.ts';
import { isShared } from './parallel/shared.ts';
import { parallelTfidfCounting } from './parallel/tfidf-kernels.ts';
import { BigramLog, columnIndex, countMatrix, docCount, serialTfidfCounting, type TfidfCounting, weigh } from './tfidf-build.ts';
import { setPhraseDisplays } from './tfidf-phrases.ts';
import { BOILERPLATE_PHRASES } from './text/stopwords.ts';
import type { CsrMatrix, TokenizedCorpus } from './types.ts';

export interface TfidfOptions {
  /** Minimum document frequency: a count (>= 1) or a fraction of documents (< 1). */
  minDf: number;
  /** Maximum document frequency: a fraction of documents (<= 1) or a count (> 1). */
  maxDf: number;
  /** Keep only this many features, the most frequent by corpus count (ties by key). */
  maxFeatures?: number;
  /** tf → 1 + ln(tf). */
  sublinearTf: boolean;
  /** Add collocation bigrams to the vocabulary. */
  bigrams: boolean;
  /** Minimum document frequency of a bigram (a count); default: the min_df count, at least 2. */
  bigramMinDf?: number;
  /** Minimum NPMI of a bigram, in [-1, 1]; default 0.25. */
  bigramMinScore?: number;
  /** Bigram keys ('keyA keyB') never kept: fixed phrases that say nothing ('project page'). Default BOILERPLATE_PHRASES. */
  stopPhrases?: ReadonlySet<string>;
  /** Share of a bigram's occurrences one next word must have to join its display form, in (0.5, 1]; default 0.7. */
  phraseExtension?: number;
}

export const DEFAULT_TFIDF_OPTIONS: Readonly<TfidfOptions> = Object.freeze({
  minDf: 5,
  maxDf: 0.5,
  sublinearTf: true,
  bigrams: true,
  bigramMinScore: 0.25,
});

/** Defaults scaled to a corpus: min_df 2 below 1000 documents (5 would empty a small vocabulary). */
export function defaultTfidfOptions(docs: number): TfidfOptions {
  return { ...DEFAULT_TFIDF_OPTIONS, minDf: docs < 1000 ? 2 : DEFAULT_TFIDF_OPTIONS.minDf };
}

export interface TfidfModel {
  vocabulary: string[]; // feature key per column: a term key, or 'keyA keyB' for a bigram; ascending
  display: string[]; // display form per column: 'keyA dispB' for a bigram (see selectFeatures)
  df: Int32Array; // document frequency per column
  idf: Float64Array; // ln((1 + n) / (1 + df)) + 1
  matrix: CsrMatrix; // tf-idf, l2-normalised rows
  counts: CsrMatrix; // raw term counts, same layout as matrix
  docs: number;
}

interface Resolved {
  minCount: number;
  maxCount: number;
  maxFeatures: number;
  sublinearTf: boolean;
  bigrams: boolean;
  bigramMinDf: number;
  bigramMinScore: number;
  stopPhrases: ReadonlySet<string>;
  phraseExtension: number;
}

function resolveOptions(opts: TfidfOptions, n: number): Resolved {
  const { minDf, maxDf } = opts;
  if (!(typeof minDf === 'number' && minDf > 0 && Number.isFinite(minDf)) || (minDf >= 1 && !Number.isInteger(minDf))) {
    throw new RangeError(`minDf must be a positive integer count or a fraction in (0, 1), got ${minDf}`);
  }
  if (!(typeof maxDf === 'number' && maxDf > 0 && Number.isFinite(maxDf)) || (maxDf > 1 && !Number.isInteger(maxDf))) {
    throw new RangeError(`maxDf must be a fraction in (0, 1] or an integer count > 1, got ${maxDf}`);
  }
  if (opts.maxFeatures !== undefined && !(Number.isInteger(opts.maxFeatures) && opts.maxFeatures > 0)) {
    throw new RangeError(`maxFeatures must be a positive integer, got ${opts.maxFeatures}`);
  }
  if (typeof opts.sublinearTf !== 'boolean' || typeof opts.bigrams !== 'boolean') {
    throw new TypeError('sublinearTf and bigrams must be booleans');
  }
  // sklearn: a float bound is a proportion of documents, compared as df >= min_df * n.
  const minCount = minDf < 1 ? Math.ceil(minDf * n - 1e-9) : minDf;
  const maxCount = maxDf <= 1 ? Math.floor(maxDf * n + 1e-9) : maxDf;
  if (n > 0 && maxCount < minCount) {
    throw new RangeError(`maxDf (${maxDf} → ${maxCount} documents) is below minDf (${minDf} → ${minCount} documents) for ${n} documents`);
  }
  const bigramMinDf = opts.bigramMinDf ?? Math.max(2, minCount);
  if (!(Number.isInteger(bigramMinDf) && bigramMinDf >= 1)) {
    throw new RangeError(`bigramMinDf must be a positive integer count, got ${opts.bigramMinDf}`);
  }
  const bigramMinScore = opts.bigramMinScore ?? 0.25;
  if (!(bigramMinScore >= -1 && bigramMinScore <= 1)) {
    throw new RangeError(`bigramMinScore must be in [-1, 1], got ${opts.bigramMinScore}`);
  }
  const phraseExtension = opts.phraseExtension ?? 0.7;
  if (!(phraseExtension > 0.5 && phraseExtension <= 1)) {
    throw new RangeError(`phraseExtension must be in (0.5, 1], got ${opts.phraseExtension}`);
  }
  return {
    stopPhrases: opts.stopPhrases ?? BOILERPLATE_PHRASES,
    phraseExtension,
    minCount: Math.max(1, minCount),
    maxCount,
    maxFeatures: opts.maxFeatures ?? Infinity,
    sublinearTf: opts.sublinearTf,
    bigrams: opts.bigrams,
    bigramMinDf,
    bigramMinScore,
  };
}

interface Feature {
  key: string; // '' for a bigram not named yet (nameBigrams)
  display: string;
  df: number;
  cf: number;
  a: number; // term id (unigram) or left term id (bigram)
  b: number; // -1 for a unigram
}

/** Chooses the columns: df bounds, bigram collocation test, max_features; sorted by key. */
function selectFeatures(corpus: TokenizedCorpus, opt: Resolved, counting: TfidfCounting): Feature[] {
  const uni = counting.unigramStats();
  const feats: Feature[] = [];
  for (let t = 0; t < corpus.terms.length; t++) {
    const df = uni.df[t];
    if (df >= opt.minCount && df <= opt.maxCount) {
      feats.push({ key: corpus.terms[t], display: corpus.display[t], df, cf: uni.cf[t], a: t, b: -1 });
    }
  }
  if (opt.bigrams) {
    const c = counting.bigramCandidates(uni, opt.bigramMinDf);
    // A bigram's key is made only for those max_features keeps (nameBigrams): at 1M papers ~600k
    // features pass the bounds for 200k columns. A stop phrase is looked for only behind a left
    // word that begins one.
    const stopLeft = stopPhraseLeftWords(opt.stopPhrases);
    const bigramFeats: Feature[] = [];
    for (let i = 0; i < c.size; i++) {
      const df = c.df[i]!;
      if (df < opt.bigramMinDf || df < opt.minCount || df > opt.maxCount || c.score[i]! < opt.bigramMinScore) continue;
      const a = c.first[i]!;
      const b = c.second[i]!;
      if (stopLeft.has(corpus.terms[a]!) && opt.stopPhrases.has(`${corpus.terms[a]} ${corpus.terms[b]}`)) continue;
      bigramFeats.push({ key: '', display: '', df, cf: c.count[i]!, a, b });
    }
    for (const f of bigramFeats) feats.push(f); // not push(...): 10⁵+ bigrams overflow the stack
  }
  const named = (chosen: Feature[]): Feature[] => nameBigrams(corpus, chosen);
  return inKeyOrder(named(feats.length > opt.maxFeatures ? mostFrequent(feats, opt.maxFeatures, named) : feats));
}

/**
 * Every text before a space in a stop phrase: the left words a bigram's key ('left right') must
 * have to equal one (terms hold no space, but the check does not rely on that).
 */
function stopPhraseLeftWords(phrases: ReadonlySet<string>): Set<string> {
  const left = new Set<string>();
  for (const p of phrases) for (let i = p.indexOf(' '); i >= 0; i = p.indexOf(' ', i + 1)) left.add(p.slice(0, i));
  return left;
}

/**
 * Names the bigram features not named yet: key 'left right' from the two term keys; display the
 * left key and the right word's display form. (Without surface variants, an older corpus, the
 * left word shows as its key, the singular: English modifiers are mostly singular, 'feature
 * extraction'.) Returns `feats`.
 */
function nameBigrams(corpus: TokenizedCorpus, feats: Feature[]): Feature[] {
  for (const f of feats) {
    if (f.b < 0 || f.key !== '') continue;
    f.key = `${corpus.terms[f.a]} ${corpus.terms[f.b]}`;
    f.display = `${corpus.terms[f.a]} ${corpus.display[f.b]}`;
  }
  return feats;
}

/**
 * The `max` features that a sort by corpus count descending, ties by key, puts first (returned in
 * no particular order), without that sort. At a million papers there are ~600k candidates for
 * 200k columns, and two comparator sorts over them (by count, then by key) held vectorize's
 * calling thread ~1 s alone. `named` names the tied bigrams (their keys break the tie).
 */
function mostFrequent(feats: readonly Feature[], max: number, named: (feats: Feature[]) => Feature[]): Feature[] {
  const threshold = Float64Array.from(feats, (f) => f.cf).sort()[feats.length - max]!; // the max-th largest count
  const kept = feats.filter((f) => f.cf > threshold);
  const tied = inKeyOrder(named(feats.filter((f) => f.cf === threshold)));
  for (let i = 0; kept.length < max; i++) kept.push(tied[i]!);
  return kept;
}

/** The features by key in code-unit order (the keys are distinct). */
function inKeyOrder(feats: readonly Feature[]): Feature[] {
  return Array.from(codeUnitOrder(feats.map((f) => f.key)), (i) => feats[i]!);
}

/** Threads for fitTfidf's counting passes. */
export interface TfidfParallel {
  pool: WorkerPool;
  /**
   * Fewer tokens than this are counted on the calling thread (a job's start costs more). Default
   * PARALLEL_MIN_TOKENS.
   */
  minTokens?: number;
  /** Fewer logged bigram occurrences than this get their phrase votes on the calling thread. Default PARALLEL_MIN_OCCURRENCES. */
  minOccurrences?: number;
  /** Fewer stored counts than this are weighed on the calling thread. Default PARALLEL_MIN_ENTRIES. */
  minEntries?: number;
}

/**
 * Below this many tokens (~25k abstracts) fitTfidf counts on one thread. A job costs ~1 ms to
 * post, but the caller also waits for the pool's worker to be up, and vectorize starts that pool
 * itself: on 20 Newsgroups (3.1M tokens) the stage took 0.38–0.50 s on one thread against
 * 0.49–0.56 s on two (three alternating runs each); arXiv (11.8M) gains ~0.3 s on two.
 */
export const PARALLEL_MIN_TOKENS = 1 << 22;

/**
 * Whether fitTfidf would count `corpus` on a pool's threads: enough tokens, and the token stream
 * already in shared memory. A caller may skip waiting for a pool that would not be used.
 */
export function tfidfUsesPool(corpus: TokenizedCorpus, minTokens = PARALLEL_MIN_TOKENS): boolean {
  return corpus.tokenIds.length >= minTokens && isShared(corpus.tokenIds) && isShared(corpus.docOffsets);
}

/** The pool's passes when they pay (tfidfUsesPool, and more than one thread). */
function countingFor(corpus: TokenizedCorpus, parallel: TfidfParallel | undefined): TfidfCounting {
  const { tokenIds, docOffsets } = corpus;
  if (parallel && parallel.pool.threads > 1 && tfidfUsesPool(corpus, parallel.minTokens)) {
    return parallelTfidfCounting({ tokenIds, docOffsets }, corpus.terms.length, parallel.pool, { minOccurrences: parallel.minOccurrences, minEntries: parallel.minEntries });
  }
  return serialTfidfCounting(corpus);
}

/**
 * Fits the vocabulary, document frequencies and idf on `corpus` and returns its TF-IDF matrix.
 * With `parallel`, the counting passes run on the pool's threads when the corpus's tokenIds and
 * docOffsets live in shared memory (see countingFor); the result is the same either way.
 */
export function fitTfidf(corpus: TokenizedCorpus, opts: TfidfOptions = DEFAULT_TFIDF_OPTIONS, parallel?: TfidfParallel): TfidfModel {
  const n = docCount(corpus);
  const opt = resolveOptions(opts, n);
  if (n === 0) {
    const empty = csrEmpty(0, 0);
    return { vocabulary: [], display: [], df: new Int32Array(0), idf: new Float64Array(0), matrix: empty, counts: empty, docs: 0 };
  }
  const counting = countingFor(corpus, parallel);
  const feats = selectFeatures(corpus, opt, counting);
  const cols = feats.length;
  const df = Int32Array.from(feats, (f) => f.df);
  const idf = Float64Array.from(feats, (f) => Math.log((1 + n) / (1 + f.df)) + 1);
  // Display forms from the occurrences countMatrix finds while counting (a bigram's form does
  // not depend on which other columns are kept, so setting them after max_features is the same).
  const log = opt.bigrams && corpus.variants && corpus.tokenVariants ? new BigramLog() : undefined;
  const counts = counting.countMatrix(cols, columnIndex(corpus.terms.length, feats), log);
  if (log) setPhraseDisplays(corpus, feats, opt.phraseExtension, log, counting.phraseVoter);
  return {
    vocabulary: feats.map((f) => f.key),
    display: feats.map((f) => f.display),
    df,
    idf,
    matrix: counting.weigh(counts, idf, opt.sublinearTf),
    counts,
    docs: n,
  };
}

/**
 * TF-IDF of new documents in a fitted model's columns (same idf; words and bigrams the model does
 * not know are ignored). `sublinearTf` must match the fit (the model does not record it).
 */
export function transformTfidf(model: TfidfModel, corpus: TokenizedCorpus, sublinearTf = true): { matrix: CsrMatrix; counts: CsrMatrix } {
  const termId = new Map<string, number>();
  corpus.terms.forEach((t, id) => termId.set(t, id));
  // Each column's term ids in this corpus; a < 0: a word this corpus does not have (never counted).
  const columns = model.vocabulary.map((key) => {
    const space = key.indexOf(' ');
    if (space < 0) return { a: termId.get(key) ?? -1, b: -1 };
    const a = termId.get(key.slice(0, space));
    const b = termId.get(key.slice(space + 1));
    return a === undefined || b === undefined ? { a: -1, b: -1 } : { a, b };
  });
  const counts = countMatrix(corpus, model.vocabulary.length, columnIndex(corpus.terms.length, columns));
  return { matrix: weigh(counts, model.idf, sublinearTf), counts };
}
