// Typed arrays over SharedArrayBuffer: what the pool's kernels read and write without copying.

import type { CsrMatrix } from '../types.ts';
import type { WorkerPool } from './pool.ts';
import type { WasmArena } from '../wasm/arena.ts';

/** A Float64Array of `length` zeros over shared memory. */
export function sharedFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));
}

/** A Float32Array of `length` zeros over shared memory. */
export function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
}

/** An Int32Array of `length` zeros over shared memory. */
export function sharedInt32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * Int32Array.BYTES_PER_ELEMENT));
}

export function isShared(a: ArrayBufferView): boolean {
  return a.buffer instanceof SharedArrayBuffer;
}

/**
 * Below this many stored entries, a pass over a matrix stays on the calling thread. The same
 * size as TF-IDF's counting passes (PARALLEL_MIN_TOKENS, measured there), not measured apart:
 * 20 Newsgroups' counts (1.2M entries) stay on one thread, arXiv's (5.9M) and larger are split.
 */
export const PARALLEL_MIN_ENTRIES = 1 << 22;

/** Whether the pool's threads can read `m` where it is (every array in shared memory) and it is large enough to split (`minEntries`). */
export function poolableMatrix(m: CsrMatrix, minEntries = PARALLEL_MIN_ENTRIES): boolean {
  return m.indices.length >= minEntries && isShared(m.indptr) && isShared(m.indices) && isShared(m.data);
}

/** `pool` when a pass over `m` should be split over it (two or more threads, poolableMatrix), else undefined. */
export function poolFor(pool: WorkerPool | undefined, m: CsrMatrix): WorkerPool | undefined {
  return pool !== undefined && pool.threads > 1 && poolableMatrix(m) ? pool : undefined;
}

/** `a` itself when it already lives in shared memory, else a shared copy. */
export function toSharedFloat64(a: Float64Array): Float64Array {
  if (isShared(a)) return a;
  const s = sharedFloat64(a.length);
  s.set(a);
  return s;
}

export function toSharedFloat32(a: Float32Array): Float32Array {
  if (isShared(a)) return a;
  const s = sharedFloat32(a.length);
  s.set(a);
  return s;
}

/**
 * A pooled kernel's result, read from its shared output buffer, as an ordinary array the caller
 * owns: copied into `into` when the caller gave one of the same length (a block it no longer
 * reads), else into a new array.
 */
export function copyOut(out: Float64Array, into?: Float64Array): Float64Array {
  if (into?.length !== out.length) return out.slice();
  into.set(out);
  return into;
}

/** A Uint8Array of `length` zeros over shared memory. */
export function sharedUint8(length: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(length));
}

export function toSharedUint8(a: Uint8Array): Uint8Array {
  if (isShared(a)) return a;
  const s = sharedUint8(a.length);
  s.set(a);
  return s;
}

export function toSharedInt32(a: Int32Array): Int32Array {
  if (isShared(a)) return a;
  const s = sharedInt32(a.length);
  s.set(a);
  return s;
}

/**
 * Reusable shared buffers, one per role. Why: V8 collects SharedArrayBuffers lazily (measured:
 * randomized PCA on arXiv peaked at ~1.1 GB with a fresh shared buffer per product, 0.6 GB on one
 * thread), so kernels write into these and callers get ordinary arrays back (a copy costs
 * ~2 % of a product).
 *
 * One buffer per role, not per role and shape: a PCA alternates rows × l, cols × l and rows × d
 * blocks, and a buffer per shape kept ~400 MB of shared memory alive on arXiv where the largest
 * shape of each role needs ~190 MB. Each request gets a view of the role's buffer; a larger
 * request replaces the buffer, so callers that know their shapes reserve() the largest first.
 */
export class SharedScratch {
  private readonly buffers = new Map<string, { buffer: SharedArrayBuffer | null; offset: number; bytes: number }>();

  private wasmArena: WasmArena | undefined;

  /**
   * With an `arena`, the buffers are allocated in its WebAssembly memory, where the WebAssembly
   * kernels can reach them (a replaced buffer's space is then not reused: reserve() first).
   */
  constructor(arena?: WasmArena) {
    this.wasmArena = arena;
  }

  /** The arena the buffers live in, if any (until release()). */
  get arena(): WasmArena | undefined {
    return this.wasmArena;
  }

  /** Makes the buffer of `role` hold at least `bytes` (so later requests never replace it). */
  reserve(role: string, bytes: number): void {
    this.region(role, bytes);
  }

  private region(role: string, bytes: number): { buffer: ArrayBufferLike; offset: number } {
    let r = this.buffers.get(role);
    if (!r || r.bytes < bytes) {
      r = this.wasmArena ? { buffer: null, offset: this.wasmArena.alloc(bytes), bytes } : { buffer: new SharedArrayBuffer(bytes), offset: 0, bytes };
      this.buffers.set(role, r);
    }
    // An arena's buffer object changes when its memory grows: views are made on the current one.
    return { buffer: r.buffer ?? this.wasmArena!.memory.buffer, offset: r.offset };
  }

  /**
   * `length` float64 values of the buffer for `role`; zero-filled when `zero`. Valid until the
   * next request for the same role (whatever its length).
   */
  float64(role: string, length: number, zero: boolean): Float64Array {
    const { buffer, offset } = this.region(role, length * Float64Array.BYTES_PER_ELEMENT);
    const b = new Float64Array(buffer, offset, length);
    if (zero) b.fill(0);
    return b;
  }

  /** `length` int32 values of the buffer for `role` (not cleared). Valid until the next request for the same role. */
  int32(role: string, length: number): Int32Array {
    const { buffer, offset } = this.region(role, length * Int32Array.BYTES_PER_ELEMENT);
    return new Int32Array(buffer, offset, length);
  }

  /** `length` float32 values of the buffer for `role` (not cleared). Valid until the next request for the same role. */
  float32(role: string, length: number): Float32Array {
    const { buffer, offset } = this.region(role, length * Float32Array.BYTES_PER_ELEMENT);
    return new Float32Array(buffer, offset, length);
  }

  /** `a` itself when shared, else a copy in the buffer for `role`. */
  copyOf(role: string, a: Float64Array): Float64Array {
    if (isShared(a)) return a;
    const b = this.float64(role, a.length, false);
    b.set(a);
    return b;
  }

  /**
   * `a` rounded to float32 in the shared buffer for `role`: the gathered operand of the sparse
   * products, which read it as float32 (see sparse-products.ts). Valid until the next request
   * for the same role.
   */
  float32From(role: string, a: Float64Array | Float32Array): Float32Array {
    const { buffer, offset } = this.region(role, a.length * Float32Array.BYTES_PER_ELEMENT);
    const b = new Float32Array(buffer, offset, a.length);
    b.set(a);
    return b;
  }

  /**
   * Drops every buffer, and the arena (the memory goes once no thread holds a view; later
   * requests allocate anew, in plain shared memory).
   */
  release(): void {
    this.buffers.clear();
    this.wasmArena = undefined;
  }
}
