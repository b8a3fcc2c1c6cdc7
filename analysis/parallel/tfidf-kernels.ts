// TF-IDF's counting passes (tfidf-build.ts) over a WorkerPool. Each thread reads the corpus's
// token stream in shared memory (no copy: the tokenizer assembles it there) and counts its share:
// document frequencies and pair counts of a range of documents (they add up), count-matrix rows
// of a range of documents (row blocks and occurrence logs concatenate in order). Bigram
// candidates take two steps per bucket pass: the threads fill the shared buckets from their
// ranges of documents, then count them by ranges of left terms (candidates concatenate in order).
// Why not left-term ranges alone: each thread then reads every token and skips about half of
// them on an unpredictable branch, which cost nearly as much as the whole serial pass (measured
// on arXiv: 219 ms of 244). Each share runs the serial code on its range, so every result equals
// the one-thread fit exactly.

import {
  BigramLog,
  bigramEligible,
  bucketPasses,
  MAX_BUCKET_PASSES,
  BucketCounter,
  bucketStarts,
  type ColumnIndex,
  copyRowBlocks,
  countRows,
  type JoinedRows,
  joinedRowsLayout,
  mergeUnigramStats,
  pairsPerLeft,
  type RawCandidates,
  type RowBlock,
  scatterPairs,
  SharedSlabArrays,
  scoreCandidates,
  scoreRaw,
  type TfidfCounting,
  type UnigramStats,
  unigramStatsOfDocs,
  weigh,
  weighRows,
} from '../tfidf-build.ts';
import { phraseRanges, phraseVotes, serialPhraseVoter, type PhraseVoteInput, type PhraseVoter, type PhraseVotes } from '../tfidf-phrases.ts';
import { collectGarbage } from './collect.ts';
import { PARALLEL_MIN_ENTRIES, poolableMatrix, sharedFloat32, sharedInt32, toSharedFloat64, toSharedInt32, toSharedUint8 } from './shared.ts';
import type { CsrMatrix } from '../types.ts';
import { balancedRowBounds } from './sparse-kernels.ts';
import type { TaskCounter } from './kernels.ts';
import type { WorkerPool } from './pool.ts';

/** A corpus's token stream, in shared memory. */
export interface SharedTokenStream {
  tokenIds: Int32Array;
  docOffsets: Int32Array;
}

interface RangeArgs {
  stream: SharedTokenStream;
  /** Part p takes [bounds[p], bounds[p + 1]): documents, or left term ids for bigramsOfLeftTerms. */
  bounds: Int32Array;
}

export function tfidfUnigramKernel(args: RangeArgs & { V: number }, part: number): UnigramStats {
  const { tokenIds, docOffsets } = args.stream;
  return unigramStatsOfDocs(tokenIds, docOffsets, args.V, args.bounds[part]!, args.bounds[part + 1]!);
}

export function tfidfPairsPerLeftKernel(args: RangeArgs & { eligible: Uint8Array }, part: number): Int32Array {
  const { tokenIds, docOffsets } = args.stream;
  return pairsPerLeft(tokenIds, docOffsets, args.eligible, args.bounds[part]!, args.bounds[part + 1]!);
}

export function tfidfScatterPairsKernel(
  args: RangeArgs & { eligible: Uint8Array; lo: number; hi: number; fills: Int32Array[]; right: Int32Array; doc: Int32Array },
  part: number,
): null {
  const { tokenIds, docOffsets } = args.stream;
  scatterPairs(tokenIds, docOffsets, args.eligible, args.lo, args.hi, args.bounds[part]!, args.bounds[part + 1]!, args.fills[part]!, args.right, args.doc);
  return null;
}

export function tfidfCountBucketsKernel(
  args: { bounds: Int32Array; right: Int32Array; doc: Int32Array; start: Int32Array; base: number; V: number; cf: Float64Array; tokens: number },
  part: number,
): RawCandidates {
  const lo = args.bounds[part]!;
  const hi = args.bounds[part + 1]!;
  const counter = new BucketCounter(args.V, args.start[hi - args.base]! - args.start[lo - args.base]!);
  counter.countBuckets(args.right, args.doc, args.start, args.base, lo, hi);
  const raw = counter.result();
  raw.score = scoreRaw(raw, args.cf, args.tokens);
  return raw;
}

/**
 * Count-matrix rows of the document blocks this thread claims (blocks[t] to blocks[t + 1]), each
 * with its occurrence log. Claimed dynamically: a worker counts rows more slowly than the calling
 * thread (~20 % on arXiv), and fixed halves left the caller waiting ~80 ms.
 */
export function tfidfCountRowsKernel(
  args: { stream: SharedTokenStream; blocks: Int32Array; cols: number; index: ColumnIndex; log: boolean },
  part: number,
  _parts: number,
  tasks: TaskCounter,
): { task: number[]; block: RowBlock[]; log: BigramLog[] } {
  const { tokenIds, docOffsets } = args.stream;
  const out: { task: number[]; block: RowBlock[]; log: BigramLog[] } = { task: [], block: [], log: [] };
  const slabs = new SharedSlabArrays(); // this thread's blocks, in shared memory (see there)
  for (let t = tasks.next(args.blocks.length - 1); t >= 0; t = tasks.next(args.blocks.length - 1)) {
    // The rows in shared memory (slabs): the threads join them where they are (tfidfJoinRowsKernel).
    // The log stays in plain memory (it grows by doubling; its outgrown arrays in shared memory
    // raised a 1M fit's peak by ~400 MB) and comes back to the calling thread, which joins the logs.
    const log = args.log ? new BigramLog() : undefined;
    out.task.push(t);
    out.block.push(countRows(tokenIds, docOffsets, args.cols, args.index, args.blocks[t]!, args.blocks[t + 1]!, log, COUNT_ROWS_CHUNK, slabs));
    if (log) out.log.push(log);
  }
  // The last pass of a fit: a worker collects the fit's scratch once this job's result is posted,
  // while the caller joins the blocks; an idle worker would keep it (collect.ts), and typed
  // arrays do not count towards HEAP_GROWTH_TO_COLLECT.
  if (part > 0) setImmediate(collectGarbage);
  return out;
}

/** Tokens per claimed block of count-matrix rows: ~40 ms of counting. */
const COUNT_ROWS_BLOCK_TOKENS = 1 << 20;
/** Entries per chunk of a claimed block's rows: its unused tail stays small (1 MB per array at most). */
const COUNT_ROWS_CHUNK = 1 << 18;

/** Boundaries in left terms [lo, hi) that give each of `parts` ranges about the same number of pair occurrences. */
function pairBalancedTermBounds(perLeft: Int32Array, lo: number, hi: number, parts: number): Int32Array {
  let total = 0;
  for (let a = lo; a < hi; a++) total += perLeft[a]!;
  const bounds = new Int32Array(parts + 1);
  bounds[0] = lo;
  let a = lo;
  let seen = 0;
  for (let p = 1; p < parts; p++) {
    const target = (total * p) / parts;
    while (a < hi && seen + perLeft[a]! <= target) seen += perLeft[a++]!;
    bounds[p] = a;
  }
  bounds[parts] = hi;
  return bounds;
}

/**
 * The counting passes split over `pool`'s threads. The stream must live in shared memory (else
 * every job would copy it to the workers: the copy of arXiv's 11.8M tokens cost more than the
 * split saved, measured). The bigram buckets are shared by the threads and sized as in the
 * serial pass (bucketPasses: pairsPerPass occurrences, or more to keep within maxPasses);
 * count-matrix rows are claimed in blocks of about `rowBlockTokens` tokens.
 */
export function parallelTfidfCounting(
  stream: SharedTokenStream,
  V: number,
  pool: WorkerPool,
  {
    pairsPerPass = 1 << 22,
    maxPasses = MAX_BUCKET_PASSES,
    rowBlockTokens = COUNT_ROWS_BLOCK_TOKENS,
    minOccurrences = PARALLEL_MIN_OCCURRENCES,
    minEntries = PARALLEL_MIN_ENTRIES,
  }: { pairsPerPass?: number; maxPasses?: number; rowBlockTokens?: number; minOccurrences?: number; minEntries?: number } = {},
): TfidfCounting {
  const docBounds = balancedRowBounds(stream.docOffsets, stream.docOffsets.length - 1, pool.threads, 0);
  return {
    unigramStats: () => mergeUnigramStats(pool.run<UnigramStats>('tfidfUnigram', { stream, bounds: docBounds, V })),
    bigramCandidates(uni, minDf) {
      // As bigramsOfLeftTerms, with each pass split twice: the threads fill the buckets from their
      // ranges of documents (thread p's share of a bucket right after those of threads < p, so
      // every bucket is in document order), then count them by ranges of left terms.
      const eligible = bigramEligible(uni, minDf);
      const perPart = pool.run<Int32Array>('tfidfPairsPerLeft', { stream, bounds: docBounds, eligible });
      const perLeft = new Int32Array(V);
      for (const q of perPart) for (let a = 0; a < V; a++) perLeft[a]! += q[a]!;
      const { passes, capacity } = bucketPasses(perLeft, 0, V, pairsPerPass, maxPasses);
      const right = sharedInt32(capacity);
      const doc = sharedInt32(capacity);
      const raw: RawCandidates[] = [];
      for (let i = 0; i + 1 < passes.length; i++) {
        const lo = passes[i]!;
        const hi = passes[i + 1]!;
        const start = bucketStarts(perLeft, lo, hi);
        if (start[hi - lo] === 0) continue;
        const fills = perPart.map(() => new Int32Array(hi - lo));
        for (let a = lo; a < hi; a++) {
          let at = start[a - lo]!;
          for (let p = 0; p < perPart.length; p++) {
            fills[p]![a - lo] = at;
            at += perPart[p]![a]!;
          }
        }
        pool.run('tfidfScatterPairs', { stream, bounds: docBounds, eligible, lo, hi, fills, right, doc });
        const bounds = pairBalancedTermBounds(perLeft, lo, hi, pool.threads);
        for (const r of pool.run<RawCandidates>('tfidfCountBuckets', { bounds, right, doc, start, base: lo, V, cf: uni.cf, tokens: uni.tokens })) raw.push(r);
      }
      return scoreCandidates(raw, uni);
    },
    countMatrix(cols, index, log) {
      const { docOffsets } = stream;
      const n = docOffsets.length - 1;
      const blocks = balancedRowBounds(docOffsets, n, Math.min(Math.max(1, n), Math.max(pool.threads, Math.ceil((docOffsets[n]! - docOffsets[0]!) / rowBlockTokens))), 0);
      const parts = pool.run<{ task: number[]; block: RowBlock[]; log: BigramLog[] }>('tfidfCountRows', { stream, blocks, cols, index, log: log !== undefined });
      const byTask: RowBlock[] = [];
      const logs: BigramLog[] = [];
      for (const p of parts) {
        p.task.forEach((t, i) => {
          byTask[t] = p.block[i]!;
          if (log) logs[t] = p.log[i]!;
        });
      }
      // The blocks joined by the threads, each copying a range of them, while the calling thread
      // also joins the logs (run's `meanwhile`): the copies are mostly the first touch of the
      // joined arrays' pages (at 1M papers ~2.5 s on one thread for 776 MB of matrix, and ~0.5 s
      // of log).
      const rows = joinedRowsLayout(byTask, cols);
      let logEntries = 0;
      for (const l of logs) logEntries += l.size;
      const bounds = joinBounds(rows.entryAt, byTask.length, log ? logEntries : 0, pool.threads);
      pool.run(
        'tfidfJoinRows',
        { blocks: byTask, rows, bounds },
        () => {
          if (!log) return;
          const joined = BigramLog.concat(logs, sharedInt32); // shared: the phrase votes read it in the threads
          log.size = joined.size;
          log.at = joined.at;
          log.column = joined.column;
          log.doc = joined.doc;
        },
      );
      pool.collectGarbage('young'); // the workers' views of the blocks, which are garbage now
      return rows.matrix;
    },
    weigh(counts, idf, sublinearTf) {
      if (!poolableMatrix(counts, minEntries)) return weigh(counts, idf, sublinearTf);
      // Into shared memory, each thread a range of rows: the same values as one pass (weighRows).
      const data = sharedFloat32(counts.data.length);
      const bounds = balancedRowBounds(counts.indptr, counts.rows, pool.threads, 0);
      pool.run('tfidfWeigh', { counts, idf: toSharedFloat64(idf), sublinearTf, data, bounds });
      pool.collectGarbage('young'); // the workers' views of the output, as after the phrase votes below
      return { rows: counts.rows, cols: counts.cols, indptr: counts.indptr, indices: counts.indices, data };
    },
    phraseVoter(input, F, share) {
      if (input.size < minOccurrences) return serialPhraseVoter(input, F, share);
      const shared: PhraseVoteInput = {
        ...input,
        tokenIds: toSharedInt32(input.tokenIds),
        docOffsets: toSharedInt32(input.docOffsets),
        tokenVariants: toSharedUint8(input.tokenVariants),
        at: toSharedInt32(input.at),
        column: toSharedInt32(input.column),
        doc: toSharedInt32(input.doc),
      };
      const bounds = phraseRanges(shared.column, shared.size, F, pool.threads);
      const votes = pool.run<PhraseVotes>('tfidfPhraseVotes', { input: shared, bounds, share });
      // The workers' views of the log and of tokenVariants would keep that shared memory alive
      // until their next full collection, which an idle worker may not make before the PCA's
      // peak (measured at 1M papers: +280 MB at the run's peak, in reduce). Collected now in
      // the workers; this thread's views go at its own next full collection (fitPca starts with one).
      pool.collectGarbage('young');
      return votes;
    },
  };
}

/**
 * Below this many logged bigram occurrences the phrase votes stay on the calling thread. Not
 * measured apart (on arXiv the split took the votes from ~0.8 s to ~0.45 s): the threads each
 * read the whole log and skip the other ranges' columns, which pays only when the hash counting
 * per occurrence dominates, and a job and the workers' collection after it cost a few ms.
 */
export const PARALLEL_MIN_OCCURRENCES = 1 << 18;

/** Part p's range of count-matrix blocks [bounds[p], bounds[p + 1]), copied into the joined matrix. */
export function tfidfJoinRowsKernel(args: { blocks: RowBlock[]; rows: JoinedRows; bounds: Int32Array }, part: number): null {
  copyRowBlocks(args.blocks, args.rows, args.bounds[part]!, args.bounds[part + 1]!);
  return null;
}

/**
 * Ranges of blocks for the join's `parts` threads, even by bytes copied: part 0 (the calling
 * thread) also joins the logs (12 bytes an entry, against 8 for a matrix entry), so it takes
 * that much less of the blocks (none when the logs are more than its share; the others then
 * share the blocks evenly). entryAt[k]: the matrix entries before block k.
 */
export function joinBounds(entryAt: Int32Array, blocks: number, logEntries: number, parts: number): Int32Array {
  const logCost = 1.5 * logEntries;
  const matrix = entryAt[blocks]!;
  const first = Math.max(0, (matrix + logCost) / parts - logCost); // part 0's entries of the matrix
  const bounds = new Int32Array(parts + 1);
  let k = 0;
  for (let p = 1; p < parts; p++) {
    const target = first + ((matrix - first) * (p - 1)) / (parts - 1); // the entries of the parts before p
    while (k < blocks && entryAt[k]! < target) k++;
    bounds[p] = k;
  }
  bounds[parts] = blocks;
  return bounds;
}

/** weigh's values of part p's rows [bounds[p], bounds[p + 1]) into the shared `data`. */
export function tfidfWeighKernel(args: { counts: CsrMatrix; idf: Float64Array; sublinearTf: boolean; data: Float32Array; bounds: Int32Array }, part: number): null {
  weighRows(args.counts, args.idf, args.sublinearTf, args.data, args.bounds[part]!, args.bounds[part + 1]!);
  return null;
}

/** The phrase votes (tfidf-phrases.ts) of part p's range of columns [bounds[p], bounds[p + 1]). */
export function tfidfPhraseVotesKernel(args: { input: PhraseVoteInput; bounds: Int32Array; share: number }, part: number): PhraseVotes {
  return phraseVotes(args.input, args.bounds[part]!, args.bounds[part + 1]!, args.share);
}
