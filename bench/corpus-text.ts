// A corpus file's whole text, gunzipped when its name ends in .gz: for the benchmarks that hold a
// corpus in memory (bench/tokenize.ts, bench/quality-spread.ts).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export function readCorpusText(path: string): string {
  const raw = readFileSync(path);
  return (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
}
