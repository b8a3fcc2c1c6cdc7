// Stage 5: PCA scores → L2-normalised rows → k-means (fixed k, or chosen by the k scan).
// Warm start (cluster.warmStart): restart 0 starts from last night's clusters recomputed in
// tonight's PCA space, so topics keep their identity from night to night (see
// analysis/kmeans.ts for the rule that chooses between the warm and the seeded restarts, and
// cluster-warm-start.ts for which run the grouping comes from).
// Fold-in nights (vectorize.ts decides): one warm restart from the stored model's centroids,
// which live in the same PCA space as tonight's scores, and k is the model's. A refit night
// stores the new model (pipeline/model/) once its clusters are fitted.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fitKMeans, normalizeRowsL2, type KMeansResult } from '../../analysis/kmeans.ts';
import { centroidsFromGrouping } from '../../analysis/kmeans-warm.ts';
import type { PcaResult } from '../../analysis/pca.ts';
import { selectK, type KCurvePoint } from '../../analysis/select-k.ts';
import { archivePath, type Config } from '../config.ts';
import { ConfigError } from '../errors.ts';
import type { KnownInputs, Stage } from '../stage.ts';
import { openStore } from '../store/store.ts';
import { resolveWindow } from '../store/window.ts';
import { sharedWorkerPool } from '../workers/shared-pool.ts';
import { chooseWarmStart, previousGrouping, warmStartCandidates, warmStartKey, windowPaperIds } from './cluster-warm-start.ts';
import type { IngestOutput } from './ingest.ts';
import { modelConfigHash } from '../model/model-config.ts';
import { loadModel, modelDir, saveModel } from '../model/model-store.ts';
import { newestDate, type NightPlan } from '../model/night-plan.ts';
import type { VectorizeOutput } from './vectorize.ts';

export interface ClusterOutput extends KMeansResult {
  k: number;
  /** L2-normalised PCA scores (n × d): the space the clusters live in. */
  points: Float32Array;
  d: number;
  kCurve: KCurvePoint[];
  kChosenBy: 'config' | 'scan';
  /** Run whose assignment seeded restart 0 (null: cold start; optional for older artifacts). */
  warmStartFrom?: string | null;
  /** The warm restart was chosen (false: a seeded restart was better by more than the tolerance). */
  warmStartKept?: boolean;
  /** Refit or fold-in, and why (from vectorize; optional for older artifacts). */
  night?: NightPlan;
}

export const clusterStage: Stage<ClusterOutput> = {
  name: 'cluster',
  deps: ['reduce', 'vectorize'],
  version: '4', // 4: restartLabels / restartInertias on the fit sample (restartRows)
  configKey: (c: Config) => ({ cluster: c.cluster, seed: c.seed }),
  // The warm start's grouping is part of the input: the hash of the grouping this night will
  // start from (content, not run id, so a re-run or an empty night that starts from the same
  // grouping reuses the artifact). Ingest has stored tonight's papers by now; the window is the
  // one ingest resolves (its reference date is the clock only when a paper is dated in the
  // future, where a run across midnight could key differently: at worst a needless refit).
  externalInputs(c: Config, known?: KnownInputs) {
    if (!c.cluster.warmStart) return undefined;
    const path = archivePath(c);
    if (!existsSync(path)) return { warmStart: null };
    const store = openStore(path, { keepAssignmentRuns: c.archive.keepAssignmentRuns });
    try {
      const ids = known?.windowPaperIds() ?? windowPaperIds(path, resolveWindow(c.archive.window, store.newestPaperDate(), new Date().toISOString().slice(0, 10)));
      const source = chooseWarmStart(warmStartCandidates(store), ids);
      return { warmStart: source ? warmStartKey([source])[0] : null };
    } finally {
      store.close();
    }
  },
  async run(ctx) {
    const pca = ctx.input<PcaResult>('reduce');
    const d = pca.nComponents;
    const n = pca.scores.length / d;
    const points = normalizeRowsL2(pca.scores, n, d);
    const c = ctx.config.cluster;
    const night = ctx.input<VectorizeOutput>('vectorize').night;
    if (night?.mode === 'fold-in') {
      const stored = loadModel(modelDir(ctx.config.out), night.modelId!, ['centroids']);
      const k = stored.meta.k;
      if (k >= n) throw new ConfigError(`the stored model has k = ${k}, not smaller than the number of papers (${n})`, 'cluster.k');
      // Only the warm restart (no seeding, no sample): stable topics are the point of a fold-in.
      const result = fitKMeans(
        points,
        n,
        d,
        { k, warmOnly: true, maxIter: c.maxIter, seed: ctx.config.seed, initialCentroids: stored.arrays.centroids },
        await sharedWorkerPool(ctx.config.workers),
      );
      const perPaper = result.inertia / n;
      ctx.log.info(
        `cluster: fold-in from the stored centroids, k = ${k}, inertia per paper ${perPaper.toFixed(4)} (fit: ${stored.meta.inertiaPerPaper.toFixed(4)}), sizes ${Array.from(result.sizes).join(' ')}`,
      );
      return { ...result, k, points, d, kCurve: [], kChosenBy: c.k === 'auto' ? 'scan' : 'config', warmStartFrom: null, warmStartKept: false, night };
    }
    let k: number;
    let kCurve: KCurvePoint[] = [];
    if (c.k === 'auto') {
      // Term counts let the scan judge each k by the coherence and diversity of its topics' terms.
      const { counts } = ctx.input<VectorizeOutput>('vectorize');
      const scan = selectK(points, n, d, { kMin: Math.min(c.kMin, n - 1), kMax: Math.min(c.kMax, Math.floor(n / 2)), seed: ctx.config.seed, counts });
      k = scan.k;
      kCurve = scan.curve;
      ctx.log.info(`cluster: k = ${k} chosen by the scan (${scan.curve.map((p) => `${p.k}:${p.score.toFixed(3)}`).join(' ')})`);
    } else {
      k = c.k;
      if (k >= n) throw new ConfigError(`cluster.k = ${k} is not smaller than the number of papers (${n})`, 'cluster.k');
    }

    let initialCentroids: Float32Array | undefined;
    let warmStartFrom: string | null = null;
    if (c.warmStart) {
      // Paper ids in the order of the PCA rows (reduce keeps ingest's order).
      const ids = ctx.input<IngestOutput>('ingest').papers.map((p) => p.id);
      const source = chooseWarmStart(warmStartCandidates(ctx.store), ids);
      if (source) {
        const prev = previousGrouping(source, ids);
        if (prev.k !== k) {
          ctx.log.info(`cluster: cold start (run ${source.runId} had k = ${prev.k}, tonight k = ${k})`);
        } else if (prev.matched === 0) {
          ctx.log.info(`cluster: cold start (no paper of run ${source.runId} is in tonight's window)`);
        } else {
          const warm = centroidsFromGrouping(points, n, d, prev.groups, k);
          initialCentroids = warm.centroids;
          warmStartFrom = source.runId;
          ctx.log.info(
            `cluster: warm start from run ${source.runId} (${prev.matched} of ${n} papers` +
              `${warm.missing.length ? `; ${warm.missing.length} cluster(s) without a paper re-seeded` : ''})`,
          );
        }
      }
    }

    const result = fitKMeans(
      points,
      n,
      d,
      { k, nInit: c.nInit, maxIter: c.maxIter, seed: ctx.config.seed, initialCentroids, warmTolerance: c.warmTolerance },
      await sharedWorkerPool(ctx.config.workers),
    );
    const warmStartKept = warmStartFrom !== null && result.bestRestart === 0;
    if (result.restartRows) {
      ctx.log.info(`cluster: ${c.nInit} restarts fitted and compared (inertia, agreement) on a sample of ${result.restartRows.length} of ${n} papers; the best refined on all`);
    }
    ctx.log.info(
      `cluster: k = ${k}, inertia ${result.inertia.toFixed(2)}, sizes ${Array.from(result.sizes).join(' ')}` +
        (warmStartFrom !== null ? (warmStartKept ? ', warm restart kept' : `, seeded restart ${result.bestRestart} won by > ${c.warmTolerance * 100}%`) : ''),
    );
    const output: ClusterOutput = { ...result, k, points, d, kCurve, kChosenBy: c.k === 'auto' ? 'scan' : 'config', warmStartFrom, warmStartKept };
    if (night) output.night = night;
    // Written while the next stages run; the run is published only once it is on disk.
    const saving = storeFittedModel(ctx.config, ctx.runId, ctx.input<IngestOutput>('ingest').papers, ctx.input<VectorizeOutput>('vectorize'), pca, output);
    if (ctx.finishLater) ctx.finishLater(saving);
    else await saving;
    return output;
  },
  // Later stages key on the output itself: a re-run that reproduces the partition (and every
  // other field) lets describe and trends reuse their artifacts.
  contentHash(value: ClusterOutput): string {
    const h = createHash('sha256');
    hashValue(h, value);
    return h.digest('hex');
  },
};

/** Feeds a value into the hash: typed arrays as bytes, arrays and objects (keys sorted) recursively. */
function hashValue(h: ReturnType<typeof createHash>, v: unknown): void {
  if (ArrayBuffer.isView(v)) {
    h.update(`${v.constructor.name}:${v.byteLength}:`);
    h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  } else if (Array.isArray(v)) {
    h.update(`[${v.length}:`);
    for (const x of v) hashValue(h, x);
    h.update(']');
  } else if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    h.update(`{${keys.length}:`);
    for (const key of keys) {
      h.update(`${JSON.stringify(key)}=`);
      hashValue(h, (v as Record<string, unknown>)[key]);
    }
    h.update('}');
  } else {
    h.update(`${JSON.stringify(v) ?? 'undefined'};`);
  }
}

/** Keeps a full fit as the model later nights fold into (pipeline/model/model-store.ts). */
async function storeFittedModel(config: Config, runId: string, papers: readonly { id: string; date: string }[], tfidf: VectorizeOutput, pca: PcaResult, cluster: ClusterOutput): Promise<void> {
  const n = papers.length;
  await saveModel(
    modelDir(config.out),
    {
      configHash: modelConfigHash(config),
      fittedInRun: runId,
      fitDate: newestDate(papers) ?? '',
      fitPapers: n,
      k: cluster.k,
      d: pca.nComponents,
      cols: tfidf.vocabulary.length,
      capturedShare: pca.explainedVarianceRatio.reduce((s, v) => s + v, 0),
      inertiaPerPaper: n > 0 ? cluster.inertia / n : 0,
      explainedVariance: Array.from(pca.explainedVariance),
      explainedVarianceRatio: Array.from(pca.explainedVarianceRatio),
      ...(pca.solver ? { solver: pca.solver } : {}),
    },
    papers.map((p) => p.id),
    { vocabulary: tfidf.vocabulary, display: tfidf.display, df: tfidf.df, idf: tfidf.idf, mean: pca.mean, components: pca.components, centroids: cluster.centroids },
  );
}
