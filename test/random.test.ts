import { describe, expect, it } from 'vitest';
import { createRandom, gaussian, gaussianBlock, gaussianFillFrom } from '../analysis/random.ts';

describe('createRandom', () => {
  it('keeps its seeded stream (known first values)', () => {
    const r = createRandom(42);
    expect([r(), r(), r()]).toEqual([0.4813160905614495, 0.9852536325342953, 0.7379171899519861]); // from the generator before `skip` existed
  });

  it('started `skip` draws in, continues the stream of a fresh generator exactly', () => {
    const fresh = createRandom(7);
    const stream = Array.from({ length: 1000 }, () => fresh());
    for (const skip of [0, 1, 2, 517, 999]) {
      const r = createRandom(7, skip);
      expect(Array.from({ length: 1000 - skip }, () => r())).toEqual(stream.slice(skip));
    }
    // positions far out (the state wraps around 2³²) agree too
    const far = createRandom(3, 2 ** 31 + 5);
    const step = createRandom(3, 2 ** 31 + 4);
    step();
    expect(far()).toBe(step());
  });
});

describe('gaussian blocks', () => {
  const serial = (seed: number, length: number, scale: number) => {
    const r = createRandom(seed);
    return Float64Array.from({ length }, () => gaussian(r) * scale);
  };

  it('blocks filled in any order give the serial loop bit for bit', () => {
    const want = serial(11, 5000, 0.25);
    const out = new Float64Array(5000);
    const cuts = [0, 1, 1700, 1701, 4096, 5000];
    for (let b = cuts.length - 2; b >= 0; b--) expect(gaussianBlock(11, out, cuts[b], cuts[b + 1], 0.25)).toBe(-1);
    expect(Array.from(out)).toEqual(Array.from(want));
  });

  it('finishing serially from an index continues the same stream', () => {
    const want = serial(5, 3000, 2);
    const out = new Float64Array(3000);
    gaussianBlock(5, out, 0, 1234, 2);
    gaussianFillFrom(5, out, 1234, 2);
    expect(Array.from(out)).toEqual(Array.from(want));
  });
});
