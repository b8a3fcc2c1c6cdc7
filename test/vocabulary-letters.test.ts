// hasLetter and isPiece (analysis/text/vocabulary.ts) read ASCII by code and the rest with Unicode
// classes: they must answer as the regular expressions do. (The fast and the reference tokenizers
// share them, so comparing the two tokenizers cannot catch a slip here.)
import { describe, expect, it } from 'vitest';
import { ChunkVocabulary, hasLetter, isPiece, KIND_NONE, KIND_NUMBER, KIND_WORD } from '../analysis/text/vocabulary.ts';
import { randomStrings } from './fixtures/random-strings.ts';

const PIECE = /^[\p{L}\p{M}\p{N}]+(?:-[\p{L}\p{M}\p{N}]+)*$/u;

describe('hasLetter and isPiece', () => {
  it('answer as /\\p{L}/u and the word-piece pattern on 20 000 random strings', () => {
    const alphabet = ['a', 'Z', '0', '9', '-', "'", '.', '_', ' ', 'é', 'ß', 'ǅ', '中', '٣', '²', '\u0301', '\ud835\udc65', '\ud835\udfce', '\ud800', '\udc00', '€', '@', '`', '{', '['];
    for (const s of randomStrings(9, alphabet, 6, 20000)) {
      if (hasLetter(s) !== /\p{L}/u.test(s)) expect({ s, got: hasLetter(s) }).toEqual({ s, got: /\p{L}/u.test(s) });
      if (isPiece(s) !== PIECE.test(s)) expect({ s, piece: isPiece(s) }).toEqual({ s, piece: PIECE.test(s) });
    }
    expect(hasLetter('3d')).toBe(true);
    expect(hasLetter('٣٣')).toBe(false);
    expect(hasLetter('12é')).toBe(true);
  });
});

describe('ChunkVocabulary.pieceKind', () => {
  it('is the kind isPiece and hasLetter define, for ASCII (worked out at once) and past it (memoised)', () => {
    const alphabet = ['a', 'Z', '0', '9', '-', "'", '.', '_', 'é', '٣', '\u0301', '€'];
    const vocab = new ChunkVocabulary(new Set());
    for (const s of randomStrings(11, alphabet, 6, 20000)) {
      const want = !isPiece(s) ? KIND_NONE : hasLetter(s) ? KIND_WORD : KIND_NUMBER;
      for (const type of ['word', 'number', 'unk', 'currency']) {
        if (vocab.pieceKind(s, type) !== want) expect({ s, type, kind: vocab.pieceKind(s, type) }).toEqual({ s, type, kind: want });
      }
      expect(vocab.pieceKind(s, 'punctuation')).toBe(KIND_NONE);
    }
    expect(vocab.pieceKind('3d', 'word')).toBe(KIND_WORD);
    expect(vocab.pieceKind('2024', 'number')).toBe(KIND_NUMBER);
    expect(vocab.pieceKind('u-net', 'word')).toBe(KIND_WORD);
    expect(vocab.pieceKind('u--net', 'word')).toBe(KIND_NONE);
    expect(vocab.pieceKind('-net', 'word')).toBe(KIND_NONE);
    expect(vocab.pieceKind('net-', 'word')).toBe(KIND_NONE);
  });
});
