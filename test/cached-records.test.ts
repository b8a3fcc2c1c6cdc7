// The token cache's records found by position (pipeline/cached-records.ts): in one buffer of
// packed rows, aligned or not, and one blob each; damaged records count as none, on both paths
// and through a whole tokenize from a cache with damaged rows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { type DocText, tokenizeCorpus } from '../analysis/text/tokenizer.ts';
import type { TokenizedCorpus } from '../analysis/types.ts';
import { type CachedRecords, isRecord, recordsInRows, recordsOfBlobs } from '../pipeline/cached-records.ts';
import { RecordCorpusBuilder } from '../pipeline/record-corpus.ts';
import { encodePaperTokens, openTokenStore, paperTextHash, tokenizeWithCache } from '../pipeline/token-cache.ts';
import { prefetchTokenRows } from '../pipeline/token-cache-prefetch.ts';

const KNOWN = 10;

/** Record bytes: well formed, or with the given damage. */
function record(tokens: number[], title: number[]): Uint8Array {
  return new Uint8Array(encodePaperTokens({ tokens: Int32Array.from(tokens), titleForms: Int32Array.from(title) }));
}
const good = [record([1, -1, 2, 3], [4]), record([], []), record([9, 0], [0, 9]), record([5], [])];
const oddLength = record([1, 2], []).subarray(0, 11); // not a whole number of ints
const badCounts = (() => {
  const r = record([1, 2], [3]);
  new DataView(r.buffer).setInt32(0, 5, true); // claims 5 tokens
  return r;
})();
const idTooLarge = record([1, KNOWN], []);
const titleBoundary = record([1], [-1]); // a title holds no phrase boundaries

/** What each paper's record is, as a plain array (undefined: none). */
function contents(r: CachedRecords): (number[] | undefined)[] {
  return Array.from(r.pool, (p, i) => {
    if (p < 0) return undefined;
    const ints = r.pools[p]!;
    const at = r.start[i]!;
    return [...ints.subarray(at, at + 2 + ints[at]! + ints[at + 1]!)];
  });
}

/** The reference: each blob copied, aligned, checked field by field. */
function expected(blobs: (Uint8Array | undefined)[]): (number[] | undefined)[] {
  return blobs.map((b) => {
    if (!b || b.byteLength % 4 !== 0 || b.byteLength < 8) return undefined;
    const ints = new Int32Array(Uint8Array.prototype.slice.call(b).buffer);
    const [nt, nh] = [ints[0]!, ints[1]!];
    if (nt < 0 || nh < 0 || 2 + nt + nh !== ints.length) return undefined;
    const tokens = [...ints.subarray(2, 2 + nt)];
    const title = [...ints.subarray(2 + nt)];
    if (tokens.some((f) => f < -1 || f >= KNOWN) || title.some((f) => f < 0 || f >= KNOWN)) return undefined;
    return [...ints];
  });
}

/** Rows packed back to back after `lead` bytes, and papers asking for rows `ask` (-1: none). */
function packed(rows: Uint8Array[], lead: number, ask: number[]) {
  const size = rows.reduce((s, r) => s + r.byteLength, 0);
  const buffer = new Uint8Array(lead + size + 3);
  const ends = new Int32Array(rows.length);
  let at = 0;
  rows.forEach((r, i) => {
    buffer.set(r, lead + at);
    ends[i] = at += r.byteLength;
  });
  return { bytes: buffer.subarray(lead, lead + size), ends, rowOf: Int32Array.from(ask) };
}

describe('cached records by position', () => {
  it('isRecord checks the counts against the length and the ids against the dictionary', () => {
    const ints = (b: Uint8Array) => new Int32Array(Uint8Array.prototype.slice.call(b).buffer);
    for (const g of good) expect(isRecord(ints(g), 0, g.byteLength / 4, KNOWN)).toBe(true);
    for (const bad of [badCounts, idTooLarge, titleBoundary]) expect(isRecord(ints(bad), 0, bad.byteLength / 4, KNOWN)).toBe(false);
    expect(isRecord(new Int32Array([0]), 0, 1, KNOWN)).toBe(false);
    // A record inside a larger array is read at its offset.
    const two = new Int32Array([7, 7, ...ints(good[0]!)]);
    expect(isRecord(two, 2, two.length - 2, KNOWN)).toBe(true);
    expect(isRecord(two, 2, two.length - 3, KNOWN)).toBe(false);
  });

  it('in packed rows: good rows read in place, rows behind an odd-length row copied, damaged rows none, at any alignment of the buffer', () => {
    const rows = [good[0]!, oddLength, good[1]!, badCounts, good[2]!, idTooLarge, titleBoundary, good[3]!];
    const ask = [4, -1, 0, 2, 7, 1, 3, 5, 6, 0, 4];
    for (const lead of [0, 1, 2, 3, 4]) {
      const p = packed(rows, lead, ask);
      const r = recordsInRows(p, KNOWN);
      expect(contents(r)).toEqual(expected(ask.map((i) => (i < 0 ? undefined : rows[i]))));
      // A row is read in place when it starts on a 4-byte boundary of the buffer (the rows
      // after the 11-byte one do not, at lead 0), else copied into the pool of copies.
      ask.forEach((row, i) => {
        if (r.pool[i]! < 0) return;
        const from = row === 0 ? 0 : p.ends[row - 1]!;
        expect(r.pools[r.pool[i]!]!.buffer === p.bytes.buffer).toBe((p.bytes.byteOffset + from) % 4 === 0);
      });
      expect(r.pools.length).toBeLessThanOrEqual(2);
    }
  });

  it('one blob each: aligned blobs in place, unaligned ones copied, damaged ones none', () => {
    const slab = new Uint8Array(64);
    slab.set(good[2]!, 1);
    const unaligned = slab.subarray(1, 1 + good[2]!.byteLength);
    const unalignedOdd = slab.subarray(33, 44);
    const blobs = [good[0]!, undefined, oddLength, unaligned, badCounts, good[3]!, idTooLarge, unalignedOdd];
    const r = recordsOfBlobs(blobs, KNOWN);
    expect(contents(r)).toEqual(expected(blobs));
    expect(r.pools[r.pool[0]!]!.buffer).toBe(good[0]!.buffer);
    expect(r.pools[r.pool[3]!]!.buffer).not.toBe(slab.buffer);
  });

  it('RecordCorpusBuilder.setRecordAt: a record read where it is in a large buffer, a record that is its whole buffer copied', () => {
    // The rows 4 bytes into their buffer: the pool is a view that does not start at the buffer's start.
    const p = packed([good[0]!, good[2]!, good[3]!], 4, [2, 0, 1]);
    const r = recordsInRows(p, KNOWN);
    const alone = recordsOfBlobs([good[2]!], KNOWN);
    const b = new RecordCorpusBuilder(4, 2);
    for (let i = 0; i < 3; i++) b.setRecordAt(i, r.pools[r.pool[i]!]!, r.start[i]!);
    b.setRecordAt(3, alone.pools[0]!, 0);
    const rc = b.build({ size: KNOWN } as never);
    const span = (pools: Int32Array[], pool: Int32Array, start: Int32Array, count: Int32Array, d: number) => [...pools[pool[d]!]!.subarray(start[d]!, start[d]! + count[d]!)];
    const tokensOf = (d: number) => span(rc.pools, rc.tokenPool, rc.tokenStart, rc.tokenCount, d);
    const titleOf = (d: number) => span(rc.pools, rc.titlePool!, rc.titleStart!, rc.titleCount!, d);
    expect([0, 1, 2, 3].map(tokensOf)).toEqual([[5], [1, -1, 2, 3], [9, 0], [9, 0]]);
    expect([0, 1, 2, 3].map(titleOf)).toEqual([[], [4], [0, 9], [0, 9]]);
    expect(rc.pools[rc.tokenPool[0]!]!.buffer).toBe(p.bytes.buffer);
    expect(rc.pools[rc.tokenPool[3]!]!.buffer).not.toBe(good[2]!.buffer);
  });
});

const docs: DocText[] = Array.from({ length: 30 }, (_, i) => ({
  title: ['Vision LLMs for robot navigation', 'Graph neural networks', ''][i % 3]!,
  text: `${['Large-scale 3D scenes; colour and color cues.', 'Graph neural networks learn on graphs.', "The model's memory of vision-language data."][i % 3]} topic${i % 7} item${i}`,
}));

function plain(c: TokenizedCorpus) {
  return { terms: c.terms, display: c.display, docOffsets: [...c.docOffsets], tokenIds: [...c.tokenIds], variants: c.variants };
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('a cache with damaged records', () => {
  it('tokenizes the damaged papers again, read ahead or from the file, and gives the corpus of tokenizing them all', { timeout: 60_000 }, async () => {
    for (const readAhead of [true, false]) {
      const out = mkdtempSync(join(tmpdir(), 'tt-cached-records-'));
      dirs.push(out);
      let store = openTokenStore(out);
      await tokenizeWithCache(docs, { titleRepeat: 2 }, store);
      store.close();
      // Damage three rows: an odd length (the rows after it in a prefetched buffer are then
      // unaligned), a token count that does not add up, a form id past the dictionary.
      const db = new Database(join(out, 'cache', 'tokens.sqlite'));
      const keyOf = (i: number) => paperTextHash(docs[i]!);
      const data = (i: number) => (db.prepare('SELECT data FROM papers WHERE paper_key = ?').get(keyOf(i)) as { data: Buffer }).data;
      const set = (i: number, b: Uint8Array) => db.prepare('UPDATE papers SET data = ? WHERE paper_key = ?').run(Buffer.from(b), keyOf(i));
      set(3, data(3).subarray(0, data(3).byteLength - 1));
      const counts = Buffer.from(data(10));
      counts.writeInt32LE(counts.readInt32LE(0) + 1, 0);
      set(10, counts);
      const ids = Buffer.from(data(17));
      ids.writeInt32LE(1 << 30, 8);
      set(17, ids);
      db.close();
      store = openTokenStore(out);
      if (readAhead) store.adopt!(await prefetchTokenRows(out).take());
      const again = await tokenizeWithCache(docs, { titleRepeat: 2 }, store);
      store.close();
      expect({ readAhead, cached: again.cached, tokenized: again.tokenized }).toEqual({ readAhead, cached: docs.length - 3, tokenized: 3 });
      expect(plain(again.corpus)).toEqual(plain(tokenizeCorpus(docs, { titleRepeat: 2 })));
    }
  });
});
