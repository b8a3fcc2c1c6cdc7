// The run configuration: one validated object with a default for everything. A JSON config file
// and CLI flags are layered over the defaults; unknown keys and wrong types are refused with the
// key named, because a silently ignored typo in a nightly job shows up weeks later as bad topics.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './errors.ts';

const periodUnit = z.enum(['auto', 'day', 'week', 'month', 'quarter', 'year', 'decade']);

export const configSchema = z
  .object({
    /** Input files; empty means the default corpus (State of the Union passages from npm). */
    input: z.array(z.string().min(1)).default([]),
    /** Output folder: stage artifacts in <out>/stages, published runs in <out>/runs, <out>/latest. */
    out: z.string().min(1).default('out'),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
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
        maxFeatures: z.number().int().positive().optional(),
        sublinearTf: z.boolean().default(true),
        bigrams: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    pca: z
      .object({
        nComponents: z.number().int().min(2).max(1000).default(100),
        nPowerIter: z.number().int().min(0).max(20).default(4),
        nOversamples: z.number().int().min(0).max(200).default(10),
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
  return config;
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
