// Scaling benchmark: how each stage's time grows with the corpus, from ~75k to 1M papers.
//
//   npm run bench:scale -- --corpus bench/out/synth-1000000.jsonl.gz --sizes 75000,250000,500000,1000000 --k 50
//
// Writes the first N records of the corpus to <out>/scale-<N>.jsonl.gz (once; reused later),
// runs topic-trends cold on each through bench.ts (one run, no reference), and prints one table:
// seconds per stage at each size, and the growth of each stage relative to the smallest size
// divided by the growth in papers (1.0 = linear, above 1 = worse than linear). The synthetic
// corpus's records are in random date order, so a prefix is a fair sample of the whole.
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createGunzip, createGzip } from 'node:zlib';
import { runBench } from './bench.ts';
import { runCommand } from './command.ts';
import { cell, formatTable } from './stats.ts';

interface ScaleRow {
  papers: number;
  wallSeconds: number;
  peakTreeMb: number;
  stages: Record<string, number>;
}

/** The first `n` lines of a (gzipped) JSONL file, gzipped to `target`; false if it has fewer. */
async function writePrefix(source: string, target: string, n: number): Promise<boolean> {
  const input = createReadStream(source).pipe(source.endsWith('.gz') ? createGunzip() : new PassThrough());
  const lines = createInterface({ input, crlfDelay: Infinity });
  const gzip = createGzip({ level: 1 });
  const tmp = `${target}.partial`;
  const done = pipeline(gzip, createWriteStream(tmp));
  let written = 0;
  for await (const line of lines) {
    if (written === n) break;
    if (!gzip.write(`${line}\n`)) await new Promise((r) => gzip.once('drain', r));
    written++;
  }
  lines.close();
  input.destroy();
  gzip.end();
  await done;
  if (written < n) return false;
  renameSync(tmp, target);
  return true;
}

/** Stage growth ÷ paper growth against the first row (1.0 = linear). */
export function scalingTable(rows: ScaleRow[]): string {
  const stages = [...new Set(rows.flatMap((r) => Object.keys(r.stages)))];
  const base = rows[0]!;
  const header = ['stage', ...rows.map((r) => `${r.papers.toLocaleString('en')} (s)`), ...rows.slice(1).map((r) => `×${(r.papers / base.papers).toFixed(1)} papers: time ×`)];
  const line = (label: string, pick: (r: ScaleRow) => number) => [
    label,
    ...rows.map((r) => cell(pick(r), 1)),
    ...rows.slice(1).map((r) => `${(pick(r) / pick(base)).toFixed(1)} (${(pick(r) / pick(base) / (r.papers / base.papers)).toFixed(2)} of linear)`),
  ];
  return formatTable(header, [
    ...stages.map((s) => line(s, (r) => r.stages[s] ?? Number.NaN)),
    line('whole run (wall)', (r) => r.wallSeconds),
    line('peak RSS (MB)', (r) => r.peakTreeMb),
  ]);
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      corpus: { type: 'string', default: 'bench/out/synth-1000000.jsonl.gz' },
      sizes: { type: 'string', default: '75000,250000,500000,1000000' },
      k: { type: 'string', default: '50' },
      out: { type: 'string', default: 'bench/out' },
    },
    strict: true,
  });
  const corpus = resolve(values.corpus!);
  if (!existsSync(corpus)) throw new Error(`corpus ${corpus} not found (make it with: npm run bench:synth -- --n 1000000)`);
  const sizes = values.sizes!.split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 100)) throw new Error(`--sizes must be whole numbers ≥ 100, got "${values.sizes}"`);
  const k = Number(values.k);
  const out = resolve(values.out!);
  mkdirSync(out, { recursive: true });

  const rows: ScaleRow[] = [];
  for (const n of sizes.sort((a, b) => a - b)) {
    const file = join(out, `scale-${n}.jsonl.gz`);
    if (!existsSync(file) && !(await writePrefix(corpus, file, n))) {
      console.log(`${corpus} has fewer than ${n} records: stopping at the sizes above`);
      break;
    }
    console.log(`\n== ${n} papers ==`);
    const { result } = await runBench({ corpus: file, k, runs: 1, components: 100, reference: false, out });
    const s = result.summary['topic-trends'];
    if (!s || s.ok === 0) {
      console.log(`run on ${n} papers failed`);
      return 1;
    }
    rows.push({ papers: n, wallSeconds: s.medianWallSeconds, peakTreeMb: s.medianPeakTreeMb, stages: s.medianStageSeconds });
    console.log(`\n${scalingTable(rows)}`);
  }
  return 0;
}

runCommand(import.meta.url, 'bench:scale', main);
