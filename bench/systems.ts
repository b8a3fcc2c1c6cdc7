// The two systems the benchmark compares, and how to read what each reports about itself:
// topic-trends (its CLI, cold, per-stage figures from <out>/latest/manifest.json) and the
// scikit-learn reference (../shared/eval/sklearn_baseline.py, one JSON line on stdout). Both
// write assignments.csv and clusters.json, which ../shared/eval/score.py scores the same way.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_FLAGS } from '../pipeline/node-flags.ts';
import { PYTHON } from './machine.ts';
import { runMeasured, type ProcessMeasurement } from './measure-process.ts';

export type SystemName = 'topic-trends' | 'sklearn';

/** Stage names in the order each system runs them (the table rows). */
export const OUR_STAGES = ['ingest', 'tokenize', 'vectorize', 'reduce', 'cluster', 'describe', 'trends', 'report'];
export const REFERENCE_STAGES = ['read', 'tfidf', 'svd', 'kmeans', 'write'];
/**
 * The stages of each system that do the same job: read the corpus, turn it into TF-IDF rows,
 * reduce them, cluster them. topic-trends does more inside them (the archive, the token cache,
 * phrases) and more after them (describe, trends, the report); the reference writes its two files.
 * Their ratio says how the shared work compares, apart from start-up and the product's extras.
 */
export const MATCHING_STAGES: Record<SystemName, string[]> = {
  'topic-trends': ['ingest', 'tokenize', 'vectorize', 'reduce', 'cluster'],
  sklearn: ['read', 'tfidf', 'svd', 'kmeans'],
};

export interface SystemRun {
  system: SystemName;
  run: number; // 1-based
  ok: boolean;
  error?: string;
  wallSeconds: number;
  /** User + system CPU seconds of the whole process, all threads (GNU time; absent without it). */
  cpuSeconds?: number;
  peakTreeMb: number;
  peakLargestMb: number;
  processes: number;
  measuredWith: ProcessMeasurement['method'];
  /** Seconds per stage, as the system reports them. */
  stages: Record<string, number>;
  /** CPU seconds per stage, all threads (topic-trends' manifest; the reference reports none). */
  stageCpu?: Record<string, number>;
  /** The system's own peak RSS figure (manifest's last peakRssMb; sklearn's ru_maxrss), MB. */
  selfReportedPeakMb?: number;
  /** Folder holding assignments.csv and clusters.json. */
  resultDir: string;
  /** Counts and sizes the system reports (documents, vocabulary ...). */
  facts: Record<string, unknown>;
}

export interface BenchTarget {
  repoRoot: string;
  corpus: string;
  k: number;
  components: number;
  sharedEval: string; // folder with sklearn_baseline.py and score.py
}

export interface ManifestFigures {
  stages: Record<string, number>;
  /** CPU seconds per stage (the manifest's cpuSeconds: user + system of the process, all threads). */
  stageCpu: Record<string, number>;
  peakRssMb?: number;
  totalSeconds?: number;
  counts?: unknown;
}

/** Per-stage seconds and CPU seconds from a manifest.json (stages: [{stage, seconds, cpuSeconds, peakRssMb, skipped}]). */
export function manifestFigures(manifest: unknown): ManifestFigures {
  const m = (manifest ?? {}) as { stages?: unknown; totalSeconds?: unknown; counts?: unknown };
  const stages: Record<string, number> = {};
  const stageCpu: Record<string, number> = {};
  let peak: number | undefined;
  if (Array.isArray(m.stages)) {
    for (const s of m.stages as { stage?: unknown; seconds?: unknown; cpuSeconds?: unknown; peakRssMb?: unknown; skipped?: unknown }[]) {
      if (typeof s.stage !== 'string' || typeof s.seconds !== 'number') continue;
      stages[s.stage] = (stages[s.stage] ?? 0) + s.seconds;
      if (typeof s.cpuSeconds === 'number') stageCpu[s.stage] = (stageCpu[s.stage] ?? 0) + s.cpuSeconds;
      if (typeof s.peakRssMb === 'number') peak = Math.max(peak ?? 0, s.peakRssMb);
    }
  }
  return {
    stages,
    stageCpu,
    peakRssMb: peak,
    totalSeconds: typeof m.totalSeconds === 'number' ? m.totalSeconds : undefined,
    counts: m.counts,
  };
}

/** Builds dist/ when a source is newer (scripts/build.mjs), so no measured run pays for the build. */
export function ensureCompiled(repoRoot: string): void {
  const built = spawnSync(process.execPath, [join(repoRoot, 'scripts/build.mjs'), '--if-stale'], { cwd: repoRoot, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`scripts/build.mjs failed: ${built.stderr || built.error?.message}`);
}

/** The reference's JSON line (the last line of stdout that parses as a JSON object). */
export function parseReferenceOutput(stdout: string): { timings_s: Record<string, number>; peak_rss_mb?: number; [key: string]: unknown } {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    if (!line.trim().startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as { timings_s?: unknown };
      if (parsed && typeof parsed.timings_s === 'object' && parsed.timings_s !== null) {
        return parsed as { timings_s: Record<string, number>; peak_rss_mb?: number };
      }
    } catch {
      // not the JSON line
    }
  }
  throw new Error('the reference printed no JSON line with timings_s');
}

function failure(m: ProcessMeasurement): string {
  const why = m.signal ? `killed by ${m.signal}` : `exit code ${m.exitCode}`;
  const tail = m.stderr.trim().split('\n').slice(-8).join('\n');
  return `${why}${tail ? `:\n${tail}` : ''}`;
}

function base(system: SystemName, run: number, m: ProcessMeasurement, resultDir: string): SystemRun {
  return {
    system,
    run,
    ok: m.exitCode === 0,
    wallSeconds: m.wallSeconds,
    ...(m.cpuSeconds !== undefined ? { cpuSeconds: m.cpuSeconds } : {}),
    peakTreeMb: m.peakTreeMb,
    peakLargestMb: m.peakLargestMb,
    processes: m.processes,
    measuredWith: m.method,
    stages: {},
    resultDir,
    facts: {},
  };
}

/** How runOurs deviates from a cold run on the target's corpus (bench:night's nights). */
export interface OurRunOptions {
  /** The input file instead of target.corpus. */
  input?: string;
  /** Run into an out folder that already holds a run's state (a night), instead of a fresh one. */
  existingOut?: boolean;
  /** More CLI arguments (e.g. --refit). */
  extraArgs?: readonly string[];
}

/**
 * One cold run of topic-trends: a fresh --out folder (no stage caches), the installed entry point
 * (bin/topic-trends.mjs: the compiled dist/ bundles, with the node flags `npm start` gives) in a single node
 * process, no npm/npx launcher in between. The build itself happens before the measured runs
 * (ensureCompiled), as the reference's Python bytecode is compiled before its runs.
 */
export async function runOurs(target: BenchTarget, outDir: string, run: number, seed?: number, options: OurRunOptions = {}): Promise<SystemRun> {
  if (!options.existingOut && existsSync(outDir)) throw new Error(`${outDir} exists: a cold run needs a fresh folder`);
  if (options.existingOut && !existsSync(outDir)) throw new Error(`${outDir} does not exist: a night runs into a saved state`);
  const configPath = `${outDir}.config.json`;
  writeFileSync(configPath, `${JSON.stringify({ pca: { nComponents: target.components } }, null, 2)}\n`);
  const input = options.input ?? target.corpus;
  const args = [...NODE_FLAGS, join(target.repoRoot, 'bin/topic-trends.mjs'), 'run', '--input', input, '--k', String(target.k), '--out', outDir, '--config', configPath, '--quiet'];
  if (seed !== undefined) args.push('--seed', String(seed)); // else the pipeline's default seed
  args.push(...(options.extraArgs ?? []));
  const m = await runMeasured(process.execPath, args, { cwd: target.repoRoot });
  const result = base('topic-trends', run, m, join(outDir, 'latest'));
  if (!result.ok) return { ...result, error: failure(m) };
  const manifestPath = join(outDir, 'latest', 'manifest.json');
  if (!existsSync(manifestPath)) return { ...result, ok: false, error: `no ${manifestPath} after a successful exit` };
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { model?: unknown };
  const figures = manifestFigures(manifest);
  return {
    ...result,
    stages: figures.stages,
    stageCpu: figures.stageCpu,
    selfReportedPeakMb: figures.peakRssMb,
    facts: { totalSeconds: figures.totalSeconds, counts: figures.counts, ...(manifest.model !== undefined ? { model: manifest.model } : {}), report: m.stdout.trim().split('\n').pop() },
  };
}

/** One run of the scikit-learn reference pipeline with Debian's python (its own default seed unless `seed`). */
export async function runReference(target: BenchTarget, outDir: string, run: number, seed?: number): Promise<SystemRun> {
  const script = join(target.sharedEval, 'sklearn_baseline.py');
  const args = [script, '--corpus', target.corpus, '--out', outDir, '-k', String(target.k), '--components', String(target.components)];
  if (seed !== undefined) args.push('--seed', String(seed));
  const m = await runMeasured(PYTHON, args, { cwd: target.repoRoot });
  const result = base('sklearn', run, m, outDir);
  if (!result.ok) return { ...result, error: failure(m) };
  try {
    const out = parseReferenceOutput(m.stdout);
    const { timings_s, peak_rss_mb, ...facts } = out;
    const stages = Object.fromEntries(Object.entries(timings_s).filter(([k]) => k !== 'total'));
    return { ...result, stages, selfReportedPeakMb: peak_rss_mb, facts };
  } catch (err) {
    return { ...result, ok: false, error: (err as Error).message };
  }
}

/** score.py's JSON object for a result folder, or an error message. */
export async function score(target: BenchTarget, resultDir: string, name: string): Promise<Record<string, unknown> | { error: string }> {
  const args = [
    join(target.sharedEval, 'score.py'),
    '--corpus', target.corpus,
    '--assignments', join(resultDir, 'assignments.csv'),
    '--topics', join(resultDir, 'clusters.json'),
    '--name', name,
  ];
  const m = await runMeasured(PYTHON, args, { cwd: target.repoRoot, useGnuTime: false });
  if (m.exitCode !== 0) return { error: failure(m) };
  try {
    return JSON.parse(m.stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>;
  } catch {
    return { error: `score.py printed no JSON: ${m.stdout.slice(0, 200)}` };
  }
}
