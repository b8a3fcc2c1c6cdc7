// The digest of an archive window: what an ingest artifact records so that a later run can tell
// whether the archive still holds the same window (store.ts, readWindow and windowOfInserted).
// Its own module, and every function self-contained (no imports, no outer names but node's
// global Buffer), because the archive's helper thread (load-behind.ts) runs these very functions,
// as source text, to digest a first night's window on its side while the main thread goes on.

/** What a window's digest covers for one paper: every stored field, the text through its hash. */
export function windowDigestKey(id: string, textHash: string, date: string, label: string | null, url: string | null, source: string, extraJson: string | null): string {
  return JSON.stringify([id, textHash, date, label, url, source, extraJson]);
}

/** A hash object as node:crypto's createHash makes it (passed in: this module imports nothing). */
interface LineHash {
  update(data: Uint8Array): LineHash;
  digest(encoding: 'hex'): string;
}

/**
 * sha256 of `count` keys, one line each (the key's UTF-8, then a line feed), in the order
 * keyAt(0), keyAt(1), …. keyAt is called once per key, in that order, so a caller may make each
 * key as it goes (a key kept for all 75k papers lived long enough to be copied by the
 * young-generation collector: ~0.1 s on arXiv). The lines are written into a buffer of 1 MiB,
 * hashed each time it fills: joining blocks of keys into a string first, and hashing that, took
 * ~1.6× as long over arXiv's window (19 MB of keys; the sha256 itself is ~10 ms of it).
 */
export function digestWindowKeys(createHash: (algorithm: 'sha256') => LineHash, count: number, keyAt: (j: number) => string): string {
  const hash = createHash('sha256');
  let buffer = Buffer.allocUnsafe(1 << 20);
  let used = 0;
  for (let j = 0; j < count; j++) {
    const key = keyAt(j);
    const most = 3 * key.length + 1; // UTF-8 takes at most 3 bytes per UTF-16 code unit
    if (used + most > buffer.length) {
      if (used > 0) hash.update(buffer.subarray(0, used));
      used = 0;
      if (most > buffer.length) buffer = Buffer.allocUnsafe(most);
    }
    used += buffer.write(key, used, 'utf8');
    buffer[used++] = 10;
  }
  if (used > 0) hash.update(buffer.subarray(0, used));
  return hash.digest('hex');
}
