// Stage 6: clusters → what a person reads: label, top terms, representative papers, and the
// quality figures that say how far to trust them.
import { columnTotals } from '../../analysis/column-totals.ts';
import { classTfidf } from '../../analysis/ctfidf.ts';
import { describeTopics, type TopicTerm } from '../../analysis/labels.ts';
import { agreement } from '../../analysis/quality/agreement.ts';
import { restartAgreement } from '../../analysis/quality/restart-agreement.ts';
import { sizeBalance } from '../../analysis/quality/balance.ts';
import { topicDiversityReport } from '../../analysis/quality/diversity.ts';
import { npmiCoherence } from '../../analysis/quality/npmi.ts';
import { silhouette } from '../../analysis/quality/silhouette.ts';
import { sharedWorkerPool } from '../workers/shared-pool.ts';
import { representativeDocs, type Representative } from '../../analysis/representatives.ts';
import type { CsrMatrix } from '../../analysis/types.ts';
import type { Config } from '../config.ts';
import type { Stage } from '../stage.ts';
import type { ClusterOutput } from './cluster.ts';
import type { IngestOutput } from './ingest.ts';
import type { VectorizeOutput } from './vectorize.ts';

export interface DescribedTopic {
  cluster: number;
  label: string;
  size: number;
  topTerms: TopicTerm[];
  representative: Representative[];
  /**
   * Per-topic figures. A figure that is undefined for this topic (silhouette of a topic with no
   * sampled member, NPMI with fewer than two terms) is absent, never NaN (JSON would turn NaN into
   * a silent null); `flags` and the run's qualityNotes say why.
   */
  quality: { npmi?: number; silhouette?: number; sizeRatio: number };
  /** What an editor should look at: see topicFlags. Empty for an unremarkable topic. */
  flags: string[];
}

export interface DescribeOutput {
  topics: DescribedTopic[];
  /** Cosine of each paper to its topic's centroid (assignments.csv `score`). */
  docScores: Float32Array;
  /** Corpus-level figures; only finite numbers (an undefined figure is left out and explained in qualityNotes). */
  quality: Record<string, number>;
  /** Why a figure is missing, e.g. 'restartAgreement: undefined with fewer than 2 k-means restarts'. */
  qualityNotes: string[];
}

/** A topic this much smaller than the average size (n / k) is flagged 'tiny'; this much larger, 'giant'. */
export const SIZE_FLAG_FACTOR = 4;

/**
 * Flags for one topic, from figures every run has:
 *  - 'tiny' / 'giant': size below 1/SIZE_FLAG_FACTOR or above SIZE_FLAG_FACTOR times the
 *    average topic size (k-means can collapse into one giant cluster and crumbs);
 *  - 'incoherent': NPMI of the top terms below 0 (its words do not occur together more than by
 *    chance: often a catch-all of short or off-topic documents);
 *  - 'not separated': mean silhouette of its sampled members below 0 (its members are on
 *    average nearer another topic).
 */
export function topicFlags(sizeRatio: number, npmi: number | undefined, silhouette: number | undefined): string[] {
  const flags: string[] = [];
  if (sizeRatio < 1 / SIZE_FLAG_FACTOR) flags.push('tiny');
  if (sizeRatio > SIZE_FLAG_FACTOR) flags.push('giant');
  if (npmi !== undefined && npmi < 0) flags.push('incoherent');
  if (silhouette !== undefined && silhouette < 0) flags.push('not separated');
  return flags;
}

/** The same matrix with every stored count tf replaced by 1 + ln tf. */
export function sublinearCounts(counts: CsrMatrix): CsrMatrix {
  // Nearly every count is a small integer: a table of 1 + ln tf for those (the same values as
  // computing each one; 6M Math.log calls cost ~0.1 s).
  const table = new Float64Array(256);
  for (let x = 1; x < 256; x++) table[x] = 1 + Math.log(x);
  const src = counts.data;
  const data = new Float32Array(src.length);
  for (let p = 0; p < src.length; p++) {
    const x = src[p]!;
    data[p] = x >= 1 && x < 256 && Number.isInteger(x) ? table[x]! : x > 0 ? 1 + Math.log(x) : 0;
  }
  return { ...counts, data };
}

function finite(x: number | undefined): number | undefined {
  return x !== undefined && Number.isFinite(x) ? x : undefined;
}

export const describeStage: Stage<DescribeOutput> = {
  name: 'describe',
  deps: ['ingest', 'vectorize', 'cluster'],
  version: '2',
  configKey: (c: Config) => ({ describe: c.describe, seed: c.seed }),
  async run(ctx) {
    const { papers } = ctx.input<IngestOutput>('ingest');
    const tfidf = ctx.input<VectorizeOutput>('vectorize');
    const cl = ctx.input<ClusterOutput>('cluster');
    const cfg = ctx.config.describe;
    const { k, labels, points, d, centroids, sizes } = cl;
    const n = labels.length;

    // c-TF-IDF over sublinear counts (1 + ln tf, as the TF-IDF itself): with raw counts one long
    // document repeating a rare word fills its topic's terms ('hobgoblin', 'krillean' in a catch-all
    // topic of 20 Newsgroups). Measured on 20 Newsgroups k = 20 (one partition): NPMI 0.305 with
    // raw counts, 0.361 with presence (0/1), 0.371 with 1 + ln tf.
    // The pool (silhouette below uses it anyway): the topics' sums and NPMI's counts go over it when
    // the counts are large and in shared memory (poolFor; vectorize puts them there), the same
    // figures either way.
    const pool = await sharedWorkerPool(ctx.config.workers);
    const ctf = classTfidf(tfidf.counts, labels, k, { sublinear: true, pool }); // as classTfidf(sublinearCounts(counts)), without the copy
    const described = describeTopics({
      weights: ctf.weights,
      vocabulary: tfidf.vocabulary,
      display: tfidf.display,
      df: tfidf.df,
      k,
      topN: cfg.topTerms,
      labelTerms: cfg.labelTerms,
      sizes,
      termCounts: columnTotals(tfidf.counts, pool), // over the pool: the same whole-number sums
    });
    const reps = representativeDocs(points, n, d, labels, centroids, k, { perTopic: cfg.representatives, diversity: true });
    const npmi = npmiCoherence(
      described.topTerms.map((ts) => ts.map((t) => t.key)),
      tfidf.counts,
      10,
      tfidf.vocabulary,
      pool,
    );
    // The pair distances over the worker pool (the same figures as on one thread).
    const sil = silhouette(points, n, d, labels, k, { sampleSize: 3000, seed: ctx.config.seed }, pool);
    const diversity = topicDiversityReport(described.topTerms.map((ts) => ts.map((t) => t.term)));
    const balance = sizeBalance(sizes);

    const raw: Record<string, number> = {
      npmi: npmi.mean,
      td10: diversity.td10,
      td25: diversity.td25,
      silhouette: sil.mean,
      restartAgreement: restartAgreement(cl.restartLabels),
      sizeRatio: balance.ratio,
      sizeEntropy: balance.entropy,
      sizeGini: balance.gini,
      inertia: cl.inertia,
    };
    // Agreement with the input's own classes, when every paper carries one.
    if (papers.every((p) => p.label !== undefined && p.label !== '')) {
      const a = agreement(papers.map((p) => p.label!), labels);
      Object.assign(raw, { labelNmi: a.nmi, labelAri: a.ari, labelVMeasure: a.vMeasure });
    }
    // NaN is how the metrics say "undefined here"; JSON.stringify would write it as null with no
    // reason given, so it is left out and the reason recorded.
    const quality: Record<string, number> = {};
    const qualityNotes: string[] = [];
    const why: Record<string, string> = {
      npmi: 'no topic has two listed terms',
      td10: 'no topic has listed terms',
      td25: 'no topic has listed terms',
      silhouette: 'fewer than 2 topics in the silhouette sample',
      restartAgreement: 'fewer than 2 k-means restarts (cluster.nInit 1, or a fold-in night, which runs only the warm restart)',
    };
    for (const [key, value] of Object.entries(raw)) {
      if (Number.isFinite(value)) quality[key] = value;
      else qualityNotes.push(`${key}: undefined (${why[key] ?? 'not computable for this run'})`);
    }

    const docScores = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const c = labels[i]!;
      let dot = 0;
      let norm = 0;
      for (let j = 0; j < d; j++) {
        const cj = centroids[c * d + j]!;
        dot += points[i * d + j]! * cj;
        norm += cj * cj;
      }
      docScores[i] = norm > 0 ? dot / Math.sqrt(norm) : 0; // points are unit rows
    }

    const topics: DescribedTopic[] = [];
    for (let c = 0; c < k; c++) {
      const sizeRatio = (sizes[c]! * k) / n;
      const topicNpmi = finite(npmi.perTopic[c]);
      const topicSil = finite(sil.perCluster[c]);
      const q: DescribedTopic['quality'] = { sizeRatio };
      if (topicNpmi !== undefined) q.npmi = topicNpmi;
      if (topicSil !== undefined) q.silhouette = topicSil;
      topics.push({
        cluster: c,
        label: described.labels[c]!,
        size: sizes[c]!,
        topTerms: described.topTerms[c]!,
        representative: reps[c]!,
        quality: q,
        flags: topicFlags(sizeRatio, topicNpmi, topicSil),
      });
    }
    const fmt = (x: number | undefined) => (x === undefined ? 'n/a' : x.toFixed(3));
    ctx.log.info(`describe: NPMI ${fmt(quality.npmi)}, TD@10 ${fmt(quality.td10)}, silhouette ${fmt(quality.silhouette)}`);
    for (const note of qualityNotes) ctx.log.info(`describe: ${note}`);
    return { topics, docScores, quality, qualityNotes };
  },
};
