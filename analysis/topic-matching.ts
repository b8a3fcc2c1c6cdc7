// Stable topic identity across refits. Every night the topics are refitted from scratch and
// come out in an arbitrary cluster order; editors have named last night's topics and expect the
// names to stick. So tonight's topics are matched to last night's by what they are about – the
// cosine of their top-term vectors (PCA coordinates are useless here: the basis moves between
// fits) – and a matched topic inherits the previous stable id.
//
//   1. S[p, c] = cosine(term vector of previous p, term vector of current c).
//   2. Hungarian assignment maximising Σ S over pairs with S ≥ threshold (pairs below it cost
//      nothing, so they are never preferred to a real match). Kept pairs are 'continued'.
//   3. A previous topic left unmatched whose best matched current topic has S ≥ splitThreshold
//      was absorbed by it: that current topic is 'merged', from = [its match, absorbed...].
//   4. A current topic left unmatched whose best matched previous topic has S ≥ splitThreshold
//      split off it: new id, 'split', from = [that previous id].
//   5. Other current topics are 'born' (new id); other previous topics 'died'.
//   New ids go to current topics by size (largest first), then cluster index.
//
// Thresholds. BERTopic / BERTrend use 0.7 on embedding cosines. Our vectors are the top-25
// c-TF-IDF terms, which share fewer terms between two fits of the same topic than embeddings
// share direction, so the defaults here were measured on real abstracts
// (bench/topic-matching-thresholds.ts): see DEFAULT_THRESHOLD and DEFAULT_SPLIT_THRESHOLD.

import { hungarian } from './hungarian.ts';
import { termCosine, topicTermVectors } from './term-vector.ts';

export { hungarian } from './hungarian.ts';
export { termDrift, termKey, termVector, topicTermVectors, termCosine, type TermVector } from './term-vector.ts';

/** A topic as the matcher sees it. */
export interface TopicSignature {
  id: number; // previous topics: stable id; current topics: cluster index 0..k−1
  terms: { term: string; weight: number }[]; // top terms (c-TF-IDF), any order
  size: number; // papers in the topic
}

export type LineageStatus = 'continued' | 'born' | 'split' | 'merged';

export interface LineageEntry {
  id: number; // stable id given to the current topic
  cluster: number; // its cluster index in this run
  status: LineageStatus;
  from: number[]; // continued: [id]; merged: [matched id, absorbed ids…]; split: [parent id]; born: []
  similarity: number; // cosine to from[0]; for 'born' the best cosine to any previous topic (0 if none)
}

export interface MatchResult {
  ids: Int32Array; // stable id per current topic, indexed by cluster
  lineage: LineageEntry[]; // one per current topic, by cluster index
  died: number[]; // previous ids neither matched nor absorbed by a merge, ascending
  nextId: number; // the next unused stable id after this match
}

export interface MatchOptions {
  /** Minimum cosine for a one-to-one continuation (default DEFAULT_THRESHOLD). */
  threshold?: number;
  /** Minimum cosine for a split or a merge (default DEFAULT_SPLIT_THRESHOLD). */
  splitThreshold?: number;
  /** First id to hand out to born and split topics; must exceed every previous id. */
  nextId: number;
}

/**
 * Default continuation threshold for top-25 c-TF-IDF term vectors. Measured with
 * bench/topic-matching-thresholds.ts (known classes as topics, each fitted on two disjoint random
 * halves of the corpus, a harsher change than one night's new papers): the same class scored
 * cosine ≥ 0.74 (median 0.89 on 20 Newsgroups, 0.95 on arXiv cs), the best *other* class a
 * median 0.25 / 0.43 but up to 0.71 / 0.74 for near-twin classes (comp.* groups; cs.CL vs
 * cs.AI). BERTopic's 0.7 would sit right on the edge of genuine continuations, so we take 0.5:
 * lost identity is the complaint editors have, near-twins are kept apart by the one-to-one
 * assignment itself, and a wrong inheritance is caught by the editor-label drift check.
 */
export const DEFAULT_THRESHOLD = 0.5;

/**
 * Default threshold for split / merge links. Two classes fitted as one topic and then apart
 * scored 0.49–1.0 child-to-parent in 13 of 14 cases (the exception: a child a third the size of
 * its sibling, 0.32); 0.4 keeps those and stays above the median best-other-class cosine.
 * Splits and merges only change the lineage story, never who keeps an id, so this errs lower.
 */
export const DEFAULT_SPLIT_THRESHOLD = 0.4;

function checkUnitInterval(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0 || value > 1) {
    throw new RangeError(`matchTopics: ${name} must be in (0, 1], got ${value}`);
  }
}

function bySizeThenCluster(sizes: number[]): (a: number, b: number) => number {
  return (a, b) => sizes[b] - sizes[a] || a - b;
}

/**
 * Matches tonight's topics (`current`, ids = cluster indexes 0..k−1) to last night's
 * (`previous`, ids = stable ids). Pure and deterministic: the result depends only on the topics,
 * not on the order of either array.
 */
export function matchTopics(previous: readonly TopicSignature[], current: readonly TopicSignature[], opts: MatchOptions): MatchResult {
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
  const splitThreshold = opts.splitThreshold ?? DEFAULT_SPLIT_THRESHOLD;
  checkUnitInterval('threshold', threshold);
  checkUnitInterval('splitThreshold', splitThreshold);
  if (!Number.isSafeInteger(opts.nextId) || opts.nextId < 0) {
    throw new RangeError(`matchTopics: nextId must be a non-negative integer, got ${opts.nextId}`);
  }

  // Canonical order: previous by stable id, current by cluster index.
  const prev = [...previous].sort((a, b) => a.id - b.id);
  const cur = [...current].sort((a, b) => a.id - b.id);
  for (let p = 0; p < prev.length; p++) {
    const id = prev[p].id;
    if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`matchTopics: previous id ${id} is not a non-negative integer`);
    if (p > 0 && prev[p - 1].id === id) throw new RangeError(`matchTopics: previous id ${id} appears twice`);
    if (id >= opts.nextId) throw new RangeError(`matchTopics: nextId ${opts.nextId} must exceed every previous id (found ${id})`);
  }
  for (let c = 0; c < cur.length; c++) {
    if (cur[c].id !== c) {
      throw new RangeError(`matchTopics: current ids must be the cluster indexes 0..${cur.length - 1} (found ${cur[c].id})`);
    }
  }
  for (const t of [...prev, ...cur]) {
    if (!Number.isFinite(t.size) || t.size < 0) throw new RangeError(`matchTopics: topic ${t.id} has size ${t.size}`);
  }

  const P = prev.length;
  const C = cur.length;
  const pv = topicTermVectors(prev.map((t) => t.terms));
  const cv = topicTermVectors(cur.map((t) => t.terms));
  const sim = new Float64Array(P * C);
  // Pairs under the threshold cost 0, like leaving both sides unmatched, so the assignment
  // maximises the similarity of eligible pairs only.
  const cost = new Float64Array(P * C);
  for (let p = 0; p < P; p++) {
    for (let c = 0; c < C; c++) {
      const s = termCosine(pv[p], cv[c]);
      sim[p * C + c] = s;
      if (s >= threshold) cost[p * C + c] = -s;
    }
  }

  const matchOfPrev = new Int32Array(P).fill(-1);
  const matchOfCur = new Int32Array(C).fill(-1);
  const assignment = hungarian(cost, P, C);
  for (let p = 0; p < P; p++) {
    const c = assignment[p];
    if (c >= 0 && sim[p * C + c] >= threshold) {
      matchOfPrev[p] = c;
      matchOfCur[c] = p;
    }
  }

  // Merges: an unmatched previous topic is absorbed by the matched current topic it is most
  // similar to (first cluster on ties), if that similarity is strong.
  const absorbed: number[][] = Array.from({ length: C }, () => []);
  const died: number[] = [];
  for (let p = 0; p < P; p++) {
    if (matchOfPrev[p] >= 0) continue;
    let best = -1;
    for (let c = 0; c < C; c++) {
      if (matchOfCur[c] >= 0 && sim[p * C + c] >= splitThreshold && (best < 0 || sim[p * C + c] > sim[p * C + best])) best = c;
    }
    if (best >= 0) absorbed[best].push(p);
    else died.push(prev[p].id);
  }

  // Splits: an unmatched current topic hangs off the matched previous topic it is most similar to.
  const parentOfCur = new Int32Array(C).fill(-1);
  for (let c = 0; c < C; c++) {
    if (matchOfCur[c] >= 0) continue;
    let best = -1;
    for (let p = 0; p < P; p++) {
      if (matchOfPrev[p] >= 0 && sim[p * C + c] >= splitThreshold && (best < 0 || sim[p * C + c] > sim[best * C + c])) best = p;
    }
    parentOfCur[c] = best;
  }

  // Stable ids: inherited, or new ones handed out largest topic first.
  const ids = new Int32Array(C).fill(-1);
  let nextId = opts.nextId;
  for (let c = 0; c < C; c++) if (matchOfCur[c] >= 0) ids[c] = prev[matchOfCur[c]].id;
  const sizes = cur.map((t) => t.size);
  const unmatched = [...Array(C).keys()].filter((c) => matchOfCur[c] < 0).sort(bySizeThenCluster(sizes));
  for (const c of unmatched) ids[c] = nextId++;

  const lineage: LineageEntry[] = [];
  for (let c = 0; c < C; c++) {
    const m = matchOfCur[c];
    if (m >= 0) {
      const similarity = sim[m * C + c];
      if (absorbed[c].length === 0) {
        lineage.push({ id: ids[c], cluster: c, status: 'continued', from: [prev[m].id], similarity });
      } else {
        // The match first, then the absorbed topics by how strongly they went in.
        const others = absorbed[c].sort((a, b) => sim[b * C + c] - sim[a * C + c] || a - b).map((p) => prev[p].id);
        lineage.push({ id: ids[c], cluster: c, status: 'merged', from: [prev[m].id, ...others], similarity });
      }
    } else if (parentOfCur[c] >= 0) {
      const p = parentOfCur[c];
      lineage.push({ id: ids[c], cluster: c, status: 'split', from: [prev[p].id], similarity: sim[p * C + c] });
    } else {
      let best = 0;
      for (let p = 0; p < P; p++) best = Math.max(best, sim[p * C + c]);
      lineage.push({ id: ids[c], cluster: c, status: 'born', from: [], similarity: best });
    }
  }

  return { ids, lineage, died, nextId };
}
