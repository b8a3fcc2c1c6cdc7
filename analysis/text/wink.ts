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
