// Tokenizing in threads: each thread turns its own contiguous slice of documents into a chunk
// (analysis/text/tokenizer.ts's tokenizeChunk, with its own unit table, wink instance and local
// vocabulary; wink is loaded on the first unit a thread has not seen, not when the module loads);
// mergeChunks joins them in slice order. The tokenizer guarantees the same corpus however the
// documents are chunked, so the result equals the one-thread tokenizeCorpus exactly.

import { type ChunkOptions, type DocText, mergeChunks, type TokenizedChunk, type TokenizerOptions, tokenizeChunk } from '../text/tokenizer.ts';
import type { TokenizedCorpus } from '../types.ts';
import type { WorkerPool } from './pool.ts';

export interface TokenizeChunkArgs {
  docs: DocText[];
  opts: TokenizerOptions;
  chunkOpts?: ChunkOptions;
}

export function tokenizeChunkKernel(args: TokenizeChunkArgs): TokenizedChunk {
  return tokenizeChunk(args.docs, args.opts, args.chunkOpts);
}

/** tokenizeCorpus over the pool's threads; slices are balanced by characters, not by documents. */
export function tokenizeCorpusParallel(docs: ArrayLike<DocText>, opts: TokenizerOptions, pool: WorkerPool): TokenizedCorpus {
  return mergeChunks(tokenizeChunksParallel(docs, opts, pool));
}

/**
 * The chunks tokenizeCorpusParallel merges, one per thread, in document order (for per-paper
 * caching, which asks for each paper's title tokens and a sorted surface order: `chunkOpts`).
 */
export function tokenizeChunksParallel(docs: ArrayLike<DocText>, opts: TokenizerOptions, pool: WorkerPool, chunkOpts: ChunkOptions = {}): TokenizedChunk[] {
  const parts = pool.threads;
  if (parts === 1 || docs.length < parts) return [tokenizeChunk(docs, opts, chunkOpts)];
  const bounds = sliceByLength(docs, parts);
  const partArgs: TokenizeChunkArgs[] = [];
  for (let p = 0; p < parts; p++) {
    const slice: DocText[] = [];
    // Only the two fields the tokenizer reads travel to the worker (papers carry more).
    for (let i = bounds[p]; i < bounds[p + 1]; i++) slice.push({ title: docs[i].title, text: docs[i].text });
    partArgs.push({ docs: slice, opts, chunkOpts });
  }
  return pool.runEach<TokenizedChunk>('tokenizeChunk', partArgs);
}

/** parts + 1 document boundaries with about the same number of characters in each slice. */
export function sliceByLength(docs: ArrayLike<DocText>, parts: number): number[] {
  let total = 0;
  for (let i = 0; i < docs.length; i++) total += docs[i].title.length + docs[i].text.length + 1;
  const bounds = [0];
  let acc = 0;
  let i = 0;
  for (let p = 1; p < parts; p++) {
    const target = (total * p) / parts;
    while (i < docs.length && acc < target) {
      acc += docs[i].title.length + docs[i].text.length + 1;
      i++;
    }
    bounds.push(i);
  }
  bounds.push(docs.length);
  return bounds;
}
