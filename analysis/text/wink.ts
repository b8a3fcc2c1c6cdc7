// One wink-nlp instance per thread (empty pipe), loaded on first use. Loaded lazily, through
// require, because every worker thread imports the kernel table (and with it the tokenizer): a
// worker that only multiplies matrices, or a night whose papers all come from the token cache,
// should not pay for parsing wink's model (~0.1-0.3 s and tens of MB per thread).

import { createRequire } from 'node:module';
import type WinkNLP from 'wink-nlp';

type Nlp = ReturnType<typeof WinkNLP>;

let instance: Nlp | undefined;

/** Whether this thread has loaded wink yet (tests check that cached paths never do). */
export function winkLoaded(): boolean {
  return instance !== undefined;
}

/** This thread's wink instance. */
export function nlp(): Nlp {
  if (instance === undefined) {
    const require = createRequire(import.meta.url);
    const winkNLP = require('wink-nlp') as typeof WinkNLP;
    const model = require('wink-eng-lite-web-model');
    instance = winkNLP(model, []);
  }
  return instance;
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

/**
 * wink's lexeme-cache lookup (what its tokenizer asks first of every unit): null for a text it
 * does not know, else the token index, or several for a contraction. Shares this thread's cache.
 */
export function winkLexemeLookup(): (text: string) => readonly number[] | null {
  const doc = nlp().readDoc('') as unknown as { isLexeme: (text: string) => readonly number[] | null };
  return doc.isLexeme;
}

/** The model's hyphen affixes wink keeps whole ('multi-agent'); the JSON is already in require's cache. */
export function winkHyphenPreserve(): { prefix: Record<string, unknown>; suffix: Record<string, unknown> } {
  nlp();
  const require = createRequire(import.meta.url);
  return require('wink-eng-lite-web-model/dist/languages/cur/models/eng-core-web-model.json').preserve;
}
