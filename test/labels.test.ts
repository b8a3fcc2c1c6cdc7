import { describe, expect, it } from 'vitest';
import type { CsrMatrix } from '../analysis/types.ts';
import { classTfidf, topicSizes } from '../analysis/ctfidf.ts';
import { describeTopics, type DescribeTopicsInput } from '../analysis/labels.ts';
import { representativeDocs } from '../analysis/representatives.ts';
import { coversTerm, termContainment, termSimilarity, wordSimilarity } from '../analysis/termSimilarity.ts';
import { csr } from './helpers/csr.ts';


/** describeTopics input from hand-written per-topic weights over a small vocabulary. */
function input(vocabulary: string[], rows: number[][], extra: Partial<DescribeTopicsInput> = {}): DescribeTopicsInput {
  return {
    weights: Float64Array.from(rows.flat()),
    vocabulary,
    display: vocabulary,
    df: new Int32Array(vocabulary.length).fill(10),
    k: rows.length,
    ...extra,
  };
}

describe('classTfidf', () => {
  // vocabulary: model, graph, image. Topic 0 = docs 0, 1; topic 1 = docs 2, 3.
  const counts = csr([
    [1, 2, 0],
    [1, 0, 0],
    [2, 0, 1],
    [0, 0, 1],
  ]);
  const labels = Int32Array.from([0, 0, 1, 1]);

  it('matches the BERTopic formula by hand', () => {
    const r = classTfidf(counts, labels, 2);
    // topic words 4 and 4, A = 4; f = [4, 2, 2]; tf(model, 0) = 2/4, tf(graph, 0) = 2/4
    expect(r.averageWords).toBe(4);
    expect(Array.from(r.termTotals)).toEqual([4, 2, 2]);
    expect(r.weights[0]).toBeCloseTo(0.5 * Math.log(1 + 4 / 4), 12);
    expect(r.weights[1]).toBeCloseTo(0.5 * Math.log(1 + 4 / 2), 12);
    expect(r.weights[2]).toBe(0);
    expect(r.weights[3 + 2]).toBeCloseTo(0.5 * Math.log(3), 12);
  });

  it('picks the distinctive term of each topic, not the shared one', () => {
    const r = classTfidf(counts, labels, 2);
    const vocabulary = ['model', 'graph', 'image'];
    const d = describeTopics({ weights: r.weights, vocabulary, display: vocabulary, df: Int32Array.from([3, 1, 2]), k: 2 });
    expect(d.topTerms[0][0].term).toBe('graph');
    expect(d.topTerms[1][0].term).toBe('image');
  });

  it('sublinear: the same weights as on a float32 matrix of 1 + ln tf, bit for bit', () => {
    const odd = csr([
      [1, 2, 0, 300],
      [0.5, 7, 1, 0],
      [3, 0, 255, 256],
      [0, 1, 1, 2],
    ]);
    const ls = Int32Array.from([0, 1, 0, 1]);
    const data = Float32Array.from(odd.data, (x) => (x > 0 ? 1 + Math.log(x) : 0));
    const want = classTfidf({ ...odd, data }, ls, 2);
    const got = classTfidf(odd, ls, 2, { sublinear: true });
    expect(Array.from(got.weights)).toEqual(Array.from(want.weights));
    expect(Array.from(got.topicWords)).toEqual(Array.from(want.topicWords));
    expect(got.topicWords[0]).not.toBe(classTfidf(odd, ls, 2).topicWords[0]);
  });

  it('ignores negative labels (outliers) and checks its inputs', () => {
    const r = classTfidf(counts, Int32Array.from([0, -1, 1, 1]), 2);
    expect(r.topicWords[0]).toBe(3);
    expect(Array.from(topicSizes(Int32Array.from([0, -1, 1, 1]), 2))).toEqual([1, 2]);
    expect(() => classTfidf(counts, Int32Array.from([0, 0, 1]), 2)).toThrow(/rows/);
    expect(() => classTfidf(counts, Int32Array.from([0, 0, 1, 2]), 2)).toThrow(/below k/);
  });
});

describe('term similarity', () => {
  it('treats plural and inflected forms as the same word, not look-alikes', () => {
    expect(wordSimilarity('model', 'models')).toBe(1);
    expect(wordSimilarity('model', 'modeling')).toBe(1);
    expect(wordSimilarity('learning', 'learned')).toBe(1);
    expect(wordSimilarity('interaction', 'international')).toBeLessThan(0.5);
    expect(wordSimilarity('graph', 'image')).toBe(0);
    expect(termSimilarity(['language', 'models'], ['language'])).toBeCloseTo(0.5, 12);
    expect(termSimilarity(['language', 'model'], ['language', 'models'])).toBe(1);
    expect(termContainment(['language', 'models'], ['language'])).toBe(1);
  });
});

describe('describeTopics', () => {
  it("MMR keeps 'model' and 'models' from both being listed", () => {
    const vocabulary = ['model', 'models', 'modeling', 'graph', 'node', 'edge'];
    const d = describeTopics(input(vocabulary, [[0.9, 0.85, 0.8, 0.5, 0.4, 0.3]], { topN: 4 }));
    const terms = d.topTerms[0].map((t) => t.term);
    expect(terms).toEqual(['model', 'graph', 'node', 'edge']);
    expect(d.topTerms[0][0]).toEqual({ term: 'model', weight: 0.9, key: 'model' });
  });

  it('drops number-only and one-letter terms and stop words', () => {
    const vocabulary = ['2024', 'x', 'figure 3', 'the', 'graph'];
    const d = describeTopics(input(vocabulary, [[0.9, 0.8, 0.7, 0.6, 0.1]], { stopWords: new Set(['the']) }));
    expect(d.topTerms[0].map((t) => t.term)).toEqual(['graph']);
  });

  it('label: a leading bigram plus a term not contained in it, display forms', () => {
    const vocabulary = ['languag', 'languag model', 'token', 'prompt'];
    const display = ['language', 'language models', 'tokens', 'prompts'];
    const d = describeTopics(input(vocabulary, [[0.9, 0.8, 0.5, 0.4]], { display }));
    expect(d.labels[0]).toBe('language models · tokens');
    expect(d.topTerms[0].map((t) => t.key)).toContain('languag model');
  });

  it('label: leads with a bigram that contains the top unigram', () => {
    const vocabulary = ['gaussian', 'splatting', 'rendering', 'nerf', 'gaussian splatting'];
    const d = describeTopics(input(vocabulary, [[0.9, 0.8, 0.7, 0.6, 0.55]]));
    expect(d.topTerms[0].map((t) => t.term)).toEqual(['gaussian', 'splatting', 'rendering', 'nerf', 'gaussian splatting']);
    expect(d.labels[0]).toBe('gaussian splatting · rendering');
  });

  it('labels are unique even when two topics have identical top terms: the smaller one is extended', () => {
    const vocabulary = ['diffusion models', 'image editing', 'inpainting', 'video', 'text'];
    const row = [0.9, 0.8, 0.5, 0.4, 0.3];
    const d = describeTopics(input(vocabulary, [row, row, row], { sizes: [10, 50, 30], distinctiveness: 0 }));
    expect(d.labels[1]).toBe('diffusion models · image editing'); // largest keeps the short label
    expect(d.labels[2]).toBe('diffusion models · image editing · inpainting');
    expect(d.labels[0]).toBe('diffusion models · image editing · inpainting · video');
    expect(new Set(d.labels).size).toBe(3);
  });

  it('falls back to a numeric suffix only when a topic has no terms left', () => {
    const vocabulary = ['graph', 'node'];
    const d = describeTopics(input(vocabulary, [[0.9, 0.5], [0.9, 0.5], [0.9, 0.5]], { distinctiveness: 0 }));
    expect(d.labels).toEqual(['graph · node', 'graph · node (2)', 'graph · node (3)']);
  });

  it('down-weights a term that many topics share (diversity)', () => {
    // 'model' has the highest weight in every topic; each topic also has its own term.
    const vocabulary = ['model', 'graph', 'image', 'speech'];
    const rows = [
      [0.5, 0.4, 0, 0],
      [0.5, 0, 0.4, 0],
      [0.5, 0, 0, 0.4],
    ];
    const plain = describeTopics(input(vocabulary, rows, { distinctiveness: 0 }));
    expect(plain.topTerms.map((t) => t[0].term)).toEqual(['model', 'model', 'model']);
    const diverse = describeTopics(input(vocabulary, rows));
    expect(diverse.topTerms.map((t) => t[0].term)).toEqual(['graph', 'image', 'speech']);
  });

  it('does not depend on the order of the vocabulary', () => {
    const vocabulary = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
    const rows = [
      [0.3, 0.3, 0.2, 0.1, 0.3],
      [0.1, 0.2, 0.3, 0.3, 0.0],
    ];
    const a = describeTopics(input(vocabulary, rows));
    const perm = [4, 2, 0, 3, 1];
    const b = describeTopics(input(perm.map((i) => vocabulary[i]), rows.map((r) => perm.map((i) => r[i]))));
    expect(b).toEqual(a);
  });

  it('checks its parameters up front', () => {
    const vocabulary = ['a1', 'b1'];
    expect(() => describeTopics(input(vocabulary, [[1, 2, 3]]))).toThrow(/weights/);
    expect(() => describeTopics(input(vocabulary, [[1, 2]], { mmrLambda: 2 }))).toThrow(/mmrLambda/);
    expect(() => describeTopics(input(vocabulary, [[1, 2]], { labelTerms: 4 }))).toThrow(/labelTerms/);
  });
});

describe('representativeDocs', () => {
  // 2-D points; topic 0 centroid along x, topic 1 along y.
  const points = Float32Array.from([
    1, 0.3, // 0: topic 0, cos 0.958
    1, 0, // 1: topic 0, cos 1 (nearest)
    1, 0.1, // 2: topic 0, cos 0.995
    1, 0, // 3: topic 0, cos 1 (same as doc 1: tie, lower index first)
    0, 1, // 4: topic 1
    0.5, 1, // 5: topic 1
  ]);
  const labels = Int32Array.from([0, 0, 0, 0, 1, 1]);
  const centroids = Float32Array.from([2, 0, 0, 3]);

  it('returns the members nearest the centroid by cosine, ties by lower index', () => {
    const r = representativeDocs(points, 6, 2, labels, centroids, 2, { perTopic: 3 });
    expect(r[0].map((x) => x.doc)).toEqual([1, 3, 2]);
    expect(r[0][0].score).toBeCloseTo(1, 6);
    expect(r[0][2].score).toBeCloseTo(1 / Math.sqrt(1.01), 6);
    expect(r[1].map((x) => x.doc)).toEqual([4, 5]); // fewer members than perTopic
  });

  it('with diversity, skips a near-duplicate of a chosen representative', () => {
    // 3-D: doc 1 nearest the centroid (x axis), doc 2 almost a copy of doc 1, doc 0 a little
    // farther from the centroid but in another direction.
    const p3 = Float32Array.from([1, 0, 0.25, 1, 0.2, 0, 1, 0.2, 0.01]);
    const l3 = Int32Array.from([0, 0, 0]);
    const c3 = Float32Array.from([1, 0, 0]);
    const nearest = representativeDocs(p3, 3, 3, l3, c3, 1, { perTopic: 2 });
    expect(nearest[0].map((x) => x.doc)).toEqual([1, 2]);
    const diverse = representativeDocs(p3, 3, 3, l3, c3, 1, { perTopic: 2, diversity: true, lambda: 0.5 });
    expect(diverse[0].map((x) => x.doc)).toEqual([1, 0]);
    expect(diverse[0][1].score).toBeCloseTo(1 / Math.sqrt(1.0625), 6); // still cosine to the centroid
  });

  it('keeps only the nearest members as it reads the rows: the same picks as sorting every member', () => {
    // Coarse coordinates (many exact ties), some unlabelled rows and a zero row.
    let state = 7;
    const draw = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) % 5) - 2;
    const n = 400;
    const d = 3;
    const k = 4;
    const pts = Float32Array.from({ length: n * d }, draw);
    pts.fill(0, 30, 33);
    const lab = Int32Array.from({ length: n }, (_, i) => (i % 17 === 0 ? -1 : (i * 7) % k));
    const cents = Float32Array.from({ length: k * d }, (_, j) => draw() + 0.5);
    for (const opts of [{ perTopic: 5 }, { perTopic: 3, diversity: true }, { perTopic: 4, diversity: true, poolFactor: 2, lambda: 0.5 }, { perTopic: 200 }]) {
      expect(representativeDocs(pts, n, d, lab, cents, k, opts)).toEqual(representativesBySorting(pts, n, d, lab, cents, k, opts));
    }
    // Fine-grained coordinates, where the order of each sum shows in the last bits of a score:
    // the same doubles as the reference's dot product and length, each summed in index order.
    const fine = () => draw() * 0.3183098861837907 + (state % 1000) * 1e-4;
    const d2 = 13;
    const pts2 = Float32Array.from({ length: n * d2 }, fine);
    const cents2 = Float32Array.from({ length: k * d2 }, fine);
    for (const opts of [{ perTopic: 200 }, { perTopic: 3, diversity: true }]) {
      expect(representativeDocs(pts2, n, d2, lab, cents2, k, opts)).toEqual(representativesBySorting(pts2, n, d2, lab, cents2, k, opts));
    }
  });

  it('checks shapes', () => {
    expect(() => representativeDocs(points, 5, 2, labels, centroids, 2, { perTopic: 2 })).toThrow(/scores/);
    expect(() => representativeDocs(points, 6, 2, labels, centroids, 3, { perTopic: 2 })).toThrow(/centroids/);
  });
});

describe('covered terms (phrase parts and acronyms)', () => {
  it('coversTerm: acronyms, and words the phrase accounts for', () => {
    expect(coversTerm(['large', 'language', 'models'], ['llms'])).toBe(true);
    expect(coversTerm(['multimodal', 'large', 'language', 'models'], ['mllm'])).toBe(true);
    expect(coversTerm(['vision-language', 'models'], ['vlms'])).toBe(true);
    expect(coversTerm(['reinforcement', 'learning'], ['rl'])).toBe(true);
    expect(coversTerm(['reinforcement', 'learning'], ['learning'], 80, 100)).toBe(true);
    expect(coversTerm(['language', 'models'], ['model'], 30, 100)).toBe(false); // most 'model's are elsewhere
    expect(coversTerm(['remote', 'sensing'], ['remote'])).toBe(false); // no counts: no claim
    expect(coversTerm(['remote', 'sensing'], ['graph'], 90, 100)).toBe(false);
  });

  it('describeTopics drops a covered word, and a later phrase takes the word’s place', () => {
    const vocabulary = ['remote', 'crop', 'sensing', 'remote sensing', 'satellite', 'llms', 'large language'];
    const display = ['remote', 'crops', 'sensing', 'remote sensing', 'satellites', 'llms', 'large language models'];
    const termCounts = [100, 50, 120, 90, 40, 30, 30];
    const d = describeTopics(input(vocabulary, [[0.9, 0.8, 0.7, 0.6, 0.5, 0.45, 0.4]], { display, termCounts }));
    expect(d.topTerms[0].map((t) => t.term)).toEqual(['remote sensing', 'crops', 'satellites', 'large language models']);
    expect(d.labels[0]).toBe('remote sensing · crops');
    expect(() => describeTopics(input(vocabulary, [[1, 1, 1, 1, 1, 1, 1]], { termCounts: [1] }))).toThrow(/termCounts/);
  });
});

describe('classTfidf and describeTopics on more terms than they keep', () => {
  it('classTfidf sums each topic in document order (equal to a plain scatter over all rows)', () => {
    let s = 3;
    const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const rows = Array.from({ length: 200 }, () => Array.from({ length: 50 }, () => (next() < 0.2 ? 1 + Math.log(1 + Math.floor(next() * 5)) : 0)));
    const labels = Int32Array.from({ length: 200 }, (_, i) => (i % 7 === 0 ? -1 : Math.floor(next() * 5)));
    const m = csr(rows);
    const plain = new Float64Array(5 * 50);
    for (let i = 0; i < m.rows; i++) {
      if (labels[i]! < 0) continue;
      for (let p = m.indptr[i]!; p < m.indptr[i + 1]!; p++) plain[labels[i]! * 50 + m.indices[p]!] += m.data[p]!;
    }
    const r = classTfidf(m, labels, 5);
    for (let c = 0; c < 5; c++) {
      expect(r.topicWords[c]).toBe(plain.subarray(c * 50, (c + 1) * 50).reduce((a, b) => a + b, 0));
      for (let t = 0; t < 50; t++) {
        const x = plain[c * 50 + t]!;
        expect(r.weights[c * 50 + t]).toBe(x === 0 ? 0 : (x / r.topicWords[c]!) * Math.log(1 + r.averageWords / r.termTotals[t]!));
      }
    }
  });

  it('chooses from the same 4 · topN candidates as a full sort (ties by key), out of 500 terms', () => {
    let seed = 11;
    const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const words = ['graph', 'neural', 'vision', 'robot', 'speech', 'privacy', 'quantum', 'protein', 'market', 'network'];
    const vocabulary = Array.from({ length: 500 }, (_, i) => `${words[i % 10]}${String.fromCharCode(97 + ((i * 7) % 26))}${String.fromCharCode(97 + ((i * 13) % 26))}${i}`);
    // Few distinct weights: many ties, broken by key.
    const weights = [0, 1].map(() => Array.from({ length: 500 }, () => Math.floor(next() * 4) / 4));
    const topN = 5;
    const full = describeTopics(input(vocabulary, weights, { topN, distinctiveness: 0 }));
    // Keep only each topic's best 4 · topN by a full sort; everything else weighs 0.
    const pooled = weights.map((row) => {
      const best = new Set(
        row
          .map((w, t) => ({ w, t }))
          .filter((x) => x.w > 0)
          .sort((a, b) => b.w - a.w || (vocabulary[a.t]! < vocabulary[b.t]! ? -1 : 1))
          .slice(0, 4 * topN)
          .map((x) => x.t),
      );
      return row.map((w, t) => (best.has(t) ? w : 0));
    });
    const fromPool = describeTopics(input(vocabulary, pooled, { topN, distinctiveness: 0 }));
    expect(full.topTerms.map((ts) => ts.map((t) => t.term))).toEqual(fromPool.topTerms.map((ts) => ts.map((t) => t.term)));
    expect(full.topTerms[0]).toHaveLength(topN);
  });
});

/** representativeDocs as first written: every member scored, each topic's list sorted whole (the reference for the kept-as-read version). */
function representativesBySorting(
  scores: Float32Array,
  n: number,
  d: number,
  labels: Int32Array,
  centroids: Float32Array,
  k: number,
  opts: { perTopic: number; diversity?: boolean; lambda?: number; poolFactor?: number },
): { doc: number; score: number }[][] {
  const { perTopic, lambda = 0.7, poolFactor = 10 } = opts;
  const norm = (m: Float32Array, i: number) => Math.sqrt(Array.from({ length: d }, (_, j) => m[i * d + j]! * m[i * d + j]!).reduce((a, b) => a + b, 0));
  const cos = (a: Float32Array, i: number, b: Float32Array, j: number) => {
    let dot = 0;
    for (let t = 0; t < d; t++) dot += a[i * d + t]! * b[j * d + t]!;
    const denom = norm(a, i) * norm(b, j);
    return denom > 0 ? dot / denom : 0;
  };
  const members: { doc: number; score: number }[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < n; i++) if (labels[i]! >= 0) members[labels[i]!]!.push({ doc: i, score: cos(scores, i, centroids, labels[i]!) });
  return members.map((list) => {
    list.sort((a, b) => b.score - a.score || a.doc - b.doc);
    if (!opts.diversity) return list.slice(0, perTopic);
    const pool = list.slice(0, perTopic * poolFactor);
    const picked: { doc: number; score: number }[] = [];
    const maxSim = pool.map(() => -1);
    const alive = pool.map(() => true);
    while (picked.length < perTopic && picked.length < pool.length) {
      let arg = -1;
      let best = -Infinity;
      pool.forEach((m, i) => {
        const value = lambda * m.score - (1 - lambda) * (picked.length > 0 ? maxSim[i]! : 0);
        if (alive[i] && value > best) [best, arg] = [value, i];
      });
      alive[arg] = false;
      picked.push(pool[arg]!);
      pool.forEach((m, i) => {
        if (alive[i]) maxSim[i] = Math.max(maxSim[i]!, cos(scores, m.doc, scores, pool[arg]!.doc));
      });
    }
    return picked;
  });
}
