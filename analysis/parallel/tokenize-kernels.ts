// Tokenizing in threads. Each thread turns documents into a chunk (analysis/text/tokenizer.ts:
// its own unit table, wink instance and local vocabulary; wink is loaded on the first unit a
// thread has not seen, not when the module loads); mergeChunks joins the chunks.
//
// Balancing: the documents are cut into one region per thread (equal in characters); a worker
// is sent only its region (structured clone: it has no other copy of the texts) and tokenizes it
// in blocks of BLOCK_DOCS documents from the back. The calling thread holds every text: it does
// its own region, then takes blocks from the front of each worker's region until it meets that
// worker. Claims are one compare-and-swap on a shared (front, back) pair per region, so whichever
// thread is ahead (the calling thread usually is: a worker starts later and loads wink's model
// on its first unit) does the rest. A worker leaves the last few blocks of its region to the
// calling thread (workerReserve), which tokenizes them while the worker hands its chunk over.
// Which thread tokenizes a document changes nothing: a document's tokens depend on its text alone
// (wink.ts keeps wink's lexicon to the model's words) and the merge rules do not depend on the
// chunking; the chunks come back cut into runs of consecutive documents, in document order, so
// the corpus equals the one-thread tokenizeCorpus exactly, for any number of threads.

import { type ChunkOptions, chunkTokenizer, type DocText, mergeChunks, type TokenizedChunk, type TokenizerOptions, tokenizeChunk } from '../text/tokenizer.ts';
import type { TokenizedCorpus } from '../types.ts';
import { type PackedTexts, packedCount, packTexts, unpackTexts } from './packed-texts.ts';
import type { WorkerPool } from './pool.ts';
import { sharedInt32 } from './shared.ts';

/** Documents per claimed block: ~30 ms of tokenizing, so the threads finish within that of each other. */
export const BLOCK_DOCS = 256;

export interface TokenizeChunkArgs {
  /** The calling thread: every document. A worker: its region's documents only, packed (packed-texts.ts). */
  docs: ArrayLike<DocText> | PackedTexts;
  opts: TokenizerOptions;
  chunkOpts?: ChunkOptions;
  /** Regions and claims; absent: the documents as one chunk. */
  share?: SharePlan;
}

interface SharePlan {
  /** parts + 1 document boundaries: region p is documents [bounds[p], bounds[p + 1]). */
  bounds: number[];
  blockDocs: number;
  /** Shared: per worker region p, (front << 16) | back, in blocks of that region; [front, back) unclaimed. */
  claims: Int32Array;
  /** Per worker region p: the last blocks a worker leaves to the calling thread (see workerReserve). */
  reserve: number[];
}

/** A thread's chunk and the runs of documents in it, in chunk order: [first document, count] pairs. */
export interface ThreadShare {
  chunk: TokenizedChunk;
  runs: number[];
}

export function tokenizeChunkKernel(args: TokenizeChunkArgs, part: number): TokenizedChunk | ThreadShare {
  const share = args.share;
  if (!share) return tokenizeChunk(docsOf(args.docs), args.opts, args.chunkOpts);
  return part === 0 ? callingThreadShare(args, share) : workerShare(args, share, part);
}

function isPacked(docs: ArrayLike<DocText> | PackedTexts): docs is PackedTexts {
  return 'ends' in docs && 'wide' in docs && ArrayBuffer.isView((docs as PackedTexts).ends);
}

function docsOf(docs: ArrayLike<DocText> | PackedTexts): ArrayLike<DocText> {
  return isPacked(docs) ? unpackTexts(docs, 0, packedCount(docs)) : docs;
}

/** The calling thread: its region, then blocks from the front of each worker's region. */
function callingThreadShare(args: TokenizeChunkArgs, plan: SharePlan): ThreadShare {
  const docs = docsOf(args.docs);
  const { bounds, blockDocs, claims } = plan;
  const tok = chunkTokenizer(args.opts, args.chunkOpts);
  const runs = [0, bounds[1]!];
  tok.add(slice(docs, 0, bounds[1]!));
  for (let r = 1; r + 1 < bounds.length; r++) {
    let count = 0;
    for (let k = claim(claims, r, true); k >= 0; k = claim(claims, r, true)) {
      const from = bounds[r]! + k * blockDocs;
      const to = Math.min(bounds[r + 1]!, from + blockDocs);
      tok.add(slice(docs, from, to));
      count += to - from;
    }
    runs.push(bounds[r]!, count);
  }
  return { chunk: tok.build(), runs };
}

/** A worker: blocks of its region from the back; the chunk is put back in document order. */
function workerShare(args: TokenizeChunkArgs, plan: SharePlan, part: number): ThreadShare {
  const { docs } = args;
  const count = isPacked(docs) ? packedCount(docs) : docs.length;
  // A packed region's strings are made a block at a time, as the block is taken.
  const block = (from: number, to: number): DocText[] => (isPacked(docs) ? unpackTexts(docs, from, to) : slice(docs, from, to));
  const { blockDocs, claims } = plan;
  const tok = chunkTokenizer(args.opts, args.chunkOpts);
  let first = count;
  for (let k = claim(claims, part, false, plan.reserve[part]!); k >= 0; k = claim(claims, part, false, plan.reserve[part]!)) {
    first = k * blockDocs;
    tok.add(block(first, Math.min(count, first + blockDocs)));
  }
  const chunk = tok.build();
  // Blocks were added last first: reverse their order (within a block documents are in order).
  const n = count - first;
  const order = new Int32Array(n);
  let at = 0;
  for (let end = count; end > first; end = blockStart(end, blockDocs)) {
    const start = blockStart(end, blockDocs);
    for (let d = start; d < end; d++) order[d - first] = at + d - start;
    at += end - start;
  }
  return { chunk: n > 0 ? reorderDocs(chunk, order) : chunk, runs: [plan.bounds[part]! + first, n] };
}

/** Start of the block that ends at `end` (blocks start at multiples of blockDocs). */
function blockStart(end: number, blockDocs: number): number {
  return Math.floor((end - 1) / blockDocs) * blockDocs;
}

/**
 * Claims the next unclaimed block of region r from the front (the calling thread) or the back
 * (its worker, which leaves the last `reserve` blocks to the calling thread); -1 when none is left.
 */
export function claim(claims: Int32Array, r: number, front: boolean, reserve = 0): number {
  for (;;) {
    const v = Atomics.load(claims, r);
    const f = v >>> 16;
    const b = v & 0xffff;
    if (f >= b || (!front && b - f <= reserve)) return -1;
    const next = front ? ((f + 1) << 16) | b : (f << 16) | (b - 1);
    if (Atomics.compareExchange(claims, r, v, next) === v) return front ? f : b - 1;
  }
}

function slice(docs: ArrayLike<DocText>, from: number, to: number): DocText[] {
  const out: DocText[] = new Array(to - from);
  for (let i = from; i < to; i++) out[i - from] = docs[i]!;
  return out;
}

/** The chunk with document i = document order[i] of `c` (same vocabulary). */
export function reorderDocs(c: TokenizedChunk, order: Int32Array): TokenizedChunk {
  const docOffsets = new Int32Array(order.length + 1);
  for (let i = 0; i < order.length; i++) docOffsets[i + 1] = docOffsets[i]! + c.docOffsets[order[i]! + 1]! - c.docOffsets[order[i]!]!;
  const withIds = c.tokenIds.length > 0; // empty: a surfacesOnly chunk
  const tokenSurfaces = new Int32Array(docOffsets[order.length]!);
  const tokenIds = new Int32Array(withIds ? tokenSurfaces.length : 0);
  for (let i = 0; i < order.length; i++) {
    const from = c.docOffsets[order[i]!]!;
    const to = c.docOffsets[order[i]! + 1]!;
    if (withIds) tokenIds.set(c.tokenIds.subarray(from, to), docOffsets[i]!);
    tokenSurfaces.set(c.tokenSurfaces.subarray(from, to), docOffsets[i]!);
  }
  const out: TokenizedChunk = { ...c, docOffsets, tokenIds, tokenSurfaces };
  if (c.titleSurfaces && c.titleOffsets) {
    const titleOffsets = new Int32Array(order.length + 1);
    for (let i = 0; i < order.length; i++) titleOffsets[i + 1] = titleOffsets[i]! + c.titleOffsets[order[i]! + 1]! - c.titleOffsets[order[i]!]!;
    const titleSurfaces = new Int32Array(titleOffsets[order.length]!);
    for (let i = 0; i < order.length; i++) titleSurfaces.set(c.titleSurfaces.subarray(c.titleOffsets[order[i]!]!, c.titleOffsets[order[i]! + 1]!), titleOffsets[i]!);
    out.titleOffsets = titleOffsets;
    out.titleSurfaces = titleSurfaces;
  }
  return out;
}

/**
 * Documents [d0, d1) of a chunk as a chunk of its own (views, same vocabulary). Only the view
 * with `counts` carries the chunk's surface counts (zeros elsewhere), so that merging all views
 * of a chunk counts each form once.
 */
function docRange(c: TokenizedChunk, d0: number, d1: number, counts: boolean): TokenizedChunk {
  if (d0 === 0 && d1 === c.docOffsets.length - 1 && counts) return c;
  const o0 = c.docOffsets[d0]!;
  const o1 = c.docOffsets[d1]!;
  const docOffsets = new Int32Array(d1 - d0 + 1);
  for (let i = 0; i < docOffsets.length; i++) docOffsets[i] = c.docOffsets[d0 + i]! - o0;
  const out: TokenizedChunk = {
    docOffsets,
    tokenIds: c.tokenIds.subarray(o0, o1),
    tokenSurfaces: c.tokenSurfaces.subarray(o0, o1),
    terms: c.terms,
    surfaces: c.surfaces,
    surfaceTerm: c.surfaceTerm,
    surfaceCounts: counts ? c.surfaceCounts : new Int32Array(c.surfaceCounts.length),
  };
  if (c.titleSurfaces && c.titleOffsets) {
    const t0 = c.titleOffsets[d0]!;
    const titleOffsets = new Int32Array(d1 - d0 + 1);
    for (let i = 0; i < titleOffsets.length; i++) titleOffsets[i] = c.titleOffsets[d0 + i]! - t0;
    out.titleOffsets = titleOffsets;
    out.titleSurfaces = c.titleSurfaces.subarray(t0, c.titleOffsets[d1]!);
  }
  return out;
}

/** The threads' chunks cut into runs of consecutive documents, in document order (checked: every document once). */
export function inDocumentOrder(shares: readonly ThreadShare[], total: number): TokenizedChunk[] {
  const runs: { share: number; at: number; first: number; count: number }[] = [];
  shares.forEach((s, share) => {
    let at = 0;
    for (let i = 0; i < s.runs.length; i += 2) {
      const count = s.runs[i + 1]!;
      if (count > 0) runs.push({ share, at, first: s.runs[i]!, count });
      at += count;
    }
    if (at !== s.chunk.docOffsets.length - 1) throw new Error(`tokenize: thread ${share} returned ${s.chunk.docOffsets.length - 1} documents for runs of ${at}`);
  });
  runs.sort((a, b) => a.first - b.first);
  // The calling thread's own region and what it took of the next region are one run.
  for (let i = runs.length - 1; i > 0; i--) {
    const a = runs[i - 1]!;
    const b = runs[i]!;
    if (a.share === b.share && a.first + a.count === b.first && a.at + a.count === b.at) {
      a.count += b.count;
      runs.splice(i, 1);
    }
  }
  const counted = new Set<number>();
  const out: TokenizedChunk[] = [];
  let next = 0;
  for (const r of runs) {
    if (r.first !== next) throw new Error(`tokenize: documents ${next}… were not tokenized exactly once`);
    out.push(docRange(shares[r.share]!.chunk, r.at, r.at + r.count, !counted.has(r.share)));
    counted.add(r.share);
    next += r.count;
  }
  if (next !== total) throw new Error(`tokenize: ${next} of ${total} documents tokenized`);
  return out;
}

/** tokenizeCorpus over the pool's threads. */
export function tokenizeCorpusParallel(docs: ArrayLike<DocText>, opts: TokenizerOptions, pool: WorkerPool): TokenizedCorpus {
  return mergeChunks(tokenizeChunksParallel(docs, opts, pool));
}

export interface ParallelTokenizeOptions {
  /** Documents per claimed block (default BLOCK_DOCS). */
  blockDocs?: number;
  /** Told how many documents each thread tokenized (tests). */
  onShares?: (docsPerThread: number[]) => void;
  /** A worker region larger than this is sent as objects instead of packed (default MAX_PACKED_BYTES; tests). */
  maxPackedBytes?: number;
}

/**
 * Chunks in document order whose merge is tokenizeCorpusParallel's corpus (for per-paper caching,
 * which asks for each paper's title tokens: `chunkOpts`). See the file comment for the balancing.
 */
export function tokenizeChunksParallel(
  docs: ArrayLike<DocText>,
  opts: TokenizerOptions,
  pool: WorkerPool,
  chunkOpts: ChunkOptions = {},
  parallel: ParallelTokenizeOptions = {},
): TokenizedChunk[] {
  const parts = pool.threads;
  if (parts === 1 || docs.length < parts) {
    parallel.onShares?.([docs.length]);
    return [tokenizeChunk(docs, opts, chunkOpts)];
  }
  const bounds = sliceByLength(docs, parts);
  let blockDocs = parallel.blockDocs ?? BLOCK_DOCS;
  if (!Number.isInteger(blockDocs) || blockDocs < 1) throw new RangeError(`blockDocs must be a positive integer, got ${blockDocs}`);
  let widest = 0;
  for (let p = 0; p < parts; p++) widest = Math.max(widest, bounds[p + 1]! - bounds[p]!);
  blockDocs = Math.max(blockDocs, Math.ceil(widest / 0x7fff)); // block numbers fit the 15-bit halves of a claim
  const claims = sharedInt32(parts);
  for (let p = 1; p < parts; p++) claims[p] = Math.ceil((bounds[p + 1]! - bounds[p]!) / blockDocs); // front 0, back = blocks
  const reserve = [0];
  for (let p = 1; p < parts; p++) reserve.push(workerReserve(claims[p]!));
  const share: SharePlan = { bounds, blockDocs, claims, reserve };
  const partArgs: TokenizeChunkArgs[] = [{ docs, opts, chunkOpts, share }];
  for (let p = 1; p < parts; p++) partArgs.push({ docs: workerRegion(docs, bounds[p]!, bounds[p + 1]!, parallel.maxPackedBytes), opts, chunkOpts, share });
  const shares = pool.runEach<ThreadShare>('tokenizeChunk', partArgs);
  parallel.onShares?.(shares.map((s) => s.chunk.docOffsets.length - 1));
  return inDocumentOrder(shares, docs.length);
}

/**
 * tokenizeChunk(docs) done by the pool's first worker alone while the calling thread waits, or
 * does `meanwhile`: for a few documents when the workers have loaded wink already and the calling
 * thread has not (a night's new papers: tokenizeWithCache's poolWarm). With no worker, here (and
 * `meanwhile` after).
 */
export function tokenizeChunkOnWorker(docs: ArrayLike<DocText>, opts: TokenizerOptions, pool: WorkerPool, chunkOpts: ChunkOptions = {}, meanwhile?: () => void): TokenizedChunk {
  if (pool.threads === 1) {
    const chunk = tokenizeChunk(docs, opts, chunkOpts);
    meanwhile?.();
    return chunk;
  }
  const none: TokenizeChunkArgs = { docs: [], opts, chunkOpts };
  const mine: TokenizeChunkArgs = { docs: workerRegion(docs, 0, docs.length), opts, chunkOpts };
  // The other parts make empty chunks, which load nothing (wink is loaded on a thread's first unit).
  return pool.runEach<TokenizedChunk>('tokenizeChunk', Array.from({ length: pool.threads }, (_, p) => (p === 1 ? mine : none)), meanwhile)[1]!;
}

/**
 * Documents [from, to) as sent to a worker: only the two fields the tokenizer reads (papers carry
 * more), packed, or (a region too large for one buffer) as plain objects, cloned.
 */
function workerRegion(docs: ArrayLike<DocText>, from: number, to: number, maxPackedBytes?: number): PackedTexts | DocText[] {
  return packTexts(docs, from, to, maxPackedBytes) ?? plainRegion(docs, from, to);
}

function plainRegion(docs: ArrayLike<DocText>, from: number, to: number): DocText[] {
  const region: DocText[] = new Array(to - from);
  for (let i = from; i < to; i++) region[i - from] = { title: docs[i]!.title, text: docs[i]!.text };
  return region;
}

/**
 * Blocks of a worker's region (of `blocks`) left to the calling thread. After its last block a
 * worker still builds its chunk, puts its blocks back in document order and sends it (with the
 * garbage collection those copies bring on: ~0.5 s on half of arXiv), while the calling thread
 * builds its own chunk (~0.4 s) and then needs the worker's: the reserve covers the difference.
 * Profiles of cold arXiv runs (the worker's last block to the calling thread's last step on the
 * chunks): with 5% of the blocks (8) the calling thread tokenized ~0.4 s more and then built its
 * chunk while the worker sat idle for ~0.7 s in all; with none it waited ~0.1 s for the worker's
 * chunk; with 2% (3 blocks) the worker idles ~0.15 s and the calling thread does not wait.
 */
export function workerReserve(blocks: number): number {
  return Math.ceil(blocks * 0.02);
}

/** parts + 1 document boundaries with about the same number of characters in each slice. */
export function sliceByLength(docs: ArrayLike<DocText>, parts: number): number[] {
  let total = 0;
  for (let i = 0; i < docs.length; i++) total += docs[i]!.title.length + docs[i]!.text.length + 1;
  const bounds = [0];
  let acc = 0;
  let i = 0;
  for (let p = 1; p < parts; p++) {
    const target = (total * p) / parts;
    while (i < docs.length && acc < target) {
      acc += docs[i]!.title.length + docs[i]!.text.length + 1;
      i++;
    }
    bounds.push(i);
  }
  bounds.push(docs.length);
  return bounds;
}
