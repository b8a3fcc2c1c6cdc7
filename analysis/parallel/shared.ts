// Typed arrays over SharedArrayBuffer: what the pool's kernels read and write without copying.

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
 */
export class SharedScratch {
  private readonly buffers = new Map<string, Float64Array>();
  private readonly buffers32 = new Map<string, Float32Array>();

  /**
   * The buffer for `role` with `length` values (one per role and length: a PCA alternates a few
   * shapes); zero-filled when `zero`. Valid until the next call for the same role and length.
   */
  float64(role: string, length: number, zero: boolean): Float64Array {
    const key = `${role}:${length}`;
    let b = this.buffers.get(key);
    if (!b) {
      b = sharedFloat64(length);
      this.buffers.set(key, b);
    } else if (zero) {
      b.fill(0);
    }
    return b;
  }

  /** `a` itself when shared, else a copy in the buffer for `role`. */
  copyOf(role: string, a: Float64Array): Float64Array {
    if (isShared(a)) return a;
    const b = this.float64(role, a.length, false);
    b.set(a);
    return b;
  }

  /**
   * `a` rounded to float32 in the shared buffer for `role` (one per role and length): the
   * gathered operand of the sparse products, which read it as float32 (see sparse-products.ts).
   * Valid until the next call for the same role and length.
   */
  float32From(role: string, a: Float64Array | Float32Array): Float32Array {
    const key = `${role}:${a.length}`;
    let b = this.buffers32.get(key);
    if (!b) {
      b = sharedFloat32(a.length);
      this.buffers32.set(key, b);
    }
    b.set(a);
    return b;
  }
}
