// Stage 7: tonight's topics → stable topic ids. Each night's refit numbers its clusters afresh;
// editors named last night's topics and expect the names to stay. So tonight's topics are
// matched to the last *published* run's topics in the archive by their term vectors
// (analysis/topic-matching.ts: Hungarian, one to one, above tracking.threshold): a match keeps
// its id, the rest get new ids, and the lineage says what continued, split, merged, was born or
// died. It also works out which editor labels need a look (drift, split, death); those flags are
// written to the archive only when the run is published (pipeline/store/record-run.ts).
import { matchTopics, type LineageEntry } from '../../analysis/topic-matching.ts';
import type { Config } from '../config.ts';
import type { Stage } from '../stage.ts';
import { labelsNeedingReview, type LabelReview } from '../store/label-review.ts';
import type { DescribeOutput } from './describe.ts';

export interface ShownEditorLabel {
  id: number; // stable topic id (a topic of tonight's run)
  label: string;
  needsReview: boolean; // flagged before or tonight
  reviewReason?: string;
}

export interface TrackOutput {
  /** The run matched against; null on the first night (every topic is born). */
  previousRun: string | null;
  /** Stable topic id of each cluster index. */
  ids: Int32Array;
  /** One entry per cluster index. */
  lineage: LineageEntry[];
  /** Previous topics that have no successor tonight, with the name they were shown under. */
  died: { id: number; label: string }[];
  /** The next unused stable id after tonight (recorded at publish). */
  nextId: number;
  /** Editor labels of tonight's topics, by id. */
  editorLabels: ShownEditorLabel[];
  /** Labels to flag for review at publish, by topic id. */
  reviews: LabelReview[];
}

export const trackStage: Stage<TrackOutput> = {
  name: 'track',
  deps: ['describe'],
  version: '1',
  // The previous run, the id counter and the labels live in the archive, not in the deps.
  alwaysRun: true,
  configKey: (c: Config) => c.tracking,
  run(ctx) {
    const { store, config } = ctx;
    const describe = ctx.input<DescribeOutput>('describe');
    const previous = store.lastPublishedRun();
    const previousTopics = previous ? store.topicsOfRun(previous.runId) : [];
    const current = describe.topics.map((t) => ({ id: t.cluster, terms: t.topTerms.map(({ term, weight }) => ({ term, weight })), size: t.size }));
    const match = matchTopics(
      previousTopics.map((t) => ({ id: t.topicId, terms: t.terms, size: t.size })),
      current,
      { nextId: store.nextTopicId(), threshold: config.tracking.threshold, splitThreshold: config.tracking.splitThreshold },
    );

    const labels = store.editorLabels();
    const previousLabel = new Map(previousTopics.map((t) => [t.topicId, t.label]));
    const died = match.died.map((id) => ({ id, label: labels.get(id)?.label ?? previousLabel.get(id) ?? '' }));

    const reviews = labelsNeedingReview(
      labels,
      current.map((t) => ({ topicId: match.ids[t.id]!, terms: t.terms })),
      { maxDrift: config.tracking.maxLabelDrift, runId: ctx.runId },
    );
    // A named topic that split: the name may now fit only one of the parts.
    const flagged = new Set(reviews.map((r) => r.topicId));
    for (const e of match.lineage) {
      const parent = e.from[0];
      if (e.status !== 'split' || parent === undefined) continue;
      const label = labels.get(parent);
      if (!label || label.needsReview || flagged.has(parent)) continue;
      flagged.add(parent);
      reviews.push({ topicId: parent, reason: `topic ${parent} split in run ${ctx.runId}: new topic ${e.id} (${describe.topics[e.cluster]!.label}) took part of it` });
    }
    reviews.sort((a, b) => a.topicId - b.topicId);
    const reviewOf = new Map(reviews.map((r) => [r.topicId, r.reason]));

    const editorLabels: ShownEditorLabel[] = [];
    for (const id of [...match.ids].sort((a, b) => a - b)) {
      const label = labels.get(id);
      if (!label) continue;
      const reason = reviewOf.get(id) ?? label.reviewReason;
      editorLabels.push({ id, label: label.label, needsReview: label.needsReview || reviewOf.has(id), ...(reason !== undefined ? { reviewReason: reason } : {}) });
    }

    const count = (s: string) => match.lineage.filter((e) => e.status === s).length;
    ctx.log.info(
      previous
        ? `track: against run ${previous.runId}: ${count('continued')} continued, ${count('merged')} merged, ${count('split')} split, ${count('born')} born, ${died.length} died; ${reviews.length} editor label(s) to review`
        : `track: first run in the archive: ${match.lineage.length} topics born`,
    );
    return { previousRun: previous?.runId ?? null, ids: match.ids, lineage: match.lineage, died, nextId: match.nextId, editorLabels, reviews };
  },
};
