// Scale-corpus generator: writes n realistic synthetic abstracts by resampling sentences of the
// real arXiv corpus per category (see synth-model.ts), as gzipped JSON Lines in the shared corpus
// format (id, title, text, date, label). Output is streamed through gzip with backpressure, so
// memory stays at the size of the sentence pools whatever n is.
//
//   npm run bench:synth -- --n 1000000 [--source /work/shared/data/arxiv-cs-daily.jsonl.gz]
//                          [--out bench/out/synth-1000000.jsonl.gz] [--seed 1] [--min-docs 5]
import { createReadStream, createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createGunzip, createGzip } from 'node:zlib';
import { invokedDirectly } from './command.ts';
import { DEFAULT_DAYS, DEFAULT_START, defaultTrends, synthPaper, SynthModelBuilder, type SynthModel, type SynthOptions } from './synth-model.ts';

const DEFAULT_SOURCE = resolve(new URL('.', import.meta.url).pathname, '../../shared/data/arxiv-cs-daily.jsonl.gz');
const BATCH = 2000; // records per chunk handed to gzip: fewer, larger writes

interface SynthArgs {
  n: number;
  source: string;
  out: string;
  seed: number;
  minDocs: number;
}

export function parseSynthArgs(argv: string[]): SynthArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      n: { type: 'string' },
      source: { type: 'string', default: DEFAULT_SOURCE },
      out: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'min-docs': { type: 'string', default: '5' },
    },
    strict: true,
  });
  const n = wholeNumber('--n', values.n, 1);
  return {
    n,
    source: values.source!,
    out: values.out ?? `bench/out/synth-${n}.jsonl.gz`,
    seed: wholeNumber('--seed', values.seed, 0),
    minDocs: wholeNumber('--min-docs', values['min-docs'], 1),
  };
}

function wholeNumber(flag: string, value: string | undefined, min: number): number {
  if (value === undefined) throw new Error(`${flag} is required`);
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new Error(`${flag} must be a whole number ≥ ${min}, got "${value}"`);
  }
  return Number(value);
}

/** Streams the source corpus (JSONL, .gz ok) into a model. */
export async function fitFromFile(source: string, minDocs: number): Promise<{ model: SynthModel; records: number }> {
  const builder = new SynthModelBuilder();
  const raw = createReadStream(source);
  const input = source.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  let records = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    builder.add(JSON.parse(line) as { title?: string; text?: string; label?: string });
    records++;
  }
  return { model: builder.build(minDocs), records };
}

/** The corpus as JSONL text chunks of BATCH records each. */
export function* synthChunks(model: SynthModel, n: number, options: SynthOptions): Generator<string> {
  for (let from = 0; from < n; from += BATCH) {
    const to = Math.min(n, from + BATCH);
    let chunk = '';
    for (let i = from; i < to; i++) chunk += `${JSON.stringify(synthPaper(model, i, options))}\n`;
    yield chunk;
  }
}

async function main(argv: string[]): Promise<void> {
  const args = parseSynthArgs(argv);
  if (!existsSync(args.source)) {
    console.log(`bench:synth: source corpus ${args.source} is absent; nothing generated (pass --source <file.jsonl[.gz]>).`);
    return;
  }
  const t0 = performance.now();
  const { model, records } = await fitFromFile(args.source, args.minDocs);
  const fitSeconds = (performance.now() - t0) / 1000;
  const sentences = model.categories.reduce((s, c) => s + c.openers.length + c.bodies.length, 0);
  console.log(
    `fitted ${model.categories.length} categories (${records.toLocaleString('en')} source records, ` +
      `${sentences.toLocaleString('en')} sentences) in ${fitSeconds.toFixed(1)} s`,
  );
  const options: SynthOptions = { seed: args.seed, start: DEFAULT_START, days: DEFAULT_DAYS, trends: defaultTrends(model) };
  console.log(`trends: ${[...options.trends].map(([c, s]) => `${c} ${s > 0 ? '+' : ''}${s}`).join(', ')}`);

  mkdirSync(dirname(resolve(args.out)), { recursive: true });
  let rawBytes = 0;
  const counted = Readable.from(
    (function* () {
      for (const chunk of synthChunks(model, args.n, options)) {
        rawBytes += Buffer.byteLength(chunk);
        yield chunk;
      }
    })(),
  );
  const t1 = performance.now();
  await pipeline(counted, createGzip({ level: 6 }), createWriteStream(args.out));
  const seconds = (performance.now() - t1) / 1000;
  const gzBytes = statSync(args.out).size;
  console.log(
    `wrote ${args.n.toLocaleString('en')} papers to ${args.out} in ${seconds.toFixed(1)} s: ` +
      `${Math.round(args.n / seconds).toLocaleString('en')} papers/s, ${(rawBytes / 1e6 / seconds).toFixed(1)} MB/s raw; ` +
      `${(rawBytes / 1e6).toFixed(1)} MB raw, ${(gzBytes / 1e6).toFixed(1)} MB gzipped; ` +
      `peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
  );
}

if (invokedDirectly(import.meta.url)) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`bench:synth: ${(err as Error).message ?? String(err)}`);
    process.exitCode = 1;
  });
}
