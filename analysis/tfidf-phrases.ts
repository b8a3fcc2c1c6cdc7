// Display forms of bigram columns (see the header of tfidf.ts): the most frequent written form of
// the pair, extended by up to two next words and one previous word when one word continues at
// least `share` of the pair's occurrences.
//
// Why majority votes: `share` is above ½, so a continuation that qualifies is the strict majority
// of the pair's continuations, and the Boyer–Moore vote finds the only word that can qualify
// without counting every continuation. Counting them all (an earlier version) kept a hash table of
// every distinct (pair, next word) and (pair, previous word): about a million entries on arXiv,
// far past the CPU caches, three table updates per occurrence. Here one pass over the occurrences
// (countMatrix logs them while counting) votes, a second counts the candidates and their written
// forms, a third (only where a first continuation holds) does the same for the second
// continuation. The chosen forms are those the full counts chose: a qualifying word is unique,
// and written forms tie to the first variant either way.

import { PairCounts, type BigramLog } from './tfidf-build.ts';
import type { TokenizedCorpus } from './types.ts';

/** A column: left and right term ids (b < 0: a unigram, never in the log), and its display form (set here for bigrams). */
export interface PhraseFeature {
  a: number;
  b: number;
  display: string;
}

/** Boyer–Moore majority vote per feature: the only item that can hold more than half of the votes. */
class MajorityVote {
  readonly candidate: Int32Array;
  private votes: Int32Array;

  constructor(groups: number) {
    this.candidate = new Int32Array(groups).fill(-1);
    this.votes = new Int32Array(groups);
  }

  vote(f: number, item: number): void {
    if (this.votes[f] === 0) {
      this.candidate[f] = item;
      this.votes[f] = 1;
    } else if (this.candidate[f] === item) this.votes[f]!++;
    else this.votes[f]!--;
  }
}

/**
 * For counts keyed (group, item): the most frequent item of each group (ties: the smaller item),
 * and its count. One pass over the counts.
 */
function bestPerGroup(counts: PairCounts, groups: number): { item: Int32Array; count: Float64Array } {
  const item = new Int32Array(groups).fill(-1);
  const count = new Float64Array(groups);
  counts.forEach((g, it, n) => {
    if (n > count[g]! || (n === count[g]! && it < item[g]!)) {
      item[g] = it;
      count[g] = n;
    }
  });
  return { item, count };
}

/** The token stream and occurrence log the phrase votes read (in shared memory for the pool's threads). */
export interface PhraseVoteInput {
  tokenIds: Int32Array;
  docOffsets: Int32Array;
  tokenVariants: Uint8Array;
  /** The log's first `size` entries: left word position, column, document (BigramLog). */
  size: number;
  at: Int32Array;
  column: Int32Array;
  doc: Int32Array;
}

/**
 * What the display of each column f in [f0, f1) is made of, at index f − f0: the written form of
 * the pair (variant of a · 256 + variant of b; −1: the column does not occur), the next word and
 * its written form when it continues at least `share` of the occurrences (−1 when none), the one
 * after it likewise (only with a next word), the previous word likewise.
 */
export interface PhraseVotes {
  f0: number;
  pair: Int32Array;
  next: Int32Array;
  nextForm: Int32Array;
  after: Int32Array;
  afterForm: Int32Array;
  prev: Int32Array;
  prevForm: Int32Array;
}

/**
 * The votes and counts of the file comment for the columns in [f0, f1): every pass reads the
 * whole log and skips the other columns' occurrences. A column's result depends on its own
 * occurrences alone, in log order, so the results of ranges that cover [0, F) are those of one
 * range [0, F): the pool's threads each take a range (parallel/tfidf-kernels.ts).
 */
export function phraseVotes(input: PhraseVoteInput, f0: number, f1: number, share: number): PhraseVotes {
  // Occurrence i: left word at[i], column column[i], its document spans [docOffsets[doc[i]],
  // docOffsets[doc[i] + 1]). (Looked up as needed: two arrays of those bounds, filled first, cost
  // ~0.1 s on arXiv's log; docOffsets is small, and doc[] ascends.)
  const { tokenIds, docOffsets, tokenVariants: tv, size, at, column, doc } = input;
  const F = f1 - f0;
  const occurrences = new Float64Array(F);
  const forms = new PairCounts(); // (g, va · 256 + vb) → count, g = column − f0
  const next = new MajorityVote(F);
  const prev = new MajorityVote(F);
  for (let i = 0; i < size; i++) {
    const g = column[i]! - f0;
    if (g < 0 || g >= F) continue;
    const k = at[i]!;
    occurrences[g]++;
    forms.add(g, tv[k]! * 256 + tv[k + 1]!);
    const d = doc[i]!;
    const c = k + 2 < docOffsets[d + 1]! ? tokenIds[k + 2]! : -1;
    if (c >= 0) next.vote(g, c);
    const z = k > docOffsets[d]! ? tokenIds[k - 1]! : -1;
    if (z >= 0) prev.vote(g, z);
  }
  // Counts of the candidates and of their written forms; votes for the word after the first.
  const nextCount = new Float64Array(F);
  const prevCount = new Float64Array(F);
  const nextForms = new PairCounts(); // (g, variant) → count, of the next-word candidate
  const prevForms = new PairCounts();
  const after = new MajorityVote(F);
  for (let i = 0; i < size; i++) {
    const g = column[i]! - f0;
    if (g < 0 || g >= F) continue;
    const k = at[i]!;
    const d = doc[i]!;
    const end = docOffsets[d + 1]!;
    const c = k + 2 < end ? tokenIds[k + 2]! : -1;
    if (c >= 0 && c === next.candidate[g]) {
      nextCount[g]++;
      nextForms.add(g, tv[k + 2]!);
      if (k + 3 < end && tokenIds[k + 3]! >= 0) after.vote(g, tokenIds[k + 3]!);
    }
    const z = k > docOffsets[d]! ? tokenIds[k - 1]! : -1;
    if (z >= 0 && z === prev.candidate[g]) {
      prevCount[g]++;
      prevForms.add(g, tv[k - 1]!);
    }
  }
  const ext1 = new Int32Array(F).fill(-1);
  let any = false;
  for (let g = 0; g < F; g++) {
    if (next.candidate[g]! >= 0 && nextCount[g]! >= share * occurrences[g]!) {
      ext1[g] = next.candidate[g]!;
      any = true;
    }
  }
  const afterCount = new Float64Array(F);
  const afterForms = new PairCounts();
  if (any) {
    for (let i = 0; i < size; i++) {
      const g = column[i]! - f0;
      if (g < 0 || g >= F) continue;
      const k = at[i]!;
      if (ext1[g]! < 0 || k + 3 >= docOffsets[doc[i]! + 1]! || tokenIds[k + 2] !== ext1[g]) continue;
      const c2 = tokenIds[k + 3]!;
      if (c2 >= 0 && c2 === after.candidate[g]) {
        afterCount[g]++;
        afterForms.add(g, tv[k + 3]!);
      }
    }
  }
  const pairForm = bestPerGroup(forms, F); // item = va · 256 + vb
  const nextForm = bestPerGroup(nextForms, F); // item = variant
  const afterForm = bestPerGroup(afterForms, F);
  const prevForm = bestPerGroup(prevForms, F);
  const afterWord = new Int32Array(F).fill(-1);
  const prevWord = new Int32Array(F).fill(-1);
  for (let g = 0; g < F; g++) {
    const c2 = after.candidate[g]!;
    if (ext1[g]! >= 0 && c2 >= 0 && afterCount[g]! >= share * occurrences[g]!) afterWord[g] = c2;
    const z = prev.candidate[g]!;
    if (z >= 0 && prevCount[g]! >= share * occurrences[g]!) prevWord[g] = z;
  }
  return { f0, pair: pairForm.item, next: ext1, nextForm: nextForm.item, after: afterWord, afterForm: afterForm.item, prev: prevWord, prevForm: prevForm.item };
}

/**
 * Splits the columns [0, F) into `parts` consecutive ranges with about as many occurrences each
 * (bounds, length parts + 1), so that threads taking one range each share the work evenly.
 */
export function phraseRanges(column: Int32Array, size: number, F: number, parts: number): Int32Array {
  const perColumn = new Float64Array(F);
  for (let i = 0; i < size; i++) perColumn[column[i]!]++;
  const bounds = new Int32Array(parts + 1);
  bounds[parts] = F;
  let seen = 0;
  let p = 1;
  for (let f = 0; f < F && p < parts; f++) {
    seen += perColumn[f]!;
    while (p < parts && seen >= (size * p) / parts) bounds[p++] = f + 1;
  }
  for (; p < parts; p++) bounds[p] = F;
  return bounds;
}

/** Computes the votes of every column, all at once or (on a pool) in ranges; see setPhraseDisplays. */
export type PhraseVoter = (input: PhraseVoteInput, F: number, share: number) => PhraseVotes[];

/** Every column's votes at once, on this thread. */
export const serialPhraseVoter: PhraseVoter = (input, F, share) => [phraseVotes(input, 0, F, share)];

/**
 * Sets the display form of each bigram column that occurs in `log` (the occurrences of the
 * columns `feats` in the corpus, from countMatrix); corpus.variants and tokenVariants required.
 * `voter`: how the votes are computed (parallel/tfidf-kernels.ts splits them over a pool's
 * threads); the displays are the same either way.
 */
export function setPhraseDisplays(corpus: TokenizedCorpus, feats: PhraseFeature[], share: number, log: BigramLog, voter: PhraseVoter = serialPhraseVoter): void {
  const variants = corpus.variants!;
  const input: PhraseVoteInput = {
    tokenIds: corpus.tokenIds,
    docOffsets: corpus.docOffsets,
    tokenVariants: corpus.tokenVariants!,
    size: log.size,
    at: log.at,
    column: log.column,
    doc: log.doc,
  };
  const written = (word: number, variant: number): string => variants[word]![variant] ?? corpus.display[word]!;
  for (const votes of voter(input, feats.length, share)) {
    for (let g = 0; g < votes.pair.length; g++) {
      const feat = feats[votes.f0 + g]!;
      const pair = votes.pair[g]!;
      if (feat.b < 0 || pair < 0) continue;
      let text = `${written(feat.a, pair >> 8)} ${written(feat.b, pair & 255)}`;
      const c1 = votes.next[g]!;
      if (c1 >= 0) {
        text += ' ' + written(c1, votes.nextForm[g]!);
        const c2 = votes.after[g]!;
        if (c2 >= 0) text += ' ' + written(c2, votes.afterForm[g]!);
      }
      const z = votes.prev[g]!;
      if (z >= 0) text = written(z, votes.prevForm[g]!) + ' ' + text;
      feat.display = text;
    }
  }
}
