// Where tonight's warm-started k-means takes its starting grouping from (the cluster stage's
// helper): the archive's last published run, unless that run was fitted on exactly tonight's
// papers (a re-run of the night, or a night with an empty feed). Then it is the newest earlier
// run fitted on a different set of papers, so re-running a night starts from what the night
// itself started from and reproduces it, instead of drifting by re-fitting its own result.
//
// The choice depends only on the archive (runs, assignments, tonight's window of papers), so
// the stage's cache key can name the grouping before the stage runs.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import type { PaperWindow, RunAssignments, Store } from '../store/store.ts';

export interface WarmStartSource {
  runId: string;
  paperIds: string[];
  /** Cluster (0..k−1, the run's k-means numbering) of each paper in paperIds. */
  clusters: Int32Array;
}

/**
 * [last published run with an assignment, newest earlier published run whose assignment covers
 * a different set of papers]; either may be missing (no runs yet, or assignments pruned).
 */
export function warmStartCandidates(store: Store): WarmStartSource[] {
  const published = store.runs().filter((r) => r.status === 'published').reverse();
  const out: WarmStartSource[] = [];
  for (const run of published) {
    const a: RunAssignments | undefined = store.assignmentsOfRun(run.runId);
    if (!a) {
      if (out.length === 0) return out; // the last run left no assignment: no warm start
      continue;
    }
    const source = { runId: run.runId, paperIds: a.paperIds, clusters: a.clusters };
    if (out.length === 0) out.push(source);
    else if (!samePapers(out[0]!.paperIds, a.paperIds)) {
      out.push(source);
      break;
    }
  }
  return out;
}

/** The candidate to warm-start from for tonight's papers, or undefined (cold start). */
export function chooseWarmStart(candidates: WarmStartSource[], tonightIds: readonly string[]): WarmStartSource | undefined {
  const [last, earlier] = candidates;
  if (!last) return undefined;
  return samePapers(last.paperIds, tonightIds) ? earlier : last;
}

/** Identity of the candidates' groupings (not their run ids: a re-run that reproduces a grouping keys the same). */
export function warmStartKey(candidates: WarmStartSource[]): string[] {
  return candidates.map((c) => {
    const h = createHash('sha256');
    h.update(c.paperIds.join('\n'));
    h.update(new Uint8Array(c.clusters.buffer, c.clusters.byteOffset, c.clusters.byteLength));
    return h.digest('hex');
  });
}

/**
 * Tonight's rows grouped by the source's clusters: groups[i] is the previous cluster of paper
 * tonightIds[i], −1 for a paper the source did not have. k is the source's number of clusters.
 */
export function previousGrouping(source: WarmStartSource, tonightIds: readonly string[]): { groups: Int32Array; k: number; matched: number } {
  const byId = new Map<string, number>();
  let k = 0;
  for (let i = 0; i < source.paperIds.length; i++) {
    byId.set(source.paperIds[i]!, source.clusters[i]!);
    if (source.clusters[i]! + 1 > k) k = source.clusters[i]! + 1;
  }
  const groups = new Int32Array(tonightIds.length).fill(-1);
  let matched = 0;
  for (let i = 0; i < tonightIds.length; i++) {
    const c = byId.get(tonightIds[i]!);
    if (c !== undefined) {
      groups[i] = c;
      matched++;
    }
  }
  return { groups, k, matched };
}

function samePapers(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  for (const id of b) if (!set.has(id)) return false;
  return true;
}

/**
 * Ids of the archive's papers in a window, read without their texts. (Store.papersInWindow reads
 * every text: 1.5 s for 61k arXiv papers, against ~0.05 s here; the SQL mirrors it.)
 */
export function windowPaperIds(archive: string, window: PaperWindow): string[] {
  const db = new Database(archive, { readonly: true, fileMustExist: true });
  try {
    if ('all' in window && window.all === true) return db.prepare<[], { id: string }>('SELECT id FROM papers').pluck().all() as unknown as string[];
    const since = (window as { sinceDate: string }).sinceDate;
    return db.prepare<[string], { id: string }>('SELECT id FROM papers WHERE date >= ?').pluck().all(since) as unknown as string[];
  } finally {
    db.close();
  }
}
