// Topic term vectors that can be compared across runs. Each run has its own vocabulary (term ids
// change as the archive grows), so a vector is keyed by the term string itself, folded so that
// a display form that flips between runs ('Language Models' one night, 'language model' the
// next) still counts as the same term.

/** A sparse L2-normalised vector over term strings; `keys` ascend (code-unit order). */
export interface TermVector {
  keys: string[];
  weights: Float64Array; // same length as keys; Σ w² = 1, or all empty for a topic without terms
}

/** Folds a plain English plural the way the scorer does: 'models' → 'model', 'class' stays. */
function foldPlural(word: string): string {
  return word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;
}

/**
 * The comparison key of a term: Unicode NFKC, lower case, words separated by one space, each
 * word's plain plural folded. 'Diffusion  Models' and 'diffusion model' share a key.
 */
export function termKey(term: string): string {
  return term
    .normalize('NFKC')
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .map(foldPlural)
    .join(' ');
}

/**
 * Builds one term vector from a topic's weighted terms. Terms that fold to the same key add up;
 * zero weights and empty terms are dropped. Weights must be finite and non-negative (c-TF-IDF
 * weights are).
 */
export function termVector(terms: readonly { term: string; weight: number }[]): TermVector {
  const sums = new Map<string, number>();
  for (const { term, weight } of terms) {
    if (!Number.isFinite(weight) || weight < 0) {
      throw new RangeError(`termVector: weight of '${term}' is ${weight}; weights must be finite and ≥ 0`);
    }
    const key = termKey(term);
    if (key.length === 0 || weight === 0) continue;
    sums.set(key, (sums.get(key) ?? 0) + weight);
  }
  // Sorted keys make the dot product's summation order, and so its last bit, independent of
  // the order the terms were listed in.
  const keys = [...sums.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const weights = new Float64Array(keys.length);
  let norm = 0;
  for (let i = 0; i < keys.length; i++) {
    weights[i] = sums.get(keys[i])!;
    norm += weights[i] * weights[i];
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < weights.length; i++) weights[i] /= norm;
  return { keys, weights };
}

/** One L2-normalised term vector per topic. */
export function topicTermVectors(topTerms: readonly (readonly { term: string; weight: number }[])[]): TermVector[] {
  return topTerms.map(termVector);
}

/** Cosine similarity of two term vectors (both normalised): a sorted merge, O(|a| + |b|). */
export function termCosine(a: TermVector, b: TermVector): number {
  let i = 0;
  let j = 0;
  let dot = 0;
  while (i < a.keys.length && j < b.keys.length) {
    const ka = a.keys[i];
    const kb = b.keys[j];
    if (ka === kb) {
      dot += a.weights[i++] * b.weights[j++];
    } else if (ka < kb) {
      i++;
    } else {
      j++;
    }
  }
  // Rounding can push the cosine of a vector with itself a hair above 1.
  return Math.min(1, Math.max(0, dot));
}

/**
 * How far a topic's vocabulary has moved: 1 − cosine of the two term lists, in [0, 1].
 * 0 = the same terms in the same proportions; 1 = no term in common. Used to flag an editor's
 * label for review when the topic it named has drifted.
 */
export function termDrift(
  prevTerms: readonly { term: string; weight: number }[],
  curTerms: readonly { term: string; weight: number }[],
): number {
  return 1 - termCosine(termVector(prevTerms), termVector(curTerms));
}
