// Tokenizer benchmark: the first --docs papers of a corpus, cleaned as ingest stores them,
// tokenized in this thread (tokenizeChunk, the kernel each tokenizing thread runs on its share),
// --runs times, with wall and CPU time per run. The first run also loads wink and compiles the
// code; the later ones are the steady state. Prints figures; asserts nothing. To compare two
// builds, run it from each checkout in turn (alternating, as the machine's speed drifts) and
// compare the minimum CPU of the later runs.
//
//   npx tsx bench/tokenize.ts --corpus ../shared/data/arxiv-cs-daily.jsonl.gz [--docs 37000] [--runs 4]

import { parseArgs } from 'node:util';
import { tokenizeChunk } from '../analysis/text/tokenizer.ts';
import { cleanText as cleanIngestedText } from '../pipeline/ingest/text.ts';
import { wholeNumber } from './bench.ts';
import { readCorpusText } from './corpus-text.ts';

const { values } = parseArgs({
  options: {
    corpus: { type: 'string' },
    docs: { type: 'string', default: '37000' },
    runs: { type: 'string', default: '4' },
  },
});
if (!values.corpus) throw new Error('--corpus <file.jsonl[.gz]> is required');
const limit = wholeNumber('--docs', values.docs, 1);
const runs = wholeNumber('--runs', values.runs, 1);

const text = readCorpusText(values.corpus);
const docs: { title: string; text: string }[] = [];
for (const line of text.split('\n')) {
  if (docs.length >= limit) break;
  if (!line.trim()) continue;
  const o = JSON.parse(line) as { title?: unknown; text?: unknown; abstract?: unknown };
  // As ingest stores them (pipeline/ingest/text.ts: controls removed, white space collapsed to
  // single spaces): the tokenizer never sees a line break of the input in a run.
  docs.push({ title: cleanIngestedText(String(o.title ?? '')), text: cleanIngestedText(String(o.text ?? o.abstract ?? '')) });
}
let chars = 0;
for (const d of docs) chars += d.title.length + d.text.length;
console.log(`${docs.length} papers, ${(chars / 1e6).toFixed(1)}M characters`);
const cpu: number[] = [];
for (let r = 0; r < runs; r++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const chunk = tokenizeChunk(docs, { titleRepeat: 1 });
  const wall = performance.now() - t0;
  const used = process.cpuUsage(c0);
  cpu.push((used.user + used.system) / 1000);
  console.log(`run ${r + 1}: ${wall.toFixed(0)} ms wall, ${cpu[r]!.toFixed(0)} ms CPU; ${chunk.tokenIds.length} tokens, ${chunk.terms.length} terms`);
}
if (runs > 1) console.log(`later runs: min ${Math.min(...cpu.slice(1)).toFixed(0)} ms CPU`);
