// A seeded fuzzer for ingest: takes real-looking records (test/helpers/corpus.ts, written for the
// tests) and mutates them the ways real feeds go wrong: invalid JSON, wrong types, missing or
// empty fields, 1 MiB abstracts, 100k-character words, control characters, invalid UTF-8, BOM,
// CRLF, impossible dates, duplicate ids with different text, CJK / Arabic / emoji, LaTeX and HTML
// soup. It writes them as JSON Lines, JSON arrays, CSV and gzip, and remembers for each record
// the file and line it starts on and what ingest must do with it (accept, reject, duplicate, or
// 'either' where both are defensible), so a test can check every record, not just the totals.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createRandom } from '../../analysis/random.ts';
import type { Random } from '../../analysis/types.ts';
import { makeCorpus, type CorpusRecord } from './corpus.ts';

export type Expect = 'accept' | 'reject' | 'duplicate' | 'either';

/** One fuzzed record as written: where it starts and what ingest must make of it. */
export interface FuzzedRecord {
  file: string;
  line: number;
  kind: string; // the mutation applied
  expect: Expect;
  id?: string; // for accepted / duplicate records
  /** Title + text as a JSON value would carry them (for tokenizer checks); undefined if unreadable. */
  title?: string;
  text?: string;
}

export interface FuzzCorpus {
  files: string[];
  records: FuzzedRecord[];
}

// What one mutation produces: either a record object (serialised per format) or raw bytes.
interface Mutant {
  kind: string;
  expect: Expect;
  value?: Record<string, unknown>;
  raw?: Buffer; // exact bytes of the record (JSON containers only)
}

const LOREM_WORDS = 'robust models learn sparse features from noisy labels across domains while keeping latency low'.split(' ');

function pick<T>(random: Random, xs: readonly T[]): T {
  return xs[Math.floor(random() * xs.length)]!;
}

function prose(random: Random, chars: number): string {
  const parts: string[] = [];
  let n = 0;
  while (n < chars) {
    const w = pick(random, LOREM_WORDS);
    parts.push(w);
    n += w.length + 1;
  }
  return parts.join(' ').slice(0, chars);
}

export const NON_ENGLISH = [
  '深度学习模型在图像识别任务中表现出色，我们提出了一种新的注意力机制。',
  'نقترح طريقة جديدة لتعلم التمثيلات من البيانات غير المسماة باستخدام الشبكات العصبية.',
  'Мы предлагаем новый метод обучения представлений для распознавания речи.',
  '自然言語処理のための大規模言語モデルの評価手法を提案する。',
  '🚀🔥 state of the art 🤖📈 results 💯 on every benchmark 🎉🎉🎉',
  'Ελληνικά κείμενα και עברית מעורבת with English and 한국어 텍스트 together.',
];

export const LATEX_SOUP = [
  'We bound $\\mathcal{O}(n^2 \\log n)$ time via \\cite{smith2020} and \\ref{eq:1}; see \\begin{equation} x = \\frac{a}{b} \\end{equation}.',
  'Unbalanced math $x + y and a stray \\( opener and $$ display never closed \\[ ',
  '\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\( ' + '$'.repeat(300),
  'G\\"odel and Schr\\"odinger meet \\textbf{bold \\emph{nested {braces {deep}}}} \\% 50\\&.',
  '{'.repeat(2000) + ' deep braces ' + '}'.repeat(2000),
];

export const HTML_SOUP = [
  '<div class="x"><script>alert(1)</script><img src=x onerror=alert(1)> text &amp; more &lt;b&gt;</div>',
  '<<<<<<<<<<<< >>>>>>>>>> <a href="javascript:alert(1)">click</a> &#x41;&#65;&#0;&#xD800;&bogus;',
  '<p>' + '<b>'.repeat(3000) + 'bold' + '</b>'.repeat(3000) + '</p>',
  '"><svg/onload=alert(1)> <!-- comment --> <![CDATA[ x ]]> &nbsp;&nbsp;&mdash;',
];

const IMPOSSIBLE_DATES = ['2024-02-30', '2024-13-01', '0000-00-00', 'yesterday', '99999-01-01', '2023-02-29', '2024-04-31T25:61:00Z', '-2024-01-01', '1e9'];

function controlSoup(random: Random): string {
  let s = '';
  for (let i = 0; i < 20; i++) s += String.fromCharCode(Math.floor(random() * 32)) + pick(random, LOREM_WORDS);
  return s + '\u007f\u0085\u2028\u2029\u200b\ufeff';
}

/**
 * Mutates one base record. `firstIds` holds ids already written with expect 'accept' (for
 * duplicates); `big` limits the 1 MiB records (they cost memory, not insight, after a few).
 */
function mutate(random: Random, base: CorpusRecord, firstIds: string[], budget: { big: number }, container: 'lines' | 'array'): Mutant {
  const v: Record<string, unknown> = { id: base.id, title: base.title, abstract: base.abstract, date: base.date, url: base.url, label: base.label };
  const r = random();
  // 40 % untouched: the pipeline needs real material to cluster.
  if (r < 0.4) return { kind: 'valid', expect: 'accept', value: v };
  const kinds = [
    'invalid-json', 'not-object', 'wrong-type', 'number-text', 'missing-id', 'missing-text', 'missing-date', 'empty-text',
    'blank-text', 'empty-title', 'huge-abstract', 'huge-word', 'hyphen-chain', 'control-chars', 'invalid-utf8', 'bom-inside',
    'impossible-date', 'duplicate', 'non-english', 'latex', 'html', 'lone-surrogate', 'hostile-url', 'nested-extra', 'odd-date-format',
  ] as const;
  const kind = pick(random, kinds);
  const json = (x: unknown) => Buffer.from(JSON.stringify(x), 'utf8');
  switch (kind) {
    case 'invalid-json': {
      // Quotes and brackets stay balanced in arrays (the element scanner must find the next element).
      const text = JSON.stringify(v);
      const variants = container === 'lines'
        ? [text.slice(0, Math.floor(text.length / 2)), text.replace('"id":', '"id"'), text + ',', `{'id': '${base.id}'}`, text.replace(/"/, '')]
        : [text.replace('"id":', '"id"'), `{'id': 'x'}`, text.replace('}', ',}'), '{"id": undefined}', 'NaN'];
      return { kind, expect: 'reject', raw: Buffer.from(pick(random, variants), 'utf8') };
    }
    case 'not-object':
      return { kind, expect: 'reject', raw: json(pick(random, [[1, 2], 'a string', null, 42, true, [v]])) };
    case 'wrong-type': {
      const field = pick(random, ['id', 'title', 'abstract', 'date', 'url', 'label'] as const);
      v[field] = pick(random, [{ nested: 'object' }, ['an', 'array'], true, false]);
      // A boolean or object date is "present but unreadable": a reject either way.
      return { kind: `${kind}:${field}`, expect: 'reject', value: v };
    }
    case 'number-text':
      v.abstract = 12345.5; // a careless exporter: coerced to text, accepted
      v.id = Number(base.id.slice(1)) + 1_000_000;
      return { kind, expect: 'accept', value: v };
    case 'missing-id':
      delete v.id;
      return { kind, expect: 'reject', value: v };
    case 'missing-text':
      delete v.abstract;
      return { kind, expect: 'reject', value: v };
    case 'missing-date':
      delete v.date;
      return { kind, expect: 'reject', value: v }; // the file is dated: an undated record is a reject
    case 'empty-text':
      v.abstract = '';
      return { kind, expect: 'reject', value: v };
    case 'blank-text':
      v.abstract = ' \t\u0000\u200b\ufeff \u0007 ';
      return { kind, expect: 'reject', value: v };
    case 'empty-title':
      v.title = pick(random, ['', null, '   ']);
      return { kind, expect: 'accept', value: v };
    case 'huge-abstract':
      if (budget.big <= 0) return { kind: 'valid', expect: 'accept', value: v };
      budget.big--;
      v.abstract = prose(random, 1 << 20);
      return { kind, expect: 'accept', value: v }; // truncated to maxTextChars, noted
    case 'huge-word':
      v.abstract = `${base.abstract} ${'x'.repeat(100_000)} tail words here`;
      return { kind, expect: 'accept', value: v };
    case 'hyphen-chain':
      v.abstract = `${base.abstract} ${'ab-'.repeat(22_000)}`;
      return { kind, expect: 'accept', value: v };
    case 'control-chars':
      v.title = controlSoup(random);
      v.abstract = `${base.abstract}${controlSoup(random)}`;
      return { kind, expect: 'accept', value: v };
    case 'invalid-utf8': {
      // Bytes that are not UTF-8 inside a string: the decoder makes them U+FFFD; the record survives.
      const text = JSON.stringify(v);
      const at = text.indexOf('"abstract":"') + 12;
      const bad = pick(random, [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf]]);
      return { kind, expect: 'accept', raw: Buffer.concat([Buffer.from(text.slice(0, at), 'utf8'), Buffer.from(bad), Buffer.from(text.slice(at), 'utf8')]) };
    }
    case 'bom-inside':
      v.abstract = `\ufeff${base.abstract}\ufeff`;
      v.title = `\ufeff${base.title}`;
      return { kind, expect: 'accept', value: v };
    case 'impossible-date':
      v.date = pick(random, IMPOSSIBLE_DATES);
      return { kind, expect: 'reject', value: v };
    case 'odd-date-format':
      // Spellings a feed may use; whether each is understood is ingest's business, not a crash.
      v.date = pick(random, ['2024/03/05', '5 March 2024', '2024-03', '2024', 1709596800000, '2024-03-05T23:30:00-05:00', 'Mar 5, 2024']);
      return { kind, expect: 'either', value: v };
    case 'duplicate': {
      if (firstIds.length === 0) return { kind: 'valid', expect: 'accept', value: v };
      v.id = pick(random, firstIds);
      v.abstract = `A different text for a known id. ${base.abstract}`;
      return { kind, expect: 'duplicate', value: v };
    }
    case 'non-english':
      v.abstract = pick(random, NON_ENGLISH) + (random() < 0.5 ? '' : ` ${base.abstract}`);
      v.title = pick(random, NON_ENGLISH).slice(0, 30);
      return { kind, expect: 'accept', value: v };
    case 'latex':
      v.abstract = `${base.abstract} ${pick(random, LATEX_SOUP)}`;
      return { kind, expect: 'accept', value: v };
    case 'html':
      v.abstract = `${pick(random, HTML_SOUP)} ${base.abstract}`;
      v.title = pick(random, HTML_SOUP).slice(0, 120);
      return { kind, expect: 'accept', value: v };
    case 'lone-surrogate': {
      // JSON escapes of half a surrogate pair: valid JSON, invalid Unicode.
      const text = JSON.stringify({ ...v, title: 'TITLE', abstract: 'ABSTRACT' })
        .replace('"TITLE"', '"lone \\ud800 high"')
        .replace('"ABSTRACT"', JSON.stringify(`${base.abstract} `).slice(0, -1) + '\\udfff end \\ud83d\\ude00"');
      return { kind, expect: 'accept', raw: Buffer.from(text, 'utf8') };
    }
    case 'hostile-url':
      v.url = pick(random, ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'java\tscript:alert(1)', '//evil.example', 'file:///etc/passwd', 'http://user:pw@evil.example/']);
      return { kind, expect: 'accept', value: v };
    case 'nested-extra':
      v.authors = ['A. Author', 'B. Author'];
      v.meta = { deep: { deeper: [1, { x: 'y' }] } };
      v.upvotes = 12;
      return { kind, expect: 'accept', value: v };
  }
}

/** Text of a CSV cell per RFC 4180 (always quoted: the fuzzer puts commas, quotes and newlines in cells). */
function csvQuote(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/** A CSV row mutation: CSV has no types, so its failure modes are its own. */
function mutateCsv(random: Random, base: CorpusRecord, firstIds: string[]): { kind: string; expect: Expect; cells: string[] } {
  const cells = [base.id, base.title, base.abstract, base.date, base.url ?? '', base.label ?? ''];
  const r = random();
  if (r < 0.45) return { kind: 'valid', expect: 'accept', cells };
  const kind = pick(random, ['missing-id', 'empty-text', 'impossible-date', 'missing-date', 'too-few-columns', 'too-many-columns', 'newline-in-cell', 'formula', 'non-english', 'huge-word', 'duplicate', 'html', 'control-chars'] as const);
  switch (kind) {
    case 'missing-id':
      cells[0] = '';
      return { kind, expect: 'reject', cells };
    case 'empty-text':
      cells[2] = '';
      return { kind, expect: 'reject', cells };
    case 'impossible-date':
      cells[3] = pick(random, IMPOSSIBLE_DATES);
      return { kind, expect: 'reject', cells };
    case 'missing-date':
      cells[3] = '';
      return { kind, expect: 'reject', cells };
    case 'too-few-columns':
      return { kind, expect: 'reject', cells: cells.slice(0, 4) };
    case 'too-many-columns':
      return { kind, expect: 'reject', cells: [...cells, 'extra', 'cells'] };
    case 'newline-in-cell':
      cells[2] = `${base.abstract}\nsecond line, with "quotes", commas\n\nand a blank line`;
      return { kind, expect: 'accept', cells };
    case 'formula':
      cells[1] = pick(random, ['=HYPERLINK("http://evil.example","x")', '+cmd|/c calc', '-1+1', '@SUM(A1:A2)', '\t=1+1']);
      return { kind, expect: 'accept', cells };
    case 'non-english':
      cells[2] = `${pick(random, NON_ENGLISH)} ${base.abstract}`;
      return { kind, expect: 'accept', cells };
    case 'huge-word':
      cells[2] = `${base.abstract} ${'y'.repeat(100_000)}`;
      return { kind, expect: 'accept', cells };
    case 'duplicate':
      if (firstIds.length === 0) return { kind: 'valid', expect: 'accept', cells };
      cells[0] = pick(random, firstIds);
      cells[2] = `Different text. ${base.abstract}`;
      return { kind, expect: 'duplicate', cells };
    case 'html':
      cells[1] = pick(random, HTML_SOUP).slice(0, 100);
      return { kind, expect: 'accept', cells };
    case 'control-chars':
      cells[2] = `${base.abstract} ${controlSoup(random).replace(/[\r\n]/g, '')}`;
      return { kind, expect: 'accept', cells };
  }
}

function lineCount(b: Buffer | string): number {
  let n = 0;
  const s = typeof b === 'string' ? b : b.toString('latin1');
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}

export interface FuzzOptions {
  records: number; // total records over all files
  seed: number;
  files?: number; // default 8: JSONL, JSONL (CRLF, BOM), JSON array, CSV, gz JSONL, gz JSON, ...
  bigRecords?: number; // 1 MiB abstracts (default 4)
}

/**
 * Writes `records` fuzzed records into `dir` over several files of every container format and
 * returns the files (in the order to ingest them) and every record's expectation.
 */
export function writeFuzzCorpus(dir: string, opts: FuzzOptions): FuzzCorpus {
  mkdirSync(dir, { recursive: true });
  const random = createRandom(opts.seed);
  const bases = makeCorpus(opts.records, opts.seed);
  const layouts = ['jsonl', 'jsonl-crlf-bom', 'json', 'csv', 'jsonl.gz', 'json.gz', 'csv-crlf-bom', 'jsonl-blank-lines'] as const;
  const nFiles = opts.files ?? layouts.length;
  const budget = { big: opts.bigRecords ?? 4 };
  const firstIds: string[] = [];
  const records: FuzzedRecord[] = [];
  const files: string[] = [];
  let next = 0;
  for (let f = 0; f < nFiles; f++) {
    const layout = layouts[f % layouts.length]!;
    const count = f === nFiles - 1 ? opts.records - next : Math.floor(opts.records / nFiles);
    const slice = bases.slice(next, next + count);
    next += count;
    const ext = layout.startsWith('jsonl') ? (layout.endsWith('.gz') ? 'jsonl.gz' : 'jsonl') : layout.startsWith('json') ? (layout.endsWith('.gz') ? 'json.gz' : 'json') : 'csv';
    const path = join(dir, `fuzz-${f}.${ext}`);
    const crlf = layout.includes('crlf');
    const eol = crlf ? '\r\n' : '\n';
    const parts: Buffer[] = [];
    let line = 1;
    const push = (b: Buffer | string) => {
      const buf = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
      parts.push(buf);
      line += lineCount(buf);
    };
    if (layout.includes('bom')) parts.push(Buffer.from('\ufeff', 'utf8'));

    if (layout === 'csv' || layout === 'csv-crlf-bom') {
      push(`id,title,abstract,date,url,label${eol}`);
      for (const base of slice) {
        const m = mutateCsv(random, base, firstIds);
        const rec: FuzzedRecord = { file: path, line, kind: `csv:${m.kind}`, expect: m.expect, title: m.cells[1], text: m.cells[2] };
        if (m.expect === 'accept' || m.expect === 'duplicate') rec.id = m.cells[0];
        if (m.expect === 'accept') firstIds.push(m.cells[0]!);
        records.push(rec);
        push(m.cells.map(csvQuote).join(',') + eol);
      }
    } else {
      const container = layout.startsWith('jsonl') ? 'lines' : 'array';
      if (container === 'array') push(`[${eol}`);
      slice.forEach((base, i) => {
        const m = mutate(random, base, firstIds, budget, container);
        const bytes = m.raw ?? Buffer.from(JSON.stringify(m.value), 'utf8');
        const rec: FuzzedRecord = { file: path, line, kind: m.kind, expect: m.expect };
        if (m.value) {
          rec.title = typeof m.value.title === 'string' ? m.value.title : undefined;
          rec.text = typeof m.value.abstract === 'string' ? m.value.abstract : undefined;
          if (m.value.id !== undefined && (m.expect === 'accept' || m.expect === 'duplicate' || m.expect === 'either')) rec.id = String(m.value.id);
        } else {
          rec.text = bytes.toString('utf8');
          if (m.expect === 'accept') rec.id = base.id;
        }
        if (m.expect === 'accept' && rec.id !== undefined) firstIds.push(rec.id);
        records.push(rec);
        if (container === 'array') push(Buffer.concat([Buffer.from('  '), bytes, Buffer.from(i < slice.length - 1 ? `,${eol}` : eol)]));
        else {
          push(Buffer.concat([bytes, Buffer.from(eol)]));
          if (layout === 'jsonl-blank-lines' && random() < 0.1) push(`   ${eol}`); // blank lines are not records
        }
      });
      if (container === 'array') push(`]${eol}`);
    }
    let data = Buffer.concat(parts);
    if (layout.endsWith('.gz')) data = gzipSync(data);
    writeFileSync(path, data);
    files.push(path);
  }
  return { files, records };
}
