// wink tokens → surface ids and phrase boundaries: the per-token rules of the tokenizer (cuts at
// apostrophes and final dots, gluing of word pieces written without spaces, term decisions).
// Gluing never crosses a space, so running this over a whole document or over each space-separated
// unit of it separately gives the same stream: that is what lets the fast tokenizer call wink once
// per distinct unit instead of once per document.

import { type ChunkVocabulary, KIND_NONE } from './vocabulary.ts';
import type { WinkTokens } from './wink.ts';

/** Where the stream goes: a surface id, or a phrase boundary. */
export interface TokenSink {
  push(sid: number): void;
  boundary(): void;
}

let cutScratch = new Uint8Array(256);

/** Emits tokens [from, to) of `tok` (mutates its normals / values in that range: the cuts). */
export function emitWinkTokens(tok: WinkTokens, from: number, to: number, vocab: ChunkVocabulary, sink: TokenSink): void {
  const { normals, values, types, spaces } = tok;
  // wink splits "LLM's" alone as 'llm' + "'s" but keeps "llm's" whole in "LLM's." (and gives
  // '16' + 'm.' or '16m' + '.' for "16M." by context). Cutting every word at its apostrophe or
  // final dot (and ending the phrase there) gives the same stream either way. (These cuts were
  // first made against wink's lexeme cache, which also made such answers depend on what the
  // thread had read; wink.ts now keeps that cache to the model's words.)
  if (cutScratch.length < to) cutScratch = new Uint8Array(to * 2);
  const cut = cutScratch;
  for (let k = from; k < to; k++) {
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
  let i = from;
  while (i < to) {
    const kind = vocab.pieceKind(normals[i]!, types[i]!);
    if (kind === KIND_NONE) {
      sink.boundary();
      i++;
      continue;
    }
    // Glue what was written as one word: 'large' '-' 'scale', '3' 'd' (a number touching a word).
    // `normal` builds the key side, `written` the surface side.
    let normal = normals[i]!;
    let written = values[i]!;
    let lastKind = kind;
    let j = i + 1;
    while (j < to && spaces[j] === '' && !cut[j - 1]) {
      if (normals[j] === '-' && j + 1 < to && spaces[j + 1] === '') {
        const next = vocab.pieceKind(normals[j + 1]!, types[j + 1]!);
        if (next === KIND_NONE) break;
        normal += '-' + normals[j + 1];
        written += '-' + values[j + 1];
        lastKind = next;
        j += 2;
      } else {
        // Word-word contacts are contractions ('it' + "'s" → 'is'), never glued.
        const next = vocab.pieceKind(normals[j]!, types[j]!);
        if (next === KIND_NONE || next === lastKind) break;
        normal += normals[j];
        written += values[j];
        lastKind = next;
        j++;
      }
    }
    const sid = j === i + 1 && written === normal ? vocab.surfaceId(normal, normal) : vocab.surfaceId(normal, written.toLowerCase());
    i = j;
    if (sid < 0) {
      sink.boundary();
    } else {
      sink.push(sid);
      if (cut[j - 1]) sink.boundary();
    }
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
