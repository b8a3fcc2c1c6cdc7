// The digest of an archive window: what an ingest artifact records so that a later run can tell
// whether the archive still holds the same window (store.ts, readWindow and windowOfInserted).
// Its own module, and every function self-contained (no imports, no outer names), because the
// archive's helper thread (load-behind.ts) runs these very functions, as source text, to digest a
// first night's window on its side while the main thread goes on.

/** What a window's digest covers for one paper: every stored field, the text through its hash. */
export function windowDigestKey(id: string, textHash: string, date: string, label: string | null, url: string | null, source: string, extraJson: string | null): string {
  return JSON.stringify([id, textHash, date, label, url, source, extraJson]);
}

/** A hash object as node:crypto's createHash makes it (passed in: this module imports nothing). */
interface LineHash {
  update(data: string): LineHash;
  digest(encoding: 'hex'): string;
}

/**
 * sha256 of `count` keys, one line each, in the order keyAt(0), keyAt(1), …, hashed 1024 lines at
 * a time. keyAt is called once per key, in that order, so a caller may make each key as it goes
 * (a key kept for all 75k papers lived long enough to be copied by the young-generation
 * collector: ~0.1 s on arXiv).
 */
export function digestWindowKeys(createHash: (algorithm: 'sha256') => LineHash, count: number, keyAt: (j: number) => string): string {
  const hash = createHash('sha256');
  let block: string[] = [];
  for (let j = 0; j < count; j++) {
    block.push(keyAt(j));
    if (block.length === 1024) {
      hash.update(block.join('\n') + '\n');
      block = [];
    }
  }
  if (block.length > 0) hash.update(block.join('\n') + '\n');
  return hash.digest('hex');
}
