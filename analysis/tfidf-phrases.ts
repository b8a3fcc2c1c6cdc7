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

/**
 * Sets the display form of each bigram column that occurs in `log` (the occurrences of the
 * columns `feats` in the corpus, from countMatrix); corpus.variants and tokenVariants required.
 */
export function setPhraseDisplays(corpus: TokenizedCorpus, feats: PhraseFeature[], share: number, log: BigramLog): void {
  const variants = corpus.variants!;
  const tv = corpus.tokenVariants!;
  const { tokenIds, docOffsets } = corpus;
  const F = feats.length;
  // Occurrence i: left word at[i], column feat[i], its document spans [docOffsets[doc[i]],
  // docOffsets[doc[i] + 1]). (Looked up as needed: two arrays of those bounds, filled first, cost
  // ~0.1 s on arXiv's log; docOffsets is small, and doc[] ascends.)
  const occ = { size: log.size, at: log.at, feat: log.column, doc: log.doc };
  const occurrences = new Float64Array(F);
  const forms = new PairCounts(); // (feat, va · 256 + vb) → count
  const next = new MajorityVote(F);
  const prev = new MajorityVote(F);
  for (let i = 0; i < occ.size; i++) {
    const k = occ.at[i]!;
    const f = occ.feat[i]!;
    occurrences[f]++;
    forms.add(f, tv[k]! * 256 + tv[k + 1]!);
    const d = occ.doc[i]!;
    const c = k + 2 < docOffsets[d + 1]! ? tokenIds[k + 2]! : -1;
    if (c >= 0) next.vote(f, c);
    const z = k > docOffsets[d]! ? tokenIds[k - 1]! : -1;
    if (z >= 0) prev.vote(f, z);
  }
  // Counts of the candidates and of their written forms; votes for the word after the first.
  const nextCount = new Float64Array(F);
  const prevCount = new Float64Array(F);
  const nextForms = new PairCounts(); // (feat, variant) → count, of the next-word candidate
  const prevForms = new PairCounts();
  const after = new MajorityVote(F);
  for (let i = 0; i < occ.size; i++) {
    const k = occ.at[i]!;
    const f = occ.feat[i]!;
    const d = occ.doc[i]!;
    const end = docOffsets[d + 1]!;
    const c = k + 2 < end ? tokenIds[k + 2]! : -1;
    if (c >= 0 && c === next.candidate[f]) {
      nextCount[f]++;
      nextForms.add(f, tv[k + 2]!);
      if (k + 3 < end && tokenIds[k + 3]! >= 0) after.vote(f, tokenIds[k + 3]!);
    }
    const z = k > docOffsets[d]! ? tokenIds[k - 1]! : -1;
    if (z >= 0 && z === prev.candidate[f]) {
      prevCount[f]++;
      prevForms.add(f, tv[k - 1]!);
    }
  }
  const ext1 = new Int32Array(F).fill(-1);
  let any = false;
  for (let f = 0; f < F; f++) {
    if (next.candidate[f]! >= 0 && nextCount[f]! >= share * occurrences[f]!) {
      ext1[f] = next.candidate[f]!;
      any = true;
    }
  }
  const afterCount = new Float64Array(F);
  const afterForms = new PairCounts();
  if (any) {
    for (let i = 0; i < occ.size; i++) {
      const k = occ.at[i]!;
      const f = occ.feat[i]!;
      if (ext1[f]! < 0 || k + 3 >= docOffsets[occ.doc[i]! + 1]! || tokenIds[k + 2] !== ext1[f]) continue;
      const c2 = tokenIds[k + 3]!;
      if (c2 >= 0 && c2 === after.candidate[f]) {
        afterCount[f]++;
        afterForms.add(f, tv[k + 3]!);
      }
    }
  }
  const pairForm = bestPerGroup(forms, F); // item = va · 256 + vb
  const nextForm = bestPerGroup(nextForms, F); // item = variant
  const afterForm = bestPerGroup(afterForms, F);
  const prevForm = bestPerGroup(prevForms, F);
  const written = (word: number, variant: number): string => variants[word]![variant] ?? corpus.display[word]!;
  feats.forEach((feat, f) => {
    const pair = pairForm.item[f]!;
    if (feat.b < 0) return;
    if (pair < 0) return;
    let text = `${written(feat.a, pair >> 8)} ${written(feat.b, pair & 255)}`;
    const c1 = ext1[f]!;
    if (c1 >= 0) {
      text += ' ' + written(c1, nextForm.item[f]!);
      const c2 = after.candidate[f]!;
      if (c2 >= 0 && afterCount[f]! >= share * occurrences[f]!) text += ' ' + written(c2, afterForm.item[f]!);
    }
    const z = prev.candidate[f]!;
    if (z >= 0 && prevCount[f]! >= share * occurrences[f]!) text = written(z, prevForm.item[f]!) + ' ' + text;
    feat.display = text;
  });
}
