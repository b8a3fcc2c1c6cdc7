// Vectorize keeps the TF-IDF counts and not the weights (pipeline/stages/vectorize.ts): the weights
// are made again from the counts where they are read (tfidfWeights). They must be the same floats
// the fit made, whole or row by row, and a stage re-run from the artifact (which holds no weights)
// must give what the whole run gave.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../analysis/random.ts';
import { fitTfidf } from '../analysis/tfidf.ts';
import { tokenizeCorpus } from '../analysis/text/tokenizer.ts';
import type { CsrMatrix } from '../analysis/types.ts';
import { loadArtifact } from '../pipeline/artifacts.ts';
import { resolveConfig, type Config } from '../pipeline/config.ts';
import { silentLogger } from '../pipeline/log.ts';
import { csrRows } from '../pipeline/model/row-reuse.ts';
import { runPipeline } from '../pipeline/runner.ts';
import type { ReduceOutput } from '../pipeline/stages/reduce.ts';
import { tfidfWeights, vectorizeStage, type VectorizeOutput } from '../pipeline/stages/vectorize.ts';
import { makeCorpus, toJsonl } from './helpers/corpus.ts';

/** Bit for bit: -0 and 0, NaN and NaN told apart as Object.is does. */
function sameMatrix(a: CsrMatrix, b: CsrMatrix): boolean {
  const same = (x: ArrayLike<number>, y: ArrayLike<number>) => x.length === y.length && Array.from(x).every((v, i) => Object.is(v, y[i]));
  return a.rows === b.rows && a.cols === b.cols && same(a.indptr, b.indptr) && same(a.indices, b.indices) && same(a.data, b.data);
}

describe('TF-IDF weights made from the counts', () => {
  const docs = makeCorpus(300, 4, 6).map((r) => ({ title: r.title, text: r.abstract }));
  const corpus = tokenizeCorpus(docs);

  for (const sublinearTf of [true, false]) {
    it(`equal the fit's weights, whole and row by row (sublinear tf ${sublinearTf})`, () => {
      const model = fitTfidf(corpus, { minDf: 2, maxDf: 0.9, sublinearTf, bigrams: true });
      expect(model.vocabulary.some((v) => v.includes(' '))).toBe(true); // bigram columns too
      const { matrix, ...rest } = model;
      const counted: VectorizeOutput = { ...rest, sublinearTf };
      expect(sameMatrix(tfidfWeights(counted), matrix)).toBe(true);
      const random = createRandom(sublinearTf ? 1 : 2);
      // Rows in any order, repeated or none: the rows of the fit's matrix, in that order.
      for (const rows of [Int32Array.from({ length: 40 }, () => Math.floor(random() * matrix.rows)), new Int32Array(0), Int32Array.of(matrix.rows - 1, 0)]) {
        expect(sameMatrix(tfidfWeights(counted, rows), csrRows(matrix, rows))).toBe(true);
      }
      // Held in memory (a refit, before reduce), they are the ones handed out.
      expect(tfidfWeights({ ...counted, matrix })).toBe(matrix);
    });
  }

  it('are left out of the artifact, and out of the run once reduce has read them', () => {
    const model = fitTfidf(corpus, { minDf: 2, maxDf: 0.9, sublinearTf: true, bigrams: false });
    const output: VectorizeOutput = { ...model, sublinearTf: true };
    for (const drop of [vectorizeStage.toArtifact!, vectorizeStage.slim!.apply]) {
      const kept = drop(output) as VectorizeOutput;
      expect(kept).not.toHaveProperty('matrix');
      expect(kept.counts).toBe(model.counts);
      expect(kept.sublinearTf).toBe(true);
    }
    expect(vectorizeStage.slim!.after).toBe('reduce');
    expect(output.matrix).toBe(model.matrix); // the output itself is not changed
  });
});

describe('reduce from a vectorize artifact without weights', () => {
  let dir: string;
  let config: (input: string) => Config;
  const stage = <T>(name: string) => loadArtifact<T>(join(dir, 'out', 'stages', name));
  const runs: Record<string, { vectorizeJson: Record<string, unknown>; scores: Float32Array; again: Float32Array }> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-tfidf-weights-'));
    const records = makeCorpus(400, 3, 6).map((r) => ({ id: r.id, title: r.title, text: r.abstract, date: r.date }));
    const newest = records.reduce((a, r) => (r.date > a ? r.date : a), '');
    const files = { refit: join(dir, 'base.jsonl'), 'fold-in': join(dir, 'night.jsonl') };
    writeFileSync(files.refit, toJsonl(records.filter((r) => r.date !== newest)));
    writeFileSync(files['fold-in'], toJsonl(records.filter((r) => r.date === newest)));
    config = (input) => resolveConfig({ input: [input], out: join(dir, 'out'), seed: 5, cluster: { k: 4 }, pca: { nComponents: 8 }, model: { maxChangedFraction: 0.5 } });
    for (const [mode, file] of Object.entries(files)) {
      await runPipeline(config(file), { logger: silentLogger, runId: mode, checkArtifacts: true });
      const vectorizeJson = JSON.parse(readFileSync(join(dir, 'out', 'stages', 'vectorize', 'value.json'), 'utf8')) as Record<string, unknown>;
      expect(stage<VectorizeOutput>('vectorize').night?.mode).toBe(mode);
      const scores = stage<ReduceOutput>('reduce').scores;
      // Reduce alone, its input the artifact: weights made from the counts.
      await runPipeline(config(file), { logger: silentLogger, runId: `${mode}-reduce`, stage: 'reduce' });
      runs[mode] = { vectorizeJson, scores, again: stage<ReduceOutput>('reduce').scores };
    }
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const mode of ['refit', 'fold-in']) {
    it(`gives the whole run's scores after a ${mode}`, () => {
      const r = runs[mode]!;
      expect(Object.keys(r.vectorizeJson)).toContain('counts');
      expect(Object.keys(r.vectorizeJson)).not.toContain('matrix');
      expect(r.vectorizeJson.sublinearTf).toBe(true);
      expect(r.again.length).toBeGreaterThan(0);
      expect(Buffer.from(r.again.buffer, r.again.byteOffset, r.again.byteLength).equals(Buffer.from(r.scores.buffer, r.scores.byteOffset, r.scores.byteLength))).toBe(true);
    });
  }
});
