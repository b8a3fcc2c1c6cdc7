// A window's tokens left as the token cache's records, assembled into a corpus only for the rows
// that are asked for.
//
// Why: on a night that folds into the stored model, vectorize transforms only the rows it cannot
// copy from last night's matrix (the night's new papers), yet tokenize assembled the corpus of the
// whole window first: on a night over 1M papers ~4 s of the main thread (a stream of ~144M form
// ids copied out of 1M records, their forms counted, the stream rewritten as term ids) and ~800
// MB of arrays, which were then written as the stage's artifact. When most of the window came
// from the cache, tokenize now hands the records on where they already are (the buffer the
// prefetching thread read the cache into, the new papers' stream), and vectorize assembles the
// rows it transforms, or the whole window when it refits (the same corpus tokenize would have
// assembled: assembleForms over the same stream and counts).
import { sharedInt32 } from '../analysis/parallel/shared.ts';
import type { TokenizedCorpus } from '../analysis/types.ts';
import { subCorpus } from './model/row-reuse.ts';
import { assembleForms, FormDictionary } from './token-forms.ts';

/**
 * Document d's tokens (form ids, -1 at phrase boundaries) are pools[tokenPool[d]] from
 * tokenStart[d], tokenCount[d] of them; with repeated titles (titleRepeat > 1), its title's form
 * ids likewise (titlePool, titleStart, titleCount), which count once towards a form's frequency.
 */
export interface RecordCorpus {
  kind: 'records';
  forms: FormDictionary;
  pools: Int32Array[];
  tokenPool: Int32Array;
  tokenStart: Int32Array;
  tokenCount: Int32Array;
  titleRepeat: number;
  titlePool?: Int32Array;
  titleStart?: Int32Array;
  titleCount?: Int32Array;
}

/** What the tokenize stage hands on: the corpus, or the records it is assembled from when needed. */
export type TokenSource = TokenizedCorpus | RecordCorpus;

export function isRecordCorpus(source: TokenSource): source is RecordCorpus {
  return (source as RecordCorpus).kind === 'records';
}

/** How many documents (papers) the source holds. */
export function sourceDocs(source: TokenSource): number {
  return isRecordCorpus(source) ? source.tokenCount.length : source.docOffsets.length - 1;
}

/** How many tokens (boundaries included) the source holds. */
export function sourceTokens(source: TokenSource): number {
  if (!isRecordCorpus(source)) return source.tokenIds.length;
  let total = 0;
  for (let d = 0; d < source.tokenCount.length; d++) total += source.tokenCount[d]!;
  return total;
}

/** The whole corpus: as tokenizing the window's papers in one go gives it. */
export function wholeCorpus(source: TokenSource): TokenizedCorpus {
  return isRecordCorpus(source) ? assembleRows(source, undefined) : source;
}

/**
 * The corpus of documents `rows` (in that order): their tokens with terms that map to the same
 * keys as in the whole corpus. A record corpus numbers only the terms those rows use, and orders a
 * term's written forms by their counts in those rows: what a transform by term key reads (the
 * tokens' keys) is the same.
 */
export function corpusOfRows(source: TokenSource, rows: ArrayLike<number>): TokenizedCorpus {
  return isRecordCorpus(source) ? assembleRows(source, rows) : subCorpus(source, rows);
}

/** assembleForms over the stream of documents `rows` (all, in order, when undefined), counting forms as it copies. */
function assembleRows(rc: RecordCorpus, rows: ArrayLike<number> | undefined): TokenizedCorpus {
  const n = rows ? rows.length : rc.tokenCount.length;
  const docs = rc.tokenCount.length;
  const docAt = (r: number): number => (rows ? rows[r]! : r);
  const docOffsets = sharedInt32(n + 1);
  for (let r = 0; r < n; r++) {
    const d = docAt(r);
    if (!(d >= 0 && d < docs && Number.isInteger(d))) throw new RangeError(`token records: row ${d} outside the ${docs} papers`);
    docOffsets[r + 1] = docOffsets[r]! + rc.tokenCount[d]!;
  }
  const tokens = sharedInt32(docOffsets[n]!);
  const size = rc.forms.size;
  const counts = new Int32Array(size);
  let at = 0;
  for (let r = 0; r < n; r++) {
    const d = docAt(r);
    const pool = rc.pools[rc.tokenPool[d]!]!;
    const end = rc.tokenStart[d]! + rc.tokenCount[d]!;
    for (let k = rc.tokenStart[d]!; k < end; k++) {
      const f = pool[k]!;
      if (f >= size || f < -1) throw new Error(`token records: form id ${f} outside the dictionary (${size} forms)`);
      tokens[at++] = f;
      if (f >= 0) counts[f]++;
    }
  }
  if (rc.titleRepeat > 1 && rc.titleCount) {
    const less = rc.titleRepeat - 1;
    for (let r = 0; r < n; r++) {
      const d = docAt(r);
      const pool = rc.pools[rc.titlePool![d]!]!;
      const end = rc.titleStart![d]! + rc.titleCount[d]!;
      for (let k = rc.titleStart![d]!; k < end; k++) {
        const f = pool[k]!;
        if (f >= size || f < 0) throw new Error(`token records: title form id ${f} outside the dictionary (${size} forms)`);
        counts[f] -= less;
      }
    }
  }
  for (let f = 0; f < size; f++) if (counts[f]! < 0) throw new Error(`token records: form ${f} counted ${counts[f]} times`);
  return assembleForms(tokens, docOffsets, counts, rc.forms);
}

/**
 * Collects documents' token (and title) ranges from views, as positions in pools: the buffer a
 * view is part of (the prefetched rows, the new papers' stream), or, for a view that is most of
 * its buffer (a record read on its own from the cache file: one buffer each), a pool of copies.
 */
export class RecordCorpusBuilder {
  private readonly pools: Int32Array[] = [];
  private readonly poolOf = new Map<ArrayBufferLike, number>();
  private copies = new Int32Array(1024);
  private copied = 0;
  private copiesPool = -1;
  private readonly tokenPool: Int32Array;
  private readonly tokenStart: Int32Array;
  private readonly tokenCount: Int32Array;
  private readonly titlePool: Int32Array | undefined;
  private readonly titleStart: Int32Array | undefined;
  private readonly titleCount: Int32Array | undefined;

  constructor(
    docs: number,
    private readonly titleRepeat: number,
  ) {
    this.tokenPool = new Int32Array(docs);
    this.tokenStart = new Int32Array(docs);
    this.tokenCount = new Int32Array(docs);
    if (titleRepeat > 1) {
      this.titlePool = new Int32Array(docs);
      this.titleStart = new Int32Array(docs);
      this.titleCount = new Int32Array(docs);
    }
  }

  /** Document d's tokens are `tokens` (a view), its title's form ids `title` (with titleRepeat > 1). */
  set(d: number, tokens: Int32Array, title?: Int32Array): void {
    [this.tokenPool[d], this.tokenStart[d]] = this.place(tokens);
    this.tokenCount[d] = tokens.length;
    if (this.titleCount) {
      const t = title ?? NO_TITLE;
      [this.titlePool![d], this.titleStart![d]] = this.place(t);
      this.titleCount[d] = t.length;
    }
  }

  /**
   * Document d's tokens and title are those of the token-cache record at ints[at] (its layout:
   * token count, title count, tokens, title forms; pipeline/cached-records.ts), read where the
   * record is (a record that is most of its buffer, read on its own, is copied).
   */
  setRecordAt(d: number, ints: Int32Array, at: number): void {
    const tokens = ints[at]!;
    const [pool, base] = this.placeAt(ints, at, 2 + tokens + ints[at + 1]!);
    this.tokenPool[d] = pool;
    this.tokenStart[d] = base + 2;
    this.tokenCount[d] = tokens;
    if (this.titleCount) {
      this.titlePool![d] = pool;
      this.titleStart![d] = base + 2 + tokens;
      this.titleCount[d] = ints[at + 1]!;
    }
  }

  /** A view appended to the pool of copies (a pool per such buffer would be a pool per paper). */
  private copy(view: Int32Array): [number, number] {
    if (this.copiesPool < 0) {
      this.copiesPool = this.pools.length;
      this.pools.push(this.copies); // the final array goes in at build()
    }
    if (this.copied + view.length > this.copies.length) {
      const grown = new Int32Array(Math.max(2 * this.copies.length, this.copied + view.length));
      grown.set(this.copies.subarray(0, this.copied));
      this.copies = grown;
    }
    this.copies.set(view, this.copied);
    this.copied += view.length;
    return [this.copiesPool, this.copied - view.length];
  }

  build(forms: FormDictionary): RecordCorpus {
    if (this.copiesPool >= 0) this.pools[this.copiesPool] = this.copies.subarray(0, this.copied);
    const rc: RecordCorpus = {
      kind: 'records',
      forms,
      pools: this.pools,
      tokenPool: this.tokenPool,
      tokenStart: this.tokenStart,
      tokenCount: this.tokenCount,
      titleRepeat: this.titleRepeat,
      ...(this.titleCount ? { titlePool: this.titlePool!, titleStart: this.titleStart!, titleCount: this.titleCount } : {}),
    };
    // Should views come as small parts of many buffers after all (a runtime that hands out
    // records as slices of small shared slabs), they are copied into one pool, so that the
    // artifact is a few files, not thousands.
    return this.pools.length > MAX_POOLS ? compact(rc) : rc;
  }

  private place(view: Int32Array): [number, number] {
    return this.placeAt(view, 0, view.length);
  }

  /** Pool and start of ints[at, at + length): its own buffer's pool, or the pool of copies when it is most of that buffer. */
  private placeAt(ints: Int32Array, at: number, length: number): [number, number] {
    if (2 * 4 * length >= ints.buffer.byteLength) return this.copy(ints.subarray(at, at + length));
    return [this.poolOfBuffer(ints.buffer), (ints.byteOffset >> 2) + at];
  }

  /** The pool that is the whole of `buffer` (as ints), added the first time. */
  private poolOfBuffer(buffer: ArrayBufferLike): number {
    let p = this.poolOf.get(buffer);
    if (p === undefined) {
      p = this.pools.length;
      this.pools.push(new Int32Array(buffer, 0, buffer.byteLength >> 2));
      this.poolOf.set(buffer, p);
    }
    return p;
  }
}

/** A document without a title's forms (one buffer, so one pool, for all of them). */
const NO_TITLE = new Int32Array(0);

/** More pools than this are copied into one (RecordCorpusBuilder.build). */
const MAX_POOLS = 16;

/** The same records copied into one pool, tokens then titles for each document. */
function compact(rc: RecordCorpus): RecordCorpus {
  const docs = rc.tokenCount.length;
  let size = 0;
  for (let d = 0; d < docs; d++) size += rc.tokenCount[d]! + (rc.titleCount ? rc.titleCount[d]! : 0);
  const pool = new Int32Array(size);
  const tokenStart = new Int32Array(docs);
  const titleStart = rc.titleCount ? new Int32Array(docs) : undefined;
  let at = 0;
  const copy = (from: Int32Array, start: number, count: number): number => {
    pool.set(from.subarray(start, start + count), at);
    at += count;
    return at - count;
  };
  for (let d = 0; d < docs; d++) {
    tokenStart[d] = copy(rc.pools[rc.tokenPool[d]!]!, rc.tokenStart[d]!, rc.tokenCount[d]!);
    if (titleStart) titleStart[d] = copy(rc.pools[rc.titlePool![d]!]!, rc.titleStart![d]!, rc.titleCount![d]!);
  }
  const zeros = new Int32Array(docs);
  return { ...rc, pools: [pool], tokenPool: zeros, tokenStart, ...(titleStart ? { titlePool: zeros, titleStart } : {}) };
}

/** The stored form (the tokenize stage's artifact): the forms as two lists of strings. */
export interface StoredRecordCorpus extends Omit<RecordCorpus, 'forms'> {
  formKeys: string[];
  formSurfaces: string[];
}

export function recordsToArtifact(rc: RecordCorpus): StoredRecordCorpus {
  const { forms, ...rest } = rc;
  return { ...rest, formKeys: forms.forms.map((f) => f.key), formSurfaces: forms.forms.map((f) => f.surface) };
}

export function recordsFromArtifact(stored: StoredRecordCorpus): RecordCorpus {
  const { formKeys, formSurfaces, ...rest } = stored;
  if (formKeys.length !== formSurfaces.length) throw new Error(`tokenize artifact: ${formKeys.length} form keys and ${formSurfaces.length} surfaces`);
  checkRanges(rest.pools, rest.tokenPool, rest.tokenStart, rest.tokenCount);
  if (rest.titleCount) checkRanges(rest.pools, rest.titlePool!, rest.titleStart!, rest.titleCount);
  return { ...rest, kind: 'records', forms: new FormDictionary(formKeys.map((key, i) => ({ key, surface: formSurfaces[i]! }))) };
}

/** Every document's range lies inside its pool (a damaged artifact fails here, not as wrong tokens). */
function checkRanges(pools: readonly Int32Array[], pool: Int32Array, start: Int32Array, count: Int32Array): void {
  const docs = count.length;
  if (pool.length !== docs || start.length !== docs) throw new Error(`tokenize artifact: per-paper arrays of ${pool.length}, ${start.length} and ${docs}`);
  for (let d = 0; d < docs; d++) {
    const p = pools[pool[d]!];
    if (p === undefined || start[d]! < 0 || count[d]! < 0 || start[d]! + count[d]! > p.length) throw new Error(`tokenize artifact: paper ${d}'s tokens lie outside the stored records`);
  }
}
