// A full garbage collection of the calling thread, for worker threads between jobs.
// Why: a worker's heap holds the wrappers of every SharedArrayBuffer a job sent it, and the
// shared memory is freed only once every thread has collected its wrappers. Kernels allocate
// almost nothing in the worker's heap, so an idle worker may not collect for the rest of the
// run, keeping e.g. the PCA's shared copies of X and Xᵀ (~95 MB on arXiv) alive after the main
// thread dropped them. The pool asks for a collection where big shared arrays were let go.
//
// Node exposes gc() only behind --expose-gc; setting the flag at run time makes it available in
// contexts created afterwards (a new vm context here), without changing the process's flags.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Heap growth over one job (bytes) beyond which a thread of the pool collects after it: a job
 * that grew the heap this much (tokenizing: ~200 MB per thread on arXiv) left most of it as
 * garbage, which an idle worker would keep for the rest of the run. The numeric kernels allocate
 * far less and never trigger it.
 */
export const HEAP_GROWTH_TO_COLLECT = 64 * 1024 * 1024;

type Gc = (options?: { type: 'major' | 'minor' }) => void;
let gc: Gc | null | undefined;

/**
 * A collection of the calling thread: 'full' (every generation; the default), or 'young' (the
 * young generation alone, ~1 ms: frees what died young, e.g. the views of a short-lived shared
 * buffer, but nothing that has moved to the old generation). False (and nothing done) when the
 * runtime does not allow it.
 */
export function collectGarbage(kind: 'full' | 'young' = 'full'): boolean {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const f: unknown = runInNewContext('gc');
      gc = typeof f === 'function' ? (f as Gc) : null;
    } catch {
      gc = null;
    }
  }
  gc?.(kind === 'young' ? { type: 'minor' } : undefined);
  return gc !== null;
}
