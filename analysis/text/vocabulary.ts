// A chunk's local vocabulary: term keys, the surface forms seen (as written, lower case) and the
// per-word decisions (is it a word piece, is it a term), memoised per distinct form. Shared by
// the reference tokenizer (wink per document) and the fast one (wink per distinct space unit), so
// both make exactly the same decisions.

import type { IntBuffer } from './int-buffer.ts';
import { termKey } from './normalize.ts';
import type { TokenizedChunk } from './tokenizer.ts';

/** A word piece: letters, marks and digits, possibly already hyphenated by wink ('u-net'). */
const PIECE = /^[\p{L}\p{M}\p{N}]+(?:-[\p{L}\p{M}\p{N}]+)*$/u;
const HAS_LETTER = /\p{L}/u;

/** PIECE.test(s), with ASCII read by code (most words): the Unicode classes only past ASCII. */
export function isPiece(s: string): boolean {
  let run = 0; // alphanumeric characters since the start or the last hyphen
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)) run++;
    else if (c === 45 /* - */) {
      if (run === 0) return false;
      run = 0;
    } else if (c >= 128) return PIECE.test(s);
    else return false;
  }
  return run > 0;
}

/** HAS_LETTER.test(s), with ASCII read by code (most words): the Unicode class only past ASCII. */
export function hasLetter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) return true;
    if (c >= 128) return HAS_LETTER.test(s.slice(i));
  }
  return false;
}
export const KIND_NONE = 0;
export const KIND_WORD = 1;
export const KIND_NUMBER = 2;

/**
 * The piece kind of an all-ASCII text (isPiece, then hasLetter, in one pass), or -1 when it has a
 * character past ASCII (the Unicode classes decide then).
 */
function asciiPieceKind(s: string): number {
  let run = 0; // alphanumeric characters since the start or the last hyphen
  let letter = false;
  let piece = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) {
      letter = true;
      run++;
    } else if (c >= 48 && c <= 57) run++;
    else if (c === 45 /* - */) {
      if (run === 0) piece = false;
      run = 0;
    } else if (c >= 128) return -1;
    else piece = false;
  }
  if (!piece || run === 0) return KIND_NONE;
  return letter ? KIND_WORD : KIND_NUMBER;
}

export class ChunkVocabulary {
  readonly terms: string[] = [];
  readonly surfaces: string[] = [];
  readonly surfaceTerm: number[] = [];
  readonly surfaceCounts: number[] = [];
  private readonly termIds = new Map<string, number>();
  private readonly surfaceIds = new Map<string, number>(); // -1: dropped
  private readonly pieceKinds = new Map<string, number>();

  constructor(private readonly stopWords: ReadonlySet<string>) {}

  /**
   * Whether a wink token can be part of a word, and which kind: worked out at once for ASCII
   * (one pass over a few characters costs less than a Map lookup of a fresh string), memoised
   * per normal form otherwise (the Unicode tests are regular expressions).
   */
  pieceKind(normal: string, type: string): number {
    // 'currency' too: wink types a letter-only currency code by its context ('0.006USD' makes
    // 'usd' a currency, '15 USD' a word); it is read as a word either way.
    if (type !== 'word' && type !== 'number' && type !== 'unk' && type !== 'currency') return KIND_NONE;
    const ascii = asciiPieceKind(normal);
    if (ascii >= 0) return ascii;
    let kind = this.pieceKinds.get(normal);
    if (kind === undefined) {
      kind = !isPiece(normal) ? KIND_NONE : hasLetter(normal) ? KIND_WORD : KIND_NUMBER;
      this.pieceKinds.set(normal, kind);
    }
    return kind;
  }

  /**
   * Local surface id of a word, or -1 when it is not a term (memoised). `normal` is wink's normal
   * form (glued), which gives the term key; `written` is the text as written, lower case.
   */
  surfaceId(normal: string, written: string): number {
    const memoKey = written === normal ? normal : normal + '\u0000' + written;
    let sid = this.surfaceIds.get(memoKey);
    if (sid !== undefined) return sid;
    sid = -1;
    const stop = this.stopWords;
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

  /**
   * The chunk of a token buffer of surface ids (document offsets into it) over this vocabulary;
   * without `termIds`, tokenIds is left empty (ChunkOptions.surfacesOnly).
   */
  toChunk(tokens: IntBuffer, offsets: readonly number[], termIds = true): TokenizedChunk {
    const tokenSurfaces = tokens.toArray();
    const tokenIds = new Int32Array(termIds ? tokenSurfaces.length : 0);
    for (let k = 0; k < tokenIds.length; k++) {
      const sid = tokenSurfaces[k]!;
      tokenIds[k] = sid < 0 ? -1 : this.surfaceTerm[sid]!;
    }
    return {
      docOffsets: Int32Array.from(offsets),
      tokenIds,
      tokenSurfaces,
      terms: this.terms,
      surfaces: this.surfaces,
      surfaceTerm: Int32Array.from(this.surfaceTerm),
      surfaceCounts: Int32Array.from(this.surfaceCounts),
    };
  }
}

function isTermCandidate(surface: string, stopWords: ReadonlySet<string>): boolean {
  if (stopWords.has(surface) || !hasLetter(surface)) return false;
  // Single characters are never words. Two make one when both are letters ('ai', 'rl', 'uk'),
  // or a digit then a letter ('3d', '5g'); a letter then a digit is a label or a key ('p3', 'v6',
  // 'f1' in mail and manuals) far more often than a topic.
  if (surface.length > 3) return true;
  const chars = [...surface];
  if (chars.length !== 2) return chars.length > 2;
  return hasLetter(chars[1]!);
}
