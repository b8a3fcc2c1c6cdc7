// StringIndex answers what a Map from each key to its (last) row answers: for hex hashes, for
// keys that share long prefixes or collide in their low hash bits, repeats, and absent keys.
import { describe, expect, it } from 'vitest';
import { createRandom } from '../analysis/random.ts';
import { StringIndex } from '../pipeline/string-index.ts';

function mapAnswers(keys: readonly string[], queries: readonly string[]): number[] {
  const m = new Map<string, number>();
  keys.forEach((k, r) => m.set(k, r));
  return queries.map((q) => m.get(q) ?? -1);
}

describe('StringIndex', () => {
  it('answers as a Map of key → last row does, on random lists with repeats and absent queries', () => {
    const random = createRandom(11);
    for (let trial = 0; trial < 20; trial++) {
      const n = Math.floor(random() * 3000);
      const alphabet = trial % 2 ? '0123456789abcdef' : 'ab';
      const word = () => Array.from({ length: 1 + Math.floor(random() * (trial % 2 ? 40 : 6)) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      const keys = Array.from({ length: n }, word);
      for (let i = 0; i < n / 10; i++) keys.push(keys[Math.floor(random() * n)]!); // repeats
      const queries = [...keys, ...Array.from({ length: 200 }, word), '', 'absent'];
      const index = new StringIndex(keys);
      expect(queries.map((q) => index.get(q))).toEqual(mapAnswers(keys, queries));
    }
  });

  it('a list that grows (added) answers as the Map over the whole list, across many doublings of the table', () => {
    const random = createRandom(5);
    const keys: string[] = ['seed', 'row'];
    const index = new StringIndex(keys);
    const word = () => Array.from({ length: 1 + Math.floor(random() * 7) }, () => 'abcde'[Math.floor(random() * 5)]).join('');
    for (let step = 0; step < 60; step++) {
      const more = Math.floor(random() * 200);
      for (let i = 0; i < more; i++) keys.push(random() < 0.1 && keys.length > 0 ? keys[Math.floor(random() * keys.length)]! : word());
      index.added();
      const queries = [...keys.slice(-50), word(), word(), 'absent-key'];
      expect(queries.map((q) => index.get(q))).toEqual(mapAnswers(keys, queries));
    }
    expect(keys.length).toBeGreaterThan(4000); // from a table of 16 slots
    expect(keys.map((k) => index.get(k))).toEqual(mapAnswers(keys, keys));
  });

  it('finds keys past long runs of hash-equal low bits (probing wraps around the table)', () => {
    // Keys found by brute force whose FNV hashes end in the same 5 bits: in the 16 slots of a
    // table of 8 keys they all start at the last slot, so each probe wraps around to the first.
    const keys: string[] = [];
    for (let i = 0; keys.length < 8; i++) if ((StringIndex.hash(`k${i}`) & 31) === 31) keys.push(`k${i}`);
    const index = new StringIndex(keys);
    expect(keys.map((k) => index.get(k))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(index.get('k-none')).toBe(-1);
    expect(new StringIndex([]).get('x')).toBe(-1);
  });
});
