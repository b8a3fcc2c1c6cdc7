// The tokenize stage's artifact: the corpus with its surface forms flattened. As it is, the corpus
// holds ~210k display strings and ~210k one-element variant arrays on arXiv, encoded to JSON on
// the main thread on every run (cold or nightly) after tokenizing, while the second core had
// nothing to do. Stored flat (every term's forms in one list, with their ends in a typed array)
// the JSON holds ~2 strings per term instead of ~3 strings and an array, and the display forms
// are not written: display[t] is variants[t][0] (TokenizedCorpus). Measured in a profiled arXiv
// run: the main thread's artifact encoding 0.42 -> 0.27 s, plus 0.08 s to flatten; value.json
// 9.2 -> 5.9 MB.

import type { TokenizedCorpus } from '../analysis/types.ts';

/** The stored form: the corpus without `display` and `variants`, and with the forms flattened. */
export interface StoredCorpus {
  terms: string[];
  docOffsets: Int32Array;
  tokenIds: Int32Array;
  tokenVariants?: Uint8Array;
  /** Every term's surface forms in term order, most frequent first (variants, concatenated). */
  variantForms: string[];
  /** End of term t's forms in variantForms. */
  variantEnds: Int32Array;
}

/** What the tokenize stage writes (a corpus without variants is written as it is). */
export function corpusToArtifact(corpus: TokenizedCorpus): StoredCorpus | TokenizedCorpus {
  const { terms, display, docOffsets, tokenIds, variants, tokenVariants } = corpus;
  // Only when display is what it is derived from; a corpus made otherwise is kept whole.
  if (variants === undefined || variants.length !== terms.length || !variants.every((v, t) => v.length > 0 && v[0] === display[t])) return corpus;
  const variantEnds = new Int32Array(terms.length);
  let total = 0;
  for (let t = 0; t < variants.length; t++) variantEnds[t] = total += variants[t]!.length;
  const variantForms: string[] = new Array(total);
  let at = 0;
  for (const forms of variants) for (const f of forms) variantForms[at++] = f;
  return { terms, docOffsets, tokenIds, ...(tokenVariants ? { tokenVariants } : {}), variantForms, variantEnds };
}

/** The corpus from what corpusToArtifact wrote, or from an artifact that stored it whole. */
export function corpusFromArtifact(stored: unknown): TokenizedCorpus {
  const s = stored as Partial<StoredCorpus> & Partial<TokenizedCorpus>;
  if (s.variantForms === undefined) return stored as TokenizedCorpus;
  const { terms, docOffsets, tokenIds, tokenVariants, variantForms, variantEnds } = s as StoredCorpus;
  if (variantEnds.length !== terms.length || (terms.length > 0 && variantEnds[terms.length - 1] !== variantForms.length)) {
    throw new Error(`tokenize artifact: ${variantEnds.length} form ranges for ${terms.length} terms and ${variantForms.length} forms`);
  }
  const variants: string[][] = new Array(terms.length);
  const display: string[] = new Array(terms.length);
  for (let t = 0, from = 0; t < terms.length; from = variantEnds[t++]!) {
    variants[t] = variantForms.slice(from, variantEnds[t]!);
    display[t] = variants[t]![0] ?? terms[t]!;
  }
  return { terms, display, docOffsets, tokenIds, variants, ...(tokenVariants ? { tokenVariants } : {}) };
}
