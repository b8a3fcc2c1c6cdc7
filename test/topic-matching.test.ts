import { describe, expect, it } from 'vitest';
import { createRandom } from '../analysis/random.ts';
import {
  hungarian,
  matchTopics,
  termCosine,
  termDrift,
  termKey,
  termVector,
  topicTermVectors,
  type TopicSignature,
} from '../analysis/topic-matching.ts';

/** Exhaustive minimum over all injective maps of the smaller side into the larger one. */
function bruteForceMin(cost: Float64Array, rows: number, cols: number): number {
  let best = Infinity;
  const usedCols = new Array<boolean>(cols).fill(false);
  const usedRows = new Array<boolean>(rows).fill(false);
  const assigned = Math.min(rows, cols);
  if (rows <= cols) {
    const go = (i: number, acc: number): void => {
      if (i === rows) return void (best = Math.min(best, acc));
      for (let j = 0; j < cols; j++) {
        if (usedCols[j]) continue;
        usedCols[j] = true;
        go(i + 1, acc + cost[i * cols + j]);
        usedCols[j] = false;
      }
    };
    go(0, 0);
  } else {
    const go = (j: number, acc: number): void => {
      if (j === cols) return void (best = Math.min(best, acc));
      for (let i = 0; i < rows; i++) {
        if (usedRows[i]) continue;
        usedRows[i] = true;
        go(j + 1, acc + cost[i * cols + j]);
        usedRows[i] = false;
      }
    };
    go(0, 0);
  }
  return assigned === 0 ? 0 : best;
}

function totalCost(cost: Float64Array, cols: number, assignment: Int32Array): number {
  let sum = 0;
  assignment.forEach((j, i) => {
    if (j >= 0) sum += cost[i * cols + j];
  });
  return sum;
}

function expectValidAssignment(a: Int32Array, rows: number, cols: number): void {
  const seen = new Set<number>();
  for (const j of a) {
    if (j < 0) continue;
    expect(j).toBeLessThan(cols);
    expect(seen.has(j)).toBe(false);
    seen.add(j);
  }
  expect(seen.size).toBe(Math.min(rows, cols));
}

describe('hungarian', () => {
  it('solves a known 3 × 3 matrix', () => {
    // Optimum 1 + 2 + 2 = 5: row 0 → col 1, row 1 → col 0, row 2 → col 2.
    const cost = Float64Array.from([4, 1, 3, 2, 0, 5, 3, 2, 2]);
    expect([...hungarian(cost, 3, 3)]).toEqual([1, 0, 2]);
  });

  it('solves a wide matrix: every row gets a column', () => {
    const cost = Float64Array.from([
      10, 1, 10, 10, //
      10, 10, 10, 2,
    ]);
    expect([...hungarian(cost, 2, 4)]).toEqual([1, 3]);
  });

  it('solves a tall matrix: leftover rows get −1', () => {
    const cost = Float64Array.from([
      5, 9, //
      1, 8,
      7, 2,
    ]);
    expect([...hungarian(cost, 3, 2)]).toEqual([-1, 0, 1]);
  });

  it('handles negative costs (maximisation by negation)', () => {
    const sim = Float64Array.from([0.9, 0.8, 0.85, 0.1]);
    const neg = sim.map((s) => -s);
    // Greedy would take (0,0)=0.9 then (1,1)=0.1: 1.0. The optimum is 0.8 + 0.85 = 1.65.
    expect([...hungarian(neg, 2, 2)]).toEqual([1, 0]);
  });

  it('matches brute force on random matrices, square and rectangular', () => {
    const random = createRandom(42);
    for (let trial = 0; trial < 200; trial++) {
      const rows = 1 + Math.floor(random() * 6);
      const cols = 1 + Math.floor(random() * 6);
      // Integer costs make ties frequent, which is where a broken tie-break would show.
      const cost = Float64Array.from({ length: rows * cols }, () => Math.floor(random() * 5) - 2);
      const a = hungarian(cost, rows, cols);
      expect(a.length).toBe(rows);
      expectValidAssignment(a, rows, cols);
      expect(totalCost(cost, cols, a)).toBeCloseTo(bruteForceMin(cost, rows, cols), 9);
    }
  });

  it('breaks ties deterministically', () => {
    const zeros = new Float64Array(16);
    const first = hungarian(zeros, 4, 4);
    expectValidAssignment(first, 4, 4);
    for (let i = 0; i < 5; i++) expect([...hungarian(zeros, 4, 4)]).toEqual([...first]);
    expect([...first]).toEqual([0, 1, 2, 3]); // the identity: lowest column first
  });

  it('accepts empty matrices and rejects bad input', () => {
    expect([...hungarian(new Float64Array(0), 0, 3)]).toEqual([]);
    expect([...hungarian(new Float64Array(0), 2, 0)]).toEqual([-1, -1]);
    expect(() => hungarian(new Float64Array(5), 2, 3)).toThrow(/expected rows × cols = 6/);
    expect(() => hungarian(Float64Array.from([0, NaN]), 1, 2)).toThrow(/finite/);
    expect(() => hungarian(new Float64Array(0), -1, 0)).toThrow(/non-negative/);
  });
});

describe('term vectors', () => {
  it('keys terms by a folded string so display forms that flip still match', () => {
    expect(termKey('Diffusion  Models')).toBe('diffusion model');
    expect(termKey('class')).toBe('class');
    const a = termVector([{ term: 'Language Models', weight: 2 }, { term: 'tokens', weight: 1 }]);
    const b = termVector([{ term: 'token', weight: 1 }, { term: 'language model', weight: 2 }]);
    expect(termCosine(a, b)).toBeCloseTo(1, 12);
  });

  it('is L2-normalised, sums duplicate keys and drops zeros', () => {
    const v = termVector([{ term: 'a', weight: 3 }, { term: 'b', weight: 0 }, { term: 'A', weight: 1 }, { term: 'c', weight: 3 }]);
    expect(v.keys).toEqual(['a', 'c']);
    expect(v.weights[0]).toBeCloseTo(4 / 5, 12);
    expect(v.weights[1]).toBeCloseTo(3 / 5, 12);
    expect(topicTermVectors([[], [{ term: 'x', weight: 1 }]])[0].keys).toEqual([]);
    expect(() => termVector([{ term: 'x', weight: -1 }])).toThrow(/≥ 0/);
  });

  it('termDrift is 1 − cosine', () => {
    const t = [{ term: 'graph', weight: 3 }, { term: 'node', weight: 4 }];
    expect(termDrift(t, t)).toBeCloseTo(0, 12);
    expect(termDrift(t, [{ term: 'protein', weight: 1 }])).toBe(1);
    // cos = (3·3)/(5·3) = 0.6
    expect(termDrift(t, [{ term: 'graphs', weight: 3 }])).toBeCloseTo(0.4, 12);
    expect(termDrift([], t)).toBe(1);
  });
});

// Small, hand-made topics. Weights fall off with rank as c-TF-IDF weights do.
function topic(id: number, words: string[], size = 100): TopicSignature {
  return { id, size, terms: words.map((term, r) => ({ term, weight: 1 / (1 + 0.15 * r) })) };
}
const SPORT = ['hockey', 'puck', 'goal', 'ice', 'season', 'team', 'player', 'league'];
const SPACE = ['orbit', 'nasa', 'launch', 'rocket', 'satellite', 'moon', 'shuttle', 'mission'];
const CRYPTO = ['encryption', 'key', 'clipper', 'chip', 'escrow', 'nsa', 'privacy', 'algorithm'];
const MEDICINE = ['patient', 'disease', 'doctor', 'treatment', 'drug', 'clinical', 'symptom', 'health'];
const CARS = ['car', 'engine', 'dealer', 'mile', 'ford', 'driving', 'tire', 'brake'];
// A vision topic that will split into an image half and a video half.
const VISION = ['image', 'object', 'detection', 'video', 'segmentation', 'frame', 'pixel', 'tracking', 'scene', 'temporal'];
const IMAGE = ['image', 'segmentation', 'object', 'detection', 'pixel', 'mask', 'scene', 'semantic'];
const VIDEO = ['video', 'frame', 'temporal', 'tracking', 'motion', 'object', 'action', 'clip'];

describe('matchTopics', () => {
  const previous = [topic(3, SPORT), topic(7, SPACE), topic(11, CRYPTO)];

  it('identical topics keep their ids', () => {
    const current = [topic(0, SPORT), topic(1, SPACE), topic(2, CRYPTO)];
    const r = matchTopics(previous, current, { nextId: 12 });
    expect([...r.ids]).toEqual([3, 7, 11]);
    expect(r.lineage.map((e) => e.status)).toEqual(['continued', 'continued', 'continued']);
    expect(r.lineage.map((e) => e.from)).toEqual([[3], [7], [11]]);
    for (const e of r.lineage) expect(e.similarity).toBeCloseTo(1, 12);
    expect(r.died).toEqual([]);
    expect(r.nextId).toBe(12);
  });

  it('follows content, not cluster order, and ignores the order of the input arrays', () => {
    const current = [topic(0, CRYPTO), topic(1, SPORT), topic(2, SPACE)];
    const r = matchTopics(previous, current, { nextId: 12 });
    expect([...r.ids]).toEqual([11, 3, 7]);
    const shuffled = matchTopics([previous[2], previous[0], previous[1]], [current[1], current[2], current[0]], { nextId: 12 });
    expect(shuffled).toEqual(r);
  });

  it('keeps an id through moderate drift of the term list', () => {
    // Half the sport terms replaced and reordered: still the same topic.
    const drifted = ['hockey', 'team', 'playoff', 'puck', 'game', 'goalie', 'season', 'nhl'];
    const r = matchTopics(previous, [topic(0, SPACE), topic(1, drifted), topic(2, CRYPTO)], { nextId: 12 });
    expect([...r.ids]).toEqual([7, 3, 11]);
    expect(r.lineage[1].status).toBe('continued');
    expect(r.lineage[1].similarity).toBeGreaterThan(0.5);
    expect(r.lineage[1].similarity).toBeLessThan(0.9);
  });

  it('a topic split in two gives one continued and one split', () => {
    const prev = [topic(0, SPORT), topic(1, VISION, 300)];
    const cur = [topic(0, SPORT), topic(1, VIDEO, 120), topic(2, IMAGE, 180)];
    // The fixture does what it claims: both halves are strongly similar to the parent.
    const parent = termVector(prev[1].terms);
    const toImage = termCosine(parent, termVector(cur[2].terms));
    const toVideo = termCosine(parent, termVector(cur[1].terms));
    expect(toImage).toBeGreaterThan(0.5);
    expect(toVideo).toBeGreaterThan(0.4);
    const r = matchTopics(prev, cur, { nextId: 2 });
    const image = r.lineage[2];
    const video = r.lineage[1];
    expect(image).toMatchObject({ id: 1, status: 'continued', from: [1] });
    expect(video).toMatchObject({ id: 2, status: 'split', from: [1] });
    expect(video.similarity).toBeCloseTo(toVideo, 12);
    expect(r.died).toEqual([]);
    expect(r.nextId).toBe(3);
  });

  it('two topics merged into one give merged with both ids in from', () => {
    const prev = [topic(4, SPORT), topic(5, IMAGE, 180), topic(6, VIDEO, 120)];
    const cur = [topic(0, VISION, 300), topic(1, SPORT)];
    const r = matchTopics(prev, cur, { nextId: 7 });
    expect(r.lineage[0].status).toBe('merged');
    expect(r.lineage[0].from).toHaveLength(2);
    expect([...r.lineage[0].from].sort()).toEqual([5, 6]);
    expect(r.lineage[0].from[0]).toBe(r.lineage[0].id); // the Hungarian match comes first
    expect(r.lineage[1]).toMatchObject({ id: 4, status: 'continued' });
    expect(r.died).toEqual([]);
    expect(r.nextId).toBe(7);
  });

  it('an unrelated new topic is born with the next id; an unmatched old topic died', () => {
    const cur = [topic(0, SPORT), topic(1, MEDICINE), topic(2, CRYPTO)];
    const r = matchTopics(previous, cur, { nextId: 20 });
    expect([...r.ids]).toEqual([3, 20, 11]);
    expect(r.lineage[1]).toMatchObject({ id: 20, status: 'born', from: [] });
    expect(r.lineage[1].similarity).toBeLessThan(0.4);
    expect(r.died).toEqual([7]);
    expect(r.nextId).toBe(21);
  });

  it('hands out new ids by size (largest first), then cluster index', () => {
    const cur = [topic(0, MEDICINE, 50), topic(1, CARS, 80), topic(2, SPORT, 10), topic(3, VIDEO, 80)];
    const r = matchTopics([], cur, { nextId: 0 });
    expect([...r.ids]).toEqual([2, 0, 3, 1]);
    expect(r.lineage.every((e) => e.status === 'born' && e.similarity === 0)).toBe(true);
    expect(r.nextId).toBe(4);
  });

  it('with no current topics every previous topic died', () => {
    const r = matchTopics(previous, [], { nextId: 12 });
    expect(r.died).toEqual([3, 7, 11]);
    expect(r.ids.length).toBe(0);
  });

  it('the threshold decides continuation', () => {
    const drifted = ['hockey', 'team', 'playoff', 'puck', 'game', 'goalie', 'season', 'nhl'];
    const strict = matchTopics([topic(3, SPORT)], [topic(0, drifted)], { nextId: 4, threshold: 0.95, splitThreshold: 0.95 });
    expect(strict.lineage[0].status).toBe('born');
    expect(strict.died).toEqual([3]);
  });

  it('checks its parameters up front', () => {
    expect(() => matchTopics(previous, [], { nextId: 11 })).toThrow(/must exceed every previous id/);
    expect(() => matchTopics([], [topic(1, SPORT)], { nextId: 0 })).toThrow(/cluster indexes/);
    expect(() => matchTopics([topic(1, SPORT), topic(1, SPACE)], [], { nextId: 5 })).toThrow(/appears twice/);
    expect(() => matchTopics([], [], { nextId: 0, threshold: 0 })).toThrow(/threshold must be in/);
    expect(() => matchTopics([], [], { nextId: 0, splitThreshold: 1.5 })).toThrow(/splitThreshold/);
    expect(() => matchTopics([], [], { nextId: -1 })).toThrow(/nextId/);
  });
});
