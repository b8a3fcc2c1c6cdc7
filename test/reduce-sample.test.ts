// PCA fitted on a seeded sample of rows above pca.fitSampleSize (issue #3 item 4): the sample is
// chosen by paper id (same whatever the input order), every row is projected onto the sampled
// fit, the variance figures are measured on all rows, and below the size nothing changes.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitPca, projectOntoPca } from '../analysis/pca.ts';
import { createRandom } from '../analysis/random.ts';
import { hash53, sampleRowsById } from '../analysis/row-sample.ts';
import { scoreVariance } from '../analysis/score-variance.ts';
import { csrColumnMeans } from '../analysis/sparse.ts';
import type { CsrMatrix } from '../analysis/types.ts';
import { loadArtifact } from '../pipeline/artifacts.ts';
import { resolveConfig } from '../pipeline/config.ts';
import { ConfigError } from '../pipeline/errors.ts';
import { silentLogger } from '../pipeline/log.ts';
import { csrRows } from '../pipeline/model/row-reuse.ts';
import { runPipeline, type RunManifest } from '../pipeline/runner.ts';
import { fitOnSample, type ReduceOutput } from '../pipeline/stages/reduce.ts';
import { csr } from './helpers/csr.ts';
import { makeCorpus, shuffled, toJsonl } from './helpers/corpus.ts';

/** rows × cols, ~8% dense, with a few latent directions so the PCA has structure to find. */
function randomSparse(rows: number, cols: number, seed: number): CsrMatrix {
  const rnd = createRandom(seed);
  const topics = Array.from({ length: 4 }, () => Array.from({ length: cols }, () => rnd()));
  const dense = Array.from({ length: rows }, (_, i) => {
    const t = topics[i % 4]!;
    return Array.from({ length: cols }, (_, j) => (rnd() < 0.08 * (0.5 + t[j]!) ? rnd() + t[j]! : 0));
  });
  return csr(dense);
}

describe('sampleRowsById', () => {
  const ids = Array.from({ length: 5000 }, (_, i) => `2401.${String(i).padStart(5, '0')}`);

  it('picks exactly `size` rows, ascending, and the same ids whatever the order of the rows', () => {
    const rows = sampleRowsById(ids, 1000, 42);
    expect(rows).toHaveLength(1000);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!).toBeGreaterThan(rows[i - 1]!);
    const perm = shuffled(ids, 3);
    const again = Array.from(sampleRowsById(perm, 1000, 42), (r) => perm[r]!).sort();
    expect(again).toEqual(Array.from(rows, (r) => ids[r]!).sort());
  });

  it('depends on the seed, and takes every row when the size is not smaller than the count', () => {
    const a = Array.from(sampleRowsById(ids, 1000, 42));
    const b = Array.from(sampleRowsById(ids, 1000, 43));
    expect(a).not.toEqual(b);
    expect(Array.from(sampleRowsById(ids.slice(0, 10), 10, 1))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(() => sampleRowsById(ids, -1, 1)).toThrow(RangeError);
  });

  it('breaks hash ties by id, so duplicates of a hash never make the choice order-dependent', () => {
    // Two distinct ids with one hash are not easy to find; repeated ids have equal hashes.
    const dup = ['b', 'a', 'a', 'c', 'b'];
    const rows = Array.from(sampleRowsById(dup, 2, 5), (r) => dup[r]!).sort();
    const rows2 = Array.from(sampleRowsById([...dup].reverse(), 2, 5), (r) => [...dup].reverse()[r]!).sort();
    expect(rows2).toEqual(rows);
    expect(hash53('a', 5)).toBe(hash53('a', 5));
    expect(Number.isSafeInteger(hash53('2401.00001', 42))).toBe(true);
  });
});

describe('fitOnSample', () => {
  const X = randomSparse(900, 600, 9);
  const ids = Array.from({ length: X.rows }, (_, i) => `p${i}`);
  const opts = { nComponents: 8, seed: 3 };

  it('fits on the sampled rows and gives every row its projection onto that fit, centred on all rows', () => {
    const res = fitOnSample(X, ids, 500, opts);
    expect(res.fitSample).toEqual({ rows: 500, of: 900 });
    const fit = fitPca(csrRows(X, sampleRowsById(ids, 500, 3)), opts);
    expect(res.solver).toBe('randomized');
    expect(Array.from(res.components)).toEqual(Array.from(fit.components));
    expect(Array.from(res.mean)).toEqual(Array.from(csrColumnMeans(X)));
    expect(res.scores).toHaveLength(900 * 8);
    expect(Array.from(res.scores)).toEqual(Array.from(projectOntoPca(res, X)));
    // Not the sample's own figures: measured on all rows.
    expect(Array.from(res.explainedVarianceRatio)).toEqual(Array.from(scoreVariance(X, res.scores, 8).explainedVarianceRatio));
    expect(Array.from(res.explainedVarianceRatio)).not.toEqual(Array.from(fit.explainedVarianceRatio));
  });

  it('the all-row figures of a full fit are the fit’s own (same definitions as PcaResult)', () => {
    const full = fitPca(X, opts);
    const v = scoreVariance(X, full.scores, 8);
    for (let c = 0; c < 8; c++) {
      expect(v.explainedVariance[c]!).toBeCloseTo(full.explainedVariance[c]!, 6);
      expect(v.explainedVarianceRatio[c]!).toBeCloseTo(full.explainedVarianceRatio[c]!, 6);
    }
    // about each column's own mean: scores centred elsewhere give the same figures
    const shifted = full.scores.map((s, i) => s + 0.25 * ((i % 8) - 3));
    const w = scoreVariance(X, shifted, 8);
    for (let c = 0; c < 8; c++) expect(Math.abs(w.explainedVariance[c]! - v.explainedVariance[c]!) / v.explainedVariance[c]!).toBeLessThan(1e-5);
  });
});

describe('pca.nPowerIter config', () => {
  it('defaults to 3 (the paper-side sketch spans one power more: see pipeline/config.ts) and is checked', () => {
    expect(resolveConfig({}).pca.nPowerIter).toBe(3);
    expect(resolveConfig({ pca: { nPowerIter: 5 } }).pca.nPowerIter).toBe(5);
    expect(() => resolveConfig({ pca: { nPowerIter: -1 } })).toThrow(/nPowerIter/);
  });
});

describe('pca.fitSampleSize config', () => {
  it('defaults to a stated size and accepts 0 and null (always all rows)', () => {
    expect(resolveConfig({}).pca.fitSampleSize).toBe(20_000);
    expect(resolveConfig({ pca: { fitSampleSize: 0 } }).pca.fitSampleSize).toBe(0);
    expect(resolveConfig({ pca: { fitSampleSize: null } }).pca.fitSampleSize).toBeNull();
  });

  it.each([-1, 1.5, 'big', 50])('rejects %s with an error naming the key', (bad) => {
    let err: unknown;
    try {
      resolveConfig({ pca: { fitSampleSize: bad } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/pca\.fitSampleSize/);
  });
});

describe('the reduce stage with pca.fitSampleSize', () => {
  const N = 300;
  let dir: string;
  const outputs: Record<string, { clusters: string; assignments: string; reduce: ReduceOutput; manifest: RunManifest }> = {};

  async function runOn(name: string, file: string, fitSampleSize: number): Promise<void> {
    const out = join(dir, `out-${name}`);
    const config = resolveConfig({ input: [file], out, seed: 7, cluster: { k: 5, nInit: 3 }, pca: { nComponents: 12, fitSampleSize } });
    const r = await runPipeline(config, { logger: silentLogger, runId: 'sample' });
    outputs[name] = {
      clusters: readFileSync(join(r.runDir!, 'clusters.json'), 'utf8'),
      assignments: readFileSync(join(r.runDir!, 'assignments.csv'), 'utf8'),
      reduce: loadArtifact<ReduceOutput>(join(out, 'stages', 'reduce')),
      manifest: JSON.parse(readFileSync(join(r.runDir!, 'manifest.json'), 'utf8')) as RunManifest,
    };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-sample-'));
    const records = makeCorpus(N, 11);
    const ordered = join(dir, 'ordered.jsonl');
    const mixed = join(dir, 'shuffled.jsonl');
    writeFileSync(ordered, toJsonl(records));
    writeFileSync(mixed, toJsonl(shuffled(records, 99)));
    await runOn('all', ordered, 0);
    await runOn('below', ordered, 1000);
    await runOn('sampled', ordered, 200);
    await runOn('sampled-shuffled', mixed, 200);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('below the size the results are bit-identical to a fit on all rows', () => {
    expect(outputs.below!.reduce.fitSample).toBeUndefined();
    expect(Array.from(outputs.below!.reduce.scores)).toEqual(Array.from(outputs.all!.reduce.scores));
    expect(Array.from(outputs.below!.reduce.explainedVarianceRatio)).toEqual(Array.from(outputs.all!.reduce.explainedVarianceRatio));
    expect(outputs.below!.clusters).toBe(outputs.all!.clusters);
    expect(outputs.below!.assignments).toBe(outputs.all!.assignments);
  });

  it('above it the fit uses a sample, recorded in the output, and every paper is scored', () => {
    const r = outputs.sampled!.reduce;
    expect(r.fitSample).toEqual({ rows: 200, of: N });
    expect(outputs.sampled!.manifest.pcaFitSample).toEqual({ rows: 200, of: N });
    expect(outputs.below!.manifest.pcaFitSample).toBeUndefined();
    expect(r.scores).toHaveLength(N * 12);
    expect(Array.from(r.components)).not.toEqual(Array.from(outputs.all!.reduce.components));
    expect(outputs.sampled!.assignments.split('\r\n').filter(Boolean)).toHaveLength(N + 1);
  });

  it('the sample is the same whatever the input order: identical clusters and assignments', () => {
    expect(Array.from(outputs['sampled-shuffled']!.reduce.components)).toEqual(Array.from(outputs.sampled!.reduce.components));
    expect(outputs['sampled-shuffled']!.clusters).toBe(outputs.sampled!.clusters);
    expect(outputs['sampled-shuffled']!.assignments).toBe(outputs.sampled!.assignments);
  });
});
