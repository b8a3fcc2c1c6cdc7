// What the archive remembers about tonight's topic ids: their labels and sizes in earlier
// published runs, so the report can show a topic's history and name the topics it came from.
import type { LineageEntry, TopicHistoryEntry } from '../reports/model.ts';
import type { Store } from './store/store.ts';

/** Earlier runs of each topic id, oldest first, from the last `maxRuns` published runs. */
export function topicHistories(store: Store, topicIds: Iterable<number>, maxRuns = 8): Map<number, TopicHistoryEntry[]> {
  const wanted = new Set(topicIds);
  const runs = store.runs().filter((r) => r.status === 'published').slice(-maxRuns);
  const history = new Map<number, TopicHistoryEntry[]>();
  for (const run of runs) {
    for (const t of store.topicsOfRun(run.runId)) {
      if (!wanted.has(t.topicId)) continue;
      const list = history.get(t.topicId) ?? [];
      list.push({ runId: run.runId, date: run.createdAt.slice(0, 10), label: t.label, size: t.size });
      history.set(t.topicId, list);
    }
  }
  return history;
}

/** Lineage entries with the labels the `from` topics had in the previous run (editor names first). */
export function withFromLabels(
  lineage: readonly LineageEntry[],
  store: Store,
  previousRun: string | undefined,
  editorLabels: ReadonlyMap<number, string>,
): LineageEntry[] {
  if (!previousRun) return [...lineage];
  const previous = new Map(store.topicsOfRun(previousRun).map((t) => [t.topicId, t.label]));
  return lineage.map((e) => ({
    ...e,
    fromLabels: e.from.map((id) => editorLabels.get(id) ?? previous.get(id) ?? `#${id}`),
  }));
}
