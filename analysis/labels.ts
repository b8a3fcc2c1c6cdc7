import { coversTerm, termContainment, termSimilarity, termWords } from './termSimilarity.ts';

export interface TopicTerm {
  term: string; // display form, e.g. 'language models'
  weight: number; // c-TF-IDF weight W(t, c)
  key: string; // vocabulary key (column name)
}

export interface DescribeTopicsInput {
  /** Dense row-major k × V c-TF-IDF weights (classTfidf(...).weights). */
  weights: Float64Array;
  vocabulary: string[]; // term keys, V of them; bigrams are 'keyA keyB'
  display: string[]; // display form per term
  df: Int32Array; // document frequency per term
  k: number;
  /** Terms listed per topic (default 25). */
  topN?: number;
  /** Terms joined into a label (default 2; 1–3). */
  labelTerms?: number;
  /** MMR trade-off in [0, 1]: 1 = pure relevance, 0 = pure novelty (default 0.7). */
  mmrLambda?: number;
  /**
   * Exponent γ of the cross-topic share used to rank terms (default 1): a term is ranked by
   * W(t, c) · (W(t, c) / Σ_c' W(t, c'))^γ. 0 ranks by c-TF-IDF alone.
   */
  distinctiveness?: number;
  /** Terms with document frequency below this are never listed (default 1: no filter). */
  minDf?: number;
  /** Display words (lower case) that may not appear in a listed term. */
  stopWords?: ReadonlySet<string>;
  /** Topic sizes: on a label collision the smaller topic's label is extended. Default: index order. */
  sizes?: ArrayLike<number>;
  /**
   * Corpus frequency of each term (e.g. classTfidf(...).termTotals). With it, a term inside a
   * listed phrase is dropped when the phrase accounts for at least half of its occurrences
   * ('remote' next to 'remote sensing'); see coversTerm.
   */
  termCounts?: ArrayLike<number>;
}

export interface TopicDescriptions {
  topTerms: TopicTerm[][]; // per topic, in MMR order (best first)
  labels: string[]; // per topic, unique across topics
}

/** A word that carries no meaning in a label: digits / punctuation only, or a single character. */
function isJunkWord(word: string): boolean {
  return word.length < 2 || !/\p{L}/u.test(word);
}

/**
 * Describes each topic by its top terms and a short label.
 *
 * Ranking. Terms are ranked per topic by W(t, c) · share(t, c)^γ, where share is the term's
 * weight in this topic over its weight summed over all topics. c-TF-IDF's idf already shrinks
 * terms that every topic uses, but a term frequent in, say, a third of the topics still tops
 * each of them ('model', 'learning'); the share factor keeps such terms to the topics that use
 * them most, which is what topic diversity (unique share of top terms) measures.
 *
 * Selection. From the best 4·topN candidates, maximal marginal relevance picks the list:
 * next = argmax λ · rel(t) − (1 − λ) · max_{s chosen} sim(t, s), rel = score / best score,
 * sim = lexical term similarity (termSimilarity.ts). A candidate whose similarity to a chosen
 * term is 1 (model / models / modeling) is a duplicate and never listed. So is a term that a
 * listed phrase covers (coversTerm: its acronym, 'llms' for 'large language models', or a part
 * the phrase accounts for most occurrences of, 'sensing' in 'remote sensing'); when the
 * covering phrase comes after the term, it takes the term's place in the list.
 *
 * Labels. The first label term is the highest-ranked bigram among the first three terms if
 * there is one (a phrase reads better), else a bigram among the first five that contains the
 * first term ('gaussian' → 'gaussian splatting'), else the first term; then the next terms in
 * order that share no word with the ones chosen, up to `labelTerms`, joined with ' · '.
 * Labels are unique: topics are visited by size (largest first, then index) and a label
 * already taken is extended with the topic's next distinct term; only when the topic's terms
 * run out is ' (2)', ' (3)', … appended.
 */
export function describeTopics(input: DescribeTopicsInput): TopicDescriptions {
  const { weights, vocabulary, display, df, k } = input;
  const topN = input.topN ?? 25;
  const labelTerms = input.labelTerms ?? 2;
  const lambda = input.mmrLambda ?? 0.7;
  const gamma = input.distinctiveness ?? 1;
  const minDf = input.minDf ?? 1;
  const V = vocabulary.length;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`describeTopics: k must be a positive integer, got ${k}`);
  if (weights.length !== k * V) {
    throw new RangeError(`describeTopics: weights has ${weights.length} entries, expected k × V = ${k} × ${V}`);
  }
  if (display.length !== V) throw new RangeError(`describeTopics: display has ${display.length} entries, vocabulary ${V}`);
  if (df.length !== V) throw new RangeError(`describeTopics: df has ${df.length} entries, vocabulary ${V}`);
  if (!Number.isInteger(topN) || topN < 1) throw new RangeError(`describeTopics: topN must be a positive integer, got ${topN}`);
  if (!Number.isInteger(labelTerms) || labelTerms < 1 || labelTerms > 3) {
    throw new RangeError(`describeTopics: labelTerms must be 1, 2 or 3, got ${labelTerms}`);
  }
  if (!(lambda >= 0 && lambda <= 1)) throw new RangeError(`describeTopics: mmrLambda must be in [0, 1], got ${lambda}`);
  if (!(gamma >= 0)) throw new RangeError(`describeTopics: distinctiveness must be ≥ 0, got ${gamma}`);
  if (input.sizes && input.sizes.length !== k) {
    throw new RangeError(`describeTopics: sizes has ${input.sizes.length} entries, expected k = ${k}`);
  }
  if (input.termCounts && input.termCounts.length !== V) {
    throw new RangeError(`describeTopics: termCounts has ${input.termCounts.length} entries, vocabulary ${V}`);
  }
  const counts = input.termCounts;

  // Which terms may be listed at all, and their display words (for similarity).
  // A term's words, or null for a term never listed; worked out when a term first scores high
  // enough to enter a pool (a few thousand of ~50k terms), not for every term up front.
  const words: (string[] | null | undefined)[] = new Array(V);
  const wordsOf = (t: number): string[] | null => {
    let w = words[t];
    if (w !== undefined) return w;
    const split = termWords(display[t] || vocabulary[t]);
    const blocked =
      df[t] < minDf || split.length === 0 || split.some(isJunkWord) || (input.stopWords ? split.some((x) => input.stopWords!.has(x)) : false);
    w = blocked ? null : split;
    words[t] = w;
    return w;
  };

  // Σ_c W(t, c) for the share factor.
  const totals = new Float64Array(V);
  for (let c = 0; c < k; c++) for (let t = 0; t < V; t++) totals[t] += weights[c * V + t];

  const topTerms: TopicTerm[][] = [];
  const poolSize = 4 * topN;
  for (let c = 0; c < k; c++) {
    const base = c * V;
    // The best poolSize candidates, best first; ties by key so the order never depends on
    // vocabulary order. Kept by insertion into a short sorted list (the same pool as sorting all
    // ~20k scored terms of a topic, at a fraction of the cost).
    const pool: { t: number; score: number }[] = [];
    const better = (score: number, t: number, than: { t: number; score: number }) =>
      score > than.score || (score === than.score && vocabulary[t]! < vocabulary[than.t]!);
    for (let t = 0; t < V; t++) {
      const w = weights[base + t];
      if (w <= 0) continue;
      const score = gamma === 0 ? w : w * Math.pow(w / totals[t], gamma);
      if (pool.length === poolSize && !better(score, t, pool[poolSize - 1]!)) continue;
      if (wordsOf(t) === null) continue;
      let j = pool.length;
      while (j > 0 && better(score, t, pool[j - 1]!)) j--;
      if (pool.length === poolSize) pool.pop();
      pool.splice(j, 0, { t, score });
    }
    const chosen = selectMmr(pool, words as string[][], topN, lambda, counts);
    topTerms.push(chosen.map((t) => ({ term: display[t] || vocabulary[t], weight: weights[base + t], key: vocabulary[t] })));
  }

  return { topTerms, labels: uniqueLabels(topTerms, labelTerms, input.sizes) };
}

/** Maximal marginal relevance over a pool sorted best first; returns term ids in pick order. */
function selectMmr(
  pool: { t: number; score: number }[],
  words: string[][],
  topN: number,
  lambda: number,
  counts?: ArrayLike<number>,
): number[] {
  const picked: number[] = [];
  if (pool.length === 0) return picked;
  const best = pool[0].score;
  const maxSim = new Float64Array(pool.length); // max similarity to the picked terms so far
  const alive = new Uint8Array(pool.length).fill(1);
  while (picked.length < topN) {
    let arg = -1;
    let argValue = -Infinity;
    for (let i = 0; i < pool.length; i++) {
      if (!alive[i]) continue;
      const value = lambda * (pool[i].score / best) - (1 - lambda) * maxSim[i];
      if (value > argValue) {
        argValue = value; // strict '>' keeps the earlier (better-ranked) candidate on ties
        arg = i;
      }
    }
    if (arg < 0) break;
    alive[arg] = 0;
    const t = pool[arg].t;
    const covered = (u: number) => coversTerm(words[t], words[u], counts ? counts[t] : undefined, counts ? counts[u] : undefined);
    // A phrase replaces the terms it covers that are already listed (it takes the first one's place).
    const replaced = words[t].length > 1 ? picked.findIndex(covered) : -1;
    if (replaced >= 0) {
      picked[replaced] = t;
      for (let p = picked.length - 1; p > replaced; p--) if (covered(picked[p])) picked.splice(p, 1);
    } else picked.push(t);
    for (let i = 0; i < pool.length; i++) {
      if (!alive[i]) continue;
      const s = termSimilarity(words[pool[i].t], words[t]);
      if (s >= 1 - 1e-9 || covered(pool[i].t)) alive[i] = 0; // a duplicate (model / models, llms): never listed
      else if (s > maxSim[i]) maxSim[i] = s;
    }
  }
  return picked;
}

/** The terms a label is built from, in order: see describeTopics. */
function labelParts(terms: TopicTerm[], count: number): TopicTerm[] {
  if (terms.length === 0) return [];
  const isPhrase = (t: TopicTerm) => termWords(t.term).length > 1;
  const top = termWords(terms[0].term);
  const lead =
    terms.slice(0, 3).find(isPhrase) ??
    terms.slice(0, 5).find((t) => isPhrase(t) && termContainment(top, termWords(t.term)) === 1) ??
    terms[0];
  const parts = [lead];
  for (const t of terms) {
    if (parts.length >= count) break;
    if (isDistinct(t, parts)) parts.push(t);
  }
  return parts;
}

function isDistinct(t: TopicTerm, parts: TopicTerm[]): boolean {
  const w = termWords(t.term);
  return parts.every((p) => p !== t && termContainment(w, termWords(p.term)) < 0.5);
}

function uniqueLabels(topTerms: TopicTerm[][], labelTerms: number, sizes?: ArrayLike<number>): string[] {
  const k = topTerms.length;
  const order = Array.from({ length: k }, (_, c) => c);
  if (sizes) order.sort((a, b) => sizes[b] - sizes[a] || a - b);
  const taken = new Set<string>();
  const labels: string[] = new Array(k);
  const join = (parts: TopicTerm[]) => parts.map((p) => p.term).join(' · ');
  for (const c of order) {
    const terms = topTerms[c];
    const parts = labelParts(terms, labelTerms);
    let label = parts.length > 0 ? join(parts) : `topic ${c}`;
    // Extend with the next distinct term, then with any unused term, until the label is free.
    if (taken.has(label.toLowerCase())) {
      for (const pass of [true, false]) {
        for (const t of terms) {
          if (!taken.has(label.toLowerCase())) break;
          if (parts.includes(t) || (pass && !isDistinct(t, parts))) continue;
          parts.push(t);
          label = join(parts);
        }
      }
    }
    const stem = label;
    for (let n = 2; taken.has(label.toLowerCase()); n++) label = `${stem} (${n})`;
    taken.add(label.toLowerCase());
    labels[c] = label;
  }
  return labels;
}
