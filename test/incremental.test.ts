// Incremental nights end to end on the default corpus (State of the Union passages by year):
// a full fit on 1790–1866, then nights that fold in, a night that refits because too many papers
// were added since the fit, a forced refit, and a night whose papers the stored basis cannot see
// well (a far later era) that refits on the quality signal. Checks that a fold-in night keeps
// the stored vocabulary, basis and model, keeps topic ids, and that re-running it reproduces it.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadArtifact } from '../pipeline/artifacts.ts';
import { resolveConfig, type Config } from '../pipeline/config.ts';
import { loadSotuPapers } from '../pipeline/ingest/sotu.ts';
import { silentLogger } from '../pipeline/log.ts';
import { readModelMeta, type ModelMeta } from '../pipeline/model/model-store.ts';
import type { Paper } from '../pipeline/paper.ts';
import { loadStageArtifact, runPipeline, type RunResult } from '../pipeline/runner.ts';
import type { ClusterOutput } from '../pipeline/stages/cluster.ts';
import { tfidfWeights, type VectorizeOutput } from '../pipeline/stages/vectorize.ts';
import { transformTfidf } from '../analysis/tfidf.ts';
import { isRecordCorpus, type TokenSource, wholeCorpus } from '../pipeline/record-corpus.ts';
import { loadModel } from '../pipeline/model/model-store.ts';
import { archiveFingerprints, paperFingerprints } from '../pipeline/model/row-reuse.ts';
import { openStore, paperTextHash } from '../pipeline/store/store.ts';
import { STAGES } from '../pipeline/stages/index.ts';
import { projectOntoStoredBasis, type ReduceOutput } from '../pipeline/stages/reduce.ts';

/** Share of tonight's topics that kept an id from last night (as test/nightly.test.ts counts it). */
function idPersistence(lineage: { status: string }[]): number {
  const kept = lineage.filter((e) => e.status === 'continued' || e.status === 'merged').length;
  return lineage.length === 0 ? 1 : kept / lineage.length;
}

const K = 8;

interface Night {
  name: string;
  years: [number, number];
  over?: Record<string, unknown>;
}
// 1790–1866: 2949 passages. 1867: 76 (2.6%), 1868: 56 (4.5% together), 1869–71: 144 (9.4%).
const NIGHTS: Night[] = [
  { name: 'fit', years: [1790, 1866] },
  { name: 'fold-1867', years: [1867, 1867] },
  { name: 'fold-1868', years: [1868, 1868] },
  { name: 'count-refit', years: [1869, 1871] },
  { name: 'forced-refit', years: [1872, 1872], over: { model: { maxAgeDays: 100_000, minCapturedRatio: 0.5, refit: true } } },
  { name: 'fold-1873', years: [1873, 1873] },
  // The stored basis of 1790–1872 against 2001 (terrorism, the internet; it captures ~0.58 of
  // what it captured of its fit): refit on quality when the policy asks for at least 0.95.
  { name: 'quality-refit', years: [2001, 2001], over: { model: { maxAgeDays: 100_000, minCapturedRatio: 0.95 } } },
];

interface NightResult {
  run: RunResult;
  vectorize: VectorizeOutput;
  cluster: ClusterOutput;
  model: ModelMeta;
  persistence: number;
}

describe('incremental nights on the default corpus', () => {
  let dir: string;
  const results = new Map<string, NightResult>();
  let rerun: { run: RunResult; cluster: ClusterOutput } | undefined;
  // Fold-in nights copy rows computed the night before: what recomputing every row gives instead.
  const recomputed = new Map<string, { same: boolean[]; copied: string[] }>();
  const fingerprintsAsArchive = new Map<string, boolean>();
  // What tokenize handed on each night: the cache's records (pipeline/record-corpus.ts) or the corpus.
  const tokenizeOutput = new Map<string, 'records' | 'corpus'>();
  const papersOf = (all: Paper[], [a, b]: [number, number]) => all.filter((p) => +p.date.slice(0, 4) >= a && +p.date.slice(0, 4) <= b);
  const configFor = (input: string, over: Record<string, unknown> = {}): Config =>
    resolveConfig({
      input: [input],
      out: join(dir, 'out'),
      seed: 7,
      cluster: { k: K, nInit: 5 },
      pca: { nComponents: 20 },
      tokenize: { titleRepeat: 0 },
      // Passages are dated by year: a night is a year later than the last, so age is not a rule
      // here. With 20 components fitted on 3k passages the basis captures less of any unseen
      // year than of its fit (ratios 0.63–0.96 measured for 1867–1873), so the quality limit is
      // lowered to let the small nights fold in; the last night raises it.
      model: { maxAgeDays: 100_000, minCapturedRatio: 0.5 },
      ...over,
    });
  const stage = <T>(name: string) => loadArtifact<T>(join(dir, 'out', 'stages', name));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-incremental-'));
    const all = loadSotuPapers();
    for (const night of NIGHTS) {
      const file = join(dir, `${night.name}.jsonl`);
      writeFileSync(file, papersOf(all, night.years).map((p) => JSON.stringify({ id: p.id, title: p.title, text: p.text, date: p.date })).join('\n') + '\n');
      const run = await runPipeline(configFor(file, night.over), { logger: silentLogger, runId: night.name, checkArtifacts: true });
      const lineage = JSON.parse(readFileSync(join(run.runDir!, 'lineage.json'), 'utf8')) as { lineage: { status: string }[] };
      const tokens = loadStageArtifact(STAGES.tokenize, join(dir, 'out', 'stages', 'tokenize')) as TokenSource;
      tokenizeOutput.set(night.name, isRecordCorpus(tokens) ? 'records' : 'corpus');
      results.set(night.name, {
        run,
        vectorize: stage<VectorizeOutput>('vectorize'),
        cluster: stage<ClusterOutput>('cluster'),
        model: readModelMeta(join(dir, 'out', 'model'))!,
        persistence: idPersistence(lineage.lineage),
      });
      {
        // Row fingerprints come from the text hashes ingest put on the papers: the archive's.
        const keys = stage<VectorizeOutput>('vectorize').rowKeys!;
        const fromArchive = archiveFingerprints(join(dir, 'out', 'archive.sqlite'), keys.paperIds);
        fingerprintsAsArchive.set(night.name, fromArchive.length > 0 && Buffer.compare(Buffer.from(fromArchive.buffer), Buffer.from(keys.fingerprints.buffer)) === 0);
      }
      if (night.name.startsWith('fold-')) {
        const v = stage<VectorizeOutput>('vectorize');
        const r = stage<ReduceOutput>('reduce');
        const model = loadModel(join(dir, 'out', 'model'));
        const corpus = wholeCorpus(loadStageArtifact(STAGES.tokenize, join(dir, 'out', 'stages', 'tokenize')) as TokenSource);
        const full = transformTfidf({ ...model.arrays, matrix: v.counts, counts: v.counts, docs: 0 }, corpus, true);
        const scores = projectOntoStoredBasis(model, full.matrix).scores;
        const eq = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((x, i) => Object.is(x, b[i]));
        // The artifact keeps counts only; the weights made from them equal a full transform's.
        const weights = tfidfWeights(v);
        recomputed.set(night.name, {
          same: [v.matrix === undefined, eq(full.counts.indptr, v.counts.indptr), eq(full.counts.indices, v.counts.indices), eq(full.counts.data, v.counts.data), eq(full.matrix.data, weights.data), eq(scores, r.scores)],
          copied: run.timings.filter((t) => !t.skipped).map((t) => t.stage),
        });
      }
      if (night.name === 'fold-1868') {
        // The same night again (cron retried it): nothing new, same model, same output.
        const again = await runPipeline(configFor(file, night.over), { logger: silentLogger, runId: `${night.name}-again` });
        rerun = { run: again, cluster: stage<ClusterOutput>('cluster') };
      }
    }
    for (const [name, r] of results) {
      console.log(`${name}: ${r.cluster.night?.mode} (${r.cluster.night?.reason}) captured ${r.cluster.night?.capturedRatio ?? '-'} persistence ${r.persistence.toFixed(2)}`);
    }
  }, 900_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const night = (name: string) => results.get(name)!;

  it('fits fully on a fresh output folder and stores the model outside the run folder', () => {
    const r = night('fit');
    expect(r.cluster.night?.mode).toBe('refit');
    expect(r.cluster.night?.reason).toContain('no stored model');
    expect(r.run.manifest.model).toMatchObject({ mode: 'refit', reason: r.cluster.night?.reason });
    expect(r.model.fittedInRun).toBe('fit');
    expect(r.model.fitPapers).toBe(2949);
    expect(r.model.k).toBe(K);
    expect(existsSync(join(r.run.runDir!, 'model'))).toBe(false);
    expect(readFileSync(join(r.run.runDir!, 'index.html'), 'utf8')).toContain('full refit of vocabulary, PCA and clusters');
  });

  it('folds small nights into the stored model: same vocabulary, basis and model; topic ids kept', () => {
    const fit = night('fit');
    for (const name of ['fold-1867', 'fold-1868', 'fold-1873']) {
      const r = night(name);
      expect(r.cluster.night?.mode, name).toBe('fold-in');
      expect(r.run.manifest.model?.mode, name).toBe('fold-in'); // the manifest says so too
      expect(r.cluster.restartLabels, name).toHaveLength(1); // only the warm restart ran
      expect(r.cluster.night?.modelId, name).toBe(r.model.id);
      expect(r.model.fittedInRun, name).not.toBe(name); // the model was not rewritten
      expect(r.persistence, name).toBeGreaterThanOrEqual(0.9);
      expect(r.cluster.k).toBe(K);
      expect(r.cluster.warmStartFrom).toBeNull();
      expect(r.run.timings.find((t) => t.stage === 'reduce')?.skipped).toBe(false);
    }
    expect(readFileSync(join(night('fold-1867').run.runDir!, 'index.html'), 'utf8')).toContain('new papers folded into the stored model');
    const first = night('fold-1867');
    expect(first.vectorize.vocabulary).toEqual(fit.vectorize.vocabulary);
    expect(first.model.id).toBe(fit.model.id);
    expect(first.vectorize.counts.rows).toBe(2949 + 76);
    expect(first.cluster.night?.added).toBe(76);
  });

  it('hands vectorize the cached records when it may fold in, the assembled corpus on a first or forced-refit night', () => {
    expect(Object.fromEntries(tokenizeOutput)).toEqual({
      fit: 'corpus', // every paper new
      'fold-1867': 'records',
      'fold-1868': 'records',
      'count-refit': 'records', // the policy decides from the fit ids, after tokenize
      'forced-refit': 'corpus',
      'fold-1873': 'records',
      'quality-refit': 'records',
    });
  });

  it('copies unchanged rows from the night before, exactly as recomputing them would give', () => {
    for (const name of ['fold-1867', 'fold-1868', 'fold-1873']) {
      expect(recomputed.get(name)?.same, name).toEqual([true, true, true, true, true, true]);
    }
    expect(night('fold-1868').vectorize.rowKeys?.paperIds).toHaveLength(2949 + 76 + 56);
  });

  it("row fingerprints taken from the papers' text hashes equal the archive's, every night", () => {
    expect([...fingerprintsAsArchive.keys()]).toEqual(NIGHTS.map((n) => n.name));
    for (const [name, same] of fingerprintsAsArchive) expect(same, name).toBe(true);
  });

  it('re-running a fold-in night reuses its stages and gives the same clusters', () => {
    const r = night('fold-1868');
    expect(rerun!.cluster.night?.mode).toBe('fold-in');
    for (const s of ['vectorize', 'reduce', 'cluster'] as const) expect(rerun!.run.timings.find((t) => t.stage === s)?.skipped, s).toBe(true);
    expect(Array.from(rerun!.cluster.labels)).toEqual(Array.from(r.cluster.labels));
    const csv = (run: RunResult) => readFileSync(join(run.runDir!, 'assignments.csv'), 'utf8');
    expect(csv(rerun!.run)).toBe(csv(r.run));
  });

  it('refits when the papers added since the fit pass the limit, and stores the new model', () => {
    const r = night('count-refit');
    expect(r.cluster.night?.mode).toBe('refit');
    expect(r.cluster.night?.reason).toMatch(/276 papers added or dropped .* 5%/);
    expect(r.model.fittedInRun).toBe('count-refit');
    expect(r.model.fitPapers).toBe(2949 + 76 + 56 + 144);
    expect(r.persistence).toBeGreaterThanOrEqual(0.75); // a refit warm-starts from last night's clusters
  });

  it('refits when forced, and folds in again the night after', () => {
    expect(night('forced-refit').cluster.night?.reason).toContain('forced');
    expect(night('forced-refit').model.fittedInRun).toBe('forced-refit');
    expect(night('fold-1873').cluster.night?.mode).toBe('fold-in');
  });

  it('refits when the stored basis captures too little of the new papers', () => {
    const r = night('quality-refit');
    expect(r.cluster.night?.mode).toBe('refit');
    expect(r.cluster.night?.reason).toContain('captures only');
    expect(r.cluster.night?.capturedRatio).toBeLessThan(0.95);
    expect(r.model.fittedInRun).toBe('quality-refit');
  });
});

describe('row fingerprints from text hashes', () => {
  it("paperFingerprints reads the same 64 bits as archiveFingerprints, and needs every paper's hash", () => {
    const tmp = mkdtempSync(join(tmpdir(), 'tt-fingerprints-'));
    try {
      const path = join(tmp, 'archive.sqlite');
      const store = openStore(path);
      const papers = [
        { id: 'b', title: 'B', text: 'beta text', date: '2025-01-02', source: 's' },
        { id: 'a', title: '', text: 'alpha', date: '2025-01-01', source: 's' },
      ];
      store.upsertPapers(papers, 'r1');
      const window = store.readWindow({ all: true }).papers;
      store.close();
      expect(window.map((p) => p.textHash)).toEqual([paperTextHash('', 'alpha'), paperTextHash('B', 'beta text')]);
      const ids = window.map((p) => p.id);
      const fp = paperFingerprints(window)!;
      expect(Array.from(fp)).toEqual(Array.from(archiveFingerprints(path, ids)));
      expect(fp[0]).toBe(parseInt(paperTextHash('', 'alpha').slice(0, 8), 16));
      expect(paperFingerprints([...window, { textHash: undefined }])).toBeUndefined();
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
