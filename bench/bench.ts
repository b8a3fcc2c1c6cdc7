// Benchmark: topic-trends against the scikit-learn reference pipeline on one corpus.
//
//   npm run bench -- --corpus <file.jsonl.gz> --k <k> [--runs 3] [--components 100]
//                    [--no-reference] [--out bench/out]
//
// Each system runs --runs times, cold (a fresh output folder each time, so no stage caches), as
// a child process measured from outside (wall time; peak RSS of the whole process tree, see
// measure-process.ts). Runs alternate between the systems, and the order flips every round
// (A B, B A, A B ...), so slow drift on a shared machine falls on both alike. The last run of
// each is scored with ../shared/eval/score.py. Prints tables; writes the full result as JSON to
// <out>/bench-<corpus>-k<k>-<time>.json; keeps only the last run's output folders.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatBenchReport, pairedRatios, ratios, summarise, type BenchResult } from './bench-report.ts';
import { runCommand } from './command.ts';
import { machineFacts } from './machine.ts';
import { type NoiseProbe, probeMachine } from './noise-probe.ts';
import { ensureCompiled, MATCHING_STAGES, OUR_STAGES, REFERENCE_STAGES, runOurs, runReference, score, type BenchTarget, type SystemName, type SystemRun } from './systems.ts';

const REPO_ROOT = resolve(new URL('.', import.meta.url).pathname, '..');
const SHARED_EVAL = resolve(REPO_ROOT, '../shared/eval');

export interface BenchArgs {
  corpus: string;
  k: number;
  runs: number;
  components: number;
  reference: boolean;
  out: string;
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      corpus: { type: 'string' },
      k: { type: 'string' },
      runs: { type: 'string', default: '3' },
      components: { type: 'string', default: '100' },
      'no-reference': { type: 'boolean', default: false },
      out: { type: 'string', default: 'bench/out' },
    },
    strict: true,
  });
  if (!values.corpus) throw new Error('--corpus <file> is required');
  return {
    corpus: resolve(values.corpus),
    k: wholeNumber('--k', values.k, 2),
    runs: wholeNumber('--runs', values.runs, 1),
    components: wholeNumber('--components', values.components, 2),
    reference: !values['no-reference'],
    out: resolve(values.out!),
  };
}

/** A flag's value as a whole number ≥ min, or an error naming the flag. */
export function wholeNumber(flag: string, value: string | undefined, min: number): number {
  if (value === undefined) throw new Error(`${flag} is required`);
  if (!/^\d+$/.test(value) || Number(value) < min) throw new Error(`${flag} must be a whole number ≥ ${min}, got "${value}"`);
  return Number(value);
}

/** The order of round i (0-based): topic-trends first on even rounds, the reference first on odd. */
export function roundOrder(round: number, withReference: boolean): SystemName[] {
  if (!withReference) return ['topic-trends'];
  return round % 2 === 0 ? ['topic-trends', 'sklearn'] : ['sklearn', 'topic-trends'];
}

function corpusName(path: string): string {
  return basename(path).replace(/\.gz$/, '').replace(/\.(jsonl|json|csv)$/, '');
}

export async function runBench(args: BenchArgs, log: (line: string) => void = console.log): Promise<{ result: BenchResult; file: string }> {
  if (!existsSync(args.corpus)) throw new Error(`corpus ${args.corpus} not found`);
  const machine = machineFacts(REPO_ROOT);
  const withReference = args.reference && machine.sklearn !== null && existsSync(join(SHARED_EVAL, 'sklearn_baseline.py'));
  if (args.reference && !withReference) log(`reference skipped: /usr/bin/python3 cannot import sklearn or ${SHARED_EVAL}/sklearn_baseline.py is missing`);

  const createdAt = new Date().toISOString();
  const stamp = createdAt.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const name = `${corpusName(args.corpus)}-k${args.k}-${stamp}`;
  const work = join(args.out, name);
  mkdirSync(work, { recursive: true });
  const target: BenchTarget = { repoRoot: REPO_ROOT, corpus: args.corpus, k: args.k, components: args.components, sharedEval: SHARED_EVAL };

  ensureCompiled(REPO_ROOT);
  const runs: SystemRun[] = [];
  const probes: NoiseProbe[] = [];
  for (let round = 0; round < args.runs; round++) {
    // Between the runs, in this (otherwise idle) process: how fast the machine is right now.
    const probe = probeMachine();
    probes.push(probe);
    log(`round ${round + 1}: machine probe memory ${(probe.memoryMs / 1000).toFixed(2)} s, arithmetic ${(probe.aluMs / 1000).toFixed(2)} s`);
    for (const system of roundOrder(round, withReference)) {
      const dir = join(work, `${system}-${round + 1}`);
      log(`run ${round + 1}/${args.runs}: ${system} ...`);
      const r = system === 'topic-trends' ? await runOurs(target, dir, round + 1) : await runReference(target, dir, round + 1);
      log(
        r.ok
          ? `  ${r.wallSeconds.toFixed(1)} s, peak RSS ${Math.round(r.peakTreeMb)} MB (${r.processes} process${r.processes === 1 ? '' : 'es'}, ${r.measuredWith})`
          : `  FAILED: ${r.error}`,
      );
      runs.push(r);
    }
  }

  const loadAverageAtEnd = Math.round(loadavg()[0]! * 100) / 100;
  const summary: BenchResult['summary'] = { 'topic-trends': summarise(runs.filter((r) => r.system === 'topic-trends'), OUR_STAGES, MATCHING_STAGES['topic-trends']) };
  if (withReference) summary.sklearn = summarise(runs.filter((r) => r.system === 'sklearn'), REFERENCE_STAGES, MATCHING_STAGES.sklearn);

  const scores: BenchResult['scores'] = {};
  for (const system of ['topic-trends', 'sklearn'] as const) {
    const last = runs.filter((r) => r.system === system && r.ok).pop();
    if (!last || !machine.sklearn) continue;
    log(`scoring ${system} (run ${last.run}) ...`);
    scores[system] = await score(target, last.resultDir, system);
  }

  // Keep the last run's output of each system for inspection; earlier ones only cost disk.
  for (const system of ['topic-trends', 'sklearn'] as const) {
    const mine = runs.filter((r) => r.system === system);
    for (const r of mine.slice(0, -1)) {
      const dir = join(work, `${system}-${r.run}`);
      rmSync(dir, { recursive: true, force: true });
      rmSync(`${dir}.config.json`, { force: true });
    }
  }

  const result: BenchResult = {
    createdAt,
    corpus: args.corpus,
    k: args.k,
    components: args.components,
    runsPerSystem: args.runs,
    machine,
    loadAverageAtEnd,
    runs,
    summary,
    ratios: ratios(summary),
    paired: pairedRatios(runs),
    scores,
    probes,
  };
  const file = join(args.out, `bench-${name}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return { result, file };
}

async function main(argv: string[]): Promise<number> {
  const args = parseBenchArgs(argv);
  const { result, file } = await runBench(args);
  console.log(`\n${formatBenchReport(result)}\n\nresult: ${file}`);
  return result.runs.every((r) => r.ok) ? 0 : 1;
}

runCommand(import.meta.url, 'bench', main);
