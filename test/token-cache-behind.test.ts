// Records written by a helper thread (TokenStore.putBehind) while the corpus is assembled: the
// SQLite cache holds the same records as when written in line, and a failed write only reports.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type DocText, tokenizeCorpus } from '../analysis/text/tokenizer.ts';
import type { TokenizedCorpus } from '../analysis/types.ts';
import { sharedInt32 } from '../analysis/parallel/shared.ts';
import { memoryTokenStore, openTokenStore, packStreamRows, type StreamRows, type TokenStore, tokenizeWithCache, waitForGate } from '../pipeline/token-cache.ts';

const base: DocText[] = [
  { title: 'Vision LLMs for Robot Navigation', text: 'Large-scale 3D scenes for robot navigation; colour and color cues.' },
  { title: 'Graph neural networks', text: 'Graph neural networks learn on graphs under 15 USD per run.' },
  { title: '', text: "The model's memory of vision-language pretraining." },
];
const docs: DocText[] = Array.from({ length: 30 }, (_, i) => ({ title: base[i % 3]!.title, text: `${base[i % 3]!.text} topic${i % 11}` }));

function plain(c: TokenizedCorpus) {
  return { terms: c.terms, display: c.display, docOffsets: [...c.docOffsets], tokenIds: [...c.tokenIds], variants: c.variants, tokenVariants: [...(c.tokenVariants ?? [])] };
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('write-behind', () => {
  it.each([1, 2])('rows written by the helper thread read back as the same corpus (titleRepeat %i)', { timeout: 60_000 }, async (titleRepeat) => {
    const out = mkdtempSync(join(tmpdir(), 'tt-behind-'));
    dirs.push(out);
    const opts = { titleRepeat };
    const expected = plain(tokenizeCorpus(docs, opts));
    let store = openTokenStore(out);
    let putBehind = 0;
    const inner = store.putBehind!.bind(store);
    store.putBehind = (...args) => {
      putBehind++;
      return inner(...args);
    };
    const cold = await tokenizeWithCache(docs.slice(0, 20), opts, store, { writeBehindMin: 1 });
    store.close();
    expect(putBehind).toBe(1);
    expect(cold.cacheError).toBeUndefined();
    // Reopened: the first 20 from the cache, the other 10 tokenized and written in line.
    store = openTokenStore(out);
    const mixed = await tokenizeWithCache(docs, opts, store, { writeBehindMin: 1000 });
    store.close();
    expect(mixed).toMatchObject({ cached: 20, tokenized: 10 });
    expect(plain(mixed.corpus)).toEqual(expected);
    store = openTokenStore(out);
    const warm = await tokenizeWithCache(docs, opts, store);
    store.close();
    expect(warm).toMatchObject({ cached: 30, tokenized: 0 });
    expect(plain(warm.corpus)).toEqual(expected);
  });

  it('a failed write is reported, the corpus is still right, and the run is not ended', async () => {
    const inner = memoryTokenStore();
    let ended = 0;
    const store: TokenStore = {
      forms: (k) => inner.forms(k),
      get: (k, keys) => inner.get(k, keys),
      put: (...args) => inner.put(...args),
      putBehind: () => ({ written: Promise.reject(new Error('disk full')), waitForCopy() {} }),
      endRun: () => void ended++,
      close() {},
    };
    const run = await tokenizeWithCache(docs, {}, store, { writeBehindMin: 1 });
    expect(run.cacheError).toBe('disk full');
    expect(plain(run.corpus)).toEqual(plain(tokenizeCorpus(docs, {})));
    expect(ended).toBe(0);
    // Below the threshold the rows go through put(), and the run ends.
    const inline = await tokenizeWithCache(docs, {}, store, { writeBehindMin: 31 });
    expect(inline.cacheError).toBeUndefined();
    expect(ended).toBe(1);
  });

  it('a window of writeBehindWindow papers or more writes even a few new records behind', async () => {
    let behind = 0;
    const emptyStore = (): TokenStore => {
      const inner = memoryTokenStore();
      return {
        forms: (k) => inner.forms(k),
        get: (k, keys) => inner.get(k, keys),
        put: (...args) => inner.put(...args),
        putBehind: () => {
          behind++;
          return { written: Promise.resolve(), waitForCopy() {} };
        },
        close() {},
      };
    };
    await tokenizeWithCache(docs, {}, emptyStore(), { writeBehindMin: 1000, writeBehindWindow: 31 });
    expect(behind).toBe(0);
    await tokenizeWithCache(docs, {}, emptyStore(), { writeBehindMin: 1000, writeBehindWindow: 30 });
    expect(behind).toBe(1);
  });
});

describe('write-behind: records cut from the shared stream by the helper thread', () => {
  const forms = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, surface: `s${i}` }));
  /** Three docs' form ids in shared memory, records for docs 2 and 0 (and doc 2's key again). */
  const stream = () => {
    const docOffsets = sharedInt32(4);
    docOffsets.set([0, 3, 5, 9]);
    const tokens = sharedInt32(9);
    tokens.set([1, -1, 2, 3, 4, 5, 6, -1, 7]);
    const rows: StreamRows = { keys: ['c', 'a', 'c'], docs: Int32Array.from([2, 0, 2]), tokens, docOffsets, gate: sharedInt32(1) };
    return rows;
  };

  it('packs each key once, from its first doc', () => {
    const { keys, bytes, ends } = packStreamRows(stream());
    expect(keys).toEqual(['c', 'a']);
    const ints = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    expect([...ints]).toEqual([4, 0, 5, 6, -1, 7, 3, 0, 1, -1, 2]);
    expect([...ends]).toEqual([24, 44]);
  });

  it('waitForCopy returns only once the thread has copied: the stream can then be overwritten', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tt-behind-'));
    dirs.push(out);
    const store = openTokenStore(out);
    const rows = stream();
    const expected = packStreamRows(rows);
    const write = store.putBehind!('cfg', 0, forms, rows);
    write.waitForCopy(); // the thread is still starting here: without the wait it would read the -9s
    rows.tokens.fill(-9);
    await write.written;
    const got = store.get('cfg', ['a', 'c']);
    store.close();
    expected.keys.forEach((k, r) => expect([...got.get(k)!]).toEqual([...expected.bytes.subarray(r === 0 ? 0 : expected.ends[r - 1]!, expected.ends[r]!)]));
    // The new forms read back in order.
    const reopened = openTokenStore(out);
    expect(reopened.forms('cfg')).toEqual(forms);
    reopened.close();
  });

  it('the helper thread leaves the WAL empty: the calling thread closes the last connection without a large log to delete', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tt-behind-'));
    dirs.push(out);
    const store = openTokenStore(out);
    const wal = join(out, 'cache', 'tokens.sqlite-wal');
    await store.putBehind!('cfg', 0, forms, stream()).written;
    expect(existsSync(wal)).toBe(true); // this connection is still open: the log stays, but empty
    expect(statSync(wal).size).toBe(0);
    expect(store.forms('cfg')).toEqual(forms); // what the checkpoint copied reads back
    expect(store.get('cfg', ['a', 'c']).size).toBe(2);
    store.close();
  });

  it("a second night's forms continue the first's; a batch that would not is refused", async () => {
    const out = mkdtempSync(join(tmpdir(), 'tt-behind-'));
    dirs.push(out);
    const store = openTokenStore(out);
    await store.putBehind!('cfg', 0, forms.slice(0, 20), stream()).written;
    expect(store.formCount!('cfg')).toBe(20);
    await store.putBehind!('cfg', 20, forms.slice(20), stream()).written;
    expect(store.forms('cfg')).toEqual(forms);
    // The count the records are checked against, without reading the forms; none for another key.
    expect(store.formCount!('cfg')).toBe(forms.length);
    expect(store.formCount!('other')).toBe(0);
    expect(() => store.putBehind!('cfg', 10, forms.slice(10), stream())).toThrow(/forms start at 50, not 10/);
    store.close();
  });

  it('a caller whose writer never starts gives up after the start timeout and closes the gate', () => {
    const gate = sharedInt32(1);
    const started = performance.now();
    waitForGate(gate, 50);
    expect(performance.now() - started).toBeGreaterThanOrEqual(40);
    expect(Atomics.load(gate, 0)).toBe(3); // GATE_CLOSED: a writer starting now writes nothing (next test)
    Atomics.store(gate, 0, 2); // GATE_DONE: the records are copied, nothing to wait for
    waitForGate(gate, 60_000);
  });

  it('a writer that finds the gate closed (the caller gave up waiting) writes nothing and fails', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tt-behind-'));
    dirs.push(out);
    const store = openTokenStore(out);
    const rows = stream();
    Atomics.store(rows.gate, 0, 3); // GATE_CLOSED
    const write = store.putBehind!('cfg', 0, forms, rows);
    await expect(write.written).rejects.toThrow(/after the corpus was assembled/);
    write.waitForCopy(); // returns at once: the gate is not open
    expect(store.get('cfg', ['a', 'c']).size).toBe(0);
    store.close();
  });
});
