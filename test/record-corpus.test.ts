// A night's window left as the token cache's records (pipeline/record-corpus.ts): assembled whole
// it is the corpus tokenizing the window in one go gives; assembled for some rows, each row's
// tokens have the same term keys; stored as the tokenize stage's artifact and read back, the same.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { transformTfidf } from '../analysis/tfidf.ts';
import { type DocText, tokenizeCorpus } from '../analysis/text/tokenizer.ts';
import type { TokenizedCorpus } from '../analysis/types.ts';
import { saveArtifact } from '../pipeline/artifacts.ts';
import { subCorpus } from '../pipeline/model/row-reuse.ts';
import { corpusOfRows, isRecordCorpus, type RecordCorpus, RecordCorpusBuilder, sourceDocs, sourceTokens, wholeCorpus } from '../pipeline/record-corpus.ts';
import { FormDictionary } from '../pipeline/token-forms.ts';
import { loadStageArtifact } from '../pipeline/runner.ts';
import { tokenizeStage } from '../pipeline/stages/tokenize.ts';
import { memoryTokenStore, openTokenStore, type TokenStore, tokenizeToSource } from '../pipeline/token-cache.ts';
import { prefetchTokenRows } from '../pipeline/token-cache-prefetch.ts';

const docs: DocText[] = Array.from({ length: 40 }, (_, i) => ({
  title: ['Vision LLMs for Robot Navigation', 'Graph neural networks, graph networks', '', 'The of and'][i % 4]!,
  text: `${['Large-scale 3D scenes; colour and color cues. Colours!', 'Graph neural networks learn on graphs.', "The model's memory of vision-language data.", 'United States policy: the United States.'][i % 4]} topic${i % 7} item${i} ${i % 5 === 0 ? 'COLOR Colour' : 'graph'}`,
}));

function plain(c: TokenizedCorpus) {
  return { terms: c.terms, display: c.display, docOffsets: [...c.docOffsets], tokenIds: [...c.tokenIds], variants: c.variants, tokenVariants: [...(c.tokenVariants ?? [])] };
}

/** Each document's tokens as term keys ('|' at boundaries). */
function keyStreams(c: TokenizedCorpus): string[] {
  return Array.from({ length: c.docOffsets.length - 1 }, (_, d) => Array.from(c.tokenIds.subarray(c.docOffsets[d]!, c.docOffsets[d + 1]!), (t) => (t < 0 ? '|' : c.terms[t]!)).join(' '));
}

/** A night: `first` tokenized into the store, then the window `window` (mostly cached). */
async function night(store: TokenStore, first: DocText[], window: DocText[], titleRepeat: number) {
  await tokenizeToSource(first, { titleRepeat }, store);
  return tokenizeToSource(window, { titleRepeat }, store);
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tt-records-'));
  dirs.push(dir);
  return dir;
}

describe('record corpus', () => {
  // A window that drops the first papers, repeats one text, and adds new papers in between.
  const window = [...docs.slice(4, 30), docs[10]!, ...docs.slice(30, 36)];

  it.each([1, 2, 3])('assembled whole, is the corpus of the window tokenized in one go (titleRepeat %i)', async (titleRepeat) => {
    const { corpus, cached, tokenized } = await night(memoryTokenStore(), docs.slice(0, 30), window, titleRepeat);
    expect([cached, tokenized]).toEqual([27, 6]);
    expect(isRecordCorpus(corpus)).toBe(true);
    expect(sourceDocs(corpus)).toBe(window.length);
    const reference = tokenizeCorpus(window, { titleRepeat });
    expect(sourceTokens(corpus)).toBe(reference.tokenIds.length);
    expect(plain(wholeCorpus(corpus))).toEqual(plain(reference));
  });

  it('counts a repeated title once towards its forms (which form a term is displayed by)', async () => {
    const small: DocText[] = [
      { title: 'Colours', text: 'colour networks' },
      { title: 'Colours', text: 'colour graphs' },
      { title: '', text: 'colour colour colour' },
    ];
    const window = [...small, { title: '', text: 'graph' }];
    const { corpus } = await night(memoryTokenStore(), small, window, 3);
    expect(isRecordCorpus(corpus)).toBe(true);
    const whole = wholeCorpus(corpus);
    // 'colours' 2 times (each title once), 'colour' 5: counted three times, the titles would win.
    expect(whole.display[whole.terms.indexOf('color')]).toBe('colour');
    expect(plain(whole)).toEqual(plain(tokenizeCorpus(window, { titleRepeat: 3 })));
  });

  it('assembled for some rows, gives each row the tokens and term keys it has in the whole corpus, and the same transform', async () => {
    const { corpus } = await night(memoryTokenStore(), docs.slice(0, 30), window, 2);
    const whole = tokenizeCorpus(window, { titleRepeat: 2 });
    const rows = [31, 2, 26, 2, 0, 32];
    const part = corpusOfRows(corpus, rows);
    expect(keyStreams(part)).toEqual(rows.map((d) => keyStreams(whole)[d]!));
    // Only the terms those rows use are numbered.
    expect(part.terms.length).toBeLessThan(whole.terms.length);
    expect(new Set(part.tokenIds).size - (part.tokenIds.includes(-1) ? 1 : 0)).toBe(part.terms.length);
    // What vectorize does with them: a transform by the stored vocabulary's keys (words and phrases).
    const vocabulary = ['colour', 'graph', 'graph network', 'item10', 'state', 'united state', 'vision'].filter((k) => whole.terms.includes(k.split(' ')[0]!));
    const model = { vocabulary, display: vocabulary, df: new Int32Array(vocabulary.length), idf: new Float64Array(vocabulary.length).fill(1), matrix: emptyCsr(), counts: emptyCsr(), docs: 0 };
    const fromRecords = transformTfidf(model, part, true).counts;
    const fromWhole = transformTfidf(model, subCorpus(whole, rows), true).counts;
    expect([...fromRecords.indptr]).toEqual([...fromWhole.indptr]);
    expect([...fromRecords.indices]).toEqual([...fromWhole.indices]);
    expect([...fromRecords.data]).toEqual([...fromWhole.data]);
    expect(fromWhole.indices.length).toBeGreaterThan(rows.length); // the transform found words to count
    expect(() => corpusOfRows(corpus, [0, window.length])).toThrow(/row 33 outside the 33 papers/);
    // An assembled corpus answers the same (vectorize takes either).
    expect(keyStreams(corpusOfRows(whole, rows))).toEqual(keyStreams(part));
  });

  it('is not used when most papers are new (a first night assembles as before)', async () => {
    const store = memoryTokenStore();
    await tokenizeToSource(docs.slice(0, 10), {}, store);
    const { corpus, cached } = await tokenizeToSource(docs.slice(0, 30), {}, store);
    expect(cached).toBe(10);
    expect(isRecordCorpus(corpus)).toBe(false);
    expect(plain(corpus as TokenizedCorpus)).toEqual(plain(tokenizeCorpus(docs.slice(0, 30))));
  });

  it('reads the prefetched rows where they are: one pool for the cached papers, one for the new', { timeout: 60_000 }, async () => {
    const out = tempDir();
    let store = openTokenStore(out);
    await tokenizeToSource(docs.slice(0, 30), {}, store);
    store.close();
    store = openTokenStore(out);
    store.adopt!(await prefetchTokenRows(out).take());
    const { corpus, cached } = await tokenizeToSource(window, {}, store);
    store.close();
    expect(cached).toBe(27);
    const rc = corpus as RecordCorpus;
    expect(rc.pools.length).toBe(2);
    expect(plain(wholeCorpus(rc))).toEqual(plain(tokenizeCorpus(window)));
  });

  it('copies records that came in a buffer each into one pool', async () => {
    // memoryTokenStore keeps a copy of each record: one buffer per paper.
    const { corpus } = await night(memoryTokenStore(), docs.slice(0, 30), window, 2);
    const rc = corpus as RecordCorpus;
    const cachedPools = new Set(rc.tokenPool.subarray(0, 27)); // the window's first 27 papers came from the cache
    expect(cachedPools.size).toBe(1);
    expect(rc.pools.length).toBeLessThanOrEqual(3); // the copies, the new papers' stream, their titles
    expect(plain(wholeCorpus(rc))).toEqual(plain(tokenizeCorpus(window, { titleRepeat: 2 })));
  });

  it('copies views that are their whole buffer, or small parts of many buffers, into one pool: the same tokens', () => {
    const forms = new FormDictionary(Array.from({ length: 8 }, (_, f) => ({ key: `k${f % 5}`, surface: `s${f}` })));
    const streams = Array.from({ length: 40 }, (_, d) => Int32Array.from({ length: 1 + (d % 6) }, (_, k) => ((d + 3 * k) % 9) - 1)); // -1 = a boundary
    const apart = new RecordCorpusBuilder(streams.length, 1);
    const together = new RecordCorpusBuilder(streams.length, 1);
    const one = new Int32Array(1000);
    streams.forEach((t, d) => {
      const own = new Int32Array(100); // a buffer for each, the view a small part of it
      own.set(t, 50);
      apart.set(d, own.subarray(50, 50 + t.length));
      one.set(t, 20 * d);
      together.set(d, one.subarray(20 * d, 20 * d + t.length));
    });
    const a = apart.build(forms);
    const b = together.build(forms);
    // Five records in a buffer each (fewer than would be compacted): one pool of copies, not five.
    const own = new RecordCorpusBuilder(5, 1);
    streams.slice(0, 5).forEach((t, d) => own.set(d, Int32Array.from(t)));
    const c = own.build(forms);
    expect(c.pools.length).toBe(1);
    expect(keyStreams(wholeCorpus(c))).toEqual(keyStreams(wholeCorpus(b)).slice(0, 5));
    expect(a.pools.length).toBe(1);
    expect(b.pools.length).toBe(1);
    expect(b.pools[0]!.buffer).toBe(one.buffer); // read where it is, not copied
    expect(plain(wholeCorpus(a))).toEqual(plain(wholeCorpus(b)));
    expect(keyStreams(wholeCorpus(a))).toEqual(streams.map((t) => Array.from(t, (f) => (f < 0 ? '|' : `k${f % 5}`)).join(' ')));
  });

  it('is stored as the tokenize artifact and read back the same; a damaged one is refused', async () => {
    const { corpus } = await night(memoryTokenStore(), docs.slice(0, 30), window, 2);
    const dir = join(tempDir(), 'tokenize');
    saveArtifact(dir, tokenizeStage.toArtifact!(corpus));
    const back = loadStageArtifact(tokenizeStage, dir);
    expect(isRecordCorpus(back as RecordCorpus)).toBe(true);
    expect(plain(wholeCorpus(back as RecordCorpus))).toEqual(plain(tokenizeCorpus(window, { titleRepeat: 2 })));
    // A paper's tokens said to run past the end of the stored records.
    const value = JSON.parse(readFileSync(join(dir, 'value.json'), 'utf8'));
    const counts = join(dir, value.tokenCount.file);
    const bytes = readFileSync(counts);
    bytes.writeInt32LE(1 << 30, 4 * 3);
    writeFileSync(counts, bytes);
    expect(() => loadStageArtifact(tokenizeStage, dir)).toThrow(/paper 3's tokens lie outside the stored records/);
  });
});

function emptyCsr() {
  return { rows: 0, cols: 0, indptr: new Int32Array(1), indices: new Int32Array(0), data: new Float32Array(0) };
}
