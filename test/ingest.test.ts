import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeDate } from '../pipeline/ingest/dates.ts';
import { CsvRowSplitter } from '../pipeline/ingest/csv-rows.ts';
import { ingestFiles, InputError, type IngestResult } from '../pipeline/ingest/ingest.ts';
import type { IngestOutput } from '../pipeline/stages/ingest.ts';
import type { Paper } from '../pipeline/paper.ts';
import { toJsonLines, writeDuplicates, writeRejects } from '../pipeline/ingest/rejects.ts';
import { splitSentences } from '../pipeline/ingest/sentences.ts';
import { loadSotuPapers } from '../pipeline/ingest/sotu.ts';
import { cleanText } from '../pipeline/ingest/text.ts';

const EXAMPLES = join(import.meta.dirname, '..', 'data', 'examples');
const ex = (name: string) => join(EXAMPLES, name);
const SHARED = join(import.meta.dirname, '..', '..', 'shared');
const SEED_PAGE = join(SHARED, 'seed', '000_3080d421c8bcd2ec.txt');
const ARXIV = join(SHARED, 'data', 'arxiv-cs-daily.jsonl.gz');
const NEWS = join(SHARED, 'data', '20newsgroups-bydate.jsonl.gz');
const CSV_MAPPING = { id: 'paper_id', title: 'headline', date: 'published', label: 'category', url: 'link' };

let tmp = '';
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'ingest-test-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Writes a temporary input file and returns its path. */
async function temp(name: string, content: string | Buffer, mtime?: Date): Promise<string> {
  const path = join(tmp, name);
  await writeFile(path, content);
  if (mtime) await utimes(path, mtime, mtime);
  return path;
}

/** The accounting invariant every result must satisfy, in total and per file. */
function expectBalanced(r: IngestResult): void {
  const { read, accepted, duplicate, rejected } = r.counts;
  expect(read).toBe(accepted + duplicate + rejected);
  expect(accepted).toBe(r.papers.length);
  expect(duplicate).toBe(r.duplicates.length);
  expect(rejected).toBe(r.rejects.length);
  for (const f of r.perFile) expect(f.read).toBe(f.accepted + f.duplicate + f.rejected);
  for (const k of ['read', 'accepted', 'duplicate', 'rejected'] as const) {
    expect(r.perFile.reduce((s, f) => s + f[k], 0)).toBe(r.counts[k]);
  }
  for (const p of r.papers) expect(p.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
}

const rejectSummary = (r: IngestResult) => r.rejects.map((x) => [x.line, x.field ?? null]);

describe('examples: one per format, exact counts', () => {
  it('papers.jsonl: invalid JSON, missing / impossible date, wrong type, empty text, duplicates', async () => {
    const r = await ingestFiles([ex('papers.jsonl')]);
    expectBalanced(r);
    expect(r.counts).toEqual({ read: 12, accepted: 5, duplicate: 2, rejected: 5 });
    expect(r.perFile[0]!.format).toBe('jsonl');
    expect(rejectSummary(r)).toEqual([[3, null], [5, 'date'], [7, 'date'], [8, 'title'], [9, 'text']]);
    expect(r.rejects[0]!.reason).toMatch(/^invalid JSON: /);
    expect(r.rejects[1]!.reason).toBe('missing date');
    expect(r.rejects[2]!.reason).toBe('impossible date 2025-02-30');
    expect(r.rejects[3]!.reason).toBe('title must be a string, got object');
    expect(r.rejects[4]!.reason).toBe('empty text');
    expect(r.rejects[0]!.raw).toContain('Truncated record');
    expect(r.papers.map((p) => p.id)).toEqual(['2506.01234', 'ex-0002', '2506.01240', 'hep-th/9901001', '1012']);
  });

  it('papers.jsonl: first occurrence wins; duplicates record same / different text', async () => {
    const r = await ingestFiles([ex('papers.jsonl')]);
    expect(r.duplicates).toEqual([
      { file: ex('papers.jsonl'), line: 6, id: '2506.01234', firstFile: ex('papers.jsonl'), firstLine: 1, sameText: true },
      { file: ex('papers.jsonl'), line: 11, id: 'ex-0002', firstFile: ex('papers.jsonl'), firstLine: 2, sameText: false },
    ]);
    const seg = r.papers.find((p) => p.id === 'ex-0002')!;
    expect(seg.title).toBe('Test-Time Adaptation of Segmentation Networks for Night and Fog'); // the first one
    expect(seg.date).toBe('2025-06-03'); // from the timestamp 2025-06-03T14:22:05Z
    expect(r.notes.some((n) => n.includes('first occurrence was kept') && n.includes('1 of them had a different text'))).toBe(true);
  });

  it('papers.jsonl: urls, arXiv links, number ids, year dates, extra fields', async () => {
    const r = await ingestFiles([ex('papers.jsonl')]);
    const byId = new Map(r.papers.map((p) => [p.id, p]));
    expect(byId.get('2506.01234')!.url).toBe('https://arxiv.org/abs/2506.01234');
    expect(byId.get('2506.01234')!.extra).toEqual({ authors: 'Ana Ruiz, Tomás Brandt' });
    expect(byId.get('ex-0002')!.url).toBe('https://example.org/papers/ex-0002');
    // javascript: URL dropped; the old-style arXiv id gives the link instead
    expect(byId.get('hep-th/9901001')!.url).toBe('https://arxiv.org/abs/hep-th/9901001');
    expect(byId.get('hep-th/9901001')!.date).toBe('1999-01-01');
    expect(byId.get('hep-th/9901001')!.extra).toEqual({ dateResolution: 'year' });
    expect(byId.get('2506.01240')!.extra).toEqual({ categories: 'cs.LG cs.CL' });
    // numeric id coerced; text taken from 'abstract'
    expect(byId.get('1012')!.text).toMatch(/^Diffusion models generate images/);
    expect(byId.get('1012')!.url).toBeUndefined();
    for (const p of r.papers) expect(p.source).toBe('papers.jsonl');
  });

  it('papers.jsonl.gz gives the same result as papers.jsonl', async () => {
    const plain = await ingestFiles([ex('papers.jsonl')]);
    const gz = await ingestFiles([ex('papers.jsonl.gz')]);
    expectBalanced(gz);
    expect(gz.counts).toEqual(plain.counts);
    expect(gz.papers.map(({ source: _s, ...p }) => p)).toEqual(plain.papers.map(({ source: _s, ...p }) => p));
    expect(rejectSummary(gz)).toEqual(rejectSummary(plain));
  });

  it('papers.json (array): element start lines, summary key, timestamp with offset → UTC date', async () => {
    const r = await ingestFiles([ex('papers.json')]);
    expectBalanced(r);
    expect(r.perFile[0]!.format).toBe('json');
    expect(r.counts).toEqual({ read: 5, accepted: 4, duplicate: 0, rejected: 1 });
    expect(r.rejects).toHaveLength(1);
    expect(r.rejects[0]).toMatchObject({ line: 24, field: 'text', reason: 'text must be a string, got array' });
    const text = await readFile(ex('papers.json'), 'utf8');
    expect(text.split('\n')[23]).toBe('  {'); // line 24 is where that element starts
    const fair = r.papers.find((p) => p.id === '2507.00012')!;
    expect(fair.date).toBe('2025-07-01'); // 2025-06-30T23:30-02:00 is 01:30 UTC on July 1
    expect(fair.text).toMatch(/^Fairness audits/);
    expect(r.papers.find((p) => p.id === '2507.00013')!.url).toBe('http://example.org/proof-repair');
  });

  it('papers.csv with a field mapping: multi-line quoted field, wrong column count, bad date, extra columns', async () => {
    const r = await ingestFiles([ex('papers.csv')], { csv: CSV_MAPPING });
    expectBalanced(r);
    expect(r.perFile[0]!.format).toBe('csv');
    expect(r.counts).toEqual({ read: 6, accepted: 4, duplicate: 0, rejected: 2 });
    // the second row spans lines 3–4, so the rows after it start one line later
    expect(rejectSummary(r)).toEqual([[6, null], [7, 'date']]);
    expect(r.rejects[0]!.reason).toBe('expected 7 columns, got 6');
    expect(r.rejects[1]!.reason).toMatch(/^unrecognised date '08\/05\/2025'/);
    const [a, b, c, d] = r.papers;
    expect(a).toMatchObject({ id: '2508.00101', title: 'Repository-Level Code Completion, Measured', date: '2025-08-04', label: 'cs.SE', url: 'https://example.org/code-bench', extra: { venue: 'preprint' } });
    expect(b!.text).toContain('demonstrated region. We augment'); // line break inside the quoted field collapsed
    expect(c!.title).toBe('The "Heterophily" Problem Is a Filter Problem');
    expect(d).toMatchObject({ id: '2508.00106', date: '2025-01-01', extra: { dateResolution: 'year' } });
  });

  it('papers.csv without the mapping is an InputError naming the missing column', async () => {
    const err = await ingestFiles([ex('papers.csv')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).field).toBe('id');
    expect((err as InputError).message).toContain('papers.csv');
    const err2 = await ingestFiles([ex('papers.csv')], { csv: { ...CSV_MAPPING, label: 'subject' } }).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(InputError);
    expect((err2 as InputError).field).toBe('label');
  });

  it('arxiv-snapshot.jsonl: dates from versions[0].created (UTC), fallback update_date, primary category', async () => {
    const r = await ingestFiles([ex('arxiv-snapshot.jsonl')]);
    expectBalanced(r);
    expect(r.perFile[0]!.format).toBe('arxiv');
    expect(r.counts).toEqual({ read: 5, accepted: 4, duplicate: 0, rejected: 1 });
    expect(r.rejects[0]).toMatchObject({ line: 4, field: 'date', reason: 'impossible date 2024-02-31' });
    const dates = Object.fromEntries(r.papers.map((p) => [p.id, p.date]));
    expect(dates).toEqual({
      '2401.00021': '2024-01-02', // v1, not v2
      'hep-th/9901002': '1999-01-03',
      '2402.00033': '2024-02-14', // no versions: update_date
      '2403.00055': '2024-03-01', // Thu, 29 Feb 2024 23:30:00 -0500 is March 1 in UTC
    });
    const first = r.papers[0]!;
    expect(first.label).toBe('cs.CL');
    expect(first.title).toBe("Retriever Feedback from the Generator's Loss"); // the snapshot's hard line break collapsed
    expect(first.extra).toMatchObject({ categories: 'cs.CL cs.IR', authors: 'Ana Ruiz and Tomás Brandt' });
    expect(first.url).toBe('https://arxiv.org/abs/2401.00021');
  });

  it('hf-daily-papers.json: paper.id / title / summary, publishedAt, upvotes', async () => {
    const r = await ingestFiles([ex('hf-daily-papers.json')]);
    expectBalanced(r);
    expect(r.perFile[0]!.format).toBe('hf');
    expect(r.counts).toEqual({ read: 4, accepted: 3, duplicate: 0, rejected: 1 });
    expect(r.rejects[0]).toMatchObject({ field: 'paper', reason: 'missing paper object' });
    expect(r.papers.map((p) => [p.id, p.date, p.extra?.upvotes])).toEqual([
      ['2509.01001', '2025-09-02', 87],
      ['2509.01002', '2025-09-02', 23],
      ['2509.01004', '2025-09-03', 141], // from paper.publishedAt
    ]);
    expect(r.papers[0]!.text).toMatch(/^Language-model agents/);
  });

  it('trending-page.txt: date headings, title + abstract pairs, wrapped paragraph, skipped furniture', async () => {
    const r = await ingestFiles([ex('trending-page.txt')], { pageYear: 2025 });
    expectBalanced(r);
    expect(r.perFile[0]!.format).toBe('page');
    expect(r.counts).toEqual({ read: 5, accepted: 5, duplicate: 0, rejected: 0 });
    expect(r.papers.map((p) => [p.date, p.title])).toEqual([
      ['2025-06-02', "Retriever Feedback from the Generator's Loss"],
      ['2025-06-02', 'Bounding Expert Load in Mixture-of-Experts Routers'],
      ['2025-06-02', 'Learned Polynomial Filters for Heterophilous Graphs'],
      ['2025-06-01', 'Distilling Diffusion Models into Four Sampling Steps'],
      ['2025-06-01', 'Calibrated Ensembles for Machine-Learned Weather Models'],
    ]);
    for (const p of r.papers) expect(p.id).toMatch(/^page-[0-9a-f]{12}$/);
    expect(r.papers[0]!.id).toBe('page-a5030ad346bc'); // sha1 of the title
    expect(r.papers[4]!.text).toContain('the continuous ranked probability score'); // the two lines joined
    expect(r.notes).toContain('trending-page.txt: year 2025 taken from pageYear');
    expect(r.notes.some((n) => n.includes('4 text block(s)'))).toBe(true);
  });

  it('trending-page.txt without pageYear takes the year from the modification date, and says so', async () => {
    const path = join(tmp, 'page-mtime.txt');
    await copyFile(ex('trending-page.txt'), path);
    await utimes(path, new Date('2024-08-10T12:00:00Z'), new Date('2024-08-10T12:00:00Z'));
    const r = await ingestFiles([path]);
    expect(r.papers[0]!.date).toBe('2024-06-02');
    expect(r.notes).toContain("page-mtime.txt: year 2024 taken from the file's modification date; pass pageYear to override");
    // saved on Jan 3: a 'Jun 2' heading must be from the year before
    await utimes(path, new Date('2025-01-03T12:00:00Z'), new Date('2025-01-03T12:00:00Z'));
    expect((await ingestFiles([path])).papers[0]!.date).toBe('2024-06-02');
  });

  it('all examples together: counts add up and ids stay unique', async () => {
    const files = ['papers.jsonl', 'papers.json', 'papers.csv', 'arxiv-snapshot.jsonl', 'hf-daily-papers.json', 'trending-page.txt'].map(ex);
    const r = await ingestFiles(files, { csv: CSV_MAPPING, pageYear: 2025 });
    expectBalanced(r);
    expect(r.counts).toEqual({ read: 37, accepted: 25, duplicate: 2, rejected: 10 });
    expect(new Set(r.papers.map((p) => p.id)).size).toBe(r.papers.length);
    expect(r.perFile.map((f) => f.format)).toEqual(['jsonl', 'json', 'csv', 'arxiv', 'hf', 'page']);
  });
});

describe('gzip, BOM, CRLF, line numbers', () => {
  it('gzip is detected by magic bytes when the name has no .gz', async () => {
    const path = await temp('disguised.jsonl', gzipSync(await readFile(ex('papers.jsonl'))));
    const r = await ingestFiles([path]);
    expect(r.counts).toEqual({ read: 12, accepted: 5, duplicate: 2, rejected: 5 });
  });

  it('BOM and CRLF in JSON Lines: first record parses, blank lines are skipped but counted as lines', async () => {
    const recs = [
      { id: 'a', title: 'A', text: 'alpha text', date: '2025-01-02' },
      { id: 'b', title: 'B', text: 'beta text', date: '2025-01-03' },
    ];
    const body = '\ufeff' + JSON.stringify(recs[0]) + '\r\n\r\n' + '{"id": "bad",\r\n' + JSON.stringify(recs[1]) + '\r\n';
    const r = await ingestFiles([await temp('bom-crlf.jsonl', body)]);
    expectBalanced(r);
    expect(r.papers.map((p) => p.id)).toEqual(['a', 'b']);
    expect(rejectSummary(r)).toEqual([[3, null]]);
  });

  it('BOM and CRLF in CSV, with a CRLF inside a quoted field: later line numbers stay right', async () => {
    const csv = '\ufeffid,title,abstract,date\r\n1,One,"first line\r\nsecond line",2025-03-01\r\n2,Two,"only, line",2025-03-02,extra\r\n3,Three,third,2025-03-03\r\n';
    const r = await ingestFiles([await temp('bom-crlf.csv', csv)]);
    expectBalanced(r);
    expect(r.papers.map((p) => [p.id, p.text])).toEqual([
      ['1', 'first line second line'],
      ['3', 'third'],
    ]);
    expect(r.rejects).toEqual([expect.objectContaining({ line: 4, reason: 'expected 4 columns, got 5' })]);
  });

  it('TSV by extension, and an explicit delimiter', async () => {
    const tsv = 'id\ttext\tdate\nx1\tsome text, with a comma\t2025-05-05\n';
    const r = await ingestFiles([await temp('t.tsv', tsv)]);
    expect(r.papers[0]).toMatchObject({ id: 'x1', text: 'some text, with a comma', title: '' });
    const semi = 'ident;body;day\nx2;semi text;2025-05-06\n';
    const r2 = await ingestFiles([await temp('semi.csv', semi)], { csv: { id: 'ident', text: 'body', date: 'day', delimiter: ';' } });
    expect(r2.papers[0]).toMatchObject({ id: 'x2', text: 'semi text', date: '2025-05-06' });
  });

  it('CSV: a bad closing quote or an unterminated quote costs only its own row', async () => {
    const rows = new CsvRowSplitter(',');
    const lines = ['id,text', '1,"ok"', '2,"bad"x', '3,fine', '4,"never closed', '5,after'];
    const out = [...lines.flatMap((l, i) => [...rows.push(i + 1, l)]), ...rows.end()];
    expect(out.map((r) => [r.line, r.error ?? r.fields.join('|')])).toEqual([
      [1, 'id|text'],
      [2, '1|ok'],
      [3, `invalid character "x" after the closing quote of column 2`],
      [4, '3|fine'],
      [5, 'unterminated quoted field'],
      [6, '5|after'],
    ]);
  });
});

describe('records and files that are broken', () => {
  it('JSON array cut off inside an element: earlier elements kept, the cut one rejected at its start line', async () => {
    const text = '[\n  {"id": "a", "text": "alpha", "date": "2025-01-01"},\n  {"id": "b", "text": "be';
    const r = await ingestFiles([await temp('cut.json', text)]);
    expectBalanced(r);
    expect(r.papers.map((p) => p.id)).toEqual(['a']);
    expect(r.rejects[0]).toMatchObject({ line: 3, reason: 'unexpected end of file inside a JSON array element' });
  });

  it('JSON array scanner: strings with brackets, escaped quotes and commas do not split elements', async () => {
    const recs = [
      { id: 'x', title: 'a "quoted" ] title, with {braces}', text: 'text \\ with backslash', date: '2025-01-01' },
      { id: 'y', title: 'second', text: 'line', date: '2025-01-02', nested: { a: [1, 2, { b: ']' }] } },
    ];
    const r = await ingestFiles([await temp('tricky.json', JSON.stringify(recs, null, 1))]);
    expect(r.papers.map((p) => p.title)).toEqual(['a "quoted" ] title, with {braces}', 'second']);
    expect(r.counts.read).toBe(2);
  });

  it('a gzip file truncated mid-stream keeps the records before the break and rejects the rest', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ id: `p${i}`, text: `text number ${i} ${'x'.repeat(i % 97)}`, date: '2025-01-01' }));
    const gz = gzipSync(lines.join('\n') + '\n');
    const r = await ingestFiles([await temp('truncated.jsonl.gz', gz.subarray(0, Math.floor(gz.length * 0.6)))]);
    expectBalanced(r);
    expect(r.papers.length).toBeGreaterThan(0);
    expect(r.papers.length).toBeLessThan(2000);
    expect(r.rejects.at(-1)!.reason).toMatch(/^file unreadable after line \d+/);
    expect(r.notes.some((n) => n.startsWith('truncated.jsonl.gz: file unreadable'))).toBe(true);
  });

  it('unreadable paths and unknown formats throw an InputError naming the file, before reading anything', async () => {
    const missing = join(tmp, 'nope.jsonl');
    await expect(ingestFiles([ex('papers.jsonl'), missing])).rejects.toThrow(InputError);
    await expect(ingestFiles([missing])).rejects.toThrow(/nope\.jsonl/);
    await expect(ingestFiles([tmp])).rejects.toThrow(/not a regular file/);
    const odd = await temp('data.bin', 'PK\u0003\u0004 binary stuff');
    await expect(ingestFiles([odd])).rejects.toThrow(/unknown input format/);
    const notArray = await temp('obj.json', '  "just a string"');
    await expect(ingestFiles([notArray], { format: 'json' })).rejects.toThrow(InputError);
  });

  it('options are checked up front', async () => {
    await expect(ingestFiles([ex('papers.jsonl')], { format: 'xml' as never })).rejects.toThrow(/format must be/);
    await expect(ingestFiles([ex('papers.jsonl')], { minTextChars: 0 })).rejects.toThrow(/minTextChars/);
    await expect(ingestFiles([ex('papers.jsonl')], { pageYear: 26 })).rejects.toThrow(/pageYear/);
    await expect(ingestFiles([ex('papers.jsonl')], { undatedDate: '2025-02-30' })).rejects.toThrow(/undatedDate/);
    await expect(ingestFiles([ex('papers.jsonl')], { csv: { delimiter: ',,' } })).rejects.toThrow(/delimiter/);
  });

  it('text rules: controls removed, whitespace collapsed, minTextChars, maxTextChars truncates with a note', async () => {
    const long = 'word '.repeat(50);
    const recs = [
      { id: 'c', title: 'Tab\there\u0007', text: '  line one\n\nline\u0000 two\u2028end  ', date: '2025-01-01' },
      { id: 's', text: 'short', date: '2025-01-01' },
      { id: 'l', text: long, date: '2025-01-01' },
      { id: 'o', text: { nested: true }, date: '2025-01-01' },
      { text: 'no id', date: '2025-01-01' },
      { id: 'lab', text: 'labelled text here', date: '2025-01-01', label: ['a'] },
    ];
    const path = await temp('text.jsonl', recs.map((x) => JSON.stringify(x)).join('\n'));
    const r = await ingestFiles([path], { minTextChars: 8, maxTextChars: 40 });
    expectBalanced(r);
    expect(r.papers.map((p) => [p.id, p.title, p.text])).toEqual([
      ['c', 'Tab here', 'line one line two end'],
      ['l', '', long.slice(0, 40).trim()],
    ]);
    expect(r.rejects.map((x) => [x.line, x.field, x.reason])).toEqual([
      [2, 'text', 'text shorter than 8 characters (5)'],
      [4, 'text', 'text must be a string, got object'],
      [5, 'id', 'missing id'],
      [6, 'label', 'label must be a string, got array'],
    ]);
    expect(r.notes).toContain('text.jsonl: 1 text(s) longer than 40 characters truncated (first at line 3)');
  });
});

describe('dates', () => {
  it('normalises the spellings our inputs use and rejects impossible ones', () => {
    const ok = (v: unknown) => {
      const d = normalizeDate(v);
      return d.ok ? d.date : `ERR ${d.reason}`;
    };
    expect(ok('2025-03-18')).toBe('2025-03-18');
    expect(ok('2025-03-18T12:00:00Z')).toBe('2025-03-18');
    expect(ok('2025-03-18T23:30:00.123-02:00')).toBe('2025-03-19');
    expect(ok('2025-03-18 01:00:00+05:30')).toBe('2025-03-17');
    expect(ok('2007')).toBe('2007-01-01');
    expect(ok(2007)).toBe('2007-01-01');
    expect(ok('2007-04')).toBe('2007-04-01');
    expect(ok('Mon, 2 Apr 2007 19:18:42 GMT')).toBe('2007-04-02');
    expect(ok('2 Apr 2007')).toBe('2007-04-02');
    expect(ok('2024-02-29')).toBe('2024-02-29');
    expect(ok('2025-02-29')).toBe('ERR impossible date 2025-02-29');
    expect(ok('2025-02-30')).toBe('ERR impossible date 2025-02-30');
    expect(ok('2025-13-01')).toBe('ERR impossible month 13');
    expect(ok('0999-01-01')).toMatch(/^ERR year 999 outside/);
    expect(ok('2101')).toMatch(/^ERR year 2101 outside/);
    expect(ok('2025-02-30T10:00:00Z')).toBe('ERR impossible date 2025-02-30');
    expect(ok('yesterday')).toMatch(/^ERR unrecognised date 'yesterday'/);
    expect(ok({})).toBe('ERR date must be a string, got object');
  });

  it('a file with no dates at all is accepted with the file date and a note; a partly dated file rejects the undated', async () => {
    const mtime = new Date('2024-11-05T10:00:00Z');
    const undated = [{ id: 'n1', text: 'first message' }, { id: 'n2', text: 'second message', label: 'sci.space' }];
    const path = await temp('undated.jsonl', undated.map((x) => JSON.stringify(x)).join('\n'), mtime);
    const r = await ingestFiles([path]);
    expectBalanced(r);
    expect(r.papers.map((p) => p.date)).toEqual(['2024-11-05', '2024-11-05']);
    expect(r.notes).toContain('no dates in undated.jsonl: all 2 records dated 2024-11-05 (file date); trends will be flat');
    const fixed = await ingestFiles([path], { undatedDate: '2000-01-01' });
    expect(fixed.papers.map((p) => p.date)).toEqual(['2000-01-01', '2000-01-01']);
    const strict = await ingestFiles([path], { undatedPolicy: 'reject' });
    expect(strict.counts).toEqual({ read: 2, accepted: 0, duplicate: 0, rejected: 2 });
    expect(strict.rejects.every((x) => x.field === 'date')).toBe(true);
  });
});

describe('duplicates across files, determinism', () => {
  it('the first file wins; a later file with the same id counts as a duplicate pointing back', async () => {
    const later = await temp('later.jsonl', JSON.stringify({ id: '2506.01234', text: 'a revised abstract', date: '2025-06-09' }) + '\n');
    const r = await ingestFiles([ex('papers.jsonl'), later]);
    expectBalanced(r);
    expect(r.duplicates.at(-1)).toEqual({ file: later, line: 1, id: '2506.01234', firstFile: ex('papers.jsonl'), firstLine: 1, sameText: false });
    expect(r.perFile[1]).toMatchObject({ read: 1, accepted: 0, duplicate: 1, rejected: 0 });
  });

  it('onAccepted sees exactly the accepted papers, in order, whatever mix of dated, undated, duplicate and rejected records', async () => {
    const line = (o: Record<string, unknown>) => JSON.stringify(o);
    const a = await temp(
      'accepted-a.jsonl',
      [
        line({ id: 'x1', text: 'one', date: '2025-01-01' }),
        line({ id: 'u1', text: 'undated in a dated file' }), // rejected: missing date
        line({ id: 'x2', text: 'two', date: '2025-01-02' }),
        line({ id: 'x1', text: 'one again', date: '2025-01-03' }), // duplicate
        line({ id: 'x3', text: '', date: '2025-01-03' }), // rejected: empty text
        line({ id: 'u1', text: 'now dated', date: '2025-01-04' }), // accepted: the undated u1 was rejected
      ].join('\n') + '\n',
    );
    const b = await temp('accepted-b.jsonl', [line({ id: 'x2', text: 'dup' }), line({ id: 'y1', text: 'undated' }), line({ id: 'y1', text: 'undated dup' }), line({ id: 'y2', text: 'undated 2' })].join('\n') + '\n');
    const c = await temp('accepted-c.jsonl', [line({ id: 'y2', text: 'dup', date: '2025-02-01' }), line({ id: 'z1', text: 'z', date: '2025-02-02' })].join('\n') + '\n');
    for (const files of [[a, b, c], [b, c, a], [c, a, b]]) {
      const seen: unknown[] = [];
      const r = await ingestFiles(files, { undatedDate: '2025-03-01', onAccepted: (p) => seen.push(p) });
      expectBalanced(r);
      expect(seen).toHaveLength(r.papers.length);
      seen.forEach((p, i) => expect(p).toBe(r.papers[i]));
    }
    const r = await ingestFiles([a, b, c], { undatedDate: '2025-03-01' });
    expect(r.papers.map((p) => p.id)).toEqual(['x1', 'x2', 'u1', 'y1', 'y2', 'z1']);
    await expect(ingestFiles([a], { onAccepted: 'no' as never })).rejects.toThrow(/onAccepted must be a function/);
  });

  it('announceUndated: undated papers reach onAccepted as they are read, dated as they will be', async () => {
    const line = (o: Record<string, unknown>) => JSON.stringify(o);
    const undated = await temp('undated-early.jsonl', Array.from({ length: 2500 }, (_, i) => line({ id: `n${i % 2400}`, text: `post ${i}` })).join('\n') + '\n');
    let readSoFar = 0;
    const seenAt: number[] = [];
    const seen: Paper[] = [];
    const r = await ingestFiles([undated], {
      undatedDate: '1993-04-01',
      announceUndated: true,
      onProgress: (n) => (readSoFar = n),
      onAccepted: (p) => {
        seen.push(p);
        seenAt.push(readSoFar);
        expect(p.date).toBe('1993-04-01');
      },
    });
    expectBalanced(r);
    expect(r.retracted).toBeUndefined();
    expect(r.counts).toMatchObject({ accepted: 2400, duplicate: 100 });
    expect(seen).toHaveLength(r.papers.length);
    seen.forEach((p, i) => expect(p).toBe(r.papers[i]));
    expect(seenAt[0]).toBe(0); // the first before a thousand records were read, not after the file
    // Without the option they come after the whole file, with the same outcome.
    const late: number[] = [];
    const plainRun = await ingestFiles([undated], { undatedDate: '1993-04-01', onProgress: (n) => (readSoFar = n), onAccepted: () => late.push(readSoFar) });
    expect(late[0]).toBe(2000); // all 2,500 read (progress is told every 1,000 records)
    expect(plainRun.papers).toEqual(r.papers);
  });

  it('announceUndated: a dated record after undated ones retracts them, and the outcome is the same as without it', async () => {
    const line = (o: Record<string, unknown>) => JSON.stringify(o);
    const mixed = await temp(
      'undated-then-dated.jsonl',
      [line({ id: 'u1', text: 'undated' }), line({ id: 'u2', text: 'undated too' }), line({ id: 'd1', text: 'dated', date: '2025-05-05' }), line({ id: 'u1', text: 'now dated', date: '2025-05-06' })].join('\n') + '\n',
    );
    const seen: string[] = [];
    const r = await ingestFiles([mixed], { announceUndated: true, onAccepted: (p) => seen.push(p.id) });
    expectBalanced(r);
    expect(r.retracted).toBe(2);
    expect(seen).toEqual(['u1', 'u2', 'd1']); // u1 was announced undated; its dated record then was not
    expect(r.papers.map((p) => [p.id, p.date])).toEqual([['d1', '2025-05-05'], ['u1', '2025-05-06']]);
    const plainRun = await ingestFiles([mixed]);
    expect(r.papers).toEqual(plainRun.papers);
    expect(r.rejects).toEqual(plainRun.rejects);
    expect(r.rejects.map((x) => [x.line, x.field])).toEqual([[1, 'date'], [2, 'date']]);
    // undatedPolicy 'reject': nothing undated is announced, nothing retracted.
    const rejecting = await ingestFiles([mixed], { announceUndated: true, undatedPolicy: 'reject', onAccepted: () => {} });
    expect(rejecting.retracted).toBeUndefined();
  });

  it('rejects, duplicates and papers keep file order around the first undated record (settled as read before it, at the end after it)', async () => {
    const line = (o: Record<string, unknown>) => JSON.stringify(o);
    const f = await temp(
      'order.jsonl',
      [
        line({ id: 'a', text: 'first', date: '2025-01-01' }),
        '{"id": "broken"',
        line({ id: 'b', text: 'another', date: '2025-01-02' }),
        line({ id: 'a', text: 'first', date: '2025-01-05' }), // duplicate, settled before the undated record
        line({ id: 'u', text: 'no date here' }), // rejected at the end: the file is dated
        line({ id: 'c', text: '', date: '2025-01-03' }), // empty text
        line({ id: 'b', text: 'changed', date: '2025-01-04' }), // duplicate, settled after it
        line({ id: 'd', text: 'last', date: '2025-01-06' }),
      ].join('\n') + '\n',
    );
    const seen: string[] = [];
    const r = await ingestFiles([f], { onAccepted: (p) => seen.push(p.id) });
    expectBalanced(r);
    expect(r.papers.map((p) => p.id)).toEqual(['a', 'b', 'd']);
    expect(seen).toEqual(['a', 'b', 'd']);
    expect(r.rejects.map((x) => [x.line, x.field])).toEqual([[2, undefined], [5, 'date'], [6, 'text']]);
    expect(r.duplicates.map((x) => [x.line, x.id, x.firstLine, x.sameText])).toEqual([[4, 'a', 1, true], [7, 'b', 3, false]]);
    expect(r.perFile[0]).toMatchObject({ read: 8, accepted: 3, duplicate: 2, rejected: 3 });
  });

  it('same input → identical result', async () => {
    const files = ['papers.jsonl', 'papers.json', 'arxiv-snapshot.jsonl', 'hf-daily-papers.json', 'trending-page.txt'].map(ex);
    const a = await ingestFiles(files, { pageYear: 2025 });
    const b = await ingestFiles(files, { pageYear: 2025 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});

describe('rejects.jsonl / duplicates.jsonl', () => {
  it('one valid JSON object per line whatever the Unicode in raw', async () => {
    const nasty = 'line\nbreak \u2028 sep \u2029 para \ud800 lone "quote" \\ back \u0000 nul 🙂';
    const rejects = [
      { file: 'a.jsonl', line: 3, field: 'date', reason: 'missing date', raw: nasty },
      { file: 'b.csv', line: 9, reason: 'expected 4 columns, got 5' },
    ];
    const path = join(tmp, 'out', 'rejects.jsonl');
    writeRejects(path, rejects);
    const text = await readFile(path, 'utf8');
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(lines[0]).not.toMatch(/[\u2028\u2029\u0000]/); // escaped, so line-splitting tools stay safe
    expect(JSON.parse(lines[0]!)).toEqual(rejects[0]);
    expect(JSON.parse(lines[1]!)).toEqual(rejects[1]);
    expect(toJsonLines([])).toBe('');
    const dpath = join(tmp, 'out', 'duplicates.jsonl');
    const dup = { file: 'x.jsonl', line: 2, id: 'p1', firstFile: 'w.jsonl', firstLine: 7, sameText: true };
    writeDuplicates(dpath, [dup]);
    expect(JSON.parse((await readFile(dpath, 'utf8')).trim())).toEqual(dup);
  });
});

describe('clean-up helpers', () => {
  it('cleanText repairs lone surrogates and keeps pairs', () => {
    expect(cleanText('a\ud800b 🙂')).toBe('a\ufffdb 🙂');
    expect(cleanText('already clean')).toBe('already clean');
  });

  it('splitSentences keeps abbreviations and initials inside sentences', () => {
    expect(splitSentences('Mr. Smith went to Washington, D.C. on Jan. 5. He met Gen. Grant and the U.S. Senate. "Really?" he asked. (Applause.) John Q. Adams spoke. It cost $4.5 million.')).toEqual([
      'Mr. Smith went to Washington, D.C. on Jan. 5.',
      'He met Gen. Grant and the U.S. Senate.',
      '"Really?" he asked.',
      '(Applause.)',
      'John Q. Adams spoke.',
      'It cost $4.5 million.',
    ]);
  });
});

describe('State of the Union default corpus', () => {
  it('gives > 10k dated passages with unique ids, deterministically', () => {
    const papers = loadSotuPapers();
    expect(papers.length).toBeGreaterThan(10_000);
    expect(new Set(papers.map((p) => p.id)).size).toBe(papers.length);
    for (const p of papers) {
      expect(p.date).toMatch(/^\d{4}-01-01$/);
      expect(p.extra?.dateResolution).toBe('year');
      expect(p.text.length).toBeGreaterThan(0);
    }
    const years = new Set(papers.map((p) => p.date.slice(0, 4)));
    expect(Math.min(...[...years].map(Number))).toBe(1790);
    expect(Math.max(...[...years].map(Number))).toBe(2021);
    expect(papers[0]).toMatchObject({ id: 'sotu-1790-george-washington-001', title: 'George Washington, 1790 State of the Union (passage 1)', date: '1790-01-01' });
    const again = loadSotuPapers();
    expect(JSON.stringify(again)).toBe(JSON.stringify(papers));
    const bigger = loadSotuPapers({ sentencesPerPassage: 10 });
    expect(bigger.length).toBeLessThan(papers.length * 0.6);
    expect(() => loadSotuPapers({ sentencesPerPassage: 0 })).toThrow(/sentencesPerPassage/);
  });
});

describe.skipIf(!existsSync(SEED_PAGE))('real trending page (../shared/seed)', () => {
  it('parses into ~50 papers with titles and long abstracts', async () => {
    const r = await ingestFiles([SEED_PAGE], { pageYear: 2025 });
    expectBalanced(r);
    expect(r.papers.length).toBeGreaterThanOrEqual(45);
    expect(r.papers.length).toBeLessThanOrEqual(60);
    for (const p of r.papers) {
      expect(p.title.length).toBeGreaterThan(10);
      expect(p.title.length).toBeLessThan(300);
      expect(p.text.length).toBeGreaterThan(500);
      expect(p.date).toBe('2025-03-14');
    }
  });
});

describe.skipIf(!existsSync(ARXIV) || !existsSync(NEWS))('real corpora (../shared/data)', () => {
  it('arxiv-cs-daily: every record accepted, dated within the documented range', async () => {
    const r = await ingestFiles([ARXIV]);
    expectBalanced(r);
    expect(r.counts).toEqual({ read: 74_728, accepted: 74_728, duplicate: 0, rejected: 0 });
    const dates = r.papers.map((p) => p.date).sort();
    expect(dates[0]).toBe('2025-03-18');
    expect(dates.at(-1)).toBe('2026-07-01');
  });

  it('20 Newsgroups: undated corpus accepted with a note, empty bodies rejected', async () => {
    const r = await ingestFiles([NEWS], { undatedDate: '1993-01-01' });
    expectBalanced(r);
    expect(r.counts).toEqual({ read: 18_846, accepted: 18_812, duplicate: 0, rejected: 34 });
    expect(r.rejects.every((x) => x.field === 'text' && x.reason === 'empty text')).toBe(true);
    expect(r.notes.some((n) => n.startsWith('no dates in 20newsgroups-bydate.jsonl.gz: all 18812 records dated 1993-01-01'))).toBe(true);
    expect(new Set(r.papers.map((p) => p.label)).size).toBe(20);
  });
});

describe('ingest stage artifact and memory', () => {
  it('the artifact names the archive window and its digest; loading reads it back, or refuses a changed archive', async () => {
    const { ingestStage, trimTexts, TEXT_HEAD_CHARS } = await import('../pipeline/stages/ingest.ts');
    const { openStore, paperTextHash } = await import('../pipeline/store/store.ts');
    const tmp = await mkdtemp(join(tmpdir(), 'tt-ingest-artifact-'));
    try {
      const store = openStore(join(tmp, 'archive.sqlite'));
      const long = 'word '.repeat(200);
      store.upsertPapers(
        [
          { id: 'b', title: '', text: long, date: '2025-01-02', source: 's' },
          { id: 'a', title: 'A', text: 'short', date: '2025-01-01', source: 's' },
        ],
        'r1',
      );
      const { papers, digest } = store.readWindow({ all: true });
      const value: IngestOutput = { papers, counts: { read: 2, accepted: 2, duplicate: 0, rejected: 0 }, perFile: [], rejects: [], duplicates: [], notes: [], windowHash: digest, storeWindow: { all: true } as const };
      expect(ingestStage.contentHash!(value)).toBe(digest);
      const dir = join(tmp, 'stage');
      ingestStage.save!(dir, value);
      expect(existsSync(join(dir, 'papers.jsonl'))).toBe(false); // no second copy of every abstract
      const loaded = ingestStage.load!(dir, store);
      // Read back, the texts are only their heads (tokenize reads whole texts from the archive):
      // the value as trimTexts leaves it.
      expect(loaded.textHeadChars).toBe(TEXT_HEAD_CHARS);
      expect(loaded).toEqual(trimTexts({ ...value, papers: value.papers.map((p) => ({ ...p })) }));
      // Every paper carries the archive's text hash (sha1 of the whole title and text), loaded too.
      expect(loaded.papers.map((p) => p.textHash)).toEqual([paperTextHash('A', 'short'), paperTextHash('', long)]);
      // Slimmed after tokenize: short fresh copies of the texts, flagged, and saved the same way.
      trimTexts(value);
      expect(value.papers[1]!.textHash).toBe(paperTextHash('', long)); // still the whole text's
      expect(value.textHeadChars).toBe(TEXT_HEAD_CHARS);
      expect(value.papers.map((p) => p.text.length)).toEqual([0, TEXT_HEAD_CHARS]); // 'A' has a title: its text is not kept
      expect(long.startsWith(value.papers[1]!.text)).toBe(true);
      // Another run changed the window: the artifact no longer describes it.
      store.upsertPapers([{ id: 'c', title: 'C', text: 'new', date: '2025-01-03', source: 's' }], 'r2');
      expect(() => ingestStage.load!(dir, store)).toThrow(/has changed since the ingest artifact/);
      expect(() => ingestStage.load!(dir)).toThrow(/without its archive/);
      store.close();
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('the runner releases each output after its last reader', async () => {
    const { lastReader } = await import('../pipeline/runner.ts');
    expect(lastReader('tokenize')).toBe('vectorize');
    expect(lastReader('vectorize')).toBe('trends');
    expect(lastReader('reduce')).toBe('report');
    expect(lastReader('ingest')).toBe('end');
    expect(lastReader('cluster')).toBe('end');
    expect(lastReader('report')).toBe('report');
  });

  it('reports progress: a count every 1000 records and the total at the end of each file', async () => {
    const seen: number[] = [];
    const r = await ingestFiles([ex('papers.jsonl'), ex('papers.csv')], { csv: CSV_MAPPING, onProgress: (n) => seen.push(n) });
    expect(seen).toEqual([r.perFile[0]!.read, r.counts.read]);
    await expect(ingestFiles([ex('papers.jsonl')], { onProgress: 3 as never })).rejects.toThrow(/onProgress/);
  });
});
