// The projection of a large window onto a PCA basis, (X − 1μᵀ)·Cᵀ, a block of rows at a time.
//
// Why: the projection in one piece holds a shared copy of all of X (8 bytes per stored entry)
// and a rows × d float64 product beside the float32 scores it is rounded into. At a million
// papers (97M stored entries, d = 100) that is ~1.6 GB on top of the pipeline's ~5 GB, and it
// set the run's peak memory. Block by block, only one block's copy and product exist at a time,
// in buffers reused from block to block. Each score is computed by the same kernel from the same
// row, operand and shift whatever the blocks, so the scores are the same to the bit.

import { transpose } from './linalg.ts';
import { meanShift } from './pca-centred.ts';
import { csrRowsInScratch, parallelSparseProducts, wasmScratchFor } from './parallel/parallel-sparse-products.ts';
import type { WorkerPool } from './parallel/pool.ts';
import type { SharedScratch } from './parallel/shared.ts';
import { csrRowRange } from './sparse.ts';
import { serialSparseProducts, type SparseProducts } from './sparse-products.ts';
import type { CsrMatrix } from './types.ts';

/**
 * Rows per block of the projection of a large window (projectOntoPca): 131,072 rows are ~100 MB
 * of copied entries and ~105 MB of product at 97 stored entries per row and d = 100.
 */
export const PROJECTION_BLOCK_ROWS = 1 << 17;

/**
 * (X − 1μᵀ)·Cᵀ as float32 for components C (d × cols), `blockRows` rows at a time: on the pool's
 * threads when it has two or more, else on this one.
 */
export function projectRowBlocks(X: CsrMatrix, mean: Float64Array, components: Float64Array, d: number, blockRows: number, pool?: WorkerPool): Float32Array {
  const b = transpose(components, d, X.cols); // cols × d, the operand of every block
  const minus = { u: null, v: meanShift(mean, b, X.cols, d) };
  const scores = new Float32Array(X.rows * d);
  const scratch = pool !== undefined && pool.threads > 1 ? blockScratch(X, d, blockRows) : undefined;
  let last: SparseProducts | undefined;
  try {
    for (let r0 = 0; r0 < X.rows; r0 += blockRows) {
      const r1 = Math.min(X.rows, r0 + blockRows);
      last = scratch ? parallelSparseProducts(csrRowsInScratch(X, r0, r1, scratch), pool!, scratch, true) : serialSparseProducts(csrRowRange(X, r0, r1));
      scores.set(last.multiply(b, d, true, minus), r0 * d); // rounded to float32 as Float32Array.from rounds
    }
  } finally {
    // The blocks' shared buffers go now in the workers; this thread collects its young generation
    // only (see projectOntoPca).
    if (last?.release) last.release('young');
    else scratch?.release();
  }
  return scores;
}

/** Scratch for the largest block, every role reserved up front so no block replaces a buffer. */
function blockScratch(X: CsrMatrix, d: number, blockRows: number): SharedScratch {
  let maxNnz = 0;
  for (let r0 = 0; r0 < X.rows; r0 += blockRows) maxNnz = Math.max(maxNnz, X.indptr[Math.min(X.rows, r0 + blockRows)]! - X.indptr[r0]!);
  const rows = Math.min(blockRows, X.rows);
  const scratch = wasmScratchFor(maxNnz, rows, X.cols, d);
  scratch.reserve('rowsIndptr', (rows + 1) * 4);
  scratch.reserve('rowsIndices', maxNnz * 4);
  scratch.reserve('rowsData', maxNnz * 4);
  scratch.reserve('out', rows * d * 8);
  scratch.reserve('in32', X.cols * d * 4);
  return scratch;
}
