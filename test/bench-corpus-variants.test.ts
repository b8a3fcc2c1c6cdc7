import { describe, expect, it } from 'vitest';
import { dropRecords, spread } from '../bench/corpus-variants.ts';

const corpus = Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: `p${i}`, text: `paper ${i}` })).join('\n') + '\n\n';

describe('dropRecords', () => {
  it('drops exactly `drop` distinct records and keeps the others in order', () => {
    const kept = dropRecords(corpus, 7, 3);
    expect(kept.length).toBe(43);
    const ids = kept.map((l) => Number((JSON.parse(l) as { id: string }).id.slice(1)));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(43);
  });
  it('is the same for the same seed and differs between seeds', () => {
    expect(dropRecords(corpus, 5, 1)).toEqual(dropRecords(corpus, 5, 1));
    expect(dropRecords(corpus, 5, 1)).not.toEqual(dropRecords(corpus, 5, 2));
  });
  it('drops nothing with drop 0 (empty lines are not records)', () => {
    expect(dropRecords(corpus, 0, 1).length).toBe(50);
  });
  it('reaches every record over seeds (uniform sample, not a fixed window)', () => {
    const seen = new Set<string>();
    const all = corpus.split('\n').filter(Boolean);
    for (let s = 0; s < 200; s++) {
      const kept = new Set(dropRecords(corpus, 3, s));
      for (const l of all) if (!kept.has(l)) seen.add(l);
    }
    expect(seen.size).toBe(50);
  });
  it('rejects a drop that leaves no record, and a bad count', () => {
    expect(() => dropRecords(corpus, 50, 1)).toThrow(/cannot drop 50 of 50/);
    expect(() => dropRecords(corpus, -1, 1)).toThrow(RangeError);
    expect(() => dropRecords(corpus, 1.5, 1)).toThrow(RangeError);
  });
});

describe('spread', () => {
  it('gives mean, sample sd and range', () => {
    const s = spread([0.27, 0.28, 0.265, 0.275]);
    expect(s.n).toBe(4);
    expect(s.mean).toBeCloseTo(0.2725, 10);
    expect(s.sd).toBeCloseTo(Math.sqrt((0.0025 ** 2 + 0.0075 ** 2 + 0.0075 ** 2 + 0.0025 ** 2) / 3), 10);
    expect([s.min, s.max]).toEqual([0.265, 0.28]);
  });
  it('ignores missing values; sd 0 for one value; NaN for none', () => {
    expect(spread([0.5, Number.NaN])).toEqual({ n: 1, mean: 0.5, sd: 0, min: 0.5, max: 0.5 });
    expect(spread([]).mean).toBeNaN();
  });
});
