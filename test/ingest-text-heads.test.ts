// On a night, ingest hands on only the heads of the window's texts (textHead, read so from the
// archive) and tokenize reads the whole texts of the papers it must tokenize from the archive:
// the corpus is the one whole texts give, words past the head included.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TokenizedCorpus } from '../analysis/types.ts';
import { resolveConfig } from '../pipeline/config.ts';
import { silentLogger } from '../pipeline/log.ts';
import { fallbackText, textHead } from '../pipeline/paper.ts';
import { loadStageArtifact, runPipeline } from '../pipeline/runner.ts';
import { isRecordCorpus, type TokenSource, wholeCorpus } from '../pipeline/record-corpus.ts';
import { tokenizeStage } from '../pipeline/stages/tokenize.ts';
import { openStore, paperTextHash } from '../pipeline/store/store.ts';
import { threeTopicText } from './helpers/three-topics.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('readWindow with text heads', () => {
  it('cuts an untitled paper\'s text as textHead does (astral characters too), a titled one\'s to nothing, with the whole-text digest and hashes; textsOf gives the whole texts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-heads-'));
    dirs.push(dir);
    const store = openStore(join(dir, 'archive.sqlite'));
    const texts = ['short', 'word '.repeat(100), '𝔸'.repeat(150), 'ab' + '𝔸'.repeat(120), 'é'.repeat(199) + '𝔸', 'x'.repeat(200)];
    // p1 and p5 have titles: the page never shows their texts, so nothing of them is read.
    const titles = texts.map((_, i) => (i === 1 || i === 5 ? `T${i}` : ''));
    store.upsertPapers(
      texts.map((text, i) => ({ id: `p${i}`, title: titles[i]!, text, date: '2025-01-01', source: 's' })),
      'r1',
    );
    const whole = store.readWindow({ all: true });
    const heads = store.readWindow({ all: true }, undefined, 200);
    expect(heads.digest).toBe(whole.digest);
    expect(heads.papers.map((p) => p.text)).toEqual(whole.papers.map((p) => (p.title === '' ? textHead(p.text, 200) : '')));
    expect(heads.papers.map((p) => p.text)).toEqual(whole.papers.map((p) => fallbackText(p.title, p.text, 200)));
    expect(heads.papers[1]!.text).toBe('');
    expect(heads.papers[0]!.text).toBe('short');
    expect(heads.papers.map((p) => p.textHash)).toEqual(texts.map((t, i) => paperTextHash(titles[i]!, t)));
    expect(heads.papers[2]!.text.length).toBe(200); // 100 astral characters
    // Papers handed in memory (tonight's, `reuse`: most of the archive) are cut the same way.
    const reuse = new Map(whole.papers.map((p) => [p.id, { paper: { ...p }, textHash: p.textHash! }]));
    const reused = store.readWindow({ all: true }, reuse, 200);
    expect(reused.papers.map((p) => p.text)).toEqual(heads.papers.map((p) => p.text));
    expect(reused.digest).toBe(whole.digest);
    const got = store.textsOf(['p2', 'p9', 'p1']);
    expect([...got.keys()].sort()).toEqual(['p1', 'p2']);
    expect(got.get('p2')).toEqual({ title: '', text: texts[2], textHash: paperTextHash('', texts[2]!) });
    expect(got.get('p1')).toEqual({ title: 'T1', text: texts[1], textHash: paperTextHash('T1', texts[1]!) });
    expect(() => store.readWindow({ all: true }, undefined, 0)).toThrow(/textHeadChars/);
    // Asked for most of a larger archive, textsOf scans it instead of looking ids up: the same texts.
    const many = Array.from({ length: 1200 }, (_, i) => ({ id: `m${i}`, title: `M${i}`, text: `text number ${i}`, date: '2025-01-02', source: 's' }));
    store.upsertPapers(many, 'r2');
    const scanned = store.textsOf([...many.map((p) => p.id), 'p3', 'nope']);
    expect(scanned.size).toBe(1201);
    expect(scanned.get('m1199')).toEqual({ title: 'M1199', text: 'text number 1199', textHash: paperTextHash('M1199', 'text number 1199') });
    expect(scanned.get('p3')).toEqual({ title: '', text: texts[3], textHash: paperTextHash('', texts[3]!) });
    store.close();
  });
});

describe('a night over text heads', () => {
  it('tokenizes the new papers from their whole texts: the corpus of a cold run over the same papers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-heads-night-'));
    dirs.push(dir);
    // A long text whose last word (unique to the paper) comes well after the first 200 characters.
    const text = (i: number) => `${threeTopicText(i, 40)} tailword${i}`;
    const line = (i: number) => JSON.stringify({ id: `p${String(i).padStart(3, '0')}`, title: `Paper ${i}`, text: text(i), date: `2025-0${1 + (i % 6)}-10` });
    const file = (name: string, from: number, to: number) => {
      const path = join(dir, name);
      writeFileSync(path, Array.from({ length: to - from }, (_, k) => line(from + k)).join('\n') + '\n');
      return path;
    };
    const first = file('n1.jsonl', 0, 60);
    const second = file('n2.jsonl', 60, 75);
    const both = file('all.jsonl', 0, 75);
    const config = (out: string, input: string) => resolveConfig({ input: [input], out: join(dir, out), cluster: { k: 3 }, workers: 1 });
    await runPipeline(config('nights', first), { logger: silentLogger, runId: 'r1' });
    await runPipeline(config('nights', second), { logger: silentLogger, runId: 'r2' });
    await runPipeline(config('cold', both), { logger: silentLogger, runId: 'r1' });
    // The night's artifact holds the records (most papers came from the token cache), assembled here.
    const stored = loadStageArtifact(tokenizeStage, join(dir, 'nights', 'stages', 'tokenize')) as TokenSource;
    expect(isRecordCorpus(stored)).toBe(true);
    const night = wholeCorpus(stored);
    const cold = loadStageArtifact(tokenizeStage, join(dir, 'cold', 'stages', 'tokenize')) as TokenizedCorpus;
    expect(night.terms).toContain('tailword70'); // past the head of a paper tokenized tonight
    expect(night.terms).toEqual(cold.terms);
    expect([...night.tokenIds]).toEqual([...cold.tokenIds]);
    expect([...night.docOffsets]).toEqual([...cold.docOffsets]);
    expect(night.display).toEqual(cold.display);
    expect(night.variants).toEqual(cold.variants);
    expect([...night.tokenVariants!]).toEqual([...cold.tokenVariants!]);
  }, 180_000);
});
