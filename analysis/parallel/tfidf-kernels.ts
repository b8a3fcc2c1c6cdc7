// TF-IDF's counting passes (tfidf-build.ts) over a WorkerPool. Each thread reads the corpus's
// token stream in shared memory (no copy: the tokenizer assembles it there) and counts its share:
// document frequencies and pair counts of a range of documents (they add up), bigram candidates
// of a range of left terms (they concatenate in order), count-matrix rows of a range of
// documents (row blocks and occurrence logs concatenate in order). Each share runs the serial
// code on its range, so every result equals the one-thread fit exactly.

import {
  BigramLog,
  type BigramCandidates,
  bigramEligible,
  bigramsOfLeftTerms,
  type ColumnIndex,
  countRows,
  joinRowBlocks,
  mergeUnigramStats,
  pairsPerLeft,
  type RawCandidates,
  type RowBlock,
  scoreCandidates,
  type TfidfCounting,
  type UnigramStats,
  unigramStatsOfDocs,
} from '../tfidf-build.ts';
import type { CsrMatrix } from '../types.ts';
import { collectGarbage } from './collect.ts';
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

export function tfidfBigramsKernel(args: RangeArgs & { eligible: Uint8Array; perLeft: Int32Array; pairsPerPass: number }, part: number): RawCandidates {
  const { tokenIds, docOffsets } = args.stream;
  return bigramsOfLeftTerms(tokenIds, docOffsets, args.eligible, args.perLeft, args.bounds[part]!, args.bounds[part + 1]!, args.pairsPerPass);
}

export function tfidfCountRowsKernel(args: RangeArgs & { cols: number; index: ColumnIndex; log: boolean }, part: number): { block: RowBlock; log?: BigramLog } {
  if (part > 0) collectGarbage();
  const { tokenIds, docOffsets } = args.stream;
  const log = args.log ? new BigramLog() : undefined;
  const block = countRows(tokenIds, docOffsets, args.cols, args.index, args.bounds[part]!, args.bounds[part + 1]!, log);
  return log ? { block, log } : { block };
}

/** Document boundaries that give each of `parts` ranges about the same number of tokens. */
export function tokenBalancedDocBounds(docOffsets: Int32Array, parts: number): Int32Array {
  const n = docOffsets.length - 1;
  const bounds = new Int32Array(parts + 1);
  const total = docOffsets[n]! - docOffsets[0]!;
  let d = 0;
  for (let p = 1; p < parts; p++) {
    const target = docOffsets[0]! + (total * p) / parts;
    while (d < n && docOffsets[d]! < target) d++;
    bounds[p] = d;
  }
  bounds[parts] = n;
  return bounds;
}

/** Left-term boundaries that give each of `parts` ranges about the same number of pair occurrences. */
function pairBalancedTermBounds(perLeft: Int32Array, parts: number): Int32Array {
  const V = perLeft.length;
  let total = 0;
  for (let a = 0; a < V; a++) total += perLeft[a]!;
  const bounds = new Int32Array(parts + 1);
  let a = 0;
  let seen = 0;
  for (let p = 1; p < parts; p++) {
    const target = (total * p) / parts;
    while (a < V && seen + perLeft[a]! <= target) seen += perLeft[a++]!;
    bounds[p] = a;
  }
  bounds[parts] = V;
  return bounds;
}

/**
 * The counting passes split over `pool`'s threads. The stream must live in shared memory (else
 * every job would copy it to the workers: the copy of arXiv's 11.8M tokens cost more than the
 * split saved, measured). Scratch per thread as in the serial passes: the bigram buckets hold up
 * to `pairsPerPass` occurrences in each thread.
 */
export function parallelTfidfCounting(stream: SharedTokenStream, V: number, pool: WorkerPool, pairsPerPass = 1 << 22): TfidfCounting {
  const docBounds = tokenBalancedDocBounds(stream.docOffsets, pool.threads);
  return {
    unigramStats: () => mergeUnigramStats(pool.run<UnigramStats>('tfidfUnigram', { stream, bounds: docBounds, V })),
    bigramCandidates(uni, minDf) {
      const eligible = bigramEligible(uni, minDf);
      const counts = pool.run<Int32Array>('tfidfPairsPerLeft', { stream, bounds: docBounds, eligible });
      const perLeft = counts[0]!;
      for (let p = 1; p < counts.length; p++) for (let a = 0; a < V; a++) perLeft[a]! += counts[p]![a]!;
      const bounds = pairBalancedTermBounds(perLeft, pool.threads);
      return scoreCandidates(pool.run<RawCandidates>('tfidfBigrams', { stream, bounds, eligible, perLeft, pairsPerPass }), uni);
    },
    countMatrix(cols, index, log) {
      const parts = pool.run<{ block: RowBlock; log?: BigramLog }>('tfidfCountRows', { stream, bounds: docBounds, cols, index, log: log !== undefined });
      const matrix = joinRowBlocks(
        parts.map((p) => p.block),
        cols,
      );
      if (log) {
        const joined = BigramLog.concat(parts.map((p) => p.log!));
        log.size = joined.size;
        log.at = joined.at;
        log.column = joined.column;
        log.doc = joined.doc;
      }
      return matrix;
    },
  };
}
