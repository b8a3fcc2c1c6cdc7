// Stage 3: token ids → vocabulary, document frequencies and the TF-IDF matrix (sparse CSR).
//
// Incremental nights (pipeline/model/): when the refit policy allows, the window is transformed
// with the stored model's vocabulary and idf (transformTfidf) instead of refitting them, so
// reduce and cluster can fold the night into the stored basis and centroids. The plan (refit or
// fold-in, and why) travels with the output to reduce, cluster and the report.
//
// The TF-IDF weights are a function of the counts, the idf and the tf weighting (weigh), and only
// reduce reads them: the artifact keeps the counts, and tfidfWeights() makes the weights of the
// rows a reader asks for. A fold-in night projects only its new and changed rows, so at 1M papers
// it no longer copies, holds, writes and (the next night) reads 387 MB of weights it never uses.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fitTfidf, tfidfUsesPool, transformTfidf, type TfidfModel } from '../../analysis/tfidf.ts';
import { weigh } from '../../analysis/tfidf-build.ts';
import type { CsrMatrix } from '../../analysis/types.ts';
import { artifactExists, closeStored, loadArtifact } from '../artifacts.ts';
import { archivePath, type Config } from '../config.ts';
import { InputError } from '../errors.ts';
import { capturedShare } from '../model/fold-in-quality.ts';
import { modelConfigHash } from '../model/model-config.ts';
import { forgetLoadedModel, loadModel, modelDir } from '../model/model-store.ts';
import { archiveFingerprints, contentKey, csrRows, matchRows, mergeCsrRows, paperFingerprints, type RowKeys, type StoredCsr, unmatched } from '../model/row-reuse.ts';
import { newestDate, planNight, type NightPlan } from '../model/night-plan.ts';
import type { KnownInputs, Stage } from '../stage.ts';
import { corpusOfRows, sourceDocs, type TokenSource, wholeCorpus } from '../record-corpus.ts';
import { openStore } from '../store/store.ts';
import { resolveWindow } from '../store/window.ts';
import { sharedWorkerPool } from '../workers/shared-pool.ts';
import { windowPaperIds } from './cluster-warm-start.ts';
import type { IngestOutput } from './ingest.ts';

/**
 * The TF-IDF model of tonight's window, and whether it was refitted or folded into the stored
 * model. The weights are read through tfidfWeights() (see the header).
 */
export interface VectorizeOutput extends Omit<TfidfModel, 'matrix'> {
  /**
   * Every row's weights, while a refit's are in memory (from fitTfidf, until reduce has run);
   * absent on a fold-in night and in the artifact.
   */
  matrix?: CsrMatrix;
  /** The tf weighting the weights were made with (1 + ln tf when true): what remakes them. */
  sublinearTf: boolean;
  /** Optional: artifacts written before incremental nights have none (read: refit). */
  night?: NightPlan;
  /** What each row was computed from, so a fold-in night can copy unchanged rows (model/row-reuse.ts). */
  rowKeys?: RowKeys;
}

/**
 * The TF-IDF weights (l2-normalised rows) of the rows given, in that order, or of every row:
 * the matrix in memory when there is one, else made from the counts as fitTfidf and
 * transformTfidf make them (weigh, row by row: the same floats either way).
 */
export function tfidfWeights(v: VectorizeOutput, rows?: ArrayLike<number>): CsrMatrix {
  if (v.matrix) return rows ? csrRows(v.matrix, rows) : v.matrix;
  return weigh(rows ? csrRows(v.counts, rows) : v.counts, v.idf, v.sublinearTf);
}

/**
 * A count min_df tuned for tens of thousands of papers would empty the vocabulary of a 50-paper
 * page, so small corpora get a proportionally smaller one (at least 1, at most the configured).
 */
export function effectiveMinDf(minDf: number, docs: number): number {
  if (minDf < 1) return minDf; // a fraction scales by itself
  return Math.min(minDf, Math.max(1, Math.floor(docs / 20)));
}

export const vectorizeStage: Stage<VectorizeOutput> = {
  name: 'vectorize',
  deps: ['tokenize'],
  version: '3', // 3: the weights are no longer stored (tfidfWeights)
  // model.refit is not part of the key: the plan below (external input) already says "refit".
  configKey: (c: Config) => ({ tfidf: c.tfidf, model: { ...c.model, refit: undefined } }),
  // Tonight's plan, decided from the archive's window and the stored model before the stage
  // runs: a refit keys only on the tokens and config (a re-run or an empty night after a refit
  // reuses the artifact); a fold-in also on the model it folds into.
  externalInputs(c: Config, known?: KnownInputs) {
    const path = archivePath(c);
    if (!existsSync(path)) return { mode: 'refit' };
    const store = openStore(path, { keepAssignmentRuns: c.archive.keepAssignmentRuns });
    let newest: string | undefined;
    try {
      newest = store.newestPaperDate();
    } finally {
      store.close();
    }
    // The window is resolved only when its ids are read from the archive (as cluster's key does).
    const ids = known?.windowPaperIds() ?? windowPaperIds(path, resolveWindow(c.archive.window, newest, new Date().toISOString().slice(0, 10)));
    const { plan } = planNight(c, ids, newest);
    return plan.mode === 'refit' ? { mode: 'refit' } : { mode: 'fold-in', modelId: plan.modelId };
  },
  async run(ctx) {
    // The worker threads start now: they load while the night is planned, count TF-IDF's share
    // of the tokens, and serve reduce / cluster after.
    const poolReady = sharedWorkerPool(ctx.config.workers);
    poolReady.catch(() => undefined); // started early; errors surface where it is awaited
    // The corpus, or the records it is assembled from (pipeline/record-corpus.ts): a fold-in
    // assembles only the rows it transforms, a refit all of them.
    const tokens = ctx.input<TokenSource>('tokenize');
    const papers = ctx.input<IngestOutput>('ingest').papers; // tokenize keeps ingest's order
    const docs = sourceDocs(tokens);
    const t = ctx.config.tfidf;
    const planned = planNight(ctx.config, papers.map((p) => p.id), newestDate(papers));
    let night = planned.plan;

    if (night.mode === 'fold-in') {
      const stored = loadModel(modelDir(ctx.config.out), night.modelId!, ['vocabulary', 'display', 'df', 'idf', 'mean', 'components']);
      const a = stored.arrays;
      const base: TfidfModel = { vocabulary: a.vocabulary, display: a.display, df: a.df, idf: a.idf, matrix: emptyCsr(), counts: emptyCsr(), docs: 0 };
      const rowKeys = rowKeysOf(ctx.config, a.vocabulary, a.idf, papers);
      const previous = previousOutput(ctx.config.out);
      let counts: CsrMatrix;
      let todo: Int32Array;
      try {
        const from = matchRows(previous?.rowKeys, rowKeys.key, rowKeys.paperIds, rowKeys.fingerprints);
        todo = unmatched(from);
        // The fresh rows' weights are not kept: reduce makes those it projects (tfidfWeights).
        const fresh = transformTfidf(base, corpusOfRows(tokens, todo), t.sublinearTf);
        counts = mergeCsrRows(previous?.counts, from, fresh.counts);
      } finally {
        if (previous) closeEntries(previous);
      }
      ctx.log.info(`vectorize: ${todo.length} rows transformed, ${docs - todo.length} copied from the last fold-in under this model`);
      const output: VectorizeOutput = { vocabulary: a.vocabulary, display: a.display, df: columnDf(counts), idf: a.idf, counts, sublinearTf: t.sublinearTf, docs, night, rowKeys };
      const newRows = tfidfWeights(output, planned.newRows);
      const share = capturedShare(newRows, identityRows(newRows.rows), a.mean, a.components, stored.meta.d);
      const ratio = share / stored.meta.capturedShare;
      if (!(ratio < ctx.config.model.minCapturedRatio)) {
        // NaN (no new rows with any known word) folds in too: there is nothing new to lose.
        night = { ...night, capturedRatio: Number.isFinite(ratio) ? round4(ratio) : undefined };
        ctx.log.info(`vectorize: fold-in (${night.reason}); the stored basis captures ${fmtRatio(ratio)} of the new papers' variance relative to its fit`);
        return { ...output, night };
      }
      forgetLoadedModel(); // its 160 MB of components (at 1M papers) are not read again tonight
      night = {
        ...night,
        mode: 'refit',
        modelId: null,
        capturedRatio: round4(ratio),
        reason: `the stored basis captures only ${fmtRatio(ratio)} of the ${planned.newRows.length} new papers' variance relative to its fit (limit ${ctx.config.model.minCapturedRatio}): new themes`,
      };
    }
    ctx.log.info(`vectorize: full fit (${night.reason})`);

    const corpus = wholeCorpus(tokens);
    const minDf = effectiveMinDf(t.minDf, docs);
    if (minDf !== t.minDf) ctx.log.info(`vectorize: ${docs} papers: min_df lowered from ${t.minDf} to ${minDf}`);
    // Waits for the workers only when the fit will use them (a small corpus does not).
    const parallel = tfidfUsesPool(corpus) ? { pool: await poolReady } : undefined;
    const model = fitTfidf(
      corpus,
      {
        minDf,
        maxDf: t.maxDf,
        maxFeatures: t.maxFeatures,
        sublinearTf: t.sublinearTf,
        bigrams: t.bigrams,
      },
      parallel,
    );
    if (model.vocabulary.length < 2) {
      throw new InputError(`the vocabulary is empty after pruning (min_df ${minDf}, max_df ${t.maxDf}, ${docs} papers): the corpus is too small or too uniform`);
    }
    ctx.log.info(`vectorize: ${model.vocabulary.length} terms, ${model.matrix.indices.length} non-zeros`);
    return { ...model, sublinearTf: t.sublinearTf, night, rowKeys: rowKeysOf(ctx.config, model.vocabulary, model.idf, papers) };
  },
  // Reduce is the last reader of the weights: after it the run holds only the counts.
  slim: { after: 'reduce', apply: withoutWeights },
  toArtifact: withoutWeights,
};

function withoutWeights(v: VectorizeOutput): VectorizeOutput {
  const { matrix: _weights, ...rest } = v;
  return rest;
}

/** 0, 1, …, n − 1: every row of a matrix, in order. */
function identityRows(n: number): Int32Array {
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  return rows;
}

/**
 * A row depends on the paper's text, the vocabulary and idf, tf weighting and the tokenizer
 * config (in modelConfigHash; titles are not tokenized for the default corpus).
 */
function rowKeysOf(config: Config, vocabulary: readonly string[], idf: Float64Array, papers: readonly { id: string; textHash?: string }[]): RowKeys {
  const key = contentKey(modelConfigHash(config), String(config.input.length === 0), vocabulary.join('\n'), idf);
  const paperIds = papers.map((p) => p.id);
  // Ingest's papers carry the archive's text hashes: no second scan of the archive.
  const fromPapers = paperFingerprints(papers);
  if (fromPapers !== undefined) return { key, paperIds, fingerprints: fromPapers };
  const archive = archivePath(config);
  return { key, paperIds, fingerprints: existsSync(archive) ? archiveFingerprints(archive, paperIds) : new Uint32Array(paperIds.length * 2) };
}

/** Last night's output as a fold-in reads it: its row keys, and its counts' entries left on disk. */
export interface PreviousOutput {
  rowKeys: RowKeys;
  counts: StoredCsr;
}

/** The entries of last night's counts stay in their files: mergeCsrRows reads the rows it copies. */
const ENTRIES_ON_DISK = new Set(['counts.indices', 'counts.data']);

/**
 * Last night's vectorize artifact (still on disk while this stage runs), if it carries row keys.
 * Only its row keys and the counts' row pointers are loaded: at 1M papers the counts' entries are
 * ~0.8 GB, and holding them next to tonight's copy was the night's memory peak. (An artifact of
 * an earlier version also holds the weights: they are not read.)
 */
export function previousOutput(out: string): PreviousOutput | undefined {
  const dir = join(resolve(out), 'stages', 'vectorize');
  if (!artifactExists(dir)) return undefined;
  let prev: Partial<PreviousOutput> | undefined;
  try {
    prev = loadArtifact<Partial<PreviousOutput>>(dir, { onDisk: (path) => ENTRIES_ON_DISK.has(path), only: ['rowKeys', 'counts'] });
    const { rowKeys, counts } = prev;
    // The files are read only where rows are copied: a short one (a damaged artifact) is caught
    // here, as loading it whole used to catch it, and every row is transformed instead.
    const whole = (m: StoredCsr): boolean => m.indptr.length === m.rows + 1 && m.indices.length === m.indptr[m.rows] && m.data.length === m.indptr[m.rows];
    if (rowKeys && counts && counts.rows === rowKeys.paperIds.length && whole(counts)) return { rowKeys, counts };
  } catch {
    // unreadable: transform every row
  }
  if (prev) closeEntries(prev);
  return undefined;
}

function closeEntries({ counts }: Partial<PreviousOutput>): void {
  closeStored(counts?.indices, counts?.data);
}

/** Document frequency of each column of a count matrix. */
function columnDf(counts: CsrMatrix): Int32Array {
  const df = new Int32Array(counts.cols);
  const nnz = counts.indptr[counts.rows]!;
  for (let p = 0; p < nnz; p++) df[counts.indices[p]!]!++;
  return df;
}

function emptyCsr(): CsrMatrix {
  return { rows: 0, cols: 0, indptr: new Int32Array(1), indices: new Int32Array(0), data: new Float32Array(0) };
}

function fmtRatio(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : 'n/a';
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
