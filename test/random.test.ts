import { describe, expect, it } from 'vitest';
import { createRandom, randomSigns } from '../analysis/random.ts';

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

describe('randomSigns', () => {
  it('is ±scale, bit b of draw w giving entry 32w + b, for lengths off a multiple of 32', () => {
    for (const length of [1, 31, 32, 33, 1000]) {
      const out = randomSigns(9, new Float64Array(length), 0.5);
      const r = createRandom(9);
      let bits = 0;
      for (let i = 0; i < length; i++) {
        if (i % 32 === 0) bits = Math.round(r() * 2 ** 32);
        expect(out[i]).toBe(Math.floor(bits / 2 ** (i % 32)) % 2 === 1 ? 0.5 : -0.5);
      }
    }
  });

  it('draws signs that are balanced and uncorrelated, as a test matrix needs', () => {
    const n = 1 << 16;
    const out = randomSigns(3, new Float64Array(2 * n), 1);
    let sum = 0;
    let lag1 = 0; // neighbours within a draw
    let across = 0; // the same bit of consecutive draws
    for (let i = 0; i < n; i++) sum += out[i]!;
    for (let i = 0; i + 1 < n; i++) lag1 += out[i]! * out[i + 1]!;
    for (let i = 0; i + 32 < n; i++) across += out[i]! * out[i + 32]!;
    // each a sum of ~65k independent ±1: standard deviation 256, so 5σ = 1280
    expect(Math.abs(sum)).toBeLessThan(1280);
    expect(Math.abs(lag1)).toBeLessThan(1280);
    expect(Math.abs(across)).toBeLessThan(1280);
    // two columns of a 65,536 × 2 block: nearly orthogonal
    let dot = 0;
    for (let i = 0; i < n; i++) dot += out[2 * i]! * out[2 * i + 1]!;
    expect(Math.abs(dot) / n).toBeLessThan(0.02);
    expect(randomSigns(4, new Float64Array(64), 1)).not.toEqual(randomSigns(3, new Float64Array(64), 1));
  });
});
