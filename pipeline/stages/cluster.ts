// Stage 5: PCA scores → L2-normalised rows → k-means (fixed k, or chosen by the k scan).
import { fitKMeans, normalizeRowsL2, type KMeansResult } from '../../analysis/kmeans.ts';
import type { PcaResult } from '../../analysis/pca.ts';
import { selectK, type KCurvePoint } from '../../analysis/select-k.ts';
import type { Config } from '../config.ts';
import { ConfigError } from '../errors.ts';
import type { Stage } from '../stage.ts';
import { sharedWorkerPool } from '../workers/shared-pool.ts';

export interface ClusterOutput extends KMeansResult {
  k: number;
  /** L2-normalised PCA scores (n × d): the space the clusters live in. */
  points: Float32Array;
  d: number;
  kCurve: KCurvePoint[];
  kChosenBy: 'config' | 'scan';
}

export const clusterStage: Stage<ClusterOutput> = {
  name: 'cluster',
  deps: ['reduce'],
  version: '1',
  configKey: (c: Config) => ({ cluster: c.cluster, seed: c.seed }),
  async run(ctx) {
    const pca = ctx.input<PcaResult>('reduce');
    const d = pca.nComponents;
    const n = pca.scores.length / d;
    const points = normalizeRowsL2(pca.scores, n, d);
    const c = ctx.config.cluster;
    let k: number;
    let kCurve: KCurvePoint[] = [];
    if (c.k === 'auto') {
      const scan = selectK(points, n, d, { kMin: Math.min(c.kMin, n - 1), kMax: Math.min(c.kMax, Math.floor(n / 2)), seed: ctx.config.seed });
      k = scan.k;
      kCurve = scan.curve;
      ctx.log.info(`cluster: k = ${k} chosen by the scan (${scan.curve.map((p) => `${p.k}:${p.score.toFixed(3)}`).join(' ')})`);
    } else {
      k = c.k;
      if (k >= n) throw new ConfigError(`cluster.k = ${k} is not smaller than the number of papers (${n})`, 'cluster.k');
    }
    const result = fitKMeans(points, n, d, { k, nInit: c.nInit, maxIter: c.maxIter, seed: ctx.config.seed }, await sharedWorkerPool());
    ctx.log.info(`cluster: k = ${k}, inertia ${result.inertia.toFixed(2)}, sizes ${Array.from(result.sizes).join(' ')}`);
    return { ...result, k, points, d, kCurve, kChosenBy: c.k === 'auto' ? 'scan' : 'config' };
  },
};
