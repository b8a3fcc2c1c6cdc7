// Tokenization: title + abstract → term ids with phrase boundaries (-1), via wink-nlp with an empty
// pipe (~1 M tokens/s; the POS pipe is 2-4x slower and we do not need it).
//
// Split in two so the work can run in worker threads: tokenizeChunk() turns a slice of documents
// into a chunk with its own local vocabulary and surface-form counts; mergeChunks() joins chunks
// into one corpus. Term ids are assigned by sorting term keys, and every per-word decision depends
// on the word alone, so the output is the same however the documents are chunked or ordered.
//
// Per token: wink gives a normal form (lower case, American spelling) and a type. The term key
// comes from the normal form (so 'colour' and 'color' count together); the surface form is the
// token as written, lower-cased, because wink's normal is sometimes not a word of the text
// ('vice' → 'vise'): labels show surface forms only. Word pieces written without spaces are glued
// back the way ../shared/eval/score.py tokenizes ('large-scale', 'vision-language', '3d-aware'),
// because wink splits most hyphenated compounds. Stop words, numbers, punctuation, single
// characters and non-words become boundaries; a run of boundaries collapses to one. Two-character
// words are kept ('ai', 'rl', '3d', 'uk'); the short ones that are filler are stop words.
//
// The corpus also records which surface form each token was written in (tokenVariants), so that
// the vectorizer can show a bigram as it is written ('united states', not 'united state').

import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import type { TokenizedCorpus } from '../types.ts';
import { cleanText } from './clean.ts';
import { termKey } from './normalize.ts';
import { buildStopWords } from './stopwords.ts';

/** Bump whenever the token stream for a given text changes (cleaning, stop words, folding, gluing). */
export const TOKENIZER_VERSION = 'tok-5';

export interface TokenizerOptions {
  /** Added to the default stop words (compared lower-case against surface forms and term keys). */
  extraStopWords?: string[];
  /** How many times the title's tokens are counted (default 1; 0 ignores titles). */
  titleRepeat?: number;
  /** Cap per title / text after cleaning (default 20000 characters). */
  maxChars?: number;
}

/** A slice of documents tokenized against its own local vocabulary. Plain arrays: worker-transferable. */
export interface TokenizedChunk {
  docOffsets: Int32Array; // length docs + 1, into tokenIds
  tokenIds: Int32Array; // local term ids, -1 at boundaries
  tokenSurfaces: Int32Array; // local surface id of each token, -1 at boundaries
  terms: string[]; // term key per local id
  surfaces: string[]; // every kept surface form seen (as written, lower case)
  surfaceTerm: Int32Array; // local term id of each surface form
  surfaceCounts: Int32Array; // occurrences of each surface form (the title counted once)
}

export interface DocText {
  title: string;
  text: string;
}

interface ResolvedOptions {
  stopWords: ReadonlySet<string>;
  titleRepeat: number;
  maxChars: number;
}

export function resolveTokenizerOptions(opts: TokenizerOptions = {}): ResolvedOptions {
  const titleRepeat = opts.titleRepeat ?? 1;
  if (!Number.isInteger(titleRepeat) || titleRepeat < 0 || titleRepeat > 10) {
    throw new RangeError(`titleRepeat must be an integer in [0, 10], got ${titleRepeat}`);
  }
  const maxChars = opts.maxChars ?? 20000;
  if (!Number.isInteger(maxChars) || maxChars < 1) {
    throw new RangeError(`maxChars must be a positive integer, got ${maxChars}`);
  }
  if (opts.extraStopWords !== undefined && !Array.isArray(opts.extraStopWords)) {
    throw new TypeError('extraStopWords must be an array of strings');
  }
  return { stopWords: buildStopWords(opts.extraStopWords ?? []), titleRepeat, maxChars };
}

// One wink instance per thread, created on first use (loading the model takes ~0.1-0.3 s).
let nlpInstance: ReturnType<typeof winkNLP> | undefined;
function nlp(): ReturnType<typeof winkNLP> {
  nlpInstance ??= winkNLP(model, []);
  return nlpInstance;
}

/** A word piece: letters, marks and digits, possibly already hyphenated by wink ('u-net'). */
const PIECE = /^[\p{L}\p{M}\p{N}]+(?:-[\p{L}\p{M}\p{N}]+)*$/u;
const HAS_LETTER = /\p{L}/u;
const KIND_NONE = 0;
const KIND_WORD = 1;
const KIND_NUMBER = 2;

/** Growable Int32Array. */
class IntBuffer {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }
  /** Pushes -1 unless the buffer is empty since `start` or already ends with -1. */
  boundary(start: number): void {
    if (this.length > start && this.data[this.length - 1] !== -1) this.push(-1);
  }
  /** Drops trailing -1s back to `start`. */
  trim(start: number): void {
    while (this.length > start && this.data[this.length - 1] === -1) this.length--;
  }
  toArray(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

/** Accumulates one chunk: the local vocabulary and the per-surface decisions (memoised). */
class ChunkBuilder {
  readonly tokens = new IntBuffer();
  readonly offsets: number[] = [0];
  readonly terms: string[] = [];
  readonly surfaces: string[] = [];
  readonly surfaceTerm: number[] = [];
  readonly surfaceCounts: number[] = [];
  private readonly termIds = new Map<string, number>();
  private readonly surfaceIds = new Map<string, number>(); // -1: dropped
  private readonly pieceKinds = new Map<string, number>(); // normal → kind (+ 4 · (surface id + 2))
  private readonly scratch = new IntBuffer();
  private cut = new Uint8Array(256); // per token of the current text: cut at an apostrophe

  constructor(private readonly opts: ResolvedOptions) {}

  addDoc(doc: DocText): void {
    const start = this.tokens.length;
    const { titleRepeat } = this.opts;
    if (titleRepeat > 0 && doc.title) {
      this.scratch.length = 0;
      this.appendText(doc.title, this.scratch, 0);
      this.scratch.trim(0);
      for (let r = 0; r < titleRepeat && this.scratch.length > 0; r++) {
        for (let k = 0; k < this.scratch.length; k++) this.tokens.push(this.scratch.data[k]);
        this.tokens.push(-1); // title/abstract border (and between title copies)
      }
    }
    this.appendText(doc.text, this.tokens, start);
    this.tokens.trim(start);
    this.offsets.push(this.tokens.length);
  }

  build(): TokenizedChunk {
    // The token buffer holds surface ids; term ids follow from them.
    const tokenSurfaces = this.tokens.toArray();
    const tokenIds = new Int32Array(tokenSurfaces.length);
    for (let k = 0; k < tokenSurfaces.length; k++) {
      const sid = tokenSurfaces[k]!;
      tokenIds[k] = sid < 0 ? -1 : this.surfaceTerm[sid]!;
    }
    return {
      docOffsets: Int32Array.from(this.offsets),
      tokenIds,
      tokenSurfaces,
      terms: this.terms,
      surfaces: this.surfaces,
      surfaceTerm: Int32Array.from(this.surfaceTerm),
      surfaceCounts: Int32Array.from(this.surfaceCounts),
    };
  }

  private appendText(raw: string, out: IntBuffer, start: number): void {
    if (typeof raw !== 'string' || raw.length === 0) return;
    const text = cleanText(raw, this.opts.maxChars);
    if (!text) return;
    const tokens = nlp().readDoc(text).tokens();
    const its = nlp().its;
    const normals = tokens.out(its.normal) as string[];
    const values = tokens.out(its.value) as string[];
    const types = tokens.out(its.type) as string[];
    const spaces = tokens.out(its.precedingSpaces) as string[];
    const n = normals.length;
    // wink's tokenization depends on its lexeme cache: once it has seen "vision LLM's." it keeps
    // "llm's" as one token where a fresh instance gives 'llm' + "'s"; likewise "16M." comes out as
    // '16' + 'm.' or as '16m' + '.'. Cutting every word at its apostrophe or final dot (and ending
    // the phrase there) gives the same stream either way, so the output does not depend on what
    // this thread tokenized before (chunking, workers, earlier runs).
    if (this.cut.length < n) this.cut = new Uint8Array(n * 2);
    const cut = this.cut;
    for (let k = 0; k < n; k++) {
      cut[k] = 0;
      const w = normals[k]!;
      if (w.length < 2 || types[k] !== 'word') continue;
      const a = cutPoint(w);
      if (a > 0) {
        normals[k] = w.slice(0, a);
        const v = values[k]!;
        const b = cutPoint(v);
        values[k] = b > 0 ? v.slice(0, b) : v;
        cut[k] = 1;
      }
    }
    let i = 0;
    while (i < n) {
      const kind = this.pieceKind(normals[i]!, types[i]!);
      if (kind === KIND_NONE) {
        out.boundary(start);
        i++;
        continue;
      }
      // Glue what was written as one word: 'large' '-' 'scale', '3' 'd' (a number touching a word).
      // `normal` builds the key side, `written` the surface side.
      let normal = normals[i]!;
      let written = values[i]!;
      let lastKind = kind;
      let j = i + 1;
      while (j < n && spaces[j] === '' && !cut[j - 1]) {
        if (normals[j] === '-' && j + 1 < n && spaces[j + 1] === '') {
          const next = this.pieceKind(normals[j + 1]!, types[j + 1]!);
          if (next === KIND_NONE) break;
          normal += '-' + normals[j + 1];
          written += '-' + values[j + 1];
          lastKind = next;
          j += 2;
        } else {
          // Word-word contacts are contractions ('it' + "'s" → 'is'), never glued.
          const next = this.pieceKind(normals[j]!, types[j]!);
          if (next === KIND_NONE || next === lastKind) break;
          normal += normals[j];
          written += values[j];
          lastKind = next;
          j++;
        }
      }
      // Fast path: an unglued word written as its normal form (most tokens).
      const sid = j === i + 1 && written === normal ? this.singleSurfaceId(normal) : this.surfaceId(normal, written.toLowerCase());
      i = j;
      if (sid < 0) {
        out.boundary(start);
      } else {
        out.push(sid);
        this.surfaceCounts[sid]++; // a repeated title was tokenized once, so it counts once
        if (cut[j - 1]) out.boundary(start);
      }
    }
  }

  /** Whether a wink token can be part of a word, and which kind (memoised per normal form). */
  private pieceKind(normal: string, type: string): number {
    // 'currency' too: wink types an unknown word by the context it first met it in and keeps that
    // type in its lexeme cache ('0.006USD' makes 'usd' a currency for the rest of the thread,
    // '15 USD' makes it a word), so a letter-only currency code must be read as a word either way.
    if (type !== 'word' && type !== 'number' && type !== 'unk' && type !== 'currency') return KIND_NONE;
    let kind = this.pieceKinds.get(normal);
    if (kind === undefined) {
      kind = !PIECE.test(normal) ? KIND_NONE : HAS_LETTER.test(normal) ? KIND_WORD : KIND_NUMBER;
      this.pieceKinds.set(normal, kind);
    }
    return kind & 3; // the higher bits hold the memoised surface id (singleSurfaceId)
  }

  /**
   * surfaceId() for an unglued token, memoised in pieceKinds next to the kind (value = kind +
   * 4 · (sid + 2)) so the common case costs one Map lookup per token instead of two.
   */
  private singleSurfaceId(normal: string): number {
    const packed = this.pieceKinds.get(normal)!;
    if (packed >= 4) return (packed >> 2) - 2;
    const sid = this.surfaceId(normal, normal);
    this.pieceKinds.set(normal, packed + 4 * (sid + 2));
    return sid;
  }

  /**
   * Local surface id of a word, or -1 when it is not a term (memoised). `normal` is wink's normal
   * form (glued), which gives the term key; `written` is the text as written, lower case.
   */
  private surfaceId(normal: string, written: string): number {
    const memoKey = written === normal ? normal : normal + '\u0000' + written;
    let sid = this.surfaceIds.get(memoKey);
    if (sid !== undefined) return sid;
    sid = -1;
    const stop = this.opts.stopWords;
    if (isTermCandidate(normal, stop) && !stop.has(written)) {
      const key = termKey(normal);
      if (!stop.has(key)) {
        let tid = this.termIds.get(key);
        if (tid === undefined) {
          tid = this.terms.length;
          this.terms.push(key);
          this.termIds.set(key, tid);
        }
        sid = this.surfaces.length;
        this.surfaces.push(written);
        this.surfaceTerm.push(tid);
        this.surfaceCounts.push(0);
      }
    }
    this.surfaceIds.set(memoKey, sid);
    return sid;
  }
}

/** Index of the first apostrophe (ASCII or typographic) in a word, or -1. */
function apostrophe(w: string): number {
  const a = w.indexOf("'");
  const b = w.indexOf('\u2019');
  return a < 0 ? b : b < 0 ? a : Math.min(a, b);
}

/** Where a word is cut: at its first apostrophe, else before a single final dot; -1 for no cut. */
function cutPoint(w: string): number {
  const a = apostrophe(w);
  if (a >= 0) return a;
  return w.charCodeAt(w.length - 1) === 46 /* . */ && w.indexOf('.') === w.length - 1 ? w.length - 1 : -1;
}

function isTermCandidate(surface: string, stopWords: ReadonlySet<string>): boolean {
  if (stopWords.has(surface) || !HAS_LETTER.test(surface)) return false;
  // Single characters are never words. Two make one when both are letters ('ai', 'rl', 'uk'),
  // or a digit then a letter ('3d', '5g'); a letter then a digit is a label or a key ('p3', 'v6',
  // 'f1' in mail and manuals) far more often than a topic.
  if (surface.length > 3) return true;
  const chars = [...surface];
  if (chars.length !== 2) return chars.length > 2;
  return HAS_LETTER.test(chars[1]!);
}

/** Tokenizes a slice of documents against a local vocabulary (see mergeChunks). */
export function tokenizeChunk(docs: ArrayLike<DocText>, opts: TokenizerOptions = {}): TokenizedChunk {
  const builder = new ChunkBuilder(resolveTokenizerOptions(opts));
  for (let d = 0; d < docs.length; d++) builder.addDoc(docs[d]);
  return builder.build();
}

/** Above this many surface forms of one term, the rarer forms share the variant index MAX_VARIANT. */
export const MAX_VARIANT = 255;

/**
 * Joins chunks (in document order) into one corpus. Term ids follow the sorted term keys; the
 * surface forms of a term (variants) are ordered by total count over all chunks, descending, ties
 * by lexical order, and the display form is the first of them. Neither chunking nor document
 * order changes the result.
 */
export function mergeChunks(chunks: readonly TokenizedChunk[]): TokenizedCorpus {
  const keySet = new Set<string>();
  for (const c of chunks) for (const t of c.terms) keySet.add(t);
  const terms = [...keySet].sort();
  const termIndex = new Map<string, number>();
  terms.forEach((t, i) => termIndex.set(t, i));

  // Total count per (term, surface form).
  const formCounts: Map<string, number>[] = terms.map(() => new Map());
  const localMaps: Int32Array[] = [];
  for (const c of chunks) {
    const map = new Int32Array(c.terms.length);
    for (let t = 0; t < c.terms.length; t++) map[t] = termIndex.get(c.terms[t]!)!;
    localMaps.push(map);
    for (let s = 0; s < c.surfaces.length; s++) {
      const forms = formCounts[map[c.surfaceTerm[s]!]!]!;
      const form = c.surfaces[s]!;
      forms.set(form, (forms.get(form) ?? 0) + c.surfaceCounts[s]!);
    }
  }
  const variants: string[][] = formCounts.map((forms) =>
    [...forms].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([form]) => form),
  );
  const display = variants.map((v, t) => v[0] ?? terms[t]!);
  const variantIndex = variants.map((v) => new Map(v.map((form, i) => [form, Math.min(i, MAX_VARIANT)])));

  let totalTokens = 0;
  let totalDocs = 0;
  for (const c of chunks) {
    totalTokens += c.tokenIds.length;
    totalDocs += c.docOffsets.length - 1;
  }
  const tokenIds = new Int32Array(totalTokens);
  const tokenVariants = new Uint8Array(totalTokens);
  const docOffsets = new Int32Array(totalDocs + 1);
  let tokenBase = 0;
  let docBase = 0;
  chunks.forEach((c, ci) => {
    const map = localMaps[ci]!;
    const surfaceVariant = new Uint8Array(c.surfaces.length);
    for (let s = 0; s < c.surfaces.length; s++) surfaceVariant[s] = variantIndex[map[c.surfaceTerm[s]!]!]!.get(c.surfaces[s]!)!;
    for (let k = 0; k < c.tokenIds.length; k++) {
      const id = c.tokenIds[k]!;
      tokenIds[tokenBase + k] = id < 0 ? -1 : map[id]!;
      const sid = c.tokenSurfaces[k]!;
      tokenVariants[tokenBase + k] = sid < 0 ? 0 : surfaceVariant[sid]!;
    }
    for (let d = 1; d < c.docOffsets.length; d++) docOffsets[docBase + d] = tokenBase + c.docOffsets[d]!;
    tokenBase += c.tokenIds.length;
    docBase += c.docOffsets.length - 1;
  });
  return { terms, display, docOffsets, tokenIds, variants, tokenVariants };
}

/** Tokenizes all documents in this thread. */
export function tokenizeCorpus(docs: ArrayLike<DocText>, opts: TokenizerOptions = {}): TokenizedCorpus {
  return mergeChunks([tokenizeChunk(docs, opts)]);
}
