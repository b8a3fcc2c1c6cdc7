// One wink-nlp instance per thread (empty pipe), loaded on first use. Loaded lazily, through
// require, because every worker thread imports the kernel table (and with it the tokenizer): a
// worker that only multiplies matrices, or a night whose papers all come from the token cache,
// should not pay for parsing wink's model (~0.1-0.3 s and tens of MB per thread).

import { createRequire } from 'node:module';
import type WinkNLP from 'wink-nlp';
import { type AffixSets, type PreservedAffixes, preservedAffixSets } from './simple-units.ts';
import { UnitTable } from './unit-table.ts';
import { winkEnglishModel } from './wink-model.ts';

type Nlp = ReturnType<typeof WinkNLP>;

let instance: Nlp | undefined;

/** Whether this thread has loaded wink yet (tests check that cached paths never do). */
export function winkLoaded(): boolean {
  return instance !== undefined;
}

/** Forgets this thread's wink instance: the next nlp() loads a new one (tests: a thread with no history). */
export function dropWink(): void {
  instance = undefined;
  lexemes = undefined;
  lexicon = undefined;
  isLexeme = undefined;
  preserved = undefined;
  affixSets = undefined;
}

/** Whether this thread has built its lexicon map too (lexiconLookup(), after nlp()). */
export function lexiconLoaded(): boolean {
  return lexicon !== undefined;
}

/** This thread's wink instance. */
export function nlp(): Nlp {
  if (instance === undefined) {
    const require = createRequire(import.meta.url);
    const winkNLP = require('wink-nlp') as typeof WinkNLP;
    const model = winkEnglishModel() as { core: () => Parameters<typeof forgetNewLexemes>[0]; featureFn: (config: unknown) => Record<string, unknown> };
    // A model whose lexicon wink cannot extend: see forgetNewLexemes.
    const bound = Object.create(model);
    bound.core = () => {
      const core = forgetNewLexemes(model.core()) as ReturnType<typeof model.core> & { preserve: PreservedAffixes };
      preserved = core.preserve;
      return core;
    };
    bound.featureFn = (config: unknown) => withoutTaggerFeatures(model.featureFn(config));
    instance = winkNLP(bound, []);
  }
  return instance;
}

/** The hyphenation affixes (`preserve`) of the core model this thread's wink was given, set as it loads. */
let preserved: PreservedAffixes | undefined;
let affixSets: AffixSets | undefined;

/**
 * The hyphenation affixes this thread's wink tokenizes with, as sets (preservedAffixSets; loads
 * wink). Taken from the core model wink was given: reading them from the package's model file
 * instead (require) parsed its 3 MB a second time, ~80-100 ms per tokenizing thread at the start
 * of its first hyphenated unit, since readCoreModel does not go through require's cache.
 */
export function preservedAffixes(): AffixSets {
  if (affixSets === undefined) {
    nlp();
    if (preserved === undefined) throw new Error('wink: the core model has no preserve table');
    affixSets = preservedAffixSets(preserved);
  }
  return affixSets;
}

/** Lexemes wink added since this thread loaded it (its lexicon's growth; tests and measurements). */
export function addedLexemes(): number {
  return lexemes === undefined ? 0 : lexemes.list.length - lexemes.intrinsicSize;
}

interface LexemeFeature {
  hash: Record<string, number>;
  list: string[];
  intrinsicSize: number;
}

let lexemes: LexemeFeature | undefined;

/**
 * wink's tokenizer asks its lexeme cache whether a piece of a word is a known word, and the cache
 * learns every word it meets: once "Ego-QA-4.4K" has been split into 'Ego-QA-4' and '4K', '4k' is
 * "known", and a later "-4k," comes out as '-' + '4k' where a fresh instance gives '-4' + 'k';
 * likewise a word keeps the type it was first met with ('usd' a currency after "0.006USD"). So
 * wink's output depended on what the thread had read before: on how documents were split between
 * threads. Here the lexicon stays the model's: a word wink adds is entered in its list (the token
 * keeps its normal form and type) and at once removed from the hash that every lookup reads, so
 * "is this a lexeme" only ever answers from the model, and each text is tokenized as a fresh
 * instance that never learns would tokenize it. (wink pushes the new entry right after setting
 * the hash: getFeaturesIndex in wink-nlp/src/cache.js, `h[value] = f.index; f.index = l.push(value)`.)
 * The list still grows by one entry per out-of-model token read (~50 bytes each).
 */
function forgetNewLexemes<M extends { features: { lexeme: LexemeFeature } }>(model: M): M {
  const lexeme = model.features.lexeme;
  const { hash, list } = lexeme;
  const push = Array.prototype.push;
  Object.defineProperty(list, 'push', {
    value(this: string[], value: string): number {
      delete hash[value];
      return push.call(this, value);
    },
  });
  lexemes = lexeme;
  return model;
}

/**
 * The features wink computes and packs for every word it adds (prefix, suffix, letter case,
 * shape, abbreviation flag, POS guess: the model's `packing.efList`) are read only by its POS
 * tagger and entity recogniser, never by tokenization or by the normal form, type and value read
 * here (wink-nlp/src/its.js). With the lexicon kept to the model's words (forgetNewLexemes) wink
 * adds a word at every occurrence, so these are constants here: the same tokens, without a shape
 * regex chain and five feature-table lookups per word (the POS guess also looked the word up in
 * the cache and read [0] of the answer, which is null now for a word out of the model).
 */
function withoutTaggerFeatures<F extends Record<string, unknown>>(features: F): F {
  const constant: Record<string, unknown> = { prefix: '', suffix: '', shape: '', lutCase: 0, isAbbrev: 0, pos: 0 };
  const out = Object.create(features) as Record<string, unknown>;
  for (const [name, value] of Object.entries(constant)) out[name] = () => value;
  return out as F;
}

/** The answer of a lexicon lookup for a lexeme that is not a contraction: one token index (which one is never read). */
const ONE_TOKEN: readonly number[] = Object.freeze([0]);
/** A memoised "no lexeme" (a text that passed the bit filter without being one). */
const NOT_LEXEME: readonly number[] = Object.freeze([]);

/** wink's answers so far, memoised per text (ONE_TOKEN, a contraction's expansions, or NOT_LEXEME). */
let lexicon: Map<string, readonly number[]> | undefined;
/**
 * One bit per FNV-1a hash (mod LEXICON_BITS) of each lexeme: most lookups are of words out of the
 * lexicon (a chunk's new units and their cores, ~5 lookups each), and a clear bit answers them
 * from 256 KiB that stay in cache, where the Map has to hash the fresh string and probe a large
 * table (a cache miss: a third of the lookups' time on arXiv). A set bit asks the memo, and wink
 * (once per text) when the memo does not know the text yet, so every answer is wink's.
 */
let lexiconBits: Int32Array | undefined;
let isLexeme: ((text: string) => readonly number[] | null) | undefined;
const LEXICON_BITS = 1 << 21;

/**
 * wink's lexicon lookup (its readDoc's isLexeme) for this thread's instance: null when the text is
 * no lexeme, else an array whose length is 1, or the expansions of a contraction. wink's own
 * lookup reads a plain object in dictionary mode, and a fresh string as key costs it a
 * string-table probe before the object's own: a Map answers the tokenizer's ~1M lookups on arXiv
 * in about half the time, and allocates no array per hit. The Map is filled as texts are asked
 * (only the words a thread meets): asking wink about all ~88k lexemes up front took ~0.1 s per
 * thread at the start of tokenizing. Exact: wink answers from the model's lexicon,
 * which forgetNewLexemes keeps fixed, so an answer memoised early is the answer later; and a
 * lexeme's bit is always set (the hash has no prototype, so no inherited name is a lexeme).
 */
export function lexiconLookup(): (text: string) => readonly number[] | null {
  if (lexicon === undefined) {
    const winkIsLexeme = (nlp().readDoc('') as unknown as { isLexeme: (text: string) => readonly number[] | null }).isLexeme;
    const { hash, list, intrinsicSize } = lexemes!;
    if (Object.getPrototypeOf(hash) !== null) throw new Error('wink: expected a lexeme hash without a prototype');
    // The hash's keys are the model's words, list[0, intrinsicSize): wink built it from them, and
    // forgetNewLexemes takes every later word out again. (Reading the list: Object.keys of the
    // 88k-key hash took longer than setting the bits.)
    const bits = new Int32Array(LEXICON_BITS >>> 5);
    for (let i = 0; i < intrinsicSize; i++) {
      const key = list[i]!;
      const h = UnitTable.hash(key, 0, key.length) & (LEXICON_BITS - 1);
      bits[h >>> 5]! |= 1 << (h & 31);
    }
    lexicon = new Map();
    lexiconBits = bits;
    isLexeme = winkIsLexeme;
  }
  const map = lexicon;
  const bits = lexiconBits!;
  const ask = isLexeme!;
  return (text) => {
    const h = UnitTable.hash(text, 0, text.length) & (LEXICON_BITS - 1);
    if ((bits[h >>> 5]! & (1 << (h & 31))) === 0) return null;
    let found = map.get(text);
    if (found === undefined) {
      const answer = ask(text);
      found = answer == null ? NOT_LEXEME : answer.length === 1 ? ONE_TOKEN : answer;
      map.set(text, found);
    }
    return found === NOT_LEXEME ? null : found;
  };
}

/** wink's raw tokens of a text: normal form, value as written, type and the spaces before each. */
export interface WinkTokens {
  normals: string[];
  values: string[];
  types: string[];
  spaces: string[];
}

export function winkTokens(text: string): WinkTokens {
  const n = nlp();
  const tokens = n.readDoc(text).tokens();
  const its = n.its;
  return {
    normals: tokens.out(its.normal) as string[],
    values: tokens.out(its.value) as string[],
    types: tokens.out(its.type) as string[],
    spaces: tokens.out(its.precedingSpaces) as string[],
  };
}
