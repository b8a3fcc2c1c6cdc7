// Records written by a helper thread (TokenStore.putBehind) while the corpus is assembled: the
// SQLite cache holds the same records as when written in line, and a failed write only reports.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type DocText, tokenizeCorpus } from '../analysis/text/tokenizer.ts';
import type { TokenizedCorpus } from '../analysis/types.ts';
import { memoryTokenStore, openTokenStore, type TokenStore, tokenizeWithCache } from '../pipeline/token-cache.ts';

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
      putBehind: () => Promise.reject(new Error('disk full')),
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
          return Promise.resolve();
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
