// Stage 3: token ids → vocabulary, document frequencies and the TF-IDF matrix (sparse CSR).
//
// Incremental nights (pipeline/model/): when the refit policy allows, the window is transformed
// with the stored model's vocabulary and idf (transformTfidf) instead of refitting them, so
// reduce and cluster can fold the night into the stored basis and centroids. The plan (refit or
// fold-in, and why) travels with the output to reduce, cluster and the report.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fitTfidf, tfidfUsesPool, transformTfidf, type TfidfModel } from '../../analysis/tfidf.ts';
import type { CsrMatrix } from '../../analysis/types.ts';
import { artifactExists, closeStored, loadArtifact } from '../artifacts.ts';
import { archivePath, type Config } from '../config.ts';
import { InputError } from '../errors.ts';
import { capturedShare } from '../model/fold-in-quality.ts';
import { modelConfigHash } from '../model/model-config.ts';
import { forgetLoadedModel, loadModel, modelDir } from '../model/model-store.ts';
import { archiveFingerprints, contentKey, type CsrPair, matchRows, mergeCsrPair, paperFingerprints, type RowKeys, type StoredCsr, unmatched } from '../model/row-reuse.ts';
import { newestDate, planNight, type NightPlan } from '../model/night-plan.ts';
import type { KnownInputs, Stage } from '../stage.ts';
import { corpusOfRows, sourceDocs, type TokenSource, wholeCorpus } from '../record-corpus.ts';
import { openStore } from '../store/store.ts';
import { resolveWindow } from '../store/window.ts';
import { sharedWorkerPool } from '../workers/shared-pool.ts';
import { windowPaperIds } from './cluster-warm-start.ts';
import type { IngestOutput } from './ingest.ts';

/** The TF-IDF model of tonight's window, and whether it was refitted or folded into the stored model. */
export interface VectorizeOutput extends TfidfModel {
  /** Optional: artifacts written before incremental nights have none (read: refit). */
  night?: NightPlan;
  /** What each row was computed from, so a fold-in night can copy unchanged rows (model/row-reuse.ts). */
  rowKeys?: RowKeys;
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
  version: '2',
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
      let merged: CsrPair;
      let todo: Int32Array;
      try {
        const from = matchRows(previous?.rowKeys, rowKeys.key, rowKeys.paperIds, rowKeys.fingerprints);
        todo = unmatched(from);
        const fresh = transformTfidf(base, corpusOfRows(tokens, todo), t.sublinearTf);
        merged = mergeCsrPair(previous, from, fresh);
      } finally {
        if (previous) closeEntries(previous);
      }
      const { matrix, counts } = merged;
      ctx.log.info(`vectorize: ${todo.length} rows transformed, ${docs - todo.length} copied from the last fold-in under this model`);
      const share = capturedShare(matrix, planned.newRows, a.mean, a.components, stored.meta.d);
      const ratio = share / stored.meta.capturedShare;
      if (!(ratio < ctx.config.model.minCapturedRatio)) {
        // NaN (no new rows with any known word) folds in too: there is nothing new to lose.
        night = { ...night, capturedRatio: Number.isFinite(ratio) ? round4(ratio) : undefined };
        ctx.log.info(`vectorize: fold-in (${night.reason}); the stored basis captures ${fmtRatio(ratio)} of the new papers' variance relative to its fit`);
        return { vocabulary: a.vocabulary, display: a.display, df: columnDf(counts), idf: a.idf, matrix, counts, docs, night, rowKeys };
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
    return { ...model, night, rowKeys: rowKeysOf(ctx.config, model.vocabulary, model.idf, papers) };
  },
};

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

/** Last night's output as a fold-in reads it: its row keys, and its matrices' entries left on disk. */
export interface PreviousOutput extends CsrPair<StoredCsr> {
  rowKeys: RowKeys;
}

/** The entries of last night's matrices stay in their files: mergeCsrPair reads the rows it copies. */
const ENTRIES_ON_DISK = new Set(['matrix.indices', 'matrix.data', 'counts.indices', 'counts.data']);

/**
 * Last night's vectorize artifact (still on disk while this stage runs), if it carries row keys.
 * Only its row pointers and keys are loaded: at 1M papers its entries are ~1.2 GB, and holding
 * them next to tonight's copy was the night's memory peak.
 */
export function previousOutput(out: string): PreviousOutput | undefined {
  const dir = join(resolve(out), 'stages', 'vectorize');
  if (!artifactExists(dir)) return undefined;
  let prev: Partial<PreviousOutput> | undefined;
  try {
    prev = loadArtifact<Partial<PreviousOutput>>(dir, { onDisk: (path) => ENTRIES_ON_DISK.has(path) });
    const { rowKeys, matrix, counts } = prev;
    // The files are read only where rows are copied: a short one (a damaged artifact) is caught
    // here, as loading it whole used to catch it, and every row is transformed instead.
    const whole = (m: StoredCsr): boolean => m.indptr.length === m.rows + 1 && m.indices.length === m.indptr[m.rows] && m.data.length === m.indptr[m.rows];
    if (rowKeys && matrix && counts && matrix.rows === rowKeys.paperIds.length && whole(matrix) && whole(counts)) return { rowKeys, matrix, counts };
  } catch {
    // unreadable: transform every row
  }
  if (prev) closeEntries(prev);
  return undefined;
}

function closeEntries({ matrix, counts }: Partial<CsrPair<StoredCsr>>): void {
  closeStored(matrix?.indices, matrix?.data, counts?.indices, counts?.data);
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
