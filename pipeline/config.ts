// The run configuration: one validated object with a default for everything. A JSON config file
// and CLI flags are layered over the defaults; unknown keys and wrong types are refused with the
// key named, because a silently ignored typo in a nightly job shows up weeks later as bad topics.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_SPLIT_THRESHOLD, DEFAULT_THRESHOLD } from '../analysis/topic-matching.ts';
import { ConfigError } from './errors.ts';
import { DEFAULT_MAX_LABEL_DRIFT } from './store/label-review.ts';

const periodUnit = z.enum(['auto', 'day', 'week', 'month', 'quarter', 'year', 'decade']);
const unitInterval = z.number().gt(0).max(1);

/**
 * Which archived papers a night fits on: all of them, or those dated within the last N days /
 * calendar months counted back from the newest paper's date (not the clock, so a replay of old
 * data gives the same window as the night it was first run; a date in the future is capped at
 * today).
 */
export const archiveWindowSchema = z.union([
  z.object({ all: z.literal(true) }).strict(),
  z.object({ lastDays: z.number().int().min(1).max(100_000) }).strict(),
  z.object({ lastMonths: z.number().int().min(1).max(10_000) }).strict(),
]);
export type ArchiveWindow = z.infer<typeof archiveWindowSchema>;

export const configSchema = z
  .object({
    /** Input files; empty means the default corpus (State of the Union passages from npm). */
    input: z.array(z.string().min(1)).default([]),
    /** Output folder: stage artifacts in <out>/stages, published runs in <out>/runs, <out>/latest. */
    out: z.string().min(1).default('out'),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
    /** Threads for PCA, k-means and tokenizing (1 = no worker threads). Default: TOPIC_TRENDS_WORKERS, else one per core. */
    workers: z.number().int().min(1).max(256).optional(),
    title: z.string().default('Topic trends'),
    ingest: z
      .object({
        format: z.enum(['auto', 'jsonl', 'json', 'csv', 'arxiv', 'hf', 'page']).default('auto'),
        csv: z
          .object({
            id: z.string(),
            title: z.string(),
            text: z.string(),
            date: z.string(),
            label: z.string(),
            url: z.string(),
            delimiter: z.string().length(1),
          })
          .partial()
          .strict()
          .default({}),
        pageYear: z.number().int().min(1000).max(2100).optional(),
        maxTextChars: z.number().int().positive().default(100_000),
        sotuSentencesPerPassage: z.number().int().min(1).max(50).default(5),
      })
      .strict()
      .prefault({}),
    tokenize: z
      .object({
        titleRepeat: z.number().int().min(0).max(5).default(1),
        extraStopWords: z.array(z.string()).default([]),
        maxChars: z.number().int().positive().default(20_000),
      })
      .strict()
      .prefault({}),
    tfidf: z
      .object({
        minDf: z.number().positive().default(5),
        maxDf: z.number().positive().max(1).default(0.5),
        // The most frequent terms kept. min_df as a count lets the vocabulary grow with the
        // archive (49k terms at 75k papers, 644k at 1M), and every PCA block over the terms with
        // it (0.57 GB each at 1M); terms past the 200,000th occur in a handful of papers and move
        // no principal component. No corpus below ~400k papers reaches the cap.
        maxFeatures: z.number().int().positive().default(200_000),
        sublinearTf: z.boolean().default(true),
        bigrams: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    pca: z
      .object({
        nComponents: z.number().int().min(2).max(1000).default(100),
        /**
         * Power iterations of the randomized PCA. 3: a fit with fewer papers than terms (the
         * 20,000-paper sample against arXiv's 49k terms, 20 Newsgroups' 18,846 posts against 33k)
         * sketches the paper side, whose basis spans one power of X̃ᵀX̃ more than the term side's
         * (analysis/pca.ts: leftFit), so q = 3 there reaches the power q = 4 reached on the term
         * side. Against 4, over seeds 42-47: arXiv NMI 0.2399 ± 0.0041 against 0.2351 ± 0.0031,
         * NPMI 0.2740 against 0.2747, variance kept 10.3% against 10.4%; 20 Newsgroups NMI
         * 0.6130 ± 0.0118 against 0.6126 ± 0.0091; `--stage reduce` 10 alternating pairs on arXiv
         * median 3.12 s against 3.44 s, 5 on 20 Newsgroups 2.11 s against 2.29 s
         * (bench/RESULTS.md, session 23).
         */
        nPowerIter: z.number().int().min(0).max(20).default(3),
        nOversamples: z.number().int().min(0).max(200).default(10),
        /**
         * Above this many papers the PCA is fitted on a seeded sample of this many (chosen by a
         * hash of the paper id, so input order never matters) and every paper is projected onto
         * it; 0 or null: always fit on all papers. The figures reported are measured on all papers.
         * 20,000 rows are 200 per component: on arXiv (75k papers) the fit keeps 10.25% of the
         * variance against 10.60% from 50,000 rows and 10.69% from all, reduce takes ~2.5 s
         * less, and over seeds 1-5 and 42 score.py's NMI, NPMI and TD@10 are within the seed
         * spread of a 50,000-row fit (bench/RESULTS.md, session 20).
         */
        fitSampleSize: z
          .number({ error: 'must be 0, null or a whole number of papers' })
          .int({ error: 'must be 0, null or a whole number of papers' })
          .min(0, { error: 'must be 0 (fit on all papers), null or a positive number of papers' })
          .nullable()
          .default(20_000),
      })
      .strict()
      .prefault({}),
    cluster: z
      .object({
        /** Number of topics; 'auto' scans kMin..kMax. */
        k: z.union([z.number().int().min(2).max(500), z.literal('auto')]).default(30),
        kMin: z.number().int().min(2).default(8),
        kMax: z.number().int().min(2).default(40),
        nInit: z.number().int().min(1).max(50).default(5),
        maxIter: z.number().int().min(1).max(1000).default(100),
        /**
         * Start k-means from the last published run's clusters (recomputed in tonight's PCA
         * space), so topics keep their identity from night to night instead of reshuffling with
         * each refit. No effect on a first run or when k changed.
         */
        warmStart: z.boolean().default(true),
        /**
         * With warmStart: a seeded restart replaces the warm one only when its inertia is lower
         * by more than this fraction (analysis/kmeans.ts; 0 = plain lowest inertia).
         */
        warmTolerance: z.number().min(0).max(1).default(0.01),
      })
      .strict()
      .prefault({}),
    /**
     * Incremental nights (issue 6): fold tonight's papers into the model of the last full fit
     * (stored in <out>/model) instead of refitting vocabulary, PCA and k-means on the whole
     * window; refit when a rule below says so (pipeline/model/refit-policy.ts).
     */
    model: z
      .object({
        /** Fold in when the rules allow; false refits every night. */
        incremental: z.boolean().default(true),
        /** Refit tonight whatever the rules say (the CLI's --refit). */
        refit: z.boolean().default(false),
        /** Refit when papers added + dropped since the last full fit exceed this fraction of its papers. */
        maxChangedFraction: z.number().min(0).max(10).default(0.05),
        /** Refit when the newest paper is more than this many days newer than the fit's newest paper. */
        maxAgeDays: z.number().int().min(0).max(100_000).default(7),
        /** Refit when the stored PCA basis captures less than this fraction of the new papers' variance, relative to its fit window's. */
        minCapturedRatio: z.number().min(0).max(1).default(0.75),
      })
      .strict()
      .prefault({}),
    describe: z
      .object({
        topTerms: z.number().int().min(10).max(100).default(25),
        labelTerms: z.number().int().min(1).max(4).default(2),
        representatives: z.number().int().min(1).max(20).default(5),
      })
      .strict()
      .prefault({}),
    trends: z
      .object({
        unit: periodUnit.default('auto'),
        recentPeriods: z.number().int().min(1).optional(),
      })
      .strict()
      .prefault({}),
    archive: z
      .object({
        /** The SQLite paper archive; default <out>/archive.sqlite (see archivePath). */
        path: z.string().min(1).optional(),
        window: archiveWindowSchema.default({ all: true }),
        /** Runs whose per-paper assignments the archive keeps (topics are kept for every run). */
        keepAssignmentRuns: z.number().int().min(1).max(10_000).default(30),
      })
      .strict()
      .prefault({}),
    tracking: z
      .object({
        /** Term-vector cosine for a topic to keep last night's id (analysis/topic-matching.ts). */
        threshold: unitInterval.default(DEFAULT_THRESHOLD),
        /** Cosine for a split / merge link in the lineage. */
        splitThreshold: unitInterval.default(DEFAULT_SPLIT_THRESHOLD),
        /** Term drift (1 − cosine) since an editor named a topic above which the name is flagged. */
        maxLabelDrift: z.number().min(0).max(1).default(DEFAULT_MAX_LABEL_DRIFT),
      })
      .strict()
      .prefault({}),
    report: z
      .object({
        mapPoints: z.number().int().min(100).max(50_000).default(4000),
        topTopics: z.number().int().min(3).max(30).default(12),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

/** Validates a partial config and fills the defaults; throws ConfigError naming the key. */
export function resolveConfig(input: unknown, source = 'config'): Config {
  const parsed = configSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.join('.');
    const keys = issue.code === 'unrecognized_keys' ? ` ${issue.keys.map((k) => (key ? `${key}.${k}` : k)).join(', ')}` : '';
    throw new ConfigError(`${source}: ${key ? `${key}: ` : ''}${issue.message}${keys}`, key || undefined);
  }
  const config = parsed.data;
  if (config.cluster.kMin > config.cluster.kMax) {
    throw new ConfigError(`${source}: cluster.kMin (${config.cluster.kMin}) is larger than cluster.kMax (${config.cluster.kMax})`, 'cluster.kMin');
  }
  const sample = config.pca.fitSampleSize;
  if (sample && sample <= config.pca.nComponents + config.pca.nOversamples) {
    throw new ConfigError(
      `${source}: pca.fitSampleSize (${sample}) must be larger than pca.nComponents + pca.nOversamples (${config.pca.nComponents + config.pca.nOversamples}), or 0 to fit on all papers`,
      'pca.fitSampleSize',
    );
  }
  if (config.tracking.splitThreshold > config.tracking.threshold) {
    throw new ConfigError(
      `${source}: tracking.splitThreshold (${config.tracking.splitThreshold}) is larger than tracking.threshold (${config.tracking.threshold})`,
      'tracking.splitThreshold',
    );
  }
  return config;
}

/** Where the paper archive lives: archive.path, or archive.sqlite in the output folder. */
export function archivePath(config: Config): string {
  return resolve(config.archive.path ?? join(config.out, 'archive.sqlite'));
}

/** Reads a JSON config file; errors name the file. */
export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${path}: cannot read config file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${path}: not valid JSON (${(err as Error).message})`);
  }
}

/** Deep-merges plain objects (b wins); arrays and scalars are replaced, not merged. */
export function mergeConfig(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    if (value === undefined) continue;
    const prev = out[key];
    out[key] =
      isPlainObject(prev) && isPlainObject(value) ? mergeConfig(prev, value) : value;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
