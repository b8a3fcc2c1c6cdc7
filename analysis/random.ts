import type { Random } from './types.ts';

/**
 * mulberry32: a tiny, fast 32-bit generator. Seeded runs must give identical output on every
 * machine, so nothing in analysis/ may call Math.random.
 */
export function createRandom(seed: number, skip = 0): Random {
  // The state only counts (a += constant per draw), so the stream can start at any position:
  // `skip` draws in, the generator returns what the skip + 1-th call of a fresh one would.
  let a = (((seed >>> 0) ^ 0x9e3779b9) + Math.imul(skip >>> 0, 0x6d2b79f5)) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviate (Box–Muller). */
export function gaussian(random: Random): number {
  let u = 0;
  while (u === 0) u = random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Fills `out` with ±scale, the signs drawn from createRandom(seed), 32 to a draw (bit b of draw w
 * is entry 32w + b; 1 = +), and returns it. The randomized PCA's test matrix: independent random
 * signs have the zero mean and unit variance of the Gaussian entries randomized range finders are
 * usually analysed with, and are their common cheap stand-in; they cost a 32nd of the draws and
 * no log or cos (profiled on arXiv's reduce, 49,231 terms × 110: the Gaussian ~0.48 CPU-s over
 * both threads; these signs 40–55 ms in the pool's reused buffer, ~0.1 s in a new array, whose
 * pages are touched for the first time).
 */
export function randomSigns(seed: number, out: Float64Array, scale: number): Float64Array {
  const random = createRandom(seed);
  const length = out.length;
  const twice = 2 * scale;
  for (let w = 0; w * 32 < length; w++) {
    const bits = (random() * 4294967296) >>> 0; // the generator's 32-bit output, exactly
    const end = Math.min(length, w * 32 + 32);
    // arithmetic, not a branch: the signs are unpredictable by design
    for (let i = w * 32; i < end; i++) out[i] = ((bits >>> (i & 31)) & 1) * twice - scale;
  }
  return out;
}

/** Derives an independent seed for sub-task `index` (e.g. the i-th k-means restart). */
export function deriveSeed(seed: number, index: number): number {
  let h = (seed >>> 0) ^ Math.imul(index + 1, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}
