// Quality spread: how far score.py's figures move when the input barely changes, or the seed does.
// Runs topic-trends (and with --reference the scikit-learn pipeline) on the corpus as it is and on
// --variants − 1 copies less --drop random papers each (corpus-variants.ts), each with --seeds
// seeds (quality-plan.ts), scores every run, and prints each metric's mean, standard deviation and
// range: over all runs, over the inputs at the first seed, over the seeds on the corpus. A change
// to the pipeline is then judged against that spread, not against one run's figure. Prints
// figures; asserts nothing.
//
//   npm run bench:quality -- --corpus <file.jsonl[.gz]> --k <k> [--variants 4] [--drop 10]
//                            [--seeds 1] [--seed 42] [--reference] [--out bench/out]
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { wholeNumber } from './bench.ts';
import { readCorpusText } from './corpus-text.ts';
import { dropRecords, type Spread } from './corpus-variants.ts';
import { sklearnVersion } from './machine.ts';
import { qualityRunPlan, type QualityRun, spreadSlices } from './quality-plan.ts';
import { cell, formatTable } from './stats.ts';
import { ensureCompiled, runOurs, runReference, score, type BenchTarget, type SystemName } from './systems.ts';

const REPO_ROOT = resolve(new URL('.', import.meta.url).pathname, '..');
const SHARED_EVAL = resolve(REPO_ROOT, '../shared/eval');
const METRICS = ['nmi', 'ari', 'npmi', 'td10'] as const;

const { values } = parseArgs({
  options: {
    corpus: { type: 'string' },
    k: { type: 'string' },
    variants: { type: 'string', default: '4' },
    drop: { type: 'string', default: '10' },
    seeds: { type: 'string', default: '1' },
    seed: { type: 'string', default: '42' },
    reference: { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/out' },
  },
  strict: true,
});
if (!values.corpus || !/\.jsonl(\.gz)?$/.test(values.corpus)) throw new Error('--corpus <file.jsonl[.gz]> is required (JSONL: one paper per line)');
const corpus = resolve(values.corpus);
const k = wholeNumber('--k', values.k, 2);
const variants = wholeNumber('--variants', values.variants, 1);
const drop = wholeNumber('--drop', values.drop, 1);
const seeds = wholeNumber('--seeds', values.seeds, 1);
const seed = wholeNumber('--seed', values.seed, 0);
// Seed index s: topic-trends runs with --seed seed + s; the reference with its own default seed
// (0) + s, so that index 0 is each system as `npm run bench` runs it.
const seedOf = (system: SystemName, s: number): number => (system === 'topic-trends' ? seed : 0) + s;
if (!existsSync(corpus)) throw new Error(`corpus ${corpus} not found`);
if (!existsSync(join(SHARED_EVAL, 'score.py'))) throw new Error(`${SHARED_EVAL}/score.py is missing: nothing to score with`);
// score.py needs Debian's python3 with scikit-learn as much as the reference does.
if (sklearnVersion() === null) throw new Error('/usr/bin/python3 cannot import sklearn (apt-get install python3-sklearn): score.py cannot run');

const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
const work = resolve(values.out!, `quality-${basename(corpus).replace(/\.jsonl(\.gz)?$/, '')}-k${k}-${stamp}`);
mkdirSync(work, { recursive: true });
ensureCompiled(REPO_ROOT);
const text = readCorpusText(corpus);
const systems: SystemName[] = values.reference ? ['topic-trends', 'sklearn'] : ['topic-trends'];
const rows: (QualityRun & { system: SystemName; seed: number; scores: Record<string, number> })[] = [];

let written = -1; // the variant whose file is on disk
let file = corpus;
for (const { variant: v, seedIndex } of qualityRunPlan(variants, seeds)) {
  // Variant 0 is the corpus itself; variant v drops `drop` papers chosen with seed v.
  if (v !== written) {
    if (written > 0) rmSync(file, { force: true });
    file = v === 0 ? corpus : join(work, `variant-${v}.jsonl.gz`);
    if (v > 0) writeFileSync(file, gzipSync(dropRecords(text, drop, v).join('\n') + '\n'));
    written = v;
  }
  const target: BenchTarget = { repoRoot: REPO_ROOT, corpus: file, k, components: 100, sharedEval: SHARED_EVAL };
  for (const system of systems) {
    const runSeed = seedOf(system, seedIndex);
    const dir = join(work, `${system}-${v}-${seedIndex}`);
    console.log(`variant ${v}${v === 0 ? ' (the corpus)' : ` (less ${drop} papers)`}, seed ${runSeed}: ${system} ...`);
    const runNumber = rows.length + 1;
    const run = system === 'topic-trends' ? await runOurs(target, dir, runNumber, runSeed) : await runReference(target, dir, runNumber, runSeed);
    if (!run.ok) throw new Error(`${system} failed on variant ${v}, seed ${runSeed}: ${run.error}`);
    const s = await score(target, run.resultDir, system);
    if ('error' in s) throw new Error(`score.py failed on ${system}, variant ${v}, seed ${runSeed}: ${s.error}`);
    const scores = Object.fromEntries(METRICS.map((m) => [m, Number(s[m])]));
    console.log(`  ${METRICS.map((m) => `${m} ${cell(scores[m], 4)}`).join('  ')}`);
    rows.push({ variant: v, seedIndex, system, seed: runSeed, scores });
    rmSync(dir, { recursive: true, force: true }); // the scores are what is kept
    rmSync(`${dir}.config.json`, { force: true });
  }
}
if (written > 0) rmSync(file, { force: true });

const spreadCells = (s: Spread): string[] => [cell(s.mean, 4), cell(s.sd, 4), cell(s.min, 4), cell(s.max, 4), String(s.n)];
const table = systems.flatMap((system) =>
  METRICS.flatMap((m) => {
    const slices = spreadSlices(rows.filter((r) => r.system === system).map((r) => ({ ...r, value: r.scores[m]! })));
    const lines = [[`${system} ${m}`, ...spreadCells(slices.all)]];
    if (slices.inputs && slices.seeds) {
      lines.push([`  over inputs, first seed`, ...spreadCells(slices.inputs)]);
      lines.push([`  over seeds, the corpus`, ...spreadCells(slices.seeds)]);
    }
    return lines;
  }),
);
console.log(`\n${formatTable(['metric', 'mean', 'sd', 'min', 'max', 'runs'], table)}`);
const resultFile = `${work}.json`;
writeFileSync(resultFile, `${JSON.stringify({ corpus, k, seed, seeds, drop, variants, rows }, null, 2)}\n`);
rmSync(work, { recursive: true, force: true });
console.log(`\nresult: ${resultFile}`);
