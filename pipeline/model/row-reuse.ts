// Row reuse on fold-in nights: under one stored model a paper's TF-IDF row and PCA scores are a
// pure function of its text (transformTfidf is row-local, the projection is per row; tested in
// test/tfidf.test.ts and test/incremental.test.ts). So a fold-in night copies the rows of papers
// it already vectorized / projected last night under the same model and computes only the new or
// changed ones: the output is identical to recomputing everything, at the cost of the new rows.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import type { CsrMatrix, TokenizedCorpus } from '../../analysis/types.ts';
import { sharedFloat32, sharedInt32 } from '../../analysis/parallel/shared.ts';
import { StoredArray } from '../artifacts.ts';
import { indexIn } from './sorted-ids.ts';

/** What rows were computed from: paper id and a 64-bit fingerprint of its title and text, per row. */
export interface RowKeys {
  /** Identity of everything else a row depends on (vocabulary, idf, basis, tokenizer config). */
  key: string;
  paperIds: string[];
  /** Two 32-bit words per row. */
  fingerprints: Uint32Array;
}

/**
 * Fingerprints of the papers `ids` from the archive's text_hash column (sha1 of the full title
 * and text; the in-memory texts may already be cut after tokenize: fallbackText). A paper the
 * archive does not have gets 0, 0 and a fresh row only if last night's row had 0, 0 too, which
 * no sha1 prefix realistically is.
 */
export function archiveFingerprints(archive: string, ids: readonly string[]): Uint32Array {
  const db = new Database(archive, { readonly: true, fileMustExist: true });
  let rows: [string, string][];
  try {
    // Raw rows and only the 16 hex digits used: no row objects, no 40-character strings.
    rows = db.prepare<[], [string, string]>('SELECT id, substr(text_hash, 1, 16) FROM papers').raw().all();
  } finally {
    db.close();
  }
  const hashOf = new Map<string, string>(rows);
  const out = new Uint32Array(ids.length * 2);
  ids.forEach((id, i) => {
    const h = hashOf.get(id);
    if (h === undefined || h.length < 16) return;
    out[2 * i] = hex32(h, 0);
    out[2 * i + 1] = hex32(h, 8);
  });
  return out;
}

/**
 * The same fingerprints as archiveFingerprints, from the text hashes ingest put on the window's
 * papers (Paper.textHash, read from the archive's text_hash column), without opening the archive
 * again. Undefined when a paper has none (e.g. an ingest artifact of an older version): then the
 * caller reads the archive.
 */
export function paperFingerprints(papers: readonly { textHash?: string }[]): Uint32Array | undefined {
  const out = new Uint32Array(papers.length * 2);
  for (let i = 0; i < papers.length; i++) {
    const h = papers[i]!.textHash;
    if (h === undefined) return undefined;
    if (h.length < 16) continue; // as archiveFingerprints: no usable hash, 0, 0
    out[2 * i] = hex32(h, 0);
    out[2 * i + 1] = hex32(h, 8);
  }
  return out;
}

/**
 * parseInt(h.slice(at, at + 8), 16), read digit by digit: at 1M papers the two slices per paper
 * cost ~0.3 s a night. A character that is not a hex digit (never in a sha1 from ingest) goes to
 * parseInt itself, so the value is the same whatever the text.
 */
export function hex32(h: string, at: number): number {
  let v = 0;
  for (let k = at; k < at + 8; k++) {
    const c = h.charCodeAt(k);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) return parseInt(h.slice(at, at + 8), 16);
    v = v * 16 + d;
  }
  return v;
}

/** For each of tonight's rows, the row of `prev` with the same paper and fingerprint, else −1. */
export function matchRows(prev: RowKeys | undefined, key: string, ids: readonly string[], fingerprints: Uint32Array): Int32Array {
  const from = new Int32Array(ids.length).fill(-1);
  if (!prev || prev.key !== key || prev.fingerprints.length !== prev.paperIds.length * 2) return from;
  const rowOf = indexIn(ids, prev.paperIds);
  for (let i = 0; i < ids.length; i++) {
    const r = rowOf[i]!;
    const a = fingerprints[2 * i]!;
    const b = fingerprints[2 * i + 1]!;
    if (a === 0 && b === 0) continue; // no fingerprint: recompute
    if (r >= 0 && prev.fingerprints[2 * r] === a && prev.fingerprints[2 * r + 1] === b) from[i] = r;
  }
  return from;
}

/** Indices of the rows with no match (from[i] < 0). */
export function unmatched(from: Int32Array): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < from.length; i++) if (from[i]! < 0) out.push(i);
  return Int32Array.from(out);
}

/** The documents `rows` of a corpus, same terms (so the same term ids). */
export function subCorpus(corpus: TokenizedCorpus, rows: ArrayLike<number>): TokenizedCorpus {
  const offsets = new Int32Array(rows.length + 1);
  for (let r = 0; r < rows.length; r++) {
    const d = rows[r]!;
    offsets[r + 1] = offsets[r]! + corpus.docOffsets[d + 1]! - corpus.docOffsets[d]!;
  }
  const tokenIds = new Int32Array(offsets[rows.length]!);
  for (let r = 0; r < rows.length; r++) {
    const d = rows[r]!;
    tokenIds.set(corpus.tokenIds.subarray(corpus.docOffsets[d]!, corpus.docOffsets[d + 1]!), offsets[r]!);
  }
  return { terms: corpus.terms, display: corpus.display, docOffsets: offsets, tokenIds };
}

/**
 * Last night's CSR matrix as loaded for a merge: row pointers in memory, the entries in memory or
 * left in the artifact's files (StoredArray: only the rows copied are read, straight into
 * tonight's arrays, and last night's matrix is never held whole next to tonight's).
 */
export interface StoredCsr {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array | StoredArray;
  data: Float32Array | StoredArray;
}

/**
 * Tonight's CSR matrix: row i is prev's row from[i] when from[i] ≥ 0, else the next row of
 * `fresh` (whose rows are the unmatched ones, in order).
 */
export function mergeCsrRows(prev: StoredCsr | undefined, from: Int32Array, fresh: CsrMatrix): CsrMatrix {
  const indptr = mergedIndptr(prev, from, fresh);
  const nnz = indptr[from.length]!;
  return {
    rows: from.length,
    cols: fresh.cols,
    indptr,
    indices: copyRows(sharedInt32(nnz), indptr, from, prev?.indptr, prev?.indices, fresh.indptr, fresh.indices),
    data: copyRows(sharedFloat32(nnz), indptr, from, prev?.indptr, prev?.data, fresh.indptr, fresh.data),
  };
}

/** Row pointers of the merged matrix (see mergeCsrRows); checks that fresh has one row per unmatched row. */
function mergedIndptr(prev: StoredCsr | undefined, from: Int32Array, fresh: CsrMatrix): Int32Array {
  const n = from.length;
  const indptr = sharedInt32(n + 1); // merged matrices live in shared memory, as fitTfidf's (see joinRowBlocks)
  let f = 0;
  for (let i = 0; i < n; i++) {
    const r = from[i]!;
    const len = r >= 0 ? prev!.indptr[r + 1]! - prev!.indptr[r]! : fresh.indptr[f + 1]! - fresh.indptr[f++]!;
    indptr[i + 1] = indptr[i]! + len;
  }
  if (f !== fresh.rows) throw new Error(`mergeCsrRows: ${fresh.rows} fresh rows for ${f} unmatched rows`);
  return indptr;
}

/**
 * The merge order of `from` as runs: `count` rows from row `at` on that are last night's rows
 * prevRow, prevRow + 1, … (prevRow ≥ 0), or the next `count` fresh rows from freshRow on
 * (prevRow −1). On a typical night all of last night's rows come in their order: a few runs, each
 * copied as one block (one read when last night's values are on disk).
 */
function forEachRun(from: Int32Array, visit: (at: number, count: number, prevRow: number, freshRow: number) => void): void {
  const n = from.length;
  let f = 0; // the next fresh row
  for (let i = 0; i < n; ) {
    const r = from[i]!;
    let j = i + 1;
    if (r >= 0) while (j < n && from[j] === r + (j - i)) j++;
    else while (j < n && from[j]! < 0) j++;
    visit(i, j - i, r, f);
    if (r < 0) f += j - i;
    i = j;
  }
}

/** Copies elements [a, b) of last night's values (in memory or on disk) into out at `at`. */
function copyPrev<T extends Int32Array | Float32Array>(out: T, at: number, prev: T | StoredArray, a: number, b: number): void {
  if (prev instanceof StoredArray) prev.readInto(out, at, a, b);
  else out.set(prev.subarray(a, b), at);
}

/** One per-entry array of the merged matrix (indices or values), filled into `out` run by run. */
function copyRows<T extends Int32Array | Float32Array>(
  out: T,
  indptr: Int32Array,
  from: Int32Array,
  prevIndptr: Int32Array | undefined,
  prevValues: T | StoredArray | undefined,
  freshIndptr: Int32Array,
  freshValues: T,
): T {
  forEachRun(from, (at, count, prevRow, freshRow) => {
    if (prevRow >= 0) copyPrev(out, indptr[at]!, prevValues!, prevIndptr![prevRow]!, prevIndptr![prevRow + count]!);
    else out.set(freshValues.subarray(freshIndptr[freshRow]!, freshIndptr[freshRow + count]!), indptr[at]!);
  });
  return out;
}

/**
 * Dense rows (width d) merged the same way. Last night's rows may be left in their artifact file
 * (StoredArray): only the rows copied are read.
 */
export function mergeDenseRows(prev: Float32Array | StoredArray | undefined, from: Int32Array, fresh: Float32Array, d: number): Float32Array {
  const out = new Float32Array(from.length * d);
  forEachRun(from, (at, count, prevRow, freshRow) => {
    if (prevRow >= 0) copyPrev(out, at * d, prev!, prevRow * d, (prevRow + count) * d);
    else out.set(fresh.subarray(freshRow * d, (freshRow + count) * d), at * d);
  });
  return out;
}

/** Hash of typed arrays and strings: the identity of what rows were computed with. */
export function contentKey(...parts: (string | ArrayBufferView)[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    if (typeof p === 'string') h.update(p).update('\u0000');
    else h.update(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
  }
  return h.digest('hex').slice(0, 32);
}

/** The rows `rows` of a CSR matrix, as a new matrix. */
export function csrRows(X: CsrMatrix, rows: ArrayLike<number>): CsrMatrix {
  const indptr = new Int32Array(rows.length + 1);
  for (let r = 0; r < rows.length; r++) indptr[r + 1] = indptr[r]! + X.indptr[rows[r]! + 1]! - X.indptr[rows[r]!]!;
  const indices = new Int32Array(indptr[rows.length]!);
  const data = new Float32Array(indptr[rows.length]!);
  for (let r = 0; r < rows.length; r++) {
    const a = X.indptr[rows[r]!]!;
    const b = X.indptr[rows[r]! + 1]!;
    indices.set(X.indices.subarray(a, b), indptr[r]!);
    data.set(X.data.subarray(a, b), indptr[r]!);
  }
  return { rows: rows.length, cols: X.cols, indptr, indices, data };
}
