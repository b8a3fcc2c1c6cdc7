// Nightly benchmark: what one night costs once the archive is large, the job the product runs
// from cron (the cold benchmark, bench.ts, measures a first night only).
//
//   npm run bench:night -- --corpus <dated file.jsonl[.gz]> --k <k> [--night-days 1] [--runs 3]
//                          [--refit] [--keep] [--components 100] [--out bench/out]
//
// The corpus is cut into an archive and a night (night-split.ts: the records of its last
// --night-days dates are the night), written once to <out>/night-split-<corpus>-<days>d/ and
// reused. topic-trends runs cold on the archive (measured, one run), and its out folder is kept
// as the saved state. Each round copies that state and runs the night into the copy (measured:
// wall, CPU, peak RSS, seconds per stage, and whether the night folded into the stored model or
// refitted, from the manifest); with --refit each round also runs the night with `--refit` (the
// whole window refitted: what the incremental night saves), the order alternating by round.
// Prints a table; writes the figures as JSON to <out>/night-<corpus>-k<k>-<time>.json. The copies
// are removed as each night is measured, the state at the end (at 1M papers each holds several
// GB) unless --keep, which leaves it for profiling a night by hand.
//
// --baseline <checkout> also runs each round's night with another checkout of topic-trends (a
// `git worktree` of an earlier commit, its node_modules linked or installed) from the same copied
// state, alternating which build goes first: a change to the night measured side by side, and
// the ratio this build / the baseline printed round by round (as bench.ts does against the
// reference). Both read the state this build's cold run wrote. Under the table, whether the
// nights published the same files (night-outputs.ts): each kind's across rounds, and the
// baseline's against this build's.
//
// A baseline must read that state as its own: a build older than 90c7b64 cannot read the
// vectorize artifact later builds write (it has no weights), so it would transform every row
// and look slower while publishing the same files. Against such a baseline, run this script
// from the older checkout with --baseline pointing at the newer one (the newer reads both).
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { wholeNumber } from './bench.ts';
import { runCommand } from './command.ts';
import { machineFacts } from './machine.ts';
import { splitNight } from './night-split.ts';
import { formatSpread, pairSpreads } from './bench-report.ts';
import { outputDigests, outputsLine } from './night-outputs.ts';
import { cell, formatTable, median } from './stats.ts';
import { ensureCompiled, OUR_STAGES, runOurs, type BenchTarget, type SystemRun } from './systems.ts';

const REPO_ROOT = resolve(new URL('.', import.meta.url).pathname, '..');

export interface NightArgs {
  corpus: string;
  k: number;
  nightDays: number;
  runs: number;
  refit: boolean;
  keep: boolean;
  components: number;
  out: string;
  /** Another checkout whose night runs beside this build's in each round. */
  baseline?: string;
}

export function parseNightArgs(argv: string[]): NightArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      corpus: { type: 'string' },
      k: { type: 'string' },
      'night-days': { type: 'string', default: '1' },
      runs: { type: 'string', default: '3' },
      refit: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      components: { type: 'string', default: '100' },
      out: { type: 'string', default: 'bench/out' },
      baseline: { type: 'string' },
    },
    strict: true,
  });
  if (!values.corpus) throw new Error('--corpus <dated file.jsonl[.gz]> is required');
  return {
    corpus: resolve(values.corpus),
    k: wholeNumber('--k', values.k, 2),
    nightDays: wholeNumber('--night-days', values['night-days'], 1),
    runs: wholeNumber('--runs', values.runs, 1),
    refit: values.refit!,
    keep: values.keep!,
    components: wholeNumber('--components', values.components, 2),
    out: resolve(values.out!),
    ...(values.baseline !== undefined ? { baseline: baselineCheckout(values.baseline) } : {}),
  };
}

/** The checkout --baseline names, resolved; it must hold the command (bin/topic-trends.mjs). */
function baselineCheckout(dir: string): string {
  const root = resolve(dir);
  if (!existsSync(join(root, 'bin', 'topic-trends.mjs'))) throw new Error(`--baseline ${dir}: no bin/topic-trends.mjs there (a checkout of topic-trends, e.g. git worktree add <dir> <commit>)`);
  if (!existsSync(join(root, 'node_modules'))) throw new Error(`--baseline ${dir}: no node_modules there (npm ci, or a link to this checkout's)`);
  return root;
}

/** How a measured night ran: as the pipeline chose ('night'), forced to refit ('refit'), or with the --baseline checkout ('baseline'). */
export type NightKind = 'night' | 'refit' | 'baseline';

/** The nights of round `round` (0-based): the order flips every round, as in bench.ts. */
export function nightOrder(round: number, refit: boolean, baseline = false): NightKind[] {
  const kinds: NightKind[] = ['night', ...(refit ? (['refit'] as const) : []), ...(baseline ? (['baseline'] as const) : [])];
  return round % 2 === 0 ? kinds : kinds.reverse();
}

/**
 * This build's night over the baseline's, round by round (the rounds where both ran): the median
 * and range of the wall and CPU ratios (pairSpreads, as bench.ts pairs our runs with the
 * reference's), or undefined when no round has both.
 */
export function baselineRatios(rows: readonly NightRow[]): ReturnType<typeof pairSpreads> {
  const ok = (kind: NightKind) => new Map(rows.filter((r) => r.kind === kind && r.ok).map((r) => [r.round, r]));
  const baseline = ok('baseline');
  return pairSpreads([...ok('night')].flatMap(([round, night]) => (baseline.has(round) ? [[night, baseline.get(round)!] as const] : [])));
}

/** The line bench:night prints under its table when it ran a baseline. */
export function baselineLine(rows: readonly NightRow[]): string | undefined {
  const r = baselineRatios(rows);
  if (!r) return undefined;
  return `this build / baseline, round by round over ${r.wall.rounds} round(s): wall ${formatSpread(r.wall)}${r.cpu ? `, CPU ${formatSpread(r.cpu)}` : ''}`;
}

export interface NightRow {
  /** The cold run on the archive, or one of the nights. */
  kind: 'archive' | NightKind;
  /** 1-based round of a night; 0 for the archive's run. */
  round: number;
  label: string;
  ok: boolean;
  wallSeconds: number;
  cpuSeconds?: number;
  peakTreeMb: number;
  stages: Record<string, number>;
  /** The manifest's model.mode: 'fold-in' or 'refit'. */
  mode?: string;
  /** sha256 of the night's published files (night-outputs.ts), for the comparison under the table. */
  outputs?: Record<string, string>;
}

export function nightRow(kind: NightRow['kind'], round: number, run: SystemRun): NightRow {
  const model = run.facts.model as { mode?: unknown } | undefined;
  return {
    kind,
    round,
    label: kind === 'archive' ? 'archive, cold' : `${kind} ${round}`,
    ok: run.ok,
    wallSeconds: run.wallSeconds,
    ...(run.cpuSeconds !== undefined ? { cpuSeconds: run.cpuSeconds } : {}),
    peakTreeMb: run.peakTreeMb,
    stages: run.stages,
    ...(typeof model?.mode === 'string' ? { mode: model.mode } : {}),
  };
}

/** One line per run (failed runs marked), then the median of each kind's successful runs. */
export function nightTable(rows: readonly NightRow[]): string {
  const header = ['run', 'model', 'wall (s)', 'CPU (s)', 'peak RSS (MB)', ...OUR_STAGES];
  const line = (r: NightRow): string[] => [
    r.ok ? r.label : `${r.label} (failed)`,
    r.mode ?? '–',
    cell(r.wallSeconds, 2),
    cell(r.cpuSeconds, 2),
    cell(r.peakTreeMb, 0),
    ...OUR_STAGES.map((s) => cell(r.stages[s], 2)),
  ];
  const kinds = [...new Set(rows.map((r) => r.kind).filter((k) => k !== 'archive'))];
  const medians = kinds.flatMap((kind) => {
    const of = rows.filter((r) => r.ok && r.kind === kind);
    if (of.length < 2) return [];
    const modes = [...new Set(of.map((r) => r.mode ?? '–'))].join(', ');
    return [
      [
        `${kind}, median of ${of.length}`,
        modes,
        cell(median(of.map((r) => r.wallSeconds)), 2),
        cell(median(of.map((r) => r.cpuSeconds ?? Number.NaN)), 2),
        cell(median(of.map((r) => r.peakTreeMb)), 0),
        ...OUR_STAGES.map((s) => cell(median(of.map((r) => r.stages[s] ?? Number.NaN)), 2)),
      ],
    ];
  });
  return formatTable(header, [...rows.map(line), ...medians]);
}

async function main(argv: string[]): Promise<number> {
  const args = parseNightArgs(argv);
  if (!existsSync(args.corpus)) throw new Error(`corpus ${args.corpus} not found`);
  ensureCompiled(REPO_ROOT);
  if (args.baseline) ensureCompiled(args.baseline);
  mkdirSync(args.out, { recursive: true });
  const name = basename(args.corpus).replace(/\.jsonl(\.gz)?$/, '');

  const splitDir = join(args.out, `night-split-${name}-${args.nightDays}d`);
  const archiveFile = join(splitDir, 'archive.jsonl.gz');
  const nightFile = join(splitDir, 'night.jsonl.gz');
  if (!existsSync(archiveFile) || !existsSync(nightFile)) {
    mkdirSync(splitDir, { recursive: true });
    const split = await splitNight(args.corpus, args.nightDays, archiveFile, nightFile);
    console.log(`split ${args.corpus}: ${split.archiveRecords} records in the archive, ${split.nightRecords} in the night (${split.days.join(', ')})`);
  } else {
    console.log(`reusing the split in ${splitDir}`);
  }

  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
  const runDir = join(args.out, `night-${name}-k${args.k}-${stamp}`);
  mkdirSync(runDir, { recursive: true });
  const target: BenchTarget = { repoRoot: REPO_ROOT, corpus: archiveFile, k: args.k, components: args.components, sharedEval: '' };
  const rows: NightRow[] = [];
  let failed = false;
  try {
    const state = join(runDir, 'archive');
    console.log('archive, cold …');
    const cold = await runOurs(target, state, 1);
    rows.push(nightRow('archive', 0, cold));
    if (!cold.ok) throw new Error(`the cold run on the archive failed: ${cold.error ?? ''}`);
    for (let round = 0; round < args.runs; round++) {
      for (const kind of nightOrder(round, args.refit, args.baseline !== undefined)) {
        const dir = join(runDir, `${kind}-${round + 1}`);
        // Symlinks (latest → runs/<id>) stay relative, so the copy's point into the copy.
        cpSync(state, dir, { recursive: true, verbatimSymlinks: true });
        console.log(`${kind} ${round + 1} …`);
        const build = kind === 'baseline' ? { ...target, repoRoot: args.baseline! } : target;
        const run = await runOurs(build, dir, round + 1, undefined, { input: nightFile, existingOut: true, extraArgs: kind === 'refit' ? ['--refit'] : [] });
        const row = nightRow(kind, round + 1, run);
        if (run.ok) row.outputs = outputDigests(dir);
        rows.push(row);
        if (!run.ok) {
          failed = true;
          console.log(`${kind} ${round + 1} failed: ${run.error ?? ''}`);
        }
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    console.log(`\n${nightTable(rows)}`);
    const ratios = baselineLine(rows);
    if (ratios) console.log(`${ratios}\nbaseline: ${args.baseline}`);
    const outputs = outputsLine(rows);
    if (outputs) console.log(outputs);
    const file = join(args.out, `night-${name}-k${args.k}-${stamp}.json`);
    writeFileSync(file, `${JSON.stringify({ createdAt: new Date().toISOString(), ...args, machine: machineFacts(REPO_ROOT), rows }, null, 2)}\n`);
    console.log(`\nwritten ${file}`);
    if (args.keep) console.log(`the archive's state is kept in ${join(runDir, 'archive')}`);
    else rmSync(runDir, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
}

runCommand(import.meta.url, 'bench:night', main);
