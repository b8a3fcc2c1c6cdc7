// Stage 4: TF-IDF → PCA scores (randomized SVD on the sparse matrix; exact ml-pca when small).
// Above pca.fitSampleSize papers the basis is fitted on a seeded sample and all papers projected.
// On a fold-in night (see vectorize.ts) the window is projected onto the stored model's basis,
// scores = (X − 1μᵀ)V, instead of refitting it: the basis, and so the clusters' space, stays put.
import { fitPca, projectOntoPca, type PcaOptions, type PcaResult } from '../../analysis/pca.ts';
import type { WorkerPool } from '../../analysis/parallel/pool.ts';
import { collectGarbage } from '../../analysis/parallel/collect.ts';
import { sampleRowsById } from '../../analysis/row-sample.ts';
import { scoreVariance } from '../../analysis/score-variance.ts';
import { csrColumnMeans, csrSelectColumns, csrUsedColumns } from '../../analysis/sparse.ts';
import { projectCentred } from '../../analysis/pca-result.ts';
import { parallelSparseProducts, wasmScratch } from '../../analysis/parallel/parallel-sparse-products.ts';
import { serialSparseProducts, type SparseProducts } from '../../analysis/sparse-products.ts';
import type { CsrMatrix } from '../../analysis/types.ts';
import { join, resolve } from 'node:path';
import { artifactExists, closeStored, loadArtifact, StoredArray } from '../artifacts.ts';
import type { Config } from '../config.ts';
import { contentKey, csrRows, matchRows, mergeDenseRows, unmatched, type RowKeys } from '../model/row-reuse.ts';
import { loadModel, modelDir, type StoredModel } from '../model/model-store.ts';
import type { Stage } from '../stage.ts';
import { sharedWorkerPool } from '../workers/shared-pool.ts';
import { tfidfWeights, type VectorizeOutput } from './vectorize.ts';

/**
 * PCA of tonight's window, with what each row of scores was computed from (model/row-reuse.ts),
 * and, when the basis was fitted on a sample of the rows (config pca.fitSampleSize), its size.
 */
export type ReduceOutput = PcaResult & { rowKeys?: RowKeys; fitSample?: { rows: number; of: number } };

export const reduceStage: Stage<ReduceOutput> = {
  name: 'reduce',
  deps: ['vectorize'],
  version: '2',
  configKey: (c: Config) => ({ pca: c.pca, seed: c.seed }),
  async run(ctx) {
    const tfidf = ctx.input<VectorizeOutput>('vectorize');
    const { night, rowKeys: tfidfRows } = tfidf;
    const rows = tfidf.counts.rows;
    if (night?.mode === 'fold-in') {
      const stored = loadModel(modelDir(ctx.config.out), night.modelId!, ['mean', 'components']);
      const d = stored.meta.d;
      const rowKeys = tfidfRows && scoreRowKeys(tfidfRows, stored.arrays.mean, stored.arrays.components);
      // Rows projected last night onto this basis from the same TF-IDF row are copied.
      const previous = rowKeys ? previousOutput(ctx.config.out) : undefined;
      let todo: Int32Array;
      let pca: ReduceOutput;
      try {
        const from = rowKeys ? matchRows(previous?.rowKeys, rowKeys.key, rowKeys.paperIds, rowKeys.fingerprints) : new Int32Array(rows).fill(-1);
        todo = unmatched(from);
        // Only the rows projected tonight get weights (vectorize keeps counts: tfidfWeights).
        const X = tfidfWeights(tfidf, todo.length === rows ? undefined : todo);
        const pool = await sharedWorkerPool(ctx.config.workers);
        // Bit-identical to the serial product (same kernel per row), so the thread count never changes a night.
        pca = projectOntoStoredBasis(stored, X, (rows) => (pool.threads > 1 && rows.rows > 1000 ? parallelSparseProducts(rows, pool, wasmScratch(rows, d)) : serialSparseProducts(rows)));
        pca.scores = mergeDenseRows(previous?.scores, from, pca.scores, d);
      } finally {
        previous?.scores.close();
      }
      // A refit's PCA starts with a full collection (fitPca); a fold-in night makes one here, where
      // tokenize's and vectorize's garbage can go before cluster, describe and the report build on
      // top of it. Without it the 74k-paper night's peak was 707 MB instead of ~625 (the transpose
      // of the whole basis this stage no longer makes had set one off); 40 ms there, 0.2 s at 1M.
      collectGarbage();
      if (rowKeys) pca.rowKeys = rowKeys;
      ctx.log.info(`reduce: fold-in, ${todo.length} papers projected onto the stored ${d} components, ${rows - todo.length} copied`);
      return pca;
    }
    const matrix = tfidfWeights(tfidf);
    const p = ctx.config.pca;
    const nComponents = Math.max(2, Math.min(p.nComponents, matrix.rows - 1, matrix.cols - 1));
    if (nComponents !== p.nComponents) ctx.log.info(`reduce: ${nComponents} components (the matrix is ${matrix.rows} × ${matrix.cols})`);
    const pool = await sharedWorkerPool(ctx.config.workers);
    if (pool.startErrors.length > 0) ctx.log.warn(`reduce: worker threads unavailable, running on ${pool.threads} thread(s): ${pool.startErrors[0]}`);
    const opts = { nComponents, nOversamples: p.nOversamples, nPowerIter: p.nPowerIter, seed: ctx.config.seed };
    const sampleSize = p.fitSampleSize ?? 0;
    const pca: ReduceOutput =
      sampleSize > 0 && matrix.rows > sampleSize
        ? fitOnSample(matrix, tfidfRows?.paperIds, sampleSize, opts, pool)
        : fitPca(matrix, opts, pool);
    const kept = pca.explainedVarianceRatio.reduce((s, v) => s + v, 0);
    const sampled = pca.fitSample ? `, fitted on a sample of ${pca.fitSample.rows} of the ${matrix.rows} papers, measured on all` : '';
    ctx.log.info(`reduce: ${nComponents} components keep ${(kept * 100).toFixed(1)}% of the variance${sampled}`);
    if (pca.fitSample) ctx.log.event('pca-fit-sample', { rows: pca.fitSample.rows, of: pca.fitSample.of });
    return tfidfRows ? { ...pca, rowKeys: scoreRowKeys(tfidfRows, pca.mean, pca.components) } : pca;
  },
};

/**
 * Large windows: the components from a seeded sample of `size` rows (by paper id when known, so
 * the sample is the same whatever the input order; else by row index, which is canonical too as
 * ingest sorts the window by id), then every row projected onto them. The principal subspace of
 * a text corpus is estimated well from a large random sample, and the fit's 2q + 2 sparse
 * products over all rows were most of this stage's time; the projection is one more product.
 * The mean is the one of all rows (one cheap pass), so the scores are centred exactly as a full
 * fit's would be, and the explained variance is measured on all rows' scores, not the sample's.
 */
export function fitOnSample(X: CsrMatrix, paperIds: readonly string[] | undefined, size: number, opts: PcaOptions, pool?: WorkerPool): ReduceOutput {
  const ids = paperIds && paperIds.length === X.rows ? paperIds : Array.from({ length: X.rows }, (_, i) => String(i));
  const rows = sampleRowsById(ids, size, opts.seed);
  const fit = fitPca(csrRows(X, rows), { ...opts, skipScores: true }, pool);
  const pca: PcaResult = { ...fit, mean: csrColumnMeans(X) };
  pca.scores = projectOntoPca(pca, X, pool);
  const variance = scoreVariance(X, pca.scores, pca.nComponents, pca.mean); // pca.mean is csrColumnMeans(X): not computed twice
  return { ...pca, ...variance, fitSample: { rows: rows.length, of: X.rows } };
}

/**
 * The stored fit with tonight's scores: (X − 1μᵀ)V on the stored mean and components (the
 * explained variance figures stay those of the fit); the same product as projectOntoPca, with
 * the products made by `productsFor` so the caller picks serial or pooled. Rows that use at most
 * half of the columns (a night's new papers) are multiplied with those columns only
 * (projectCentred's `columns`): the same scores.
 */
export function projectOntoStoredBasis(
  stored: StoredModel<'mean' | 'components'>,
  X: CsrMatrix,
  productsFor: (rows: CsrMatrix) => SparseProducts = serialSparseProducts,
): PcaResult {
  const { mean, components } = stored.arrays;
  const d = stored.meta.d;
  if (X.cols !== mean.length) throw new Error(`reduce: the matrix has ${X.cols} columns, the stored model ${mean.length}`);
  const used = csrUsedColumns(X);
  const columns = used.length * 2 <= X.cols ? used : undefined;
  const products = productsFor(columns ? csrSelectColumns(X, columns) : X);
  let scores: Float32Array;
  try {
    scores = projectCentred(products, mean, components, d, columns);
  } finally {
    products.release?.('young'); // shared copies go now in the workers (see projectOntoPca)
  }
  return {
    scores,
    components,
    mean,
    explainedVariance: Float64Array.from(stored.meta.explainedVariance),
    explainedVarianceRatio: Float64Array.from(stored.meta.explainedVarianceRatio),
    nComponents: d,
    ...(stored.meta.solver ? { solver: stored.meta.solver } : {}),
  };
}

/** A row of scores depends on its TF-IDF row and on the basis. */
function scoreRowKeys(tfidf: RowKeys, mean: Float64Array, components: Float64Array): RowKeys {
  return { ...tfidf, key: contentKey(tfidf.key, mean, components) };
}

/** Last night's reduce artifact (still on disk while this stage runs), if it carries row keys. */
export function previousOutput(out: string): { rowKeys: RowKeys; scores: StoredArray } | undefined {
  const dir = join(resolve(out), 'stages', 'reduce');
  if (!artifactExists(dir)) return undefined;
  // Only the row keys load: last night's scores (~400 MB at 1M papers) stay in their file and
  // mergeDenseRows reads the rows it copies; its basis is not needed (the stored model's is used).
  let prev: Partial<{ rowKeys: RowKeys; scores: StoredArray; components: StoredArray; nComponents: number }> | undefined;
  try {
    prev = loadArtifact<NonNullable<typeof prev>>(dir, { onDisk: (path) => path === 'scores' || path === 'components' });
    closeStored(prev.components);
    const { rowKeys, scores, nComponents } = prev;
    if (rowKeys && scores instanceof StoredArray && nComponents !== undefined && scores.length === rowKeys.paperIds.length * nComponents) return { rowKeys, scores };
  } catch {
    // unreadable: project every row
  }
  closeStored(prev?.scores);
  return undefined;
}
