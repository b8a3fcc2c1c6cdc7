// Blocks of k-means dot products (x·c for a block of rows and every centre) on the WebAssembly
// kernel of dots-module.ts, for the JavaScript assignment loops (kmeans-assign.ts) to settle.
// Each thread has one small memory of its own: the centres (as interleaved pairs) and a block of
// rows are copied in (the rows cost ~3 % of the products at d = 100, k = 30), and the products
// come out in a view of it.

import { ARENA_MAX_PAGES } from './arena.ts';
import { DOTS_BLOCK, dotsModuleBytes } from './dots-module.ts';

type DotsBlockFn = (rows: number, nRows: number, pairs: number, last: number, k: number, d: number, out: number) => void;

/** Rows per block: the block's rows and products stay in the first-level cache. */
export const DOT_BLOCK_ROWS = 64;

/** The thread's kernel and its memory (layout: centre pairs | odd last centre | rows | out). */
interface DotsThread {
  memory: WebAssembly.Memory;
  run: DotsBlockFn;
}

let thread: DotsThread | null | undefined;

function dotsThread(): DotsThread | null {
  if (thread === undefined) {
    try {
      const bytes = dotsModuleBytes(ARENA_MAX_PAGES);
      if (!WebAssembly.validate(bytes)) {
        thread = null;
      } else {
        const memory = new WebAssembly.Memory({ initial: 1, maximum: ARENA_MAX_PAGES, shared: true });
        const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
        thread = { memory, run: instance.exports[DOTS_BLOCK] as DotsBlockFn };
      }
    } catch {
      thread = null;
    }
  }
  return thread;
}

/** The dot-product blocks of one set of centres; see dotBlocks. */
export interface DotBlocks {
  /** Copy up to DOT_BLOCK_ROWS rows (row-major, d columns) here before run(). */
  readonly rows: Float32Array;
  /** After run(n): out[r·k + j] = rows[r]·c_j for r < n. */
  readonly out: Float64Array;
  run(n: number): void;
}

/**
 * The thread's dot-product blocks set up for `centroids` (k × d, float64), or null when
 * WebAssembly SIMD is not available. One set of centres per thread at a time: a later call
 * replaces the centres (and the views) of an earlier one.
 */
export function dotBlocks(centroids: Float64Array, k: number, d: number): DotBlocks | null {
  const t = dotsThread();
  if (!t) return null;
  if (centroids.length !== k * d) throw new RangeError(`dotBlocks: ${centroids.length} centre values, expected ${k} × ${d}`);
  const pairsBytes = (k >> 1) * 2 * d * 8;
  const lastAt = pairsBytes;
  const rowsAt = lastAt + d * 8;
  const outAt = Math.ceil((rowsAt + DOT_BLOCK_ROWS * d * 4) / 16) * 16;
  const end = outAt + DOT_BLOCK_ROWS * k * 8;
  const missing = Math.ceil(end / 65536) - t.memory.buffer.byteLength / 65536;
  if (missing > 0) t.memory.grow(missing);
  const buffer = t.memory.buffer;
  const pairs = new Float64Array(buffer, 0, pairsBytes / 8);
  for (let j = 0; j + 1 < k; j += 2) {
    const p = j * d; // pair j/2 starts at (j/2)·2d
    for (let s = 0; s < d; s++) {
      pairs[p + 2 * s] = centroids[j * d + s]!;
      pairs[p + 2 * s + 1] = centroids[(j + 1) * d + s]!;
    }
  }
  if (k % 2 === 1) new Float64Array(buffer, lastAt, d).set(centroids.subarray((k - 1) * d, k * d));
  const rows = new Float32Array(buffer, rowsAt, DOT_BLOCK_ROWS * d);
  const out = new Float64Array(buffer, outAt, DOT_BLOCK_ROWS * k);
  return {
    rows,
    out,
    run(n: number): void {
      if (!(Number.isInteger(n) && n >= 0 && n <= DOT_BLOCK_ROWS)) throw new RangeError(`dotBlocks: ${n} rows, at most ${DOT_BLOCK_ROWS}`);
      t.run(rowsAt, n, 0, lastAt, k, d, outAt);
    },
  };
}
