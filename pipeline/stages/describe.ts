// Stage 6: clusters → what a person reads: label, top terms, representative papers, and the
// quality figures that say how far to trust them.
import { classTfidf } from '../../analysis/ctfidf.ts';
import { describeTopics, type TopicTerm } from '../../analysis/labels.ts';
import { agreement } from '../../analysis/quality/agreement.ts';
import { restartAgreement } from '../../analysis/quality/restart-agreement.ts';
import { sizeBalance } from '../../analysis/quality/balance.ts';
import { topicDiversityReport } from '../../analysis/quality/diversity.ts';
import { npmiCoherence } from '../../analysis/quality/npmi.ts';
import { silhouette } from '../../analysis/quality/silhouette.ts';
import { representativeDocs, type Representative } from '../../analysis/representatives.ts';
import type { TfidfModel } from '../../analysis/tfidf.ts';
import type { Config } from '../config.ts';
import type { Stage } from '../stage.ts';
import type { ClusterOutput } from './cluster.ts';
import type { IngestOutput } from './ingest.ts';

export interface DescribedTopic {
  cluster: number;
  label: string;
  size: number;
  topTerms: TopicTerm[];
  representative: Representative[];
  quality: { npmi: number; silhouette: number };
}

export interface DescribeOutput {
  topics: DescribedTopic[];
  /** Cosine of each paper to its topic's centroid (assignments.csv `score`). */
  docScores: Float32Array;
  quality: Record<string, number>;
}

export const describeStage: Stage<DescribeOutput> = {
  name: 'describe',
  deps: ['ingest', 'vectorize', 'cluster'],
  version: '1',
  configKey: (c: Config) => ({ describe: c.describe, seed: c.seed }),
  run(ctx) {
    const { papers } = ctx.input<IngestOutput>('ingest');
    const tfidf = ctx.input<TfidfModel>('vectorize');
    const cl = ctx.input<ClusterOutput>('cluster');
    const cfg = ctx.config.describe;
    const { k, labels, points, d, centroids, sizes } = cl;
    const n = labels.length;

    const ctf = classTfidf(tfidf.counts, labels, k);
    const described = describeTopics({
      weights: ctf.weights,
      vocabulary: tfidf.vocabulary,
      display: tfidf.display,
      df: tfidf.df,
      k,
      topN: cfg.topTerms,
      labelTerms: cfg.labelTerms,
      sizes,
    });
    const reps = representativeDocs(points, n, d, labels, centroids, k, { perTopic: cfg.representatives, diversity: true });
    const npmi = npmiCoherence(
      described.topTerms.map((ts) => ts.map((t) => t.key)),
      tfidf.counts,
      10,
      tfidf.vocabulary,
    );
    const sil = silhouette(points, n, d, labels, k, { sampleSize: 3000, seed: ctx.config.seed });
    const diversity = topicDiversityReport(described.topTerms.map((ts) => ts.map((t) => t.term)));
    const balance = sizeBalance(sizes);

    const quality: Record<string, number> = {
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
      Object.assign(quality, { labelNmi: a.nmi, labelAri: a.ari, labelVMeasure: a.vMeasure });
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
      topics.push({
        cluster: c,
        label: described.labels[c]!,
        size: sizes[c]!,
        topTerms: described.topTerms[c]!,
        representative: reps[c]!,
        quality: { npmi: npmi.perTopic[c]!, silhouette: sil.perCluster[c]! },
      });
    }
    ctx.log.info(`describe: NPMI ${quality.npmi!.toFixed(3)}, TD@10 ${quality.td10!.toFixed(3)}, silhouette ${quality.silhouette!.toFixed(3)}`);
    return { topics, docScores, quality };
  },
};
