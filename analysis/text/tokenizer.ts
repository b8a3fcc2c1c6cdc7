// Tokenization: title + abstract → term ids with phrase boundaries (-1), via wink-nlp with an empty
// pipe, called once per distinct space-separated unit rather than once per document.
//
// Speed: a cleaned text is scanned by char codes into units ("model,", "large-scale", "LLM's");
// each unit is looked up in a char-code hash table (unit-table.ts), and only a unit never seen
// before in this chunk is handed to wink (batched, many units per readDoc) and turned into its
// surface ids and boundaries by the per-token rules (wink-stream.ts). A repeated unit costs a hash
// and a copy of a few integers. wink splits text on spaces first and tokenizes each unit on its
// own, and our gluing never crosses a space, so the stream equals that of wink over the whole
// document (reference-tokenizer.ts, checked in test/tokenizer-fast.test.ts).
// A new unit of a shape whose wink tokens are known without wink (a plain word out of wink's
// lexicon, a word wrapped in punctuation that wink splits off: simple-units.ts, checked against
// wink in test/tokenizer-simple-units.test.ts) skips wink: a wrapped unit's items are its core
// word's, resolved as a unit of its own, plus boundaries.
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

import type { TokenizedCorpus } from '../types.ts';
import { cleanTextUncollapsed, hasParagraphBreak, isJsSpace } from './clean.ts';
import { IntBuffer } from './int-buffer.ts';
import { codeUnitOrder } from './key-order.ts';
import { buildStopWords } from './stopwords.ts';
import { UnitTable } from './unit-table.ts';
import { ChunkVocabulary } from './vocabulary.ts';
import { emitWinkTokens, type TokenSink } from './wink-stream.ts';
import {
  coreBounds,
  hyphenatedParts,
  type LexiconLookup,
  SHAPE_BOUNDARY,
  SHAPE_HYPHENATED,
  SHAPE_WINK,
  SHAPE_WORD,
  unitShape,
  wordShape,
} from './simple-units.ts';
import { lexiconLookup, preservedAffixes, type WinkTokens, winkTokens } from './wink.ts';

/** Bump whenever the token stream for a given text changes (cleaning, stop words, folding, gluing). */
export const TOKENIZER_VERSION = 'tok-8';

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
  docOffsets: Int32Array; // length docs + 1, into tokenSurfaces (and tokenIds)
  tokenIds: Int32Array; // local term ids, -1 at boundaries (empty with ChunkOptions.surfacesOnly)
  tokenSurfaces: Int32Array; // local surface id of each token, -1 at boundaries
  terms: string[]; // term key per local id
  surfaces: string[]; // every kept surface form seen (as written, lower case)
  surfaceTerm: Int32Array; // local term id of each surface form
  surfaceCounts: Int32Array; // occurrences of each surface form (the title counted once)
  /**
   * Only when asked for (ChunkOptions.titleForms) and titleRepeat > 1: the surface ids of each
   * document's title tokens once (boundaries left out), documents d at
   * titleSurfaces[titleOffsets[d], titleOffsets[d + 1]). These are the title's tokens as the title
   * tokenized alone gives them: what a per-paper cache record needs to count a repeated title once.
   */
  titleSurfaces?: Int32Array;
  titleOffsets?: Int32Array;
}

/** What tokenizeChunk records besides the token stream. */
export interface ChunkOptions {
  /** Record each document's title tokens (TokenizedChunk.titleSurfaces); only used when titleRepeat > 1. */
  titleForms?: boolean;
  /**
   * Leave out each token's local term id (TokenizedChunk.tokenIds comes back empty): for callers
   * that read the surface ids alone (the token cache: pipeline/token-cache.ts). Such chunks cannot
   * be merged (mergeChunks refuses them).
   */
  surfacesOnly?: boolean;
}

export interface DocText {
  title: string;
  text: string;
}

export interface ResolvedOptions {
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

/** Pending units queued while planning: for wink, and hyphenated ones (plan indexes). */
interface PlanQueues {
  winkIds: number[];
  winkUnits: string[];
  hyphenated: number[];
}

/** Documents scanned before their new units go to wink together. */
const BLOCK_DOCS = 256;
/** Characters of new units per readDoc call. */
const BATCH_CHARS = 64_000;

// What a unit emits, per unit id (unitValue): a single surface id (>= 0) or a single boundary
// (-1), which covers most units; nothing (NO_ITEMS); several items, items[ranges[2r], ranges[2r+1])
// for the value MULTI - r; or PENDING until wink has seen it. In `seq` (a block's stream before
// emission) a value >= -1 is an item and -2 - id a unit that was pending when it was scanned.
const NO_ITEMS = -2;
const MULTI = -3;
const PENDING = -0x80000000;
/** UnitTable.hash(';', 0, 1): the unit a paragraph break reads as. */
const SEMICOLON_HASH = UnitTable.hash(';', 0, 1);

/** Accumulates one chunk; see the file comment. */
class ChunkBuilder {
  private readonly vocab: ChunkVocabulary;
  private readonly units = new UnitTable();
  private unitValue = new Int32Array(1024);
  private readonly ranges = new IntBuffer(1024);
  private readonly items = new IntBuffer(1 << 12);
  private readonly tokens = new IntBuffer(1 << 16);
  private readonly offsets: number[] = [0];
  private readonly scratch = new IntBuffer();
  private readonly seq = new IntBuffer(1 << 16); // the current block's items and pending units
  private pendingIds: number[] = [];
  private pendingUnits: string[] = [];
  private readonly titleTokens: IntBuffer | undefined;
  private readonly titleOffsets: number[] = [0];

  constructor(
    private readonly opts: ResolvedOptions,
    private readonly chunkOpts: ChunkOptions = {},
  ) {
    this.vocab = new ChunkVocabulary(opts.stopWords);
    if (chunkOpts.titleForms === true && opts.titleRepeat > 1) this.titleTokens = new IntBuffer(1 << 12);
  }

  addDocs(docs: ArrayLike<DocText>): void {
    const bounds: number[] = [];
    for (let d0 = 0; d0 < docs.length; d0 += BLOCK_DOCS) {
      const d1 = Math.min(docs.length, d0 + BLOCK_DOCS);
      this.seq.length = 0;
      bounds.length = 0;
      for (let d = d0; d < d1; d++) {
        const doc = docs[d]!;
        bounds.push(this.seq.length);
        if (this.opts.titleRepeat > 0 && doc.title) this.scan(doc.title);
        bounds.push(this.seq.length);
        this.scan(doc.text);
      }
      bounds.push(this.seq.length);
      this.resolvePending();
      for (let d = 0; d < d1 - d0; d++) this.emitDoc(bounds[2 * d]!, bounds[2 * d + 1]!, bounds[2 * d + 2]!);
    }
  }

  build(): TokenizedChunk {
    const chunk = this.vocab.toChunk(this.tokens, this.offsets, this.chunkOpts.surfacesOnly !== true);
    if (this.titleTokens) {
      chunk.titleSurfaces = this.titleTokens.toArray();
      chunk.titleOffsets = Int32Array.from(this.titleOffsets);
    }
    return chunk;
  }

  /**
   * Appends the items of a cleaned text's units to seq, queueing units not seen before. The text
   * comes uncollapsed (cleanTextUncollapsed): a unit is a run of non-space characters, and a run of
   * white space is read as collapseSpaces would write it, a ';' unit when it holds a paragraph
   * break (two line feeds with only ' ', '\t', '\r' between), else a mere separator.
   */
  private scan(raw: string): void {
    if (typeof raw !== 'string' || raw.length === 0) return;
    const text = cleanTextUncollapsed(raw, this.opts.maxChars);
    const n = text.length;
    let i = 0;
    while (i < n) {
      let c = text.charCodeAt(i);
      if (isJsSpace(c)) {
        const space = i;
        do {
          if (++i === n) break;
          c = text.charCodeAt(i);
        } while (isJsSpace(c));
        if (hasParagraphBreak(text, space, i)) this.addUnit(';', 0, 1, SEMICOLON_HASH);
        continue;
      }
      const from = i;
      let h = 0x811c9dc5;
      do {
        h = Math.imul(h ^ c, 16777619);
        if (++i === n) break;
        c = text.charCodeAt(i);
      } while (!isJsSpace(c));
      this.addUnit(text, from, i, h | 0);
    }
  }

  /** Appends the items of the unit s[from, to) (FNV-1a hash h) to seq, queueing it if new. */
  private addUnit(s: string, from: number, to: number, h: number): void {
    let id = this.units.find(s, from, to, h);
    if (id < 0) {
      id = this.newUnit(s, from, to, h);
      this.pendingIds.push(id);
      this.pendingUnits.push(s.slice(from, to));
    }
    const v = this.unitValue[id]!;
    if (v >= -1) this.seq.push(v);
    else if (v === PENDING) this.seq.push(-2 - id);
    else if (v !== NO_ITEMS) this.copyItems(v, this.seq);
  }

  private copyItems(v: number, out: IntBuffer): void {
    const r = MULTI - v;
    const end = this.ranges.data[2 * r + 1]!;
    for (let k = this.ranges.data[2 * r]!; k < end; k++) out.push(this.items.data[k]!);
  }

  /**
   * Resolves the queued units: those of a shape whose wink tokens are known (simple-units.ts)
   * without wink, the others with wink, many per call. Items are recorded in the order the units
   * were first seen (a wrapped unit's core word just before it), as if every unit went to wink,
   * so the chunk's local ids come out the same.
   */
  private resolvePending(): void {
    const ids = this.pendingIds;
    const units = this.pendingUnits;
    if (units.length === 0) return;
    const lookup = this.lexicon();
    // Every unit pending now got its id in this block: ids base.. (cores added below come after).
    const base = ids[0]!;
    const queues: PlanQueues = { winkIds: [], winkUnits: [], hyphenated: [] };
    for (let u = 0; u < units.length; u++) this.plan(ids[u]!, units[u]!, base, lookup, queues);
    const { winkIds, winkUnits, hyphenated } = queues;
    this.planHyphenated(hyphenated, base, winkIds, winkUnits);
    this.tokenizeWithWink(winkIds, winkUnits, base);
    for (let u = 0; u < ids.length; u++) this.resolve(ids[u]!, base);
    this.planText.length = 0;
    this.planTok.length = 0;
    this.planParts.length = 0;
    this.pendingIds = [];
    this.pendingUnits = [];
  }

  /**
   * Plans a pending unit: its shape, and what resolving it will need. A unit whose items are a
   * core's plus punctuation (wrapped, SHAPE_LEAD, SHAPE_TRAIL: coreBounds) gets its core as a
   * unit of its own, planned the same way if it is new (a lead's core can be wrapped in turn:
   * '"(model').
   */
  private plan(id: number, unit: string, base: number, lookup: LexiconLookup, queues: PlanQueues): void {
    const shape = unitShape(unit, lookup);
    const p = id - base;
    this.planUnit(p, unit, shape);
    if (shape === SHAPE_HYPHENATED) queues.hyphenated.push(p);
    else if (shape === SHAPE_WINK) {
      queues.winkIds.push(id);
      queues.winkUnits.push(unit);
    } else {
      const bounds = coreBounds(unit, shape);
      if (bounds === undefined) return;
      const [from, to] = bounds;
      const h = UnitTable.hash(unit, from, to);
      let core = this.units.find(unit, from, to, h);
      if (core < 0) {
        core = this.newUnit(unit, from, to, h);
        this.plan(core, unit.slice(from, to), base, lookup, queues);
      }
      this.planCore[p] = core; // after planning the core, which may have grown planCore
    }
  }

  // The plan of each pending unit (index id - base): its shape and text, its core word's id
  // (wrapped), or wink's tokens of it (tokens planFrom..planTo of planTok).
  private planShape = new Int32Array(1024);
  private readonly planText: string[] = [];
  private readonly planParts: (string[] | undefined)[] = [];
  private planCore = new Int32Array(1024);
  private planFrom = new Int32Array(1024);
  private planTo = new Int32Array(1024);
  private readonly planTok: (WinkTokens | undefined)[] = [];
  private lookup: LexiconLookup | undefined;

  private planUnit(p: number, text: string, shape: number): void {
    if (p >= this.planCore.length) {
      const size = Math.max(p + 1, this.planCore.length * 2);
      const grow = (a: Int32Array) => {
        const b = new Int32Array(size);
        b.set(a);
        return b;
      };
      this.planShape = grow(this.planShape);
      this.planCore = grow(this.planCore);
      this.planFrom = grow(this.planFrom);
      this.planTo = grow(this.planTo);
    }
    // Kept dense (no holes): a core's plan index can run ahead of the pending unit being planned.
    while (this.planText.length <= p) {
      this.planText.push('');
      this.planTok.push(undefined);
      this.planParts.push(undefined);
    }
    this.planShape[p] = shape;
    this.planText[p] = text;
  }

  /**
   * Hyphenated units: kept whole (a preserved affix) they are one word token like SHAPE_WORD;
   * split, each part's token is the part's alone (known from its shape, else asked of wink once
   * per distinct part: partTokens). A unit whose whole form or a part is not a single plain token
   * goes to wink after all.
   */
  private planHyphenated(plans: readonly number[], base: number, winkIds: number[], winkUnits: string[]): void {
    if (plans.length === 0) return;
    const lookup = this.lexicon();
    const preserve = preservedAffixes();
    const memo = this.partTokens;
    const queue: string[] = [];
    for (const p of plans) {
      const text = this.planText[p]!;
      const parts = hyphenatedParts(text, preserve);
      this.planParts[p] = parts;
      if (parts === undefined) {
        if (wordShape(text, lookup) === SHAPE_WORD) this.planShape[p] = SHAPE_WORD;
        else {
          this.planShape[p] = SHAPE_WINK;
          winkIds.push(base + p);
          winkUnits.push(text);
        }
        continue;
      }
      for (const part of parts) {
        if (memo.has(part)) continue;
        if (wordShape(part, lookup) === SHAPE_WORD) memo.set(part, [part.toLowerCase(), 'word']);
        else {
          memo.set(part, null);
          queue.push(part);
        }
      }
    }
    if (this.dash === undefined) {
      const tok = winkTokens('-');
      this.dash = [tok.normals[0]!, tok.types[0]!];
    }
    for (let a = 0; a < queue.length; ) {
      let b = a;
      let chars = 0;
      while (b < queue.length && (b === a || chars + queue[b]!.length < BATCH_CHARS)) chars += queue[b++]!.length + 1;
      const tok = winkTokens(queue.slice(a, b).join(' '));
      const starts = segmentStarts(tok, queue, a, b);
      for (let u = a; u < b; u++) {
        const one = starts ? tok : winkTokens(queue[u]!);
        const from = starts ? starts[u - a]! : 0;
        const to = starts ? starts[u - a + 1]! : one.normals.length;
        if (to - from === 1 && one.values[from] === queue[u]) memo.set(queue[u]!, [one.normals[from]!, one.types[from]!]);
      }
      a = b;
    }
    for (const p of plans) {
      if (this.planShape[p] !== SHAPE_HYPHENATED) continue;
      const parts = this.planParts[p]!;
      for (let k = 0; k < parts.length; k++) {
        if (memo.get(parts[k]!) !== null) continue;
        this.planShape[p] = SHAPE_WINK;
        winkIds.push(base + p);
        winkUnits.push(this.planText[p]!);
        break;
      }
    }
  }

  /** A hyphenated unit's tokens: each part's token, '-' tokens between (see planHyphenated). */
  private hyphenatedTokens(parts: readonly string[]): WinkTokens {
    const dash = this.dash!;
    const tok = this.hyphenTok;
    tok.normals.length = tok.values.length = tok.types.length = tok.spaces.length = 0;
    for (let i = 0; i < parts.length; i++) {
      if (i > 0) {
        tok.normals.push(dash[0]);
        tok.values.push('-');
        tok.types.push(dash[1]);
        tok.spaces.push('');
      }
      const [normal, type] = this.partTokens.get(parts[i]!)!;
      tok.normals.push(normal);
      tok.values.push(parts[i]!);
      tok.types.push(type);
      tok.spaces.push('');
    }
    return tok;
  }

  // A hyphenated unit's parts: normal and type of each part's single token ([normal, type]), or
  // null when a part is not one plain token; and wink's '-' token.
  private readonly partTokens = new Map<string, [string, string] | null>();
  private readonly hyphenTok: WinkTokens = { normals: [], values: [], types: [], spaces: [] };
  private dash: [string, string] | undefined;

  /** wink's lexicon lookup of this thread's instance (loads wink; see lexiconLookup). */
  private lexicon(): LexiconLookup {
    if (this.lookup === undefined) this.lookup = lexiconLookup();
    return this.lookup;
  }

  private newUnit(text: string, from: number, to: number, h: number): number {
    const id = this.units.add(text, from, to, h);
    if (id === this.unitValue.length) {
      const grown = new Int32Array(id * 2);
      grown.set(this.unitValue);
      this.unitValue = grown;
    }
    this.unitValue[id] = PENDING;
    return id;
  }

  /** wink's tokens of the given units, many per readDoc call, kept in the plans. */
  private tokenizeWithWink(ids: readonly number[], units: readonly string[], base: number): void {
    let a = 0;
    while (a < units.length) {
      let b = a;
      let chars = 0;
      while (b < units.length && (b === a || chars + units[b]!.length < BATCH_CHARS)) chars += units[b++]!.length + 1;
      const tok = winkTokens(units.slice(a, b).join(' '));
      const starts = segmentStarts(tok, units, a, b);
      for (let u = a; u < b; u++) {
        const p = ids[u]! - base;
        if (starts) {
          this.planTok[p] = tok;
          this.planFrom[p] = starts[u - a]!;
          this.planTo[p] = starts[u - a + 1]!;
        } else {
          // wink did not split the joined text exactly at our spaces (it never did on the corpora
          // here): tokenize each unit alone, which is always right, only slower.
          const one = winkTokens(units[u]!);
          this.planTok[p] = one;
          this.planFrom[p] = 0;
          this.planTo[p] = one.normals.length;
        }
      }
      a = b;
    }
  }

  /** Records a planned unit's items (a wrapped unit's core word first, if it is pending too). */
  private resolve(id: number, base: number): void {
    if (this.unitValue[id] !== PENDING) return;
    const p = id - base;
    const shape = this.planShape[p]!;
    if (shape === SHAPE_WINK) {
      this.record(id, this.planTok[p]!, this.planFrom[p]!, this.planTo[p]!);
      this.planTok[p] = undefined;
    } else if (shape === SHAPE_BOUNDARY) {
      this.unitValue[id] = -1;
    } else if (shape === SHAPE_HYPHENATED) {
      const tok = this.hyphenatedTokens(this.planParts[p]!);
      this.record(id, tok, 0, tok.normals.length);
    } else if (shape === SHAPE_WORD) {
      // One plain word token (normal = its lower case, type 'word'): emitWinkTokens would take
      // the lower case as both key side and surface, and a dropped word is a lone boundary.
      const sid = this.vocab.surfaceId(this.planText[p]!.toLowerCase(), this.planText[p]!.toLowerCase());
      this.unitValue[id] = sid < 0 ? -1 : sid;
    } else {
      // A core's items with a boundary for the punctuation cut off before and after it.
      const text = this.planText[p]!;
      const [from, to] = coreBounds(text, shape)!;
      const core = this.planCore[p]!;
      this.resolve(core, base);
      this.recordWrapped(id, core, from > 0, to < text.length);
    }
  }

  /** A wrapped unit's items: a boundary for a leading bracket, the core's items, a boundary for trailing punctuation. */
  private recordWrapped(id: number, core: number, lead: boolean, trail: boolean): void {
    const items = this.items;
    const start = items.length;
    if (lead) this.itemBoundary(start);
    const v = this.unitValue[core]!;
    if (v >= 0) items.push(v);
    else if (v === -1) this.itemBoundary(start);
    else if (v !== NO_ITEMS) {
      const r = MULTI - v;
      const end = this.ranges.data[2 * r + 1]!;
      for (let k = this.ranges.data[2 * r]!; k < end; k++) {
        const w = items.data[k]!;
        if (w < 0) this.itemBoundary(start);
        else items.push(w);
      }
    }
    if (trail) this.itemBoundary(start);
    this.close(id, start);
  }

  /** A unit's boundary item (items since `start`): one at most in a row, and one for a unit of only boundaries. */
  private itemBoundary(start: number): void {
    const items = this.items;
    if (items.length === start || items.data[items.length - 1] !== -1) items.push(-1);
  }

  private itemStart = 0;
  private readonly sink: TokenSink = {
    push: (sid) => this.items.push(sid),
    boundary: () => this.itemBoundary(this.itemStart),
  };

  private record(id: number, tok: WinkTokens, from: number, to: number): void {
    const start = this.items.length;
    this.itemStart = start;
    emitWinkTokens(tok, from, to, this.vocab, this.sink);
    this.close(id, start);
  }

  /** Stores the items pushed since `start` as unit id's value. */
  private close(id: number, start: number): void {
    const items = this.items;
    const count = items.length - start;
    if (count <= 1) {
      this.unitValue[id] = count === 0 ? NO_ITEMS : items.data[start]!;
      items.length = start; // single items live in unitValue
    } else {
      this.unitValue[id] = MULTI - this.ranges.length / 2;
      this.ranges.push(start);
      this.ranges.push(items.length);
    }
  }

  private emitDoc(titleFrom: number, textFrom: number, textTo: number): void {
    const start = this.tokens.length;
    if (textFrom > titleFrom) {
      const scratch = this.scratch;
      scratch.length = 0;
      this.emitItems(titleFrom, textFrom, scratch, 0);
      scratch.trim(0);
      const titles = this.titleTokens;
      if (titles) for (let k = 0; k < scratch.length; k++) if (scratch.data[k]! >= 0) titles.push(scratch.data[k]!);
      for (let r = 0; r < this.opts.titleRepeat && scratch.length > 0; r++) {
        for (let k = 0; k < scratch.length; k++) this.tokens.push(scratch.data[k]!);
        this.tokens.push(-1); // title/abstract border (and between title copies)
      }
    }
    this.emitItems(textFrom, textTo, this.tokens, start);
    this.tokens.trim(start);
    this.offsets.push(this.tokens.length);
    if (this.titleTokens) this.titleOffsets.push(this.titleTokens.length);
  }

  /** Emits seq[from, to) into out (boundaries collapse as in IntBuffer.boundary), counting forms. */
  private emitItems(from: number, to: number, out: IntBuffer, start: number): void {
    const seq = this.seq.data;
    const counts = this.vocab.surfaceCounts;
    for (let s = from; s < to; s++) {
      const v = seq[s]!;
      if (v >= 0) {
        out.push(v);
        counts[v]++; // a repeated title was tokenized once, so it counts once
      } else if (v === -1) {
        out.boundary(start);
      } else {
        const u = this.unitValue[-2 - v]!; // a unit that was pending when scanned
        if (u >= 0) {
          out.push(u);
          counts[u]++;
        } else if (u === -1) out.boundary(start);
        else if (u !== NO_ITEMS) {
          const r = MULTI - u;
          const end = this.ranges.data[2 * r + 1]!;
          for (let k = this.ranges.data[2 * r]!; k < end; k++) {
            const w = this.items.data[k]!;
            if (w < 0) out.boundary(start);
            else {
              out.push(w);
              counts[w]++;
            }
          }
        }
      }
    }
  }
}

/**
 * Token index where each of units[a, b) starts in wink's tokens of their join, plus the end; or
 * undefined when wink's tokens do not line up with the units (a unit split at a character wink
 * takes for a space, or dropped).
 */
function segmentStarts(tok: WinkTokens, units: readonly string[], a: number, b: number): Int32Array | undefined {
  const n = tok.normals.length;
  const starts = new Int32Array(b - a + 1);
  let u = -1;
  let chars = 0;
  for (let k = 0; k < n; k++) {
    if (k === 0 || tok.spaces[k] !== '') {
      if (u >= 0 && chars !== units[a + u]!.length) return undefined;
      u++;
      if (u >= b - a) return undefined;
      starts[u] = k;
      chars = 0;
    }
    chars += tok.values[k]!.length;
  }
  if (u !== b - a - 1 || chars !== units[a + u]!.length) return undefined;
  starts[b - a] = n;
  return starts;
}

/** A chunk built from documents handed over in several batches (kept in the order given). */
export interface ChunkTokenizer {
  add(docs: ArrayLike<DocText>): void;
  build(): TokenizedChunk;
}

export function chunkTokenizer(opts: TokenizerOptions = {}, chunkOpts: ChunkOptions = {}): ChunkTokenizer {
  const builder = new ChunkBuilder(resolveTokenizerOptions(opts), chunkOpts);
  return { add: (docs) => builder.addDocs(docs), build: () => builder.build() };
}

/** Tokenizes a slice of documents against a local vocabulary (see mergeChunks). */
export function tokenizeChunk(docs: ArrayLike<DocText>, opts: TokenizerOptions = {}, chunkOpts: ChunkOptions = {}): TokenizedChunk {
  const builder = new ChunkBuilder(resolveTokenizerOptions(opts), chunkOpts);
  builder.addDocs(docs);
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
  const keys = [...keySet];
  const terms = Array.from(codeUnitOrder(keys), (i) => keys[i]!);
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
    if (c.tokenIds.length !== c.tokenSurfaces.length) throw new Error('mergeChunks: a chunk without its term ids (ChunkOptions.surfacesOnly) cannot be merged');
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
