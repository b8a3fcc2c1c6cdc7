// indexIn: one walk along two id-ordered lists, or a Map when either is not in order; the same
// answers either way.
import { describe, expect, it } from 'vitest';
import { increasing, indexIn } from '../pipeline/model/sorted-ids.ts';

/** The definition: the last index of each id in `known`, else −1. */
function byMap(ids: readonly string[], known: readonly string[]): number[] {
  const m = new Map<string, number>();
  known.forEach((id, j) => m.set(id, j));
  return ids.map((id) => m.get(id) ?? -1);
}

describe('indexIn', () => {
  it('agrees with a Map on sorted, unsorted and repeated ids, in UTF-16 order', () => {
    let seed = 5;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const pool = Array.from({ length: 300 }, (_, i) => `id-${(i * 7919) % 997}`);
    pool.push('Z', 'a', 'é', '\u{1F600}', '\uFFFF', ''); // code-unit order, not locale order
    for (let trial = 0; trial < 30; trial++) {
      const ids = pool.filter(() => rand() < 0.5);
      const known = pool.filter(() => rand() < 0.5);
      const sortedIds = [...ids].sort();
      const sortedKnown = [...known].sort();
      expect(increasing(sortedIds)).toBe(true);
      for (const [a, b] of [
        [ids, known],
        [sortedIds, sortedKnown],
        [sortedIds, known],
        [sortedIds, [...sortedKnown, ...sortedKnown]],
      ] as const) {
        expect(Array.from(indexIn(a, b))).toEqual(byMap(a, b));
      }
    }
    expect(increasing(['a', 'a'])).toBe(false);
    expect(increasing(['b', 'a'])).toBe(false);
    expect(Array.from(indexIn([], ['a']))).toEqual([]);
    expect(Array.from(indexIn(['a'], []))).toEqual([-1]);
  });
});
