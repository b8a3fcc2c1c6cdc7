// Quality spread: how far score.py's figures move when the input barely changes. Runs topic-trends
// (and with --reference the scikit-learn pipeline) on the corpus as it is and on --variants − 1
// copies less --drop random papers each (corpus-variants.ts), scores every run, and prints each
// metric's mean, standard deviation and range. A change to the pipeline is then judged against
// that spread, not against one run's figure. Prints figures; asserts nothing.
//
//   npm run bench:quality -- --corpus <file.jsonl[.gz]> --k <k> [--variants 4] [--drop 10]
//                            [--seed 42] [--reference] [--out bench/out]
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { wholeNumber } from './bench.ts';
import { readCorpusText } from './corpus-text.ts';
import { dropRecords, spread } from './corpus-variants.ts';
import { sklearnVersion } from './machine.ts';
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
const seed = wholeNumber('--seed', values.seed, 0);
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
const rows: { variant: number; system: SystemName; scores: Record<string, number> }[] = [];

for (let v = 0; v < variants; v++) {
  // Variant 0 is the corpus itself; variant v drops `drop` papers chosen with seed v.
  const file = v === 0 ? corpus : join(work, `variant-${v}.jsonl.gz`);
  if (v > 0) writeFileSync(file, gzipSync(dropRecords(text, drop, v).join('\n') + '\n'));
  const target: BenchTarget = { repoRoot: REPO_ROOT, corpus: file, k, components: 100, sharedEval: SHARED_EVAL };
  for (const system of systems) {
    const dir = join(work, `${system}-${v}`);
    console.log(`variant ${v}${v === 0 ? ' (the corpus)' : ` (less ${drop} papers)`}: ${system} ...`);
    const run = system === 'topic-trends' ? await runOurs(target, dir, v + 1, seed) : await runReference(target, dir, v + 1);
    if (!run.ok) throw new Error(`${system} failed on variant ${v}: ${run.error}`);
    const s = await score(target, run.resultDir, system);
    if ('error' in s) throw new Error(`score.py failed on ${system}, variant ${v}: ${s.error}`);
    const scores = Object.fromEntries(METRICS.map((m) => [m, Number(s[m])]));
    console.log(`  ${METRICS.map((m) => `${m} ${cell(scores[m], 4)}`).join('  ')}`);
    rows.push({ variant: v, system, scores });
    rmSync(dir, { recursive: true, force: true }); // the scores are what is kept
    rmSync(`${dir}.config.json`, { force: true });
  }
  if (v > 0) rmSync(file, { force: true });
}

const table = systems.flatMap((system) =>
  METRICS.map((m) => {
    const s = spread(rows.filter((r) => r.system === system).map((r) => r.scores[m]!));
    return [`${system} ${m}`, cell(s.mean, 4), cell(s.sd, 4), cell(s.min, 4), cell(s.max, 4), String(s.n)];
  }),
);
console.log(`\n${formatTable(['metric', 'mean', 'sd', 'min', 'max', 'runs'], table)}`);
const resultFile = `${work}.json`;
writeFileSync(resultFile, `${JSON.stringify({ corpus, k, seed, drop, variants, rows }, null, 2)}\n`);
rmSync(work, { recursive: true, force: true });
console.log(`\nresult: ${resultFile}`);
