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

/** Standard normal deviate (Box–Muller), for Gaussian test matrices. */
export function gaussian(random: Random): number {
  let u = 0;
  while (u === 0) u = random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * out[i] = gaussian(random) · scale for i in [start, end), where `random` is createRandom(seed)
 * positioned as if out[0 .. start) had been drawn two uniforms each: what a serial loop of
 * gaussian() over the whole array gives, so blocks can be filled on different threads. The one
 * exception is a first uniform of exactly 0 (probability 2⁻³², Box–Muller redraws it, shifting
 * the stream): the block stops there and returns that index, and the caller finishes the array
 * serially from it (gaussianFillFrom); otherwise returns -1.
 */
export function gaussianBlock(seed: number, out: Float64Array, start: number, end: number, scale: number): number {
  const random = createRandom(seed, 2 * start);
  for (let i = start; i < end; i++) {
    const u = random();
    if (u === 0) return i;
    const v = random();
    out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v) * scale;
  }
  return -1;
}

/**
 * The serial stream from index `from` on, given that out[0 .. from) took exactly two uniforms
 * each (the index a gaussianBlock returned, the first block's if several did).
 */
export function gaussianFillFrom(seed: number, out: Float64Array, from: number, scale: number): void {
  const random = createRandom(seed, 2 * from);
  for (let i = from; i < out.length; i++) out[i] = gaussian(random) * scale;
}

/** Derives an independent seed for sub-task `index` (e.g. the i-th k-means restart). */
export function deriveSeed(seed: number, index: number): number {
  let h = (seed >>> 0) ^ Math.imul(index + 1, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}
