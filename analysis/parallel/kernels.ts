// The kernels a WorkerPool can run: name → function(args, part, parts). The main thread and
// every worker import this same table, so a job names its kernel by string and both sides run
// identical code. Arguments travel by structured clone: typed arrays over SharedArrayBuffer
// arrive as views of the same memory (nothing copied), so kernels write their share of the
// output in place. A kernel may return a small structured-cloneable value (e.g. one k-means
// restart); the pool collects them in part order.

import { collectGarbage } from './collect.ts';
import { gramBlocksKernel, tallBySmallKernel } from './dense-kernels.ts';
import { kmeansAssignKernel, kmeansMemberSumsKernel, kmeansRestartKernel, kmeansRowDistancesKernel } from './kmeans-kernels.ts';
import { silhouettePairsKernel, silhouetteSumsKernel } from './silhouette-kernels.ts';
import { sparseRowBlockKernel } from './sparse-kernels.ts';
import { tfidfCountBucketsKernel, tfidfCountRowsKernel, tfidfJoinRowsKernel, tfidfPairsPerLeftKernel, tfidfPhraseVotesKernel, tfidfScatterPairsKernel, tfidfUnigramKernel, tfidfWeighKernel } from './tfidf-kernels.ts';
import { tokenizeChunkKernel } from './tokenize-kernels.ts';
import { columnTotalsKernel, ctfidfTopicSumsKernel, npmiRowsKernel, periodTermIdsKernel } from './topic-term-kernels.ts';
import { lexiconLoaded, lexiconLookup, nlp, winkLoaded } from '../text/wink.ts';

export type Kernel = (args: any, part: number, parts: number, tasks: TaskCounter) => unknown;

/** Dynamic work sharing: participants claim task indices from one shared counter until none is left. */
export interface TaskCounter {
  /** Next unclaimed task index (atomically incremented), or -1 once all `total` are claimed. */
  next(total: number): number;
}

export const KERNELS: Record<string, Kernel> = {
  // test kernels: a trivial one and one that throws, for the pool's own tests
  echo: (args: { value: number }, part: number, parts: number) => ({ value: args.value, part, parts }),
  fail: (args: { message: string }) => {
    throw new Error(args.message);
  },
  // See collect.ts and WorkerPool.collectGarbage: part 0 is the calling thread, the workers always collect in full.
  collectGarbage: (args: { caller?: 'full' | 'young' } | null, part: number) => collectGarbage(part === 0 ? (args?.caller ?? 'full') : 'full'),
  sparseRowBlock: sparseRowBlockKernel,
  kmeansRestart: kmeansRestartKernel,
  kmeansAssign: kmeansAssignKernel,
  kmeansMemberSums: kmeansMemberSumsKernel,
  kmeansRowDistances: kmeansRowDistancesKernel,
  gramBlocks: gramBlocksKernel,
  tallBySmall: tallBySmallKernel,
  silhouettePairs: silhouettePairsKernel,
  silhouetteSums: silhouetteSumsKernel,
  tokenizeChunk: tokenizeChunkKernel,
  tfidfUnigram: tfidfUnigramKernel,
  tfidfPairsPerLeft: tfidfPairsPerLeftKernel,
  tfidfScatterPairs: tfidfScatterPairsKernel,
  tfidfCountBuckets: tfidfCountBucketsKernel,
  tfidfCountRows: tfidfCountRowsKernel,
  tfidfJoinRows: tfidfJoinRowsKernel,
  tfidfPhraseVotes: tfidfPhraseVotesKernel,
  tfidfWeigh: tfidfWeighKernel,
  ctfidfTopicSums: ctfidfTopicSumsKernel,
  periodTermIds: periodTermIdsKernel,
  npmiRows: npmiRowsKernel,
  columnTotals: columnTotalsKernel,
  // test kernel: what this thread has loaded (WorkerPoolOptions.warm)
  loaded: () => ({ wink: winkLoaded() && lexiconLoaded() }),
};

export type KernelName = keyof typeof KERNELS;

/**
 * What a worker can load ahead of its first job, named in WorkerPoolOptions.warm: it runs as
 * soon as the worker is ready, while the caller is still preparing that job.
 */
export const WARMERS: Record<string, () => void> = {
  // wink's model and lexicon (~0.3 s), which a tokenizing worker otherwise loads on its first unit.
  tokenizer: () => {
    nlp();
    lexiconLookup();
  },
};

export type WarmerName = keyof typeof WARMERS;
