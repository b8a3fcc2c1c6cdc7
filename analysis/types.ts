// Shared data shapes of the pure algorithms. Everything here is plain typed arrays so that
// artifacts persist as raw buffers and move to worker threads without copying objects.

/** Compressed sparse row matrix (scipy's layout). Row i spans indices/data[indptr[i] .. indptr[i+1]). */
export interface CsrMatrix {
  rows: number;
  cols: number;
  indptr: Int32Array; // length rows + 1
  indices: Int32Array; // column of each stored value, ascending within a row
  data: Float32Array; // stored values
}

/** Dense row-major matrix: element (i, j) is data[i * cols + j]. */
export interface DenseMatrix {
  rows: number;
  cols: number;
  data: Float32Array | Float64Array;
}

/**
 * The tokenized corpus: one token stream per document, concatenated.
 * Token ids index `terms`. The value -1 marks a phrase boundary (a removed stop word,
 * punctuation, a sentence end, the title/abstract border): bigrams never span it.
 */
export interface TokenizedCorpus {
  terms: string[]; // term key per id: the normalised (lemmatised / stemmed) form
  display: string[]; // display form per id: the most frequent surface form, as a person writes it
  docOffsets: Int32Array; // length docs + 1; doc i's tokens are tokenIds[docOffsets[i] .. docOffsets[i+1])
  tokenIds: Int32Array;
  /**
   * Optional (tokenizer tok-4 on): the surface forms of each term as written, most frequent first
   * (variants[t][0] === display[t]), and per token the index of its form in variants[term]
   * (0 at boundaries; forms beyond the 255th share index 255). Lets the vectorizer show a
   * bigram the way it is written ('united states'), not as its two display forms.
   */
  variants?: string[][];
  tokenVariants?: Uint8Array;
}

/** A random source that is the same for the same seed on every platform. */
export type Random = () => number; // uniform in [0, 1)
