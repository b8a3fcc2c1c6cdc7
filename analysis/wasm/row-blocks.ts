// Blocks of row × column sums on the WebAssembly kernels of row-block-module.ts, for JavaScript
// loops that copy rows in and settle the results: k-means' dot products x·c (kmeans-assign.ts,
// float32 rows) and the tall × small product A·B (linalg.ts, float64 rows); also the Gram panels of
// gramRowsInto (gram-module.ts), which share the memory. Each thread has one
// small memory of its own: the columns (as interleaved pairs) and a block of rows are copied in
// (a row costs `width` stores against width × columns multiply-adds), and the sums come out in a
// view.

import { ARENA_MAX_PAGES } from './arena.ts';
import { GRAM_PANEL, gramModuleBytes } from './gram-module.ts';
import { DOTS_F32, DOTS_F64, rowBlockModuleBytes } from './row-block-module.ts';

type RowBlockFn = (rows: number, nRows: number, pairs: number, last: number, cols: number, width: number, out: number, upper: number) => void;
type GramPanelFn = (panel: number, n: number, slotRows: number, kp: number, acc: number) => void;

/** Rows per block: the block's rows and sums stay in the first-level cache. */
export const ROW_BLOCK_ROWS = 64;

/** The thread's kernels and their memory (layout: column pairs | odd last column | rows | out). */
interface KernelThread {
  memory: WebAssembly.Memory;
  f32: RowBlockFn;
  f64: RowBlockFn;
  gram: GramPanelFn;
}

let thread: KernelThread | null | undefined;
let enabled = true;

/**
 * Turns this thread's row-block kernels off (the callers then run their JavaScript loops) or
 * back on: for tests that check the two paths give the same numbers, and for measuring.
 */
export function useRowBlockKernels(on: boolean): void {
  enabled = on;
}

function kernelThread(): KernelThread | null {
  if (!enabled) return null;
  if (thread === undefined) {
    try {
      const rowBytes = rowBlockModuleBytes(ARENA_MAX_PAGES);
      const gramBytes = gramModuleBytes(ARENA_MAX_PAGES);
      if (!WebAssembly.validate(rowBytes) || !WebAssembly.validate(gramBytes)) {
        thread = null;
      } else {
        const memory = new WebAssembly.Memory({ initial: 1, maximum: ARENA_MAX_PAGES, shared: true });
        const rows = new WebAssembly.Instance(new WebAssembly.Module(rowBytes), { env: { memory } }).exports;
        const gram = new WebAssembly.Instance(new WebAssembly.Module(gramBytes), { env: { memory } }).exports;
        thread = { memory, f32: rows[DOTS_F32] as RowBlockFn, f64: rows[DOTS_F64] as RowBlockFn, gram: gram[GRAM_PANEL] as GramPanelFn };
      }
    } catch {
      thread = null;
    }
  }
  return thread;
}

/** Sums of blocks of rows with a fixed set of columns; see dotBlocks and tallBlocks. */
export interface RowBlocks<R extends Float32Array | Float64Array> {
  /** Copy up to ROW_BLOCK_ROWS rows (row-major, `width` values each) here before run(). */
  readonly rows: R;
  /**
   * After run(n): out[r·cols + j] = the sum of row r with column j, for r < n. After run(n, first)
   * (full columns only, `first` even): the columns from `first` on, out[r·(cols − first) + j − first].
   */
  readonly out: Float64Array;
  run(n: number, first?: number): void;
}

/**
 * The rows · columns sums of the 4 × 2 register blocks of dots4 / dots1 (kmeans-assign.ts) for
 * float32 rows and the k centres (k × d, float64): out[r·k + j] = x_r·c_j. Null when
 * WebAssembly SIMD is not available. One set of columns per thread at a time: a later call
 * (of either function) replaces the columns and views of an earlier one.
 */
export function dotBlocks(centroids: Float64Array, k: number, d: number): RowBlocks<Float32Array> | null {
  if (centroids.length !== k * d) throw new RangeError(`dotBlocks: ${centroids.length} centre values, expected ${k} × ${d}`);
  const t = kernelThread();
  return t && setUp(t, centroids, k, d, 4, t.f32, false, (b, at, n) => new Float32Array(b, at, n));
}

/**
 * The sums of multiplyTallBySmallRows' register blocks (linalg.ts) for float64 rows of width k and
 * the l columns of B, given as bt = Bᵀ (l × k, row-major, zero below B's diagonal when `upper`):
 * out[r·l + j] = Σ_{i < n_j} a_r[i]·b[i, j], n_j = k, or min(k, j + 2) rounded to the column pair
 * when `upper`. Null when WebAssembly SIMD is not available (see dotBlocks on sharing).
 */
export function tallBlocks(bt: Float64Array, l: number, k: number, upper: boolean): RowBlocks<Float64Array> | null {
  if (bt.length !== l * k) throw new RangeError(`tallBlocks: ${bt.length} values, expected ${l} × ${k}`);
  const t = kernelThread();
  return t && setUp(t, bt, l, k, 8, t.f64, upper, (b, at, n) => new Float64Array(b, at, n));
}

/** Panels of gramRowsInto (linalg.ts) for width k; see gramPanels. */
export interface GramPanels {
  /** kp = k rounded up to 4 columns. */
  readonly kp: number;
  /** The panel as interleaved column pairs: a[r][j] goes to panel[(j >> 1)·2R + 2r + (j & 1)]; columns ≥ k stay zero. */
  readonly panel: Float64Array;
  /** kp × kp sums, zero at first; run(n) adds the panel's first n rows' 4 × 2 blocks (upper block triangle). */
  readonly acc: Float64Array;
  run(n: number): void;
}

/**
 * The thread's Gram panel kernel for rows of width k and panels of `slotRows` rows, or null when
 * WebAssembly SIMD is not available (one set-up per thread at a time, as dotBlocks).
 */
export function gramPanels(k: number, slotRows: number): GramPanels | null {
  const t = kernelThread();
  if (!t) return null;
  const kp = (k + 3) & ~3;
  const panelBytes = kp * slotRows * 8;
  const accAt = panelBytes;
  const end = accAt + kp * kp * 8;
  const missing = Math.ceil(end / 65536) - t.memory.buffer.byteLength / 65536;
  if (missing > 0) t.memory.grow(missing);
  const buffer = t.memory.buffer;
  const panel = new Float64Array(buffer, 0, kp * slotRows).fill(0);
  const acc = new Float64Array(buffer, accAt, kp * kp).fill(0);
  return {
    kp,
    panel,
    acc,
    run(n: number): void {
      if (!(Number.isInteger(n) && n >= 0 && n <= slotRows)) throw new RangeError(`gramPanels: ${n} rows, at most ${slotRows}`);
      t.gram(0, n, slotRows, kp, accAt);
    },
  };
}

function setUp<R extends Float32Array | Float64Array>(
  t: KernelThread,
  columns: Float64Array,
  cols: number,
  width: number,
  rowBytes: number,
  run: RowBlockFn,
  upper: boolean,
  rowsView: (buffer: ArrayBufferLike, at: number, length: number) => R,
): RowBlocks<R> {
  const pairsBytes = (cols >> 1) * 2 * width * 8;
  const lastAt = pairsBytes;
  const rowsAt = lastAt + width * 8;
  const outAt = Math.ceil((rowsAt + ROW_BLOCK_ROWS * width * rowBytes) / 16) * 16;
  const end = outAt + ROW_BLOCK_ROWS * cols * 8;
  const missing = Math.ceil(end / 65536) - t.memory.buffer.byteLength / 65536;
  if (missing > 0) t.memory.grow(missing);
  const buffer = t.memory.buffer;
  const pairs = new Float64Array(buffer, 0, pairsBytes / 8);
  for (let j = 0; j + 1 < cols; j += 2) {
    const p = j * width; // pair j/2 starts at (j/2)·2·width
    for (let s = 0; s < width; s++) {
      pairs[p + 2 * s] = columns[j * width + s]!;
      pairs[p + 2 * s + 1] = columns[(j + 1) * width + s]!;
    }
  }
  if (cols % 2 === 1) new Float64Array(buffer, lastAt, width).set(columns.subarray((cols - 1) * width, cols * width));
  const flag = upper ? 1 : 0;
  return {
    rows: rowsView(buffer, rowsAt, ROW_BLOCK_ROWS * width),
    out: new Float64Array(buffer, outAt, ROW_BLOCK_ROWS * cols),
    run(n: number, first = 0): void {
      if (!(Number.isInteger(n) && n >= 0 && n <= ROW_BLOCK_ROWS)) throw new RangeError(`row blocks: ${n} rows, at most ${ROW_BLOCK_ROWS}`);
      // An even first column starts a stored pair, and leaves the odd last column (if any) last.
      if (!(Number.isInteger(first) && first >= 0 && first <= cols && first % 2 === 0 && (first === 0 || !upper))) {
        throw new RangeError(`row blocks: first column ${first} is not an even column of ${cols} full columns`);
      }
      run(rowsAt, n, first * width * 8, lastAt, cols - first, width, outAt, flag);
    },
  };
}
