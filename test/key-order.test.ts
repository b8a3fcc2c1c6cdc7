import { describe, expect, it } from 'vitest';
import { codeUnitOrder } from '../analysis/text/key-order.ts';
import { createRandom } from '../analysis/random.ts';

/** The reference: indexes sorted by `<` on the keys (Array.prototype.sort's default order). */
function reference(keys: readonly string[]): number[] {
  return keys.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
}

describe('codeUnitOrder (multikey quicksort on char codes)', () => {
  it('orders tricky keys as < does: prefixes first, code units not code points, the empty key', () => {
    const keys = ['b', 'a', 'ab', '', 'a-b', 'a b', 'abc', 'Z', 'é', 'e\u0301', '\uffff', '\ud83d\ude00', 'z\u00ff', 'zz', 'a0', 'a9', 'A'];
    const order = Array.from(codeUnitOrder(keys), (i) => keys[i]);
    expect(order).toEqual([...keys].sort());
    // A supplementary character (a surrogate pair, 0xD83D first) sorts before U+FFFF in code units.
    expect(order.indexOf('\ud83d\ude00')).toBeLessThan(order.indexOf('\uffff'));
  });

  it('equals the comparator sort on thousands of random keys with long shared prefixes', () => {
    const random = createRandom(11);
    const alphabet = ['a', 'b', 'c', '-', 'é', '0'];
    const set = new Set<string>();
    while (set.size < 5000) {
      let k = random() < 0.5 ? 'inter' : random() < 0.5 ? 'interna' : '';
      const len = Math.floor(random() * 9);
      for (let j = 0; j < len; j++) k += alphabet[Math.floor(random() * alphabet.length)];
      set.add(k);
    }
    const keys = [...set];
    expect(Array.from(codeUnitOrder(keys))).toEqual(reference(keys));
  });

  it('orders keys that differ only past the packed prefix, and keys shorter than it', () => {
    const keys = ['ab', 'a', 'abd', 'abc', '', 'b', 'ab\u0000', 'aa\uffff', 'ab-', 'ac', '\uffff\uffff', '\uffff', '\u0000', '\u0000\u0000'];
    expect(Array.from(codeUnitOrder(keys))).toEqual(reference(keys));
  });

  it('equals the comparator sort past 2^19 keys, where one code unit is packed', () => {
    const random = createRandom(5);
    const set = new Set<string>();
    while (set.size < (1 << 19) + 1000) {
      let k = '';
      const len = 1 + Math.floor(random() * 7);
      for (let j = 0; j < len; j++) k += String.fromCharCode(97 + Math.floor(random() * 26));
      set.add(k);
    }
    const keys = [...set];
    expect(Array.from(codeUnitOrder(keys))).toEqual(reference(keys));
  });

  it('handles no keys, one key and already sorted or reversed input', () => {
    expect(Array.from(codeUnitOrder([]))).toEqual([]);
    expect(Array.from(codeUnitOrder(['x']))).toEqual([0]);
    const sorted = Array.from({ length: 300 }, (_, i) => `k${String(i).padStart(4, '0')}`);
    expect(Array.from(codeUnitOrder(sorted))).toEqual(reference(sorted));
    const reversed = [...sorted].reverse();
    expect(Array.from(codeUnitOrder(reversed))).toEqual(reference(reversed));
  });
});
