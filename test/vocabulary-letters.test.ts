// hasLetter (analysis/text/vocabulary.ts) reads ASCII by code and the rest with /\p{L}/u: it must
// answer as /\p{L}/u does. (The fast and the reference tokenizers share it, so comparing them
// cannot catch a slip here.)
import { describe, expect, it } from 'vitest';
import { hasLetter } from '../analysis/text/vocabulary.ts';

describe('hasLetter', () => {
  it('answers as /\\p{L}/u on 20 000 random strings', () => {
    const alphabet = ['a', 'Z', '0', '9', '-', "'", '.', '_', ' ', 'é', 'ß', 'ǅ', '中', '٣', '²', '\u0301', '\ud835\udc65', '\ud835\udfce', '\ud800', '\udc00', '€', '@', '`', '{', '['];
    let seed = 9;
    const rnd = (): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    for (let i = 0; i < 20000; i++) {
      let s = '';
      const n = Math.floor(rnd() * 6);
      for (let j = 0; j < n; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      if (hasLetter(s) !== /\p{L}/u.test(s)) expect({ s, got: hasLetter(s) }).toEqual({ s, got: /\p{L}/u.test(s) });
    }
    expect(hasLetter('3d')).toBe(true);
    expect(hasLetter('٣٣')).toBe(false);
    expect(hasLetter('12é')).toBe(true);
  });
});
