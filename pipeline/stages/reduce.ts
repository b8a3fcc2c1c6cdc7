// Stage 4: TF-IDF → PCA scores (randomized SVD on the sparse matrix; exact ml-pca when small).
// On a fold-in night (see vectorize.ts) the window is projected onto the stored model's basis,
// scores = (X − 1μᵀ)V, instead of refitting it: the basis, and so the clusters' space, stays put.
import { transpose } from '../../analysis/linalg.ts';
import { centredMultiply } from '../../analysis/pca-centred.ts';
import { fitPca, type PcaResult } from '../../analysis/pca.ts';
import { parallelSparseProducts } from '../../analysis/parallel/parallel-sparse-products.ts';
import { serialSparseProducts, type SparseProducts } from '../../analysis/sparse-products.ts';
import type { CsrMatrix } from '../../analysis/types.ts';
import type { Config } from '../config.ts';
import { loadModel, modelDir, type StoredModel } from '../model/model-store.ts';
import type { Stage } from '../stage.ts';
import { sharedWorkerPool } from '../workers/shared-pool.ts';
import type { VectorizeOutput } from './vectorize.ts';

export const reduceStage: Stage<PcaResult> = {
  name: 'reduce',
  deps: ['vectorize'],
  version: '2',
  configKey: (c: Config) => ({ pca: c.pca, seed: c.seed }),
  async run(ctx) {
    const { matrix, night } = ctx.input<VectorizeOutput>('vectorize');
    if (night?.mode === 'fold-in') {
      const stored = loadModel(modelDir(ctx.config.out), night.modelId!);
      const pool = await sharedWorkerPool(ctx.config.workers);
      // Bit-identical to the serial product (same kernel per row), so the thread count never changes a night.
      const pca = projectOntoStoredBasis(stored, matrix, pool.threads > 1 ? parallelSparseProducts(matrix, pool) : undefined);
      ctx.log.info(`reduce: fold-in, ${matrix.rows} papers projected onto the stored ${pca.nComponents} components`);
      return pca;
    }
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

/**
 * The stored fit with tonight's scores: (X − 1μᵀ)V on the stored mean and components (the
 * explained variance figures stay those of the fit). TODO: projectOntoPca(pca, X, pool) from
 * analysis/pca*.ts once it lands (same product, on the worker pool).
 */
export function projectOntoStoredBasis(stored: StoredModel, X: CsrMatrix, products: SparseProducts = serialSparseProducts(X)): PcaResult {
  const { mean, components } = stored.arrays;
  const d = stored.meta.d;
  if (X.cols !== mean.length) throw new Error(`reduce: the matrix has ${X.cols} columns, the stored model ${mean.length}`);
  const scores = centredMultiply(products, mean, transpose(components, d, X.cols), d);
  return {
    scores: Float32Array.from(scores),
    components,
    mean,
    explainedVariance: Float64Array.from(stored.meta.explainedVariance),
    explainedVarianceRatio: Float64Array.from(stored.meta.explainedVarianceRatio),
    nComponents: d,
    ...(stored.meta.solver ? { solver: stored.meta.solver } : {}),
  };
}
