// Stage 4: TF-IDF → PCA scores (randomized SVD on the sparse matrix; exact ml-pca when small).
import { fitPca, type PcaResult } from '../../analysis/pca.ts';
import type { TfidfModel } from '../../analysis/tfidf.ts';
import type { Config } from '../config.ts';
import type { Stage } from '../stage.ts';
import { sharedWorkerPool } from '../workers/shared-pool.ts';

export const reduceStage: Stage<PcaResult> = {
  name: 'reduce',
  deps: ['vectorize'],
  version: '1',
  configKey: (c: Config) => ({ pca: c.pca, seed: c.seed }),
  async run(ctx) {
    const { matrix } = ctx.input<TfidfModel>('vectorize');
    const p = ctx.config.pca;
    const nComponents = Math.max(2, Math.min(p.nComponents, matrix.rows - 1, matrix.cols - 1));
    if (nComponents !== p.nComponents) ctx.log.info(`reduce: ${nComponents} components (the matrix is ${matrix.rows} × ${matrix.cols})`);
    const pool = await sharedWorkerPool(ctx.config.workers);
    if (pool.startErrors.length > 0) ctx.log.warn(`reduce: worker threads unavailable, running on ${pool.threads} thread(s): ${pool.startErrors[0]}`);
    const pca = fitPca(matrix, { nComponents, nOversamples: p.nOversamples, nPowerIter: p.nPowerIter, seed: ctx.config.seed }, pool);
    const kept = pca.explainedVarianceRatio.reduce((s, v) => s + v, 0);
    ctx.log.info(`reduce: ${nComponents} components keep ${(kept * 100).toFixed(1)}% of the variance`);
    return pca;
  },
};
