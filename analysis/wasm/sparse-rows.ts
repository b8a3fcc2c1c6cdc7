// Runs the WebAssembly sparse × dense kernel (sparse-rows-module.ts) on arrays that live in a
// WasmArena's memory. The module is compiled once per thread, on first use; an instance is cheap
// and is made per call.

import { checkRowProduct } from '../sparse-products.ts';
import type { CsrMatrix } from '../types.ts';
import { ARENA_MAX_PAGES } from './arena.ts';
import { CSR_ROWS, sparseRowsModuleBytes } from './sparse-rows-module.ts';

type CsrRowsFn = (indptr: number, indices: number, data: number, b: number, out: number, k: number, rowStart: number, rowEnd: number) => void;

let module: WebAssembly.Module | null | undefined;

/** The compiled kernel module, or null when this engine lacks WebAssembly SIMD. */
function kernelModule(): WebAssembly.Module | null {
  if (module === undefined) {
    const bytes = sparseRowsModuleBytes(ARENA_MAX_PAGES);
    module = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return module;
}

/** Whether the WebAssembly kernels can run here (fixed SIMD and shared memory). */
export function wasmKernelsAvailable(): boolean {
  try {
    return kernelModule() !== null;
  } catch {
    return false;
  }
}

/**
 * The kernel bound to `memory`. A new instance per call (microseconds for this module; the
 * compiled code is the module's, shared by its instances): a cached one would keep the last
 * arena's memory alive after its products were released (measured: +1.5 GB through the rest of a
 * 1M-paper run).
 */
function kernelFor(memory: WebAssembly.Memory): CsrRowsFn {
  const mod = kernelModule();
  if (!mod) throw new Error('WebAssembly SIMD is not available in this engine');
  return new WebAssembly.Instance(mod, { env: { memory } }).exports[CSR_ROWS] as CsrRowsFn;
}

/**
 * A first call runs the engine's baseline code; the optimised code is compiled in the background
 * and used from the next call on. Calling in blocks of rows lets a long product switch over early.
 */
const ROWS_PER_CALL = 2048;

/**
 * csrTimesDenseRows (sparse-products.ts) with identical results, for arrays in `memory` (X's
 * arrays, b and out must all be views of it: allocated from one WasmArena).
 */
export function wasmCsrTimesDenseRows(
  memory: WebAssembly.Memory,
  X: CsrMatrix,
  b: Float32Array,
  k: number,
  out: Float64Array,
  rowStart: number,
  rowEnd: number,
): void {
  const { indptr, indices, data } = X;
  if (!(data instanceof Float32Array)) throw new TypeError('wasmCsrTimesDenseRows: X.data must be a Float32Array in the arena');
  checkRowProduct('wasmCsrTimesDenseRows', X, b, k, out, rowStart, rowEnd);
  const size = memory.buffer.byteLength;
  for (const a of [indptr, indices, data, b, out]) {
    if (a.byteOffset + a.byteLength > size) throw new RangeError('wasmCsrTimesDenseRows: an array lies outside the kernel memory');
  }
  const kernel = kernelFor(memory);
  for (let r = rowStart; r < rowEnd; r += ROWS_PER_CALL) {
    kernel(indptr.byteOffset, indices.byteOffset, data.byteOffset, b.byteOffset, out.byteOffset, k, r, Math.min(rowEnd, r + ROWS_PER_CALL));
  }
}
