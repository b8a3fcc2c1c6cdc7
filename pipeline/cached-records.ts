// The token cache's records of a window's papers (layout: token count, title count, the tokens'
// form ids, the title's form ids; see encodePaperTokens in token-cache.ts), left where they were
// read and found by position.
//
// Why: a night over 1M papers read from the prefetched rows (one buffer) made two views per paper
// (the row's bytes, then its Int32 record) and kept them for the whole lookup: 2M small objects
// that outlived the young generation (~0.5 s of copying and collecting on the main thread). Here
// a paper's record is a pool (an Int32Array) and an offset into it: for the prefetched rows one
// pool, the whole buffer.

/** Paper i's record is pools[pool[i]] from start[i]; pool[i] = -1 when it has none (not cached, or damaged). */
export interface CachedRecords {
  pools: Int32Array[];
  pool: Int32Array;
  start: Int32Array;
}

/**
 * Whether ints[at, at + length) is a well-formed record over a dictionary of `known` forms:
 * counts that add up to its length, token ids in [-1, known) (-1: a phrase boundary), title ids
 * in [0, known).
 */
export function isRecord(ints: Int32Array, at: number, length: number, known: number): boolean {
  if (length < 2) return false;
  const nTokens = ints[at]!;
  const nTitle = ints[at + 1]!;
  if (nTokens < 0 || nTitle < 0 || 2 + nTokens + nTitle !== length) return false;
  const titleAt = at + 2 + nTokens;
  for (let k = at + 2; k < titleAt; k++) if (ints[k]! < -1 || ints[k]! >= known) return false;
  for (let k = titleAt, end = at + length; k < end; k++) if (ints[k]! < 0 || ints[k]! >= known) return false;
  return true;
}

/** Rows packed in one buffer (row r is bytes[ends[r - 1], ends[r])) and which row each paper's record is (-1: none). */
export interface RowsOfPapers {
  bytes: Uint8Array;
  ends: Int32Array;
  rowOf: Int32Array;
}

/**
 * The records of papers whose rows are packed in one buffer, read in place (one pool over the
 * buffer); a row that is not 4-byte aligned in it is copied into a second pool. A damaged row
 * (its length not a whole number of ints, or not a record over `known` forms) counts as none.
 */
export function recordsInRows({ bytes, ends, rowOf }: RowsOfPapers, known: number): CachedRecords {
  const n = rowOf.length;
  const pool = new Int32Array(n).fill(-1);
  const start = new Int32Array(n);
  // Int32 view of the whole buffer, so that an offset into the buffer is an index.
  const lead = bytes.byteOffset % 4;
  const whole = new Int32Array(bytes.buffer, bytes.byteOffset - lead, (lead + bytes.byteLength) >> 2);
  const pools: Int32Array[] = [whole];
  let copies: Int32Array | undefined;
  let copied = 0;
  for (let i = 0; i < n; i++) {
    const r = rowOf[i]!;
    if (r < 0) continue;
    const from = r === 0 ? 0 : ends[r - 1]!;
    const bytesLength = ends[r]! - from;
    if (bytesLength % 4 !== 0) continue;
    const length = bytesLength >> 2;
    const offset = lead + from;
    if (offset % 4 === 0) {
      if (!isRecord(whole, offset >> 2, length, known)) continue;
      pool[i] = 0;
      start[i] = offset >> 2;
    } else {
      // Behind a damaged row of odd length: copied out, aligned.
      const ints = new Int32Array(Uint8Array.prototype.slice.call(bytes, from, from + bytesLength).buffer);
      if (!isRecord(ints, 0, length, known)) continue;
      if (copies === undefined || copied + length > copies.length) {
        const grown = new Int32Array(Math.max(1024, 2 * (copies?.length ?? 0), copied + length));
        if (copies) grown.set(copies.subarray(0, copied));
        copies = grown;
      }
      copies.set(ints, copied);
      pool[i] = 1;
      start[i] = copied;
      copied += length;
    }
  }
  if (copies) pools.push(copies.subarray(0, copied));
  return { pools, pool, start };
}

/**
 * The records of papers given one blob each (undefined: none), read in place when 4-byte aligned
 * (else copied); each is a pool of its own. A damaged blob counts as none.
 */
export function recordsOfBlobs(blobs: readonly (Uint8Array | undefined)[], known: number): CachedRecords {
  const n = blobs.length;
  const pool = new Int32Array(n).fill(-1);
  const start = new Int32Array(n);
  const pools: Int32Array[] = [];
  for (let i = 0; i < n; i++) {
    const blob = blobs[i];
    if (!blob || blob.byteLength % 4 !== 0) continue;
    const ints = blob.byteOffset % 4 === 0 ? new Int32Array(blob.buffer, blob.byteOffset, blob.byteLength >> 2) : new Int32Array(Uint8Array.prototype.slice.call(blob).buffer);
    if (!isRecord(ints, 0, ints.length, known)) continue;
    pool[i] = pools.length;
    pools.push(ints);
  }
  return { pools, pool, start };
}

/** No records for any of n papers. */
export function noRecords(n: number): CachedRecords {
  return { pools: [], pool: new Int32Array(n).fill(-1), start: new Int32Array(n) };
}
