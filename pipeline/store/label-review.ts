// Which editor labels need a person to look again after tonight's run. A name stays attached to
// its stable topic id, but the topic under the id can drift night after night (each night within
// the matching threshold, far over a month), or die. We compare tonight's terms with the terms
// the topic had when the editor named it (or last confirmed the name), not with last night's.

import { termDrift } from '../../analysis/topic-matching.ts';
import type { EditorLabel, TermWeight } from './store.ts';

export interface LabelReview {
  topicId: number;
  reason: string;
}

/**
 * Drift above which a label is flagged (default 0.5, i.e. cosine < 0.5: the same bar as a
 * one-night continuation in matchTopics, so a topic that has moved as far as a night's match
 * may move is shown to an editor).
 */
export const DEFAULT_MAX_LABEL_DRIFT = 0.5;

function head(terms: readonly TermWeight[], n = 5): string {
  return terms
    .slice(0, n)
    .map((t) => t.term)
    .join(', ');
}

/**
 * Labels to flag: topics that drifted past maxDrift, and topics that are not in tonight's run
 * (died or absorbed). Labels already flagged are not reported again. Ordered by topic id.
 */
export function labelsNeedingReview(
  labels: ReadonlyMap<number, EditorLabel>,
  tonight: readonly { topicId: number; terms: readonly TermWeight[] }[],
  opts: { maxDrift?: number; runId: string },
): LabelReview[] {
  const maxDrift = opts.maxDrift ?? DEFAULT_MAX_LABEL_DRIFT;
  if (!Number.isFinite(maxDrift) || maxDrift < 0 || maxDrift > 1) throw new RangeError(`labelsNeedingReview: maxDrift must be in [0, 1], got ${maxDrift}`);
  const termsById = new Map(tonight.map((t) => [t.topicId, t.terms]));
  const out: LabelReview[] = [];
  for (const topicId of [...labels.keys()].sort((a, b) => a - b)) {
    const label = labels.get(topicId)!;
    if (label.needsReview) continue;
    const terms = termsById.get(topicId);
    if (!terms) {
      out.push({ topicId, reason: `topic ${topicId} is not in run ${opts.runId} (it died or merged into another topic)` });
      continue;
    }
    const drift = termDrift(label.terms, terms);
    if (drift > maxDrift) {
      out.push({
        topicId,
        reason: `terms drifted ${drift.toFixed(2)} since the label was set (then: ${head(label.terms)}; now: ${head(terms)})`,
      });
    }
  }
  return out;
}
