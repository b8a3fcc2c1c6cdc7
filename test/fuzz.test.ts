// Fuzzed input (issue 8, part 1): 10,000 mutated records over JSONL, JSON arrays, CSV and gzip go
// through ingest and then the whole pipeline. Nothing may crash or stall, every record must be
// accounted for (read = accepted + duplicate + rejected, each reject with file, line and reason,
// and each record where the fuzzer knows the answer landed where it should), and a report must
// still be published. The corpus is generated here (test/helpers), never copied from ../shared.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanText, MAX_RUN } from '../analysis/text/clean.ts';
import { tokenizeChunk } from '../analysis/text/tokenizer.ts';
import { resolveConfig } from '../pipeline/config.ts';
import { ingestFiles, type IngestResult } from '../pipeline/ingest/ingest.ts';
import { silentLogger } from '../pipeline/log.ts';
import { runPipeline } from '../pipeline/runner.ts';
import { writeFuzzCorpus, type FuzzCorpus } from './helpers/fuzz.ts';

const RECORDS = Number(process.env.TT_FUZZ_RECORDS ?? 10_000);
const SEED = Number(process.env.TT_FUZZ_SEED ?? 8);
/** A document that takes this long to tokenize is a stall (the real cost is ~1 ms; wink's quadratic cases take seconds to minutes). */
const STALL_SECONDS = 5;

describe('fuzzed input', () => {
  let dir: string;
  let corpus: FuzzCorpus;
  let ingest: IngestResult | undefined;
  let crashes = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-fuzz-'));
    corpus = writeFuzzCorpus(join(dir, 'in'), { records: RECORDS, seed: SEED });
    try {
      ingest = await ingestFiles(corpus.files);
    } catch (e) {
      crashes++;
      throw e;
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes what it says: every record of every format, with known starting lines', () => {
    expect(corpus.records).toHaveLength(RECORDS);
    expect(corpus.files.map((f) => f.replace(/^.*fuzz-\d+\./, ''))).toEqual(['jsonl', 'jsonl', 'json', 'csv', 'jsonl.gz', 'json.gz', 'csv', 'jsonl']);
    const kinds = new Set(corpus.records.map((r) => r.kind.replace(/:.*/, '')));
    for (const k of ['invalid-json', 'wrong-type', 'huge-abstract', 'huge-word', 'invalid-utf8', 'impossible-date', 'duplicate', 'non-english', 'latex', 'html', 'lone-surrogate', 'csv']) {
      expect(kinds, k).toContain(k);
    }
  });

  it('accounts for every record: read = accepted + duplicate + rejected, per file and in total', () => {
    const r = ingest!;
    expect(r.counts.read).toBe(RECORDS);
    expect(r.counts.read).toBe(r.counts.accepted + r.counts.duplicate + r.counts.rejected);
    expect(r.papers).toHaveLength(r.counts.accepted);
    expect(r.rejects).toHaveLength(r.counts.rejected);
    expect(r.duplicates).toHaveLength(r.counts.duplicate);
    for (const f of r.perFile) expect(f.read, f.file).toBe(f.accepted + f.duplicate + f.rejected);
    for (const rej of r.rejects) {
      expect(corpus.files).toContain(rej.file);
      expect(Number.isInteger(rej.line) && rej.line >= 1).toBe(true);
      expect(rej.reason.length).toBeGreaterThan(0);
    }
    expect(new Set(r.papers.map((p) => p.id)).size).toBe(r.papers.length);
  });

  it('puts each record where the fuzzer expects it (accepted, duplicate or rejected at its own line)', () => {
    const r = ingest!;
    const at = (file: string, line: number) => `${file}:${line}`;
    const rejected = new Map(r.rejects.map((x) => [at(x.file, x.line), x]));
    const duplicate = new Set(r.duplicates.map((x) => at(x.file, x.line)));
    const accepted = new Set(r.papers.map((p) => p.id));
    const wrong: string[] = [];
    let accounted = 0;
    for (const rec of corpus.records) {
      const key = at(rec.file, rec.line);
      const got = rejected.has(key) ? 'reject' : duplicate.has(key) ? 'duplicate' : rec.id !== undefined && accepted.has(rec.id) ? 'accept' : 'lost';
      if (got !== 'lost') accounted++;
      if (rec.expect !== 'either' && got !== rec.expect) wrong.push(`${key} ${rec.kind}: expected ${rec.expect}, got ${got}${rejected.has(key) ? ` (${rejected.get(key)!.reason})` : ''}`);
    }
    console.log(`fuzz: records fuzzed ${RECORDS}, accounted ${accounted}, crashes ${crashes}; accepted ${r.counts.accepted}, duplicate ${r.counts.duplicate}, rejected ${r.counts.rejected}`);
    expect(wrong.slice(0, 20)).toEqual([]);
    expect(accounted).toBe(RECORDS);
    expect(crashes).toBe(0);
  });

  it('accepted papers are clean: no control characters, no lone surrogates, http(s) urls only, dates valid', () => {
    for (const p of ingest!.papers) {
      for (const s of [p.id, p.title, p.text]) {
        expect(s).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFEFF]/);
        expect(s).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/); // no lone surrogate
      }
      expect(p.text.length).toBeGreaterThan(0);
      expect(p.text.length).toBeLessThanOrEqual(100_000);
      expect(p.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      if (p.url !== undefined) expect(p.url).toMatch(/^https?:\/\//);
    }
  });

  it('cleaning hands wink no run of 100+ non-space characters, and every document tokenizes within a bound', () => {
    // Every fuzzed title and text, not only the accepted ones: the tokenizer must survive anything.
    const docs = corpus.records.filter((r) => r.kind !== 'valid' && r.kind !== 'csv:valid');
    let slowest = 0;
    let tokens = 0;
    for (const rec of docs) {
      for (const s of [rec.title ?? '', rec.text ?? '']) {
        const cleaned = cleanText(s);
        expect(cleaned).not.toMatch(new RegExp(`\\S{${MAX_RUN},}`));
        expect(cleaned.length).toBeLessThanOrEqual(20_000);
      }
      const started = performance.now();
      const chunk = tokenizeChunk([{ title: rec.title ?? '', text: rec.text ?? '' }]);
      const seconds = (performance.now() - started) / 1000;
      slowest = Math.max(slowest, seconds);
      tokens += chunk.tokenIds.length;
      expect(seconds, `${rec.file}:${rec.line} ${rec.kind}`).toBeLessThan(STALL_SECONDS);
    }
    console.log(`fuzz: ${docs.length} mutated documents tokenized one by one, ${tokens} tokens, slowest ${(slowest * 1000).toFixed(0)} ms`);
  });

  it('the whole pipeline runs on the fuzzed files and publishes a report that accounts for them', async () => {
    const out = join(dir, 'out');
    let result;
    try {
      result = await runPipeline(
        resolveConfig({ input: corpus.files, out, seed: 1, cluster: { k: 5, nInit: 2 }, pca: { nComponents: 10 }, report: { mapPoints: 500 } }),
        { logger: silentLogger, runId: 'fuzz' },
      );
    } catch (e) {
      crashes++;
      throw e;
    }
    expect(result.reportPath).toBeDefined();
    const html = readFileSync(result.reportPath!, 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    const m = JSON.parse(readFileSync(join(out, 'latest', 'manifest.json'), 'utf8'));
    expect(m.counts).toEqual(ingest!.counts);
    const rejects = readFileSync(join(out, 'latest', 'rejects.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(rejects).toHaveLength(ingest!.counts.rejected);
    for (const line of rejects) {
      const rej = JSON.parse(line);
      expect(typeof rej.file).toBe('string');
      expect(rej.line).toBeGreaterThanOrEqual(1);
      expect(typeof rej.reason).toBe('string');
    }
    const assignments = readFileSync(join(out, 'latest', 'assignments.csv'), 'utf8').split('\r\n').filter(Boolean);
    expect(assignments.length - 1).toBe(ingest!.counts.accepted);
    const { clusters } = JSON.parse(readFileSync(join(out, 'latest', 'clusters.json'), 'utf8'));
    expect(clusters).toHaveLength(5);
  });
});

// An extra, skippable variant on real text: the first records of the arXiv corpus, mutated the same way.
const ARXIV = fileURLToPath(new URL('../../shared/data/arxiv-cs-daily.jsonl.gz', import.meta.url));
describe.skipIf(!existsSync(ARXIV) || !process.env.TT_FULL)('fuzzed input on real abstracts (TT_FULL)', () => {
  it('every real abstract, damaged, still cleans within bounds and tokenizes', async () => {
    const r = await ingestFiles([ARXIV]);
    let slowest = 0;
    for (const p of r.papers.slice(0, 5000)) {
      const damaged = [p.text.replace(/ /g, ''), p.text.replace(/ /g, '-'), `${p.text}`.repeat(50), `<b>${p.text}</b>`.replace(/ /g, '$')];
      for (const text of damaged) {
        expect(cleanText(text)).not.toMatch(/\S{100,}/);
        const t = performance.now();
        tokenizeChunk([{ title: p.title, text }]);
        slowest = Math.max(slowest, (performance.now() - t) / 1000);
      }
    }
    console.log(`fuzz (arXiv): slowest damaged abstract ${(slowest * 1000).toFixed(0)} ms`);
    expect(slowest).toBeLessThan(STALL_SECONDS);
  });
});
