// The pieces of incremental nights with known answers: the refit policy's rules, the fold-in
// quality signal, and the model store (round trip, atomic replacement, a foreign format ignored).
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CsrMatrix } from '../analysis/types.ts';
import { resolveConfig } from '../pipeline/config.ts';
import { capturedShare } from '../pipeline/model/fold-in-quality.ts';
import { modelConfigHash } from '../pipeline/model/model-config.ts';
import { forgetLoadedModel, loadModel, modelDir, readFitIds, readModelMeta, saveModel } from '../pipeline/model/model-store.ts';
import { foldInPossible, newRows, planNight } from '../pipeline/model/night-plan.ts';
import { csrRows, hex32, matchRows, mergeCsrRows, mergeDenseRows, unmatched } from '../pipeline/model/row-reuse.ts';
import { daysBetween, decideNight, type NightFacts, type RefitPolicy } from '../pipeline/model/refit-policy.ts';

const POLICY: RefitPolicy = { incremental: true, refit: false, maxChangedFraction: 0.05, maxAgeDays: 7, minCapturedRatio: 0.75 };
const FACTS: NightFacts = { model: { configHash: 'h', fitPapers: 10_000, fitDate: '2026-07-01' }, configHash: 'h', added: 300, dropped: 0, newestDate: '2026-07-02' };

describe('decideNight', () => {
  it('folds in a small, recent night under the same config', () => {
    const d = decideNight(POLICY, FACTS);
    expect(d.mode).toBe('fold-in');
    expect(d.reason).toContain('300 new');
  });
  it.each([
    ['no model', { model: undefined }, 'no stored model'],
    ['config changed', { configHash: 'other' }, 'configuration changed'],
    ['same window as the fit', { added: 0, dropped: 0 }, 're-run'],
    ['too many added', { added: 501 }, '501 papers added or dropped'],
    ['added + dropped', { added: 300, dropped: 201 }, '501 papers added or dropped'],
    ['too old', { newestDate: '2026-07-09' }, '8 days old'],
  ] as [string, Partial<NightFacts>, string][])('refits: %s', (_name, over, reason) => {
    const d = decideNight(POLICY, { ...FACTS, ...over });
    expect(d.mode).toBe('refit');
    expect(d.reason).toContain(reason);
  });
  it('keeps the limits inclusive: exactly 5% and exactly 7 days fold in', () => {
    expect(decideNight(POLICY, { ...FACTS, added: 500, newestDate: '2026-07-08' }).mode).toBe('fold-in');
  });
  it('refits when forced or when incremental nights are off, but a config change is named first', () => {
    expect(decideNight({ ...POLICY, refit: true }, FACTS).reason).toContain('forced');
    expect(decideNight({ ...POLICY, incremental: false }, FACTS).reason).toContain('incremental nights are off');
    expect(decideNight({ ...POLICY, refit: true }, { ...FACTS, configHash: 'x' }).reason).toContain('configuration changed');
  });
  it('counts days between dates', () => {
    expect(daysBetween('2026-06-28', '2026-07-03')).toBe(5);
    expect(daysBetween('2026-07-03', '2026-06-28')).toBe(-5);
  });
});

describe('modelConfigHash', () => {
  const base = resolveConfig({});
  it('changes with what shapes the model, not with the refit policy', () => {
    expect(modelConfigHash(resolveConfig({ tfidf: { minDf: 3 } }))).not.toBe(modelConfigHash(base));
    expect(modelConfigHash(resolveConfig({ pca: { nComponents: 50 } }))).not.toBe(modelConfigHash(base));
    expect(modelConfigHash(resolveConfig({ cluster: { k: 12 } }))).not.toBe(modelConfigHash(base));
    expect(modelConfigHash(resolveConfig({ seed: 1 }))).not.toBe(modelConfigHash(base));
    expect(modelConfigHash(resolveConfig({ model: { refit: true, maxAgeDays: 30 } }))).toBe(modelConfigHash(base));
    expect(modelConfigHash(resolveConfig({ cluster: { warmTolerance: 0.5 } }))).toBe(modelConfigHash(base));
  });
  it('refuses an unknown or mistyped model key', () => {
    expect(() => resolveConfig({ model: { maxAge: 3 } })).toThrow(/model/);
    expect(() => resolveConfig({ model: { minCapturedRatio: 2 } })).toThrow(/model\.minCapturedRatio/);
  });
});

describe('capturedShare', () => {
  // 3 columns; mean μ = (0, 0, 0) would hide the centring, so μ = (0.5, 0, 0).
  // Rows: x0 = (1, 2, 0), x1 = (0.5, 0, 3). Component: the 2nd axis e2.
  // x0 − μ = (0.5, 2, 0): ‖·‖² = 4.25, captured 4;  x1 − μ = (0, 0, 3): 9, captured 0.
  const X: CsrMatrix = { rows: 2, cols: 3, indptr: Int32Array.from([0, 2, 4]), indices: Int32Array.from([0, 1, 0, 2]), data: Float32Array.from([1, 2, 0.5, 3]) };
  const mean = Float64Array.from([0.5, 0, 0]);
  const e2 = Float64Array.from([0, 1, 0]);
  it('is Σ‖V(x − μ)‖² / Σ‖x − μ‖² over the chosen rows', () => {
    expect(capturedShare(X, [0], mean, e2, 1)).toBeCloseTo(4 / 4.25, 12);
    expect(capturedShare(X, [1], mean, e2, 1)).toBe(0);
    expect(capturedShare(X, [0, 1], mean, e2, 1)).toBeCloseTo(4 / 13.25, 12);
    // Two components e1, e2: x0 − μ lies in their span.
    expect(capturedShare(X, [0], mean, Float64Array.from([1, 0, 0, 0, 1, 0]), 2)).toBeCloseTo(1, 12);
  });
  it('equals the row-by-row sums to the bit, over more rows than one block', () => {
    // Random sparse rows (5,000: more than the 4,096 of a block), 40 columns, 7 components.
    let seed = 12345;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const rows = 5000;
    const cols = 40;
    const d = 7;
    const indptr = [0];
    const indices: number[] = [];
    const data: number[] = [];
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        if (rand() < 0.2) {
          indices.push(j);
          data.push(rand());
        }
      }
      indptr.push(indices.length);
    }
    const M: CsrMatrix = { rows, cols, indptr: Int32Array.from(indptr), indices: Int32Array.from(indices), data: Float32Array.from(data) };
    const mu = Float64Array.from({ length: cols }, () => rand() * 0.1);
    const V = Float64Array.from({ length: d * cols }, () => rand() - 0.5);
    const chosen = Array.from({ length: 4500 }, (_, k) => (k * 7919) % rows);
    // The definition, row by row (as capturedShare computed it before it went by blocks).
    let muSq = 0;
    for (let j = 0; j < cols; j++) muSq += mu[j]! * mu[j]!;
    const vMu = Array.from({ length: d }, (_, c) => {
      let t = 0;
      for (let j = 0; j < cols; j++) t += V[c * cols + j]! * mu[j]!;
      return t;
    });
    let captured = 0;
    let total = 0;
    for (const i of chosen) {
      let xSq = 0;
      let xMu = 0;
      for (let p = M.indptr[i]!; p < M.indptr[i + 1]!; p++) {
        xSq += M.data[p]! * M.data[p]!;
        xMu += M.data[p]! * mu[M.indices[p]!]!;
      }
      for (let c = 0; c < d; c++) {
        let t = 0;
        for (let p = M.indptr[i]!; p < M.indptr[i + 1]!; p++) t += M.data[p]! * V[c * cols + M.indices[p]!]!;
        captured += (t - vMu[c]!) ** 2;
      }
      total += xSq - 2 * xMu + muSq;
    }
    expect(capturedShare(M, chosen, mu, V, d)).toBe(captured / total);
  });
  it('is NaN without rows and refuses mismatched shapes', () => {
    expect(capturedShare(X, [], mean, e2, 1)).toBeNaN();
    expect(() => capturedShare(X, [0], mean, e2, 2)).toThrow(RangeError);
  });
});

describe('newRows', () => {
  it('lists the window rows the model was not fitted on, in window order', () => {
    expect(Array.from(newRows(['a', 'x', 'b', 'y'], ['a', 'b', 'c']))).toEqual([1, 3]);
  });
  it('gives the same rows for ids in id order (matched by one walk, sorted-ids.ts)', () => {
    expect(Array.from(newRows(['a', 'b', 'x', 'y'], ['a', 'b', 'c']))).toEqual([2, 3]);
    expect(Array.from(newRows(['a', 'b', 'x', 'y'], ['c', 'b', 'a']))).toEqual([2, 3]);
  });
});

describe('model store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tt-model-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const meta = {
    configHash: 'c',
    fittedInRun: 'r1',
    fitDate: '2026-07-01',
    fitPapers: 2,
    k: 1,
    d: 1,
    cols: 2,
    capturedShare: 0.5,
    inertiaPerPaper: 0.1,
    explainedVariance: [0.2],
    explainedVarianceRatio: [0.5],
  };
  const arrays = {
    vocabulary: ['alpha', 'alpha beta'],
    display: ['Alpha', 'alpha betas'],
    df: Int32Array.from([2, 1]),
    idf: Float64Array.from([1, 1.405]),
    mean: Float64Array.from([0.7, 0.3]),
    components: Float64Array.from([0.6, 0.8]),
    centroids: Float32Array.from([1]),
  };
  it('round-trips exactly and replaces the stored model whole', async () => {
    const m = join(dir, 'model');
    const first = await saveModel(m, meta, ['p1', 'p2'], arrays);
    const back = loadModel(m, first.id);
    expect(back.meta).toEqual(first);
    expect(readFitIds(m)).toEqual(['p1', 'p2']);
    expect(back.arrays).toEqual(arrays);
    const second = await saveModel(m, { ...meta, fittedInRun: 'r2' }, ['p1', 'p3'], arrays);
    expect(second.id).not.toBe(first.id);
    expect(loadModel(m).meta).toEqual(second);
    expect(readFitIds(m)).toEqual(['p1', 'p3']);
    expect(() => loadModel(m, first.id)).toThrow(/--from vectorize/);
    // Only the arrays a stage asks for.
    const part = loadModel(m, second.id, ['centroids']);
    expect(part.meta).toEqual(second);
    expect(part.arrays).toEqual({ centroids: arrays.centroids });
    expect(readdirSync(dir)).toEqual(['model']); // no temporary folder left behind
  });
  it('hands the arrays of the last load on to the next load of the same model, and only what that asked for', async () => {
    const m = join(dir, 'model-shared');
    const saved = await saveModel(m, meta, ['p1'], arrays);
    const a = loadModel(m, saved.id, ['mean', 'components', 'idf']);
    const b = loadModel(m, saved.id, ['mean', 'components']); // reduce after vectorize: not read again
    expect(b.arrays.components).toBe(a.arrays.components);
    expect(b.arrays.mean).toBe(a.arrays.mean);
    expect(Object.keys(b.arrays)).toEqual(['mean', 'components']);
    const c = loadModel(m, saved.id, ['centroids']); // cluster: the components are let go
    expect(c.arrays).toEqual({ centroids: arrays.centroids });
    const d = loadModel(m, saved.id, ['components']);
    expect(d.arrays.components).not.toBe(a.arrays.components);
    expect(d.arrays.components).toEqual(arrays.components);
    forgetLoadedModel(); // a night that refits after loading: the next load reads the files
    expect(loadModel(m, saved.id, ['components']).arrays.components).not.toBe(d.arrays.components);
    // A new model in the folder (same content, another folder): read from its files.
    const again = await saveModel(m, meta, ['p1'], { ...arrays, components: Float64Array.from([0.8, 0.6]) });
    const e = loadModel(m, again.id, ['components']);
    expect(Array.from(e.arrays.components)).toEqual([0.8, 0.6]);
    // A part the stored model lacks is refused, shared or not.
    writeFileSync(join(m, 'arrays', 'value.json'), JSON.stringify({ mean: [] }));
    expect(() => loadModel(m, again.id, ['components'])).toThrow(/has no components/);
  });
  it('ignores a missing model or one of another format', () => {
    expect(readModelMeta(join(dir, 'none'))).toBeUndefined();
    const m = join(dir, 'model');
    writeFileSync(join(m, 'meta.json'), JSON.stringify({ formatVersion: 999, id: 'x' }));
    expect(readModelMeta(m)).toBeUndefined();
  });
});

describe('hex32', () => {
  it('is parseInt of the 8 characters in base 16, whatever they are', () => {
    const chars = '0123456789abcdefABCDEFgz -+x\u00e9';
    let seed = 11;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const samples = ['ffffffffffffffff', '0000000000000000', 'da39a3ee5e6b4b0d', 'DA39A3EE5E6B4B0D', '1234', '12zz5678abcdefgh', ' 1234567', '-1234567', '0x123456'];
    for (let n = 0; n < 2000; n++) {
      const hexOnly = n % 2 === 0;
      samples.push(Array.from({ length: 4 + Math.floor(next() * 16) }, () => (hexOnly ? chars[Math.floor(next() * 22)] : chars[Math.floor(next() * chars.length)])).join(''));
    }
    for (const h of samples) for (const at of [0, 8]) expect(Object.is(hex32(h, at), parseInt(h.slice(at, at + 8), 16))).toBe(true);
    expect(hex32('da39a3ee5e6b4b0d', 0)).toBe(0xda39a3ee);
  });
});

describe('foldInPossible', () => {
  it('only with a stored model of this configuration, incremental nights on and no refit forced', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tt-foldin-'));
    try {
      const config = resolveConfig({ out, cluster: { k: 2 } });
      expect(foldInPossible(config)).toBe(false); // no model yet
      const meta = { configHash: modelConfigHash(config), fittedInRun: 'r1', fitDate: '2026-07-01', fitPapers: 2, k: 1, d: 1, cols: 1, capturedShare: 0.5, inertiaPerPaper: 0.1, explainedVariance: [0.2], explainedVarianceRatio: [0.5] };
      const arrays = { vocabulary: ['alpha'], display: ['alpha'], df: Int32Array.from([2]), idf: Float64Array.from([1]), mean: Float64Array.from([0.5]), components: Float64Array.from([1]), centroids: Float32Array.from([1]) };
      await saveModel(join(out, 'model'), meta, ['p1', 'p2'], arrays);
      expect(foldInPossible(config)).toBe(true);
      expect(foldInPossible({ ...config, model: { ...config.model, refit: true } })).toBe(false);
      expect(foldInPossible({ ...config, model: { ...config.model, incremental: false } })).toBe(false);
      expect(foldInPossible(resolveConfig({ out, cluster: { k: 3 } }))).toBe(false); // another configuration
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('planNight', () => {
  const arrays = { vocabulary: ['alpha'], display: ['alpha'], df: Int32Array.from([2]), idf: Float64Array.from([1]), mean: Float64Array.from([0.5]), components: Float64Array.from([1]), centroids: Float32Array.from([1]) };
  const metaOf = (config: ReturnType<typeof resolveConfig>, fitPapers: number) => ({ configHash: modelConfigHash(config), fittedInRun: 'r1', fitDate: '2026-07-01', fitPapers, k: 1, d: 1, cols: 1, capturedShare: 0.5, inertiaPerPaper: 0.1, explainedVariance: [0.2], explainedVarianceRatio: [0.5] });
  const fit = Array.from({ length: 100 }, (_, i) => `p${String(i).padStart(3, '0')}`);

  it('answers a second call for the same model, config and window from the first, and only then', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tt-plan-'));
    try {
      const config = resolveConfig({ out, cluster: { k: 2 } });
      await saveModel(modelDir(out), metaOf(config, 100), fit, arrays);
      const window = [...fit, 'p100', 'p101'];
      const first = planNight(config, window, '2026-07-02');
      expect(first.plan.mode).toBe('fold-in');
      expect(first.plan.added).toBe(2);
      expect(Array.from(first.newRows)).toEqual([100, 101]);
      // The same inputs (another array with the same ids, as vectorize's run passes): the first answer.
      const again = planNight(config, [...window], '2026-07-02');
      expect(again.plan).toBe(first.plan);
      expect(again.newRows).not.toBe(first.newRows); // a copy each caller may keep
      expect(Array.from(again.newRows)).toEqual([100, 101]);

      // Anything the plan depends on, changed: planned anew.
      const fewer = planNight(config, [...fit, 'p100'], '2026-07-02');
      expect(fewer.plan).not.toBe(first.plan);
      expect(fewer.plan.added).toBe(1);
      expect(planNight(config, window, '2026-07-20').plan.reason).toContain('days old');
      expect(planNight({ ...config, model: { ...config.model, refit: true } }, window, '2026-07-02').plan.reason).toContain('forced');
      expect(planNight(config, window, '2026-07-02').plan.mode).toBe('fold-in');
      // A new model (another fit set) under the same config.
      await saveModel(modelDir(out), metaOf(config, 101), [...fit, 'p100'], arrays);
      const refitted = planNight(config, window, '2026-07-02');
      expect(refitted.plan.added).toBe(1);
      expect(Array.from(refitted.newRows)).toEqual([101]);
      // The fit ids replaced by hand under the same meta: read again.
      writeFileSync(join(modelDir(out), 'fit-ids.txt'), fit.slice(0, 99).join('\n'));
      const edited = planNight(config, window, '2026-07-02');
      expect(Array.from(edited.newRows)).toEqual([99, 100, 101]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('row reuse', () => {
  const prev = { key: 'k', paperIds: ['a', 'b', 'c'], fingerprints: Uint32Array.from([1, 1, 2, 2, 3, 3]) };
  it('copies a row only for the same paper, fingerprint and key', () => {
    // d is new; b's text changed; c unchanged; a has no fingerprint (not in the archive)
    const from = matchRows(prev, 'k', ['a', 'b', 'c', 'd'], Uint32Array.from([0, 0, 2, 9, 3, 3, 4, 4]));
    expect(Array.from(from)).toEqual([-1, -1, 2, -1]);
    expect(Array.from(unmatched(from))).toEqual([0, 1, 3]);
    expect(Array.from(matchRows(prev, 'other', ['c'], Uint32Array.from([3, 3])))).toEqual([-1]);
    expect(Array.from(matchRows(undefined, 'k', ['c'], Uint32Array.from([3, 3])))).toEqual([-1]);
    // Out of id order (matched by a Map instead of one walk): the same rows.
    const shuffled = { key: 'k', paperIds: ['c', 'a', 'b'], fingerprints: Uint32Array.from([3, 3, 1, 1, 2, 2]) };
    expect(Array.from(matchRows(shuffled, 'k', ['d', 'c', 'b', 'a'], Uint32Array.from([4, 4, 3, 3, 2, 9, 0, 0])))).toEqual([-1, 0, -1, -1]);
  });
  it('merges copied and fresh rows in tonight order', () => {
    // prev rows: r0 = {0: 1}, r1 = {1: 2, 2: 3}; fresh rows: f0 = {2: 7}
    const p: CsrMatrix = { rows: 2, cols: 3, indptr: Int32Array.from([0, 1, 3]), indices: Int32Array.from([0, 1, 2]), data: Float32Array.from([1, 2, 3]) };
    const f: CsrMatrix = { rows: 1, cols: 3, indptr: Int32Array.from([0, 1]), indices: Int32Array.from([2]), data: Float32Array.from([7]) };
    const m = mergeCsrRows(p, Int32Array.from([1, -1, 0]), f);
    expect(Array.from(m.indptr)).toEqual([0, 2, 3, 4]);
    expect(Array.from(m.indices)).toEqual([1, 2, 2, 0]);
    expect(Array.from(m.data)).toEqual([2, 3, 7, 1]);
    expect(Array.from(csrRows(m, [2, 0]).data)).toEqual([1, 2, 3]);
    expect(Array.from(mergeDenseRows(Float32Array.from([1, 1, 2, 2]), Int32Array.from([-1, 1]), Float32Array.from([5, 6]), 2))).toEqual([5, 6, 2, 2]);
    expect(() => mergeCsrRows(p, Int32Array.from([-1, -1]), f)).toThrow(/fresh rows/);
  });
});
