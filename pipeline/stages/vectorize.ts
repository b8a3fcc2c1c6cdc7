// Stage 3: token ids → vocabulary, document frequencies and the TF-IDF matrix (sparse CSR).
import { fitTfidf, type TfidfModel } from '../../analysis/tfidf.ts';
import type { TokenizedCorpus } from '../../analysis/types.ts';
import type { Config } from '../config.ts';
import { InputError } from '../errors.ts';
import type { Stage } from '../stage.ts';
import { sharedWorkerPool } from '../workers/shared-pool.ts';

/**
 * A count min_df tuned for tens of thousands of papers would empty the vocabulary of a 50-paper
 * page, so small corpora get a proportionally smaller one (at least 1, at most the configured).
 */
export function effectiveMinDf(minDf: number, docs: number): number {
  if (minDf < 1) return minDf; // a fraction scales by itself
  return Math.min(minDf, Math.max(1, Math.floor(docs / 20)));
}

export const vectorizeStage: Stage<TfidfModel> = {
  name: 'vectorize',
  deps: ['tokenize'],
  version: '1',
  configKey: (c: Config) => c.tfidf,
  run(ctx) {
    // Start the worker threads of reduce / cluster now: they load while TF-IDF runs.
    void sharedWorkerPool(ctx.config.workers).catch(() => undefined); // started early; errors surface where it is awaited
    const corpus = ctx.input<TokenizedCorpus>('tokenize');
    const docs = corpus.docOffsets.length - 1;
    const t = ctx.config.tfidf;
    const minDf = effectiveMinDf(t.minDf, docs);
    if (minDf !== t.minDf) ctx.log.info(`vectorize: ${docs} papers: min_df lowered from ${t.minDf} to ${minDf}`);
    const model = fitTfidf(corpus, {
      minDf,
      maxDf: t.maxDf,
      maxFeatures: t.maxFeatures,
      sublinearTf: t.sublinearTf,
      bigrams: t.bigrams,
    });
    if (model.vocabulary.length < 2) {
      throw new InputError(`the vocabulary is empty after pruning (min_df ${minDf}, max_df ${t.maxDf}, ${docs} papers): the corpus is too small or too uniform`);
    }
    ctx.log.info(`vectorize: ${model.vocabulary.length} terms, ${model.matrix.indices.length} non-zeros`);
    return model;
  },
};
