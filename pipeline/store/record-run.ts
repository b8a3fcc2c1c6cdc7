// What the archive keeps of a published run: its topics under their stable ids (tomorrow's
// `previous`), its assignment, the next free topic id and the editor-label review flags. Called
// by the runner only after the run folder has been renamed into place, in one transaction, so
// the archive's last published run is always one whose report exists.
import type { ClusterOutput } from '../stages/cluster.ts';
import type { DescribeOutput } from '../stages/describe.ts';
import type { IngestOutput } from '../stages/ingest.ts';
import type { TrackOutput } from '../stages/track.ts';
import type { TrendsOutput } from '../stages/trends.ts';
import type { Store, StoredTopic } from './store.ts';

export interface PublishedRun {
  runId: string;
  runDir: string;
  ingest: IngestOutput;
  cluster: ClusterOutput;
  describe: DescribeOutput;
  trends: TrendsOutput;
  track: TrackOutput;
}

/** The run's topics as the archive stores them (terms in display form, best first). */
export function storedTopics(run: Pick<PublishedRun, 'ingest' | 'describe' | 'trends' | 'track'>): StoredTopic[] {
  const total = run.ingest.papers.length;
  return run.describe.topics.map((t) => {
    const trend = run.trends.topics[t.cluster];
    return {
      cluster: t.cluster,
      topicId: run.track.ids[t.cluster]!,
      label: t.label,
      size: t.size,
      terms: t.topTerms.map(({ term, weight }) => ({ term, weight })),
      metrics: {
        share: total > 0 ? t.size / total : 0,
        npmi: t.quality.npmi,
        silhouette: t.quality.silhouette,
        growth: trend?.growth,
        z: trend?.z,
        recentShare: trend?.recentShare,
      },
    };
  });
}

export function recordPublishedRun(store: Store, run: PublishedRun): void {
  const a = run.ingest.archive;
  store.recordPublishedRun(run.runId, {
    topics: storedTopics(run),
    assignments: { paperIds: run.ingest.papers.map((p) => p.id), clusters: run.cluster.labels, scores: run.describe.docScores },
    nextTopicId: run.track.nextId,
    reviews: run.track.reviews,
    countsJson: JSON.stringify({ ...run.ingest.counts, ...(a ? { newPapers: a.inserted, archivePapers: a.total, windowPapers: a.window } : {}) }),
    reportDir: run.runDir,
  });
}
