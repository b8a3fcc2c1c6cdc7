// The tall-matrix kernels of linalg.ts (Gram matrix, tall × small product) over a WorkerPool.
// Gram: threads claim fixed row blocks and write each block's partial sum to its own slot;
// linalg.ts adds the slots in block order, exactly as its one-thread path does. Tall × small:
// threads claim blocks of output rows (BLOCKS_PER_THREAD each on average), each row computed as
// on one thread.

import { GRAM_ROW_BLOCK, gramRowsInto, multiplyTallBySmallRows, type TallKernels } from '../linalg.ts';
import type { TaskCounter } from './kernels.ts';
import { BLOCKS_PER_THREAD } from './sparse-kernels.ts';
import type { WorkerPool } from './pool.ts';
import { copyOut, SharedScratch } from './shared.ts';

export interface GramBlocksArgs {
  a: Float64Array;
  m: number;
  k: number;
  partials: Float64Array;
}

export function gramBlocksKernel(args: GramBlocksArgs, _part: number, _parts: number, tasks: TaskCounter): null {
  const { a, m, k, partials } = args;
  const blocks = Math.ceil(m / GRAM_ROW_BLOCK);
  for (let b = tasks.next(blocks); b >= 0; b = tasks.next(blocks)) {
    gramRowsInto(a, k, b * GRAM_ROW_BLOCK, Math.min(m, (b + 1) * GRAM_ROW_BLOCK), partials, b * k * k);
  }
  return null;
}

export interface TallBySmallArgs {
  a: Float64Array;
  m: number;
  k: number;
  b: Float64Array;
  l: number;
  upper: boolean;
  out: Float64Array;
}

export function tallBySmallKernel(args: TallBySmallArgs, _part: number, parts: number, tasks: TaskCounter): null {
  const { a, m, k, b, l, upper, out } = args;
  // Blocks start on multiples of 4 rows (the kernel's fold), though any split gives the same values.
  const per = Math.max(4, Math.ceil(m / (parts * BLOCKS_PER_THREAD) / 4) * 4);
  const blocks = Math.ceil(m / per);
  for (let t = tasks.next(blocks); t >= 0; t = tasks.next(blocks)) multiplyTallBySmallRows(a, k, b, l, upper, out, t * per, Math.min(m, (t + 1) * per));
  return null;
}

/**
 * TallKernels on `pool`: inputs are copied into reused shared buffers, outputs come back as
 * ordinary arrays. Pass the `scratch` of the sparse products too, so both reuse the same buffers.
 */
export function poolTallKernels(pool: WorkerPool, scratch: SharedScratch = new SharedScratch()): TallKernels {
  return {
    get threads() {
      return pool.threads;
    },
    gramBlocks(a, m, k) {
      const partials = scratch.float64('partials', Math.ceil(m / GRAM_ROW_BLOCK) * k * k, true);
      const args: GramBlocksArgs = { a: scratch.copyOf('in', a), m, k, partials };
      pool.run('gramBlocks', args);
      return partials;
    },
    tallBySmall(a, m, k, b, l, upperTriangularB, into) {
      const out = scratch.float64('out', m * l, true);
      const args: TallBySmallArgs = { a: scratch.copyOf('in', a), m, k, b: scratch.copyOf('small', b), l, upper: upperTriangularB, out };
      pool.run('tallBySmall', args);
      return copyOut(out, into);
    },
    operandBuffer(length) {
      // The 'in' buffer, which the tall kernels copy their operand into (copyOf of itself is no copy).
      return scratch.float64('in', length, false);
    },
  };
}
