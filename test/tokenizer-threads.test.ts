// Tokenizing over 1, 2 and 3 threads with blocks claimed by whichever thread is free
// (analysis/parallel/tokenize-kernels.ts) gives the one-thread corpus exactly, and so does the
// per-paper cache path that consumes the chunks.
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkerPool } from '../analysis/parallel/pool.ts';
import { claim, inDocumentOrder, reorderDocs, tokenizeChunksParallel, workerReserve } from '../analysis/parallel/tokenize-kernels.ts';
import { type DocText, mergeChunks, type TokenizedChunk, tokenizeChunk, tokenizeCorpus } from '../analysis/text/tokenizer.ts';
import type { TokenizedCorpus } from '../analysis/types.ts';
import { memoryTokenStore, tokenizeWithCache } from '../pipeline/token-cache.ts';

function plain(c: TokenizedCorpus) {
  return { terms: c.terms, display: c.display, docOffsets: [...c.docOffsets], tokenIds: [...c.tokenIds], variants: c.variants, tokenVariants: [...(c.tokenVariants ?? [])] };
}

const BASE: DocText[] = [
  { title: 'Vision LLMs for Robot Navigation', text: "A vision LLM's grounding of colour and color cues. Large-scale 3D scenes; costing 0.006USD." },
  { title: 'Graph neural networks', text: 'Graph neural networks (GNNs) learn on graphs. Under 15 USD per run, the U-Net baseline is cheaper.' },
  { title: '', text: 'Results on Ego-QA-4.4K and on \\textsc{FineRS}-4k, -4k, with 16M. parameters.' },
  { title: 'Colour spaces', text: 'Colour colour COLOR spaces for large-scale vision; graph neural networks again.' },
  { title: 'Empty abstract', text: '' },
  // Beyond Latin-1 (a worker's texts arrive packed, these as UTF-16: packed-texts.ts).
  { title: 'Ω-networks — naïve', text: 'Ω-convergence of “quoted” naïve models; 😀 emoji and 𝔽 fields. Café au lait.' },
];

/** n documents, each a little different, so that units are new in every block. */
function synthetic(n: number): DocText[] {
  return Array.from({ length: n }, (_, i) => {
    const d = BASE[i % BASE.length]!;
    return { title: d.title, text: `${d.text} item${i % 13} Tok${i % 29}-${i % 7}k word${i}.` };
  });
}

const pools = new Map<number, WorkerPool>();
afterAll(async () => {
  for (const p of pools.values()) await p.close();
});
async function pool(threads: number): Promise<WorkerPool> {
  let p = pools.get(threads);
  if (!p) {
    p = await WorkerPool.start({ threads });
    pools.set(threads, p);
  }
  return p;
}

describe('dynamic blocks over 1, 2 and 3 threads', () => {
  it('tokenizeChunksParallel merged = tokenizeCorpus, whatever the block size and thread count', { timeout: 240_000 }, async () => {
    const docs = synthetic(600);
    for (const titleRepeat of [1, 2]) {
      const opts = { titleRepeat };
      const expected = plain(tokenizeCorpus(docs, opts));
      for (const threads of [1, 2, 3]) {
        const p = await pool(threads);
        expect(p.threads).toBe(threads);
        // maxPackedBytes 0: worker regions go as objects instead of packed bytes (too large to pack).
        for (const [blockDocs, maxPackedBytes] of [[1, undefined], [7, undefined], [256, undefined], [7, 0]] as const) {
          let shares: number[] = [];
          const chunks = tokenizeChunksParallel(docs, opts, p, { titleForms: true }, { blockDocs, maxPackedBytes, onShares: (s) => (shares = s) });
          expect(shares.length).toBe(threads);
          expect(shares.reduce((a, b) => a + b, 0)).toBe(docs.length);
          expect(plain(mergeChunks(chunks))).toEqual(expected);
          if (blockDocs === 7) {
            // Without local term ids (what the token cache asks for): the same surfaces, paper by paper.
            const bare = tokenizeChunksParallel(docs, opts, p, { titleForms: true, surfacesOnly: true }, { blockDocs, maxPackedBytes });
            expect(bare.every((c) => c.tokenIds.length === 0)).toBe(true);
            expect(docSurfaces(bare)).toEqual(docSurfaces(chunks));
            expect(() => mergeChunks(bare)).toThrow(/surfacesOnly/);
          }
          if (titleRepeat > 1) {
            // title forms (recorded when titles repeat) travel with their documents
            const titles = chunks.flatMap((c) => Array.from({ length: c.docOffsets.length - 1 }, (_, d) => [...c.titleSurfaces!.subarray(c.titleOffsets![d]!, c.titleOffsets![d + 1]!)].map((s) => c.surfaces[s])));
            const one = tokenizeChunk(docs, opts, { titleForms: true });
            const oneTitles = Array.from({ length: docs.length }, (_, d) => [...one.titleSurfaces!.subarray(one.titleOffsets![d]!, one.titleOffsets![d + 1]!)].map((s) => one.surfaces[s]));
            expect(titles).toEqual(oneTitles);
          }
        }
      }
    }
  });

  it('the per-paper cache path gives the same corpus over 1, 2 and 3 threads', { timeout: 240_000 }, async () => {
    const docs = synthetic(400);
    const expected = plain(tokenizeCorpus(docs, {}));
    for (const threads of [1, 2, 3]) {
      const r = await tokenizeWithCache(docs, {}, memoryTokenStore(), { pool: await pool(threads), parallelMin: 1 });
      expect(r.tokenized).toBe(docs.length);
      expect(plain(r.corpus)).toEqual(expected);
    }
  });
});

/** Each document's tokens as surface strings (-1: a boundary), over chunks in document order. */
function docSurfaces(chunks: readonly TokenizedChunk[]): (string | null)[][] {
  return chunks.flatMap((c) => Array.from({ length: c.docOffsets.length - 1 }, (_, d) => [...c.tokenSurfaces.subarray(c.docOffsets[d]!, c.docOffsets[d + 1]!)].map((s) => (s < 0 ? null : c.surfaces[s]!))));
}

describe('reordering and runs', () => {
  it('a chunk without term ids (surfacesOnly) holds everything else a full chunk holds, and reorders the same', () => {
    const docs = synthetic(40);
    const full = tokenizeChunk(docs, { titleRepeat: 2 }, { titleForms: true });
    const bare = tokenizeChunk(docs, { titleRepeat: 2 }, { titleForms: true, surfacesOnly: true });
    expect(full.tokenIds.length).toBe(full.tokenSurfaces.length);
    expect(bare.tokenIds.length).toBe(0);
    expect({ ...bare, tokenIds: full.tokenIds }).toEqual(full);
    const order = Int32Array.from({ length: docs.length }, (_, i) => docs.length - 1 - i);
    const reordered = reorderDocs(bare, order);
    expect(reordered.tokenIds.length).toBe(0);
    expect({ ...reordered, tokenIds: null }).toEqual({ ...reorderDocs(full, order), tokenIds: null });
  });

  it('reorderDocs moves documents with their tokens and title forms', () => {
    const docs = synthetic(6);
    const c = tokenizeChunk(docs, { titleRepeat: 2 }, { titleForms: true });
    const order = Int32Array.of(5, 4, 3, 2, 1, 0);
    const r = reorderDocs(c, order);
    const back = reorderDocs(r, order);
    expect([...back.tokenIds]).toEqual([...c.tokenIds]);
    expect([...back.titleSurfaces!]).toEqual([...c.titleSurfaces!]);
    expect([...r.tokenSurfaces.subarray(r.docOffsets[0]!, r.docOffsets[1]!)]).toEqual([...c.tokenSurfaces.subarray(c.docOffsets[5]!, c.docOffsets[6]!)]);
  });

  it('a worker leaves the last reserved blocks of its region to the calling thread', () => {
    const claims = new Int32Array(2);
    claims[1] = 100; // region 1: blocks [0, 100) unclaimed
    const reserve = workerReserve(100);
    expect(reserve).toBe(2);
    expect(workerReserve(40)).toBe(1); // at least one block of any region
    const byWorker: number[] = [];
    for (let k = claim(claims, 1, false, reserve); k >= 0; k = claim(claims, 1, false, reserve)) byWorker.push(k);
    expect(byWorker).toEqual(Array.from({ length: 98 }, (_, i) => 99 - i)); // from the back, down to block 2
    const byCaller: number[] = [];
    for (let k = claim(claims, 1, true); k >= 0; k = claim(claims, 1, true)) byCaller.push(k);
    expect(byCaller).toEqual([0, 1]);
    expect(workerReserve(0)).toBe(0);
  });

  it('inDocumentOrder rejects runs that miss or repeat a document', () => {
    const c = tokenizeChunk(synthetic(4));
    const d = tokenizeChunk(synthetic(4).slice(2));
    expect(mergeChunks(inDocumentOrder([{ chunk: tokenizeChunk(synthetic(4).slice(0, 2)), runs: [0, 2] }, { chunk: d, runs: [2, 2] }], 4))).toEqual(mergeChunks([c]));
    expect(() => inDocumentOrder([{ chunk: c, runs: [0, 4] }, { chunk: d, runs: [2, 2] }], 4)).toThrow(/exactly once/);
    expect(() => inDocumentOrder([{ chunk: d, runs: [2, 2] }], 4)).toThrow(/exactly once/);
    expect(() => inDocumentOrder([{ chunk: c, runs: [0, 3] }], 4)).toThrow(/returned 4 documents/);
  });
});

const ARXIV = '../shared/data/arxiv-cs-daily.jsonl.gz';

describe.skipIf(!existsSync(ARXIV))('real arXiv abstracts', () => {
  it('3,000 papers: 1, 2 and 3 threads with small blocks give the one-thread corpus', { timeout: 300_000 }, async () => {
    const lines = gunzipSync(readFileSync(ARXIV)).toString('utf8').split('\n').filter(Boolean);
    const docs: DocText[] = [];
    for (let i = 15_000; i < 34_500 && docs.length < 3000; i += 6) {
      const r = JSON.parse(lines[i]!) as { title?: string; text?: string };
      docs.push({ title: r.title ?? '', text: r.text ?? '' });
    }
    const expected = plain(tokenizeCorpus(docs, {}));
    for (const threads of [2, 3]) {
      const chunks = tokenizeChunksParallel(docs, {}, await pool(threads), {}, { blockDocs: 16 });
      expect(plain(mergeChunks(chunks))).toEqual(expected);
    }
  });
});
