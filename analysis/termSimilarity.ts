// Lexical similarity between terms (unigrams or 'word word' bigrams), used by MMR to keep a
// topic's term list and label free of near-duplicates. There are no word embeddings in this
// project, so similarity is judged from spelling alone:
//
//   word level  1   when the words are equal after folding a plain plural (model ~ models, the
//                   same fold ../shared/eval/score.py applies), or share a common prefix of at
//                   least 5 characters that leaves at most 3 characters of the shorter word over
//                   (model ~ modeling, learning ~ learned, generative ~ generation; but not
//                   interaction ~ international);
//               else the Jaccard index of the words' padded character trigrams (a graded score:
//                   optimization ~ optimisation ≈ 0.6, unrelated words ≈ 0).
//   term level  every word of the shorter term is matched to its most similar word of the
//               other; with m the sum of those matches,
//                 similarity  = m / (|A| + |B| − m)   (soft Jaccard: 'language models' vs
//                                                      'language' = 0.5, vs 'language model' = 1)
//                 containment = m / min(|A|, |B|)    ('language models' vs 'language' = 1)

/** Folds a plain English plural as score.py does: 'models' → 'model', 'class' stays. */
export function foldPlural(word: string): string {
  return word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;
}

/** Lower-cased words of a term; a bigram key is 'keyA keyB'. */
export function termWords(term: string): string[] {
  return term.toLowerCase().split(/\s+/).filter((w) => w.length > 0);
}

function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

// Trigram sets are asked for the same words over and over by MMR: memoise them, bounded.
const trigramCache = new Map<string, Set<string>>();

function trigrams(word: string): Set<string> {
  const hit = trigramCache.get(word);
  if (hit) return hit;
  if (trigramCache.size > 50_000) trigramCache.clear();
  const padded = `  ${word} `;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
  trigramCache.set(word, out);
  return out;
}

/** Similarity of two single words in [0, 1] (see the header). */
export function wordSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  const fa = foldPlural(a);
  const fb = foldPlural(b);
  if (fa === fb) return 1;
  const prefix = commonPrefixLength(fa, fb);
  if (prefix >= 5 && Math.min(fa.length, fb.length) - prefix <= 3) return 1;
  const ta = trigrams(fa);
  const tb = trigrams(fb);
  let shared = 0;
  for (const g of ta) if (tb.has(g)) shared++;
  return shared / (ta.size + tb.size - shared);
}

/** Sum over the shorter word list of each word's best match in the other list. */
function matchedWords(a: string[], b: string[]): number {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  let m = 0;
  for (const w of short) {
    let best = 0;
    for (const v of long) {
      const s = wordSimilarity(w, v);
      if (s > best) best = s;
      if (best === 1) break;
    }
    m += best;
  }
  return m;
}

/** Soft Jaccard similarity of two terms' words, in [0, 1]. */
export function termSimilarity(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const m = matchedWords(a, b);
  return m / (a.length + b.length - m);
}

/** How much of the shorter term is found in the other, in [0, 1]. */
export function termContainment(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  return matchedWords(a, b) / Math.min(a.length, b.length);
}

/** Share of a term's occurrences a phrase containing it must account for to cover it. */
export const COVER_SHARE = 0.5;

/** First letters of a phrase's words and hyphenated parts: 'large language models' → 'llm'. */
function initials(words: string[]): string {
  let out = '';
  for (const w of words) for (const part of w.split('-')) if (part.length > 0) out += part[0];
  return out;
}

/**
 * Whether `phrase` makes `term` redundant in a list that already shows the phrase:
 *  - `term` is one word and the acronym of the phrase (plural folded): 'llms' for 'large
 *    language models', 'gnn' for 'graph neural networks', 'rl' for 'reinforcement learning';
 *  - or `term` is one word of the phrase (plurals folded) and, when counts are given, the
 *    phrase accounts for at least COVER_SHARE of the word's occurrences ('sensing' in 'remote
 *    sensing', 'gaussian' in 'gaussian splatting'; but not 'model' in 'language model', a small
 *    part of all uses of 'model'). Without counts a contained word is not covered (it might be a
 *    broader term in its own right). A phrase inside a longer phrase is left to MMR's
 *    similarity: a displayed phrase may be extended beyond its counted bigram, so its count
 *    says nothing about the longer words.
 */
export function coversTerm(phrase: string[], term: string[], phraseCount?: number, termCount?: number): boolean {
  if (phrase.length < 2 || term.length !== 1) return false;
  const word = foldPlural(term[0]!);
  const acronym = initials(phrase);
  if (acronym.length >= 2 && (word === acronym || term[0] === acronym + 's')) return true;
  if (phraseCount === undefined || termCount === undefined || !(termCount > 0)) return false;
  return phraseCount >= COVER_SHARE * termCount && phrase.some((w) => foldPlural(w) === word);
}
