// Per-paper token cache (pipeline/token-cache.ts): the corpus is the same whether built from the
// cache, from fresh tokenization, on one thread or several, whatever order papers were cached in.
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { NEW_FILE_PAGE_SIZE } from '../pipeline/store/page-size.ts';
import { WorkerPool } from '../analysis/parallel/pool.ts';
import { type DocText, tokenizeChunk, tokenizeCorpus } from '../analysis/text/tokenizer.ts';
import type { TokenizedCorpus } from '../analysis/types.ts';
import { createRandom } from '../analysis/random.ts';
import {
  decodePaperTokens,
  encodePaperTokens,
  KEEP_RUNS,
  memoryTokenStore,
  openTokenStore,
  paperTextHash,
  tokenCacheKey,
  tokenizePlace,
  tokenizeWithCache,
  type TokenStore,
  WARM_WORKER_MAX,
} from '../pipeline/token-cache.ts';

// Must run first in this file (vitest gives each file a fresh wink instance): wink types an
// unknown word by the context it first sees it in and caches that type.
describe('tokenization is a pure function of the text', () => {
  it("'15 USD' keeps 'usd' after '0.006USD' taught wink that USD is a currency", () => {
    const words = (text: string) => {
      const c = tokenizeChunk([{ title: '', text }]);
      return [...c.tokenSurfaces].map((s) => (s < 0 ? '|' : c.surfaces[s]));
    };
    expect(words('simulations costing 0.006USD per route')).toEqual(['simulations', 'costing', '|', 'usd', '|', 'route']);
    expect(words('for under 15 USD in inference costs')).toEqual(['usd', '|', 'inference', 'costs']);
  });
});

const docs: DocText[] = [
  { title: 'Vision LLMs for Robot Navigation', text: "A vision LLM's grounding of colour and color cues. Large-scale 3D scenes; costing 0.006USD." },
  { title: 'Graph neural networks', text: 'Graph neural networks (GNNs) learn on graphs. Under 15 USD per run, the U-Net baseline is cheaper.' },
  { title: '', text: 'Large-scale pretraining of vision-language models with 16M. parameters and the model\'s memory.' },
  { title: 'Graph neural networks', text: 'Graph neural networks (GNNs) learn on graphs. Under 15 USD per run, the U-Net baseline is cheaper.' }, // a duplicate
  { title: 'Empty abstract', text: '' },
  { title: 'Colour spaces', text: 'Colour colour COLOR spaces for large-scale vision; graph neural networks again.' },
];

/**
 * `pool` with its jobs observed: `onJob` before each runEach, `afterJob` after it. The calling
 * thread's `meanwhile` is passed on, unless `dropMeanwhile`.
 */
function observedPool(
  pool: WorkerPool,
  onJob: (kernel: string, partArgs: readonly unknown[]) => void,
  options: { afterJob?: () => void; dropMeanwhile?: boolean } = {},
): WorkerPool {
  const runEach = pool.runEach.bind(pool);
  return Object.assign(Object.create(pool) as WorkerPool, {
    runEach: <R,>(kernel: Parameters<WorkerPool['runEach']>[0], partArgs: readonly unknown[], meanwhile?: () => void): R[] => {
      onJob(kernel, partArgs);
      const out = runEach<R>(kernel, partArgs, options.dropMeanwhile ? undefined : meanwhile);
      options.afterJob?.();
      return out;
    },
  });
}

function plain(c: TokenizedCorpus) {
  return { terms: c.terms, display: c.display, docOffsets: [...c.docOffsets], tokenIds: [...c.tokenIds], variants: c.variants, tokenVariants: [...(c.tokenVariants ?? [])] };
}

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const r = createRandom(seed);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('per-paper records', () => {
  it('encode → decode gives the record back; a damaged record is refused', () => {
    const rec = { tokens: Int32Array.of(0, 1, -1, 2, 0), titleForms: Int32Array.of(0, 1) };
    const back = decodePaperTokens(encodePaperTokens(rec));
    expect([[...back.tokens], [...back.titleForms]]).toEqual([[...rec.tokens], [...rec.titleForms]]);
    const blob = encodePaperTokens(rec);
    expect(() => decodePaperTokens(blob.subarray(0, 12))).toThrow(/corrupt/);
    expect(() => decodePaperTokens(new Uint8Array(3))).toThrow(/corrupt/);
  });

  it('the config key follows the tokenizer options and checks them', () => {
    expect(tokenCacheKey({})).toBe(tokenCacheKey({ titleRepeat: 1, maxChars: 20000, extraStopWords: [] }));
    expect(tokenCacheKey({ extraStopWords: ['b', 'a'] })).toBe(tokenCacheKey({ extraStopWords: ['a', 'b'] }));
    expect(tokenCacheKey({ titleRepeat: 2 })).not.toBe(tokenCacheKey({}));
    expect(tokenCacheKey({ maxChars: 100 })).not.toBe(tokenCacheKey({}));
    expect(() => tokenCacheKey({ titleRepeat: -1 })).toThrow(/titleRepeat/);
  });
});

describe('tokenizeWithCache', () => {
  it.each([1, 2])('cold, warm and partly warm runs in any order give tokenizeCorpus (titleRepeat %i)', async (titleRepeat) => {
    const opts = { titleRepeat, extraStopWords: ['cheaper'] };
    const expected = plain(tokenizeCorpus(docs, opts));
    for (const seed of [1, 2, 3]) {
      const store = memoryTokenStore();
      const order = shuffled(docs, seed);
      // Cache a few papers first (in a shuffled order), then run on all of them, then again.
      const first = await tokenizeWithCache(order.slice(0, 3), opts, store);
      expect(first.tokenized).toBe(3);
      const second = await tokenizeWithCache(docs, opts, store);
      expect(second.cached).toBeGreaterThanOrEqual(2);
      expect(plain(second.corpus)).toEqual(expected);
      const third = await tokenizeWithCache(docs, opts, store);
      expect(third).toMatchObject({ cached: docs.length, tokenized: 0 });
      expect(plain(third.corpus)).toEqual(expected);
    }
  });

  it("keys records by the paper's textHash when ingest passed it, else by the hash of its text", async () => {
    const store = memoryTokenStore();
    const given = docs.map((d, i) => (i === 0 ? { ...d, textHash: 'f'.repeat(40) } : d));
    await tokenizeWithCache(given, {}, store);
    const key = tokenCacheKey({});
    expect(store.get(key, ['f'.repeat(40)]).size).toBe(1);
    expect(store.get(key, [paperTextHash(docs[0]!)]).size).toBe(0);
    expect(store.get(key, [paperTextHash(docs[1]!)]).size).toBe(1);
  });

  it('another config key does not read the old records', async () => {
    const store = memoryTokenStore();
    await tokenizeWithCache(docs, {}, store);
    const other = await tokenizeWithCache(docs, { extraStopWords: ['graph'] }, store);
    expect(other.tokenized).toBe(docs.length);
    expect(other.corpus.terms).not.toContain('graph');
  });

  it('the SQLite cache persists across opens, drops other configs, and survives a garbage file', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tt-tokcache-'));
    try {
      const expected = plain(tokenizeCorpus(docs, {}));
      let store = openTokenStore(out);
      expect((await tokenizeWithCache(docs, {}, store)).tokenized).toBe(docs.length);
      store.close();
      const raw = new Database(join(out, 'cache', 'tokens.sqlite'), { readonly: true });
      expect(raw.pragma('page_size', { simple: true })).toBe(NEW_FILE_PAGE_SIZE); // a new file's pages
      raw.close();
      store = openTokenStore(out);
      const warm = await tokenizeWithCache(docs, {}, store);
      expect(warm.tokenized).toBe(0);
      expect(plain(warm.corpus)).toEqual(expected);
      await tokenizeWithCache(docs.slice(0, 1), { titleRepeat: 2 }, store); // a new config key: old rows go
      expect((await tokenizeWithCache(docs, {}, store)).tokenized).toBe(docs.length);
      store.close();

      rmSync(join(out, 'cache'), { recursive: true });
      mkdirSync(join(out, 'cache'));
      writeFileSync(join(out, 'cache', 'tokens.sqlite'), 'not a database');
      store = openTokenStore(out);
      const rebuilt = await tokenizeWithCache(docs, {}, store);
      expect(rebuilt.tokenized).toBe(docs.length);
      expect(plain(rebuilt.corpus)).toEqual(expected);
      store.close();
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it(`prunes: a paper no run requested for ${KEEP_RUNS} runs is dropped, one requested every run stays`, async () => {
    const out = mkdtempSync(join(tmpdir(), 'tt-tokprune-'));
    try {
      const store = openTokenStore(out);
      const key = tokenCacheKey({});
      const keys = [...new Set(docs.map(paperTextHash))];
      expect((await tokenizeWithCache(docs, {}, store)).tokenized).toBe(docs.length); // run 1: all papers
      const sizes: number[] = [];
      for (let run = 2; run <= 3 * KEEP_RUNS; run++) {
        const night = await tokenizeWithCache(docs.slice(0, 1), {}, store); // later runs: one paper
        expect(night.tokenized).toBe(0);
        sizes.push(store.get(key, keys).size);
      }
      // last requested in run 1: still there after run KEEP_RUNS, gone after run KEEP_RUNS + 1
      expect(sizes[KEEP_RUNS - 2]).toBe(keys.length);
      expect(sizes[KEEP_RUNS - 1]).toBe(1);
      expect(sizes.at(-1)).toBe(1);
      expect([...store.get(key, keys).keys()]).toEqual([paperTextHash(docs[0]!)]);
      // a pruned paper comes back by tokenizing it again, and the corpus is still right
      const again = await tokenizeWithCache(docs, {}, store);
      expect(again.cached).toBe(1);
      expect(plain(again.corpus)).toEqual(plain(tokenizeCorpus(docs, {})));
      store.close();
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('rejects a bad parallelMin', async () => {
    await expect(tokenizeWithCache(docs, {}, memoryTokenStore(), { parallelMin: 0 })).rejects.toThrow(/parallelMin/);
  });
});

describe('worker threads', () => {
  let pool: WorkerPool | undefined;
  afterAll(() => pool?.close());

  it('two threads, from a cold and a partly warm cache, give the one-thread corpus', { timeout: 180_000 }, async () => {
    pool = await WorkerPool.start({ threads: 2 });
    const many = Array.from({ length: 40 }, (_, i) => docs[i % docs.length]!).map((d, i) => ({ title: d.title, text: `${d.text} item${i % 7}` }));
    for (const titleRepeat of [1, 2]) {
      const opts = { titleRepeat };
      const expected = plain(tokenizeCorpus(many, opts));
      const store = memoryTokenStore();
      const cold = await tokenizeWithCache(many, opts, store, { pool, parallelMin: 1 });
      expect(plain(cold.corpus)).toEqual(expected);
      const partial = memoryTokenStore();
      await tokenizeWithCache(shuffled(many, 5).slice(0, 15), opts, partial);
      const mixed = await tokenizeWithCache(many, opts, partial, { pool: () => Promise.resolve(pool!), parallelMin: 1 });
      expect(mixed.cached).toBeGreaterThan(0);
      expect(plain(mixed.corpus)).toEqual(expected);
    }
  });

  it('with a warm pool, fewer new papers than parallelMin are tokenized by a worker: the one-thread corpus', { timeout: 180_000 }, async () => {
    pool ??= await WorkerPool.start({ threads: 2 });
    const many = Array.from({ length: 30 }, (_, i) => ({ title: `t${i}`, text: `${docs[i % docs.length]!.text} fresh${i}` }));
    const store = memoryTokenStore();
    await tokenizeWithCache(many.slice(0, 24), {}, store);
    const jobs: unknown[][] = [];
    const spied = observedPool(pool, (kernel, partArgs) => jobs.push([kernel, partArgs.length]));
    const night = await tokenizeWithCache(many, {}, store, { pool: spied, parallelMin: 10, poolWarm: () => true });
    expect(night.tokenized).toBe(6);
    expect(jobs).toEqual([['tokenizeChunk', 2]]);
    expect(plain(night.corpus)).toEqual(plain(tokenizeCorpus(many, {})));
    // Without a warm pool they are tokenized here.
    const again = memoryTokenStore();
    await tokenizeWithCache(many.slice(0, 24), {}, again);
    jobs.length = 0;
    const here = await tokenizeWithCache(many, {}, again, { pool: spied, parallelMin: 10 });
    expect(jobs).toEqual([]);
    expect(plain(here.corpus)).toEqual(plain(night.corpus));
  });

  it('where the new papers are tokenized: the threads, one warm worker, or here', () => {
    const o = { pool: true, parallelMin: 2000, poolWarm: true, callerWarm: true };
    expect(tokenizePlace(74_728, o)).toBe('threads'); // a first night: this thread loaded wink while ingest waited
    expect(tokenizePlace(2_904, o)).toBe('threads');
    expect(tokenizePlace(300, o)).toBe('worker');
    // A night: this thread has no wink yet, and loading it costs more than the second thread saves.
    expect(tokenizePlace(2_904, { ...o, callerWarm: false })).toBe('worker');
    expect(tokenizePlace(WARM_WORKER_MAX - 1, { ...o, callerWarm: false })).toBe('worker');
    expect(tokenizePlace(WARM_WORKER_MAX, { ...o, callerWarm: false })).toBe('threads');
    expect(tokenizePlace(2_904, { ...o, callerWarm: false, poolWarm: false })).toBe('threads');
    expect(tokenizePlace(300, { ...o, callerWarm: false, poolWarm: false })).toBe('here');
    expect(tokenizePlace(74_728, { ...o, pool: false })).toBe('here');
  });

  it('a warm worker tokenizes while this thread loads the form dictionary, checked against the count the store gave', { timeout: 180_000 }, async () => {
    pool ??= await WorkerPool.start({ threads: 2 });
    const many = Array.from({ length: 30 }, (_, i) => ({ title: `t${i}`, text: `${docs[i % docs.length]!.text} later${i}` }));
    const events: string[] = [];
    const spied = observedPool(pool, () => events.push('job posted'), { afterJob: () => events.push('job done') });
    // A store whose dictionary says `skew` forms more than it holds: the records were checked
    // against a wrong count, so nothing of it may be used.
    const recording = (inner: TokenStore, skew = 0): TokenStore =>
      Object.assign(Object.create(inner) as TokenStore, {
        formCount: (k: string) => {
          events.push('count');
          return inner.formCount!(k) + skew;
        },
        forms: (k: string) => {
          events.push('forms');
          return inner.forms(k);
        },
      });
    const expected = plain(tokenizeCorpus(many, {}));
    const store = memoryTokenStore();
    await tokenizeWithCache(many.slice(0, 24), {}, store);
    const night = await tokenizeWithCache(many, {}, recording(store), { pool: spied, parallelMin: 10, poolWarm: () => true, callerWarm: () => false });
    expect(events).toEqual(['count', 'job posted', 'forms', 'job done']);
    expect(night.tokenized).toBe(6);
    expect(plain(night.corpus)).toEqual(expected);

    for (const broken of [1, 'throws'] as const) {
      const again = memoryTokenStore();
      await tokenizeWithCache(many.slice(0, 24), {}, again);
      const inner = broken === 'throws' ? Object.assign(Object.create(again) as TokenStore, { forms: () => { throw new Error('planted: forms unreadable'); } }) : again;
      events.length = 0;
      const fallback = await tokenizeWithCache(many, {}, recording(inner, broken === 'throws' ? 0 : broken), { pool: spied, parallelMin: 10, poolWarm: () => true, callerWarm: () => false });
      expect(fallback.tokenized, String(broken)).toBe(30);
      expect(fallback.cached).toBe(0);
      expect(plain(fallback.corpus)).toEqual(expected);
    }
  });

  it('a warm pool and a caller without wink: more new papers than parallelMin go to one worker, the same corpus', { timeout: 180_000 }, async () => {
    pool ??= await WorkerPool.start({ threads: 2 });
    const many = Array.from({ length: 30 }, (_, i) => ({ title: `t${i}`, text: `${docs[i % docs.length]!.text} novel${i}` }));
    const jobs: string[] = [];
    // Shared between the threads (tokenizeChunksParallel), or this thread's part left empty (a warm
    // worker's). A pool that never runs the caller's `meanwhile`: the dictionary loads after the job.
    const spied = observedPool(pool, (kernel, partArgs) => jobs.push(`${kernel} ${(partArgs[0] as { share?: unknown }).share ? 'shared' : 'one worker'}`), { dropMeanwhile: true });
    const store = memoryTokenStore();
    await tokenizeWithCache(many.slice(0, 10), {}, store);
    const worker = await tokenizeWithCache(many, {}, store, { pool: spied, parallelMin: 5, poolWarm: () => true, callerWarm: () => false });
    expect(worker.tokenized).toBe(20);
    expect(jobs).toEqual(['tokenizeChunk one worker']);
    expect(plain(worker.corpus)).toEqual(plain(tokenizeCorpus(many, {})));
    const again = memoryTokenStore();
    await tokenizeWithCache(many.slice(0, 10), {}, again);
    jobs.length = 0;
    const threads = await tokenizeWithCache(many, {}, again, { pool: spied, parallelMin: 5, poolWarm: () => true, callerWarm: () => true });
    expect(jobs).toEqual(['tokenizeChunk shared']);
    expect(plain(threads.corpus)).toEqual(plain(worker.corpus));
  });

  it('calls afterParallel once the workers are done (the stage retires the pool there), never on the one-thread path', { timeout: 180_000 }, async () => {
    pool ??= await WorkerPool.start({ threads: 2 });
    const many = Array.from({ length: 20 }, (_, i) => ({ title: `t${i}`, text: `${docs[i % docs.length]!.text} word${i}` }));
    let calls = 0;
    const afterParallel = async () => {
      calls++;
    };
    const parallel = await tokenizeWithCache(many, {}, memoryTokenStore(), { pool, parallelMin: 1, afterParallel });
    expect(calls).toBe(1);
    expect(plain(parallel.corpus)).toEqual(plain(tokenizeCorpus(many, {})));
    await tokenizeWithCache(many, {}, memoryTokenStore(), { pool, parallelMin: 1000, afterParallel });
    expect(calls).toBe(1);
  });
});

describe('large batches', () => {
  // 200k papers in one batch: spreading per-paper records into push(...) as arguments overflowed
  // the stack at ~125k (found by the 250k-paper scale run).
  it('tokenizes and caches 200,000 papers in one batch', { timeout: 120_000 }, async () => {
    const many = Array.from({ length: 200_000 }, (_, i) => ({ title: '', text: `graph networks item${i % 50}` }));
    const store = memoryTokenStore();
    const cold = await tokenizeWithCache(many, {}, store);
    expect(cold.tokenized).toBe(200_000);
    expect(cold.corpus.docOffsets.length).toBe(200_001);
    const warm = await tokenizeWithCache(many, {}, store);
    expect(warm.cached).toBe(200_000);
    expect(warm.corpus.tokenIds).toEqual(cold.corpus.tokenIds);
  });
});

const arxiv = join(__dirname, '../../shared/data/arxiv-cs-daily.jsonl.gz');
describe.skipIf(!existsSync(arxiv))('real abstracts (arXiv, first 4000)', () => {
  it('cached in a shuffled order in pieces = tokenized at once', { timeout: 300_000 }, async () => {
    const lines = gunzipSync(readFileSync(arxiv)).toString('utf8').split('\n', 4000).filter(Boolean);
    const real: DocText[] = lines.map((l) => JSON.parse(l) as { title?: string; text?: string }).map((p) => ({ title: p.title ?? '', text: p.text ?? '' }));
    const expected = plain(tokenizeCorpus(real, {}));
    const store = memoryTokenStore();
    const order = shuffled(real, 11);
    for (let i = 0; i < order.length; i += 1000) await tokenizeWithCache(order.slice(i, i + 1000), {}, store);
    const warm = await tokenizeWithCache(real, {}, store);
    expect(warm.tokenized).toBe(0);
    expect(plain(warm.corpus)).toEqual(expected);
  });
});
