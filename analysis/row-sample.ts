// A seeded sample of rows chosen by their ids, not their positions: the same ids and seed pick the
// same rows whatever order the rows come in, and a paper stays in (or out of) the sample from one
// night to the next while the window around it changes (a bottom-k sample on a hash of the id).

/**
 * The `size` rows whose seeded hash of `ids[i]` is smallest, as ascending row indices (so a
 * sub-matrix keeps the caller's row order). Ties of the 53-bit hash fall to the smaller id
 * (string order), so the choice depends only on the set of ids. size ≥ ids.length: all rows.
 */
export function sampleRowsById(ids: readonly string[], size: number, seed: number): Int32Array {
  const n = ids.length;
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`sampleRowsById: size must be a non-negative integer, got ${size}`);
  if (size >= n) return Int32Array.from({ length: n }, (_, i) => i);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = hash53(ids[i]!, seed);
  // The size-th smallest key: rows below it are in, rows equal to it are tie-broken by id.
  const threshold = Float64Array.from(keys).sort()[size - 1]!;
  const below: number[] = [];
  const tied: number[] = [];
  for (let i = 0; i < n; i++) {
    if (keys[i]! < threshold) below.push(i);
    else if (keys[i] === threshold) tied.push(i);
  }
  tied.sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : a - b));
  const rows = Int32Array.from([...below, ...tied.slice(0, size - below.length)]);
  return rows.sort();
}

/**
 * cyrb53 (a public-domain string hash, two 32-bit multiply-xor lanes) seeded: a 53-bit integer,
 * exact in a double, so 1M ids collide about once in 10⁴ runs instead of ~100 times per run with
 * a 32-bit hash. Not cryptographic; only needs to scatter ids evenly and the same way everywhere.
 */
export function hash53(s: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
