// The token cache's rows read ahead by a helper thread (pipeline/token-cache-prefetch.ts) and
// adopted by the store: the same records, the same corpus and the same pruning as reading the
// file; rows that no longer match the file, a missing or broken file, and a cancelled read are
// not used.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { type DocText, tokenizeCorpus } from '../analysis/text/tokenizer.ts';
import type { TokenizedCorpus } from '../analysis/types.ts';
import { KEEP_RUNS, openTokenStore, paperTextHash, tokenCacheKey, tokenizeWithCache } from '../pipeline/token-cache.ts';
import { prefetchTokenRows } from '../pipeline/token-cache-prefetch.ts';

const docs: DocText[] = Array.from({ length: 24 }, (_, i) => ({
  title: ['Vision LLMs for robot navigation', 'Graph neural networks', ''][i % 3]!,
  text: `${['Large-scale 3D scenes; colour and color cues.', 'Graph neural networks learn on graphs.', "The model's memory of vision-language data."][i % 3]} topic${i % 9} item${i}`,
}));

function plain(c: TokenizedCorpus) {
  return { terms: c.terms, display: c.display, docOffsets: [...c.docOffsets], tokenIds: [...c.tokenIds], variants: c.variants, tokenVariants: [...(c.tokenVariants ?? [])] };
}

/** The cache file's rows as (key, run stamp, record bytes), in key order. */
function fileRows(out: string): [string, number, string][] {
  const db = new Database(join(out, 'cache', 'tokens.sqlite'), { readonly: true });
  try {
    const rows = db.prepare<[], { paper_key: string; used: number; data: Buffer }>('SELECT paper_key, used, data FROM papers ORDER BY paper_key').all();
    return rows.map((r) => [r.paper_key, r.used, r.data.toString('hex')]);
  } finally {
    db.close();
  }
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempOut(): string {
  const out = mkdtempSync(join(tmpdir(), 'tt-prefetch-'));
  dirs.push(out);
  return out;
}

describe('token cache prefetch', () => {
  it('reads every row; the store answers from them with the same records, corpus and run stamps as from the file', { timeout: 60_000 }, async () => {
    const seeded = tempOut();
    let store = openTokenStore(seeded);
    await tokenizeWithCache(docs.slice(0, 16), { titleRepeat: 2 }, store);
    store.close();
    const withRows = tempOut();
    const fromFile = tempOut();
    cpSync(seeded, withRows, { recursive: true });
    cpSync(seeded, fromFile, { recursive: true });
    // Nights over a window that moves: each night reads the cache (half of it or more), and
    // the run stamps (refreshed every TOUCH_RUNS runs) and the pruning must come out the same.
    for (let night = 0; night < KEEP_RUNS + 2; night++) {
      const window = docs.slice(night % 8, 16 + (night % 8));
      const rows = await prefetchTokenRows(withRows).take();
      expect(rows).toBeDefined();
      expect(rows!.ends.length).toBe(fileRows(withRows).length);
      store = openTokenStore(withRows);
      // The records are asked for once, and answered from the rows read ahead (getRows: positions
      // in their buffer), not by getEach (a view per paper).
      let read = 0;
      let fromRows = 0;
      const inner = store.getEach!.bind(store);
      store.getEach = (k, keys) => {
        read++;
        return inner(k, keys);
      };
      const innerRows = store.getRows!.bind(store);
      store.getRows = (k, keys) => {
        const found = innerRows(k, keys);
        if (found) fromRows++;
        else read++;
        return found;
      };
      store.adopt!(rows);
      const adopted = await tokenizeWithCache(window, { titleRepeat: 2 }, store);
      store.close();
      store = openTokenStore(fromFile);
      const plainRun = await tokenizeWithCache(window, { titleRepeat: 2 }, store);
      store.close();
      expect({ read, fromRows }).toEqual({ read: 0, fromRows: 1 });
      expect({ cached: adopted.cached, tokenized: adopted.tokenized }).toEqual({ cached: plainRun.cached, tokenized: plainRun.tokenized });
      expect(adopted.cached).toBeGreaterThan(0);
      expect(plain(adopted.corpus)).toEqual(plain(plainRun.corpus));
      expect(plain(adopted.corpus)).toEqual(plain(tokenizeCorpus(window, { titleRepeat: 2 })));
      expect(fileRows(withRows)).toEqual(fileRows(fromFile));
    }
  });

  it('get() answers from the adopted rows, not from the file, and only once', async () => {
    const out = tempOut();
    let store = openTokenStore(out);
    await tokenizeWithCache(docs, {}, store);
    store.close();
    const rows = (await prefetchTokenRows(out).take())!;
    const first = rows.keys.split('\n')[0]!;
    rows.bytes[0] ^= 0xff; // marks row 0's copy: the file's record stays as it was
    const marked = Buffer.from(rows.bytes.subarray(0, rows.ends[0]!)).toString('hex');
    store = openTokenStore(out);
    store.adopt!(rows);
    const key = tokenCacheKey({});
    expect(Buffer.from(store.get(key, [first]).get(first)!).toString('hex')).toBe(marked);
    expect(Buffer.from(store.get(key, [first]).get(first)!).toString('hex')).not.toBe(marked);
    store.close();
  });

  it('getEach gives each key its record in order, repeats and unknown keys included, adopted or not', async () => {
    const out = tempOut();
    let store = openTokenStore(out);
    await tokenizeWithCache(docs.slice(0, 12), {}, store);
    store.close();
    const key = tokenCacheKey({});
    const hex = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('hex') : undefined);
    const asked = [...docs.slice(0, 12), docs[3]!, docs[20]!, docs[3]!].map(paperTextHash);
    store = openTokenStore(out);
    const fromFile = store.getEach!(key, asked).map(hex);
    store.adopt!(await prefetchTokenRows(out).take());
    const fromRows = store.getEach!(key, asked).map(hex);
    store.close();
    expect(fromRows).toEqual(fromFile);
    expect(fromFile.filter((b) => b === undefined)).toHaveLength(1); // docs[20] was never cached
    expect(fromFile[12]).toBe(fromFile[3]);
    expect(fromFile[14]).toBe(fromFile[3]);
  });

  it('rows that no longer match the file (another run wrote it since) are not used', async () => {
    const out = tempOut();
    let store = openTokenStore(out);
    await tokenizeWithCache(docs.slice(0, 10), {}, store);
    store.close();
    const rows = await prefetchTokenRows(out).take();
    expect(rows).toBeDefined();
    store = openTokenStore(out);
    await tokenizeWithCache(docs.slice(10, 20), {}, store); // a run in between: new rows, a new run count
    store.adopt!(rows);
    const key = tokenCacheKey({});
    const keys = docs.slice(0, 20).map(paperTextHash);
    expect(store.get(key, keys).size).toBe(new Set(keys).size);
    store.close();
  });

  it('no cache file, a file that is not a cache, and a cancelled read give nothing', async () => {
    const none = tempOut();
    expect(await prefetchTokenRows(none).take()).toBeUndefined();
    const broken = tempOut();
    mkdirSync(join(broken, 'cache'));
    writeFileSync(join(broken, 'cache', 'tokens.sqlite'), 'not a database');
    expect(await prefetchTokenRows(broken).take()).toBeUndefined();
    const out = tempOut();
    const store = openTokenStore(out);
    await tokenizeWithCache(docs, {}, store);
    store.close();
    const cancelled = prefetchTokenRows(out);
    cancelled.cancel();
    expect(await cancelled.take()).toBeUndefined();
    const taken = prefetchTokenRows(out);
    expect((await taken.take())?.ends.length).toBe(new Set(docs.map(paperTextHash)).size);
    expect(await taken.take()).toBeUndefined(); // handed over once
  });
});
