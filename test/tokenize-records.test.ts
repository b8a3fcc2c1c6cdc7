// What the per-paper token cache asks of the tokenizer besides the stream (title forms, a sorted
// surface order) and how tokenizeWithCache builds records from it: known answers, and equality
// with the one-pass tokenizeCorpus.
import { describe, expect, it } from 'vitest';
import { type DocText, tokenizeChunk, tokenizeCorpus } from '../analysis/text/tokenizer.ts';
import type { TokenizedCorpus } from '../analysis/types.ts';
import { encodePaperTokens, FormDictionary, memoryTokenStore, paperTextHash, tokenCacheKey, type TokenStore, tokenizeWithCache } from '../pipeline/token-cache.ts';

const docs: DocText[] = [
  { title: 'Vision LLMs for Robot Navigation', text: 'Large-scale 3D scenes for robot navigation; colour and color cues.' },
  { title: '', text: 'Graph neural networks learn on graphs.' },
  { title: 'The of and', text: 'Only stop words in the title above.' },
  { title: 'Graph Networks, graph networks', text: 'Colour COLOR colours.' },
];

function plain(c: TokenizedCorpus) {
  return { terms: c.terms, display: c.display, docOffsets: [...c.docOffsets], tokenIds: [...c.tokenIds], variants: c.variants, tokenVariants: [...(c.tokenVariants ?? [])] };
}

describe('tokenizeChunk extras for the cache', () => {
  it.each([2, 3])('titleSurfaces are the title tokenized alone, once per paper (titleRepeat %i)', (titleRepeat) => {
    const chunk = tokenizeChunk(docs, { titleRepeat }, { titleForms: true });
    const words = (ids: ArrayLike<number>) => Array.from(ids, (s) => chunk.surfaces[s]);
    const perDoc = docs.map((_, d) => words(chunk.titleSurfaces!.subarray(chunk.titleOffsets![d], chunk.titleOffsets![d + 1])));
    expect(perDoc).toEqual([['vision', 'llms', 'robot', 'navigation'], [], [], ['graph', 'networks', 'graph', 'networks']]);
    for (const [d, doc] of docs.entries()) {
      const alone = tokenizeChunk([{ title: '', text: doc.title }], { titleRepeat: 0 });
      expect(perDoc[d]).toEqual([...alone.tokenSurfaces].filter((s) => s >= 0).map((s) => alone.surfaces[s]));
    }
    // The stream itself is unchanged by asking.
    const bare = tokenizeChunk(docs, { titleRepeat });
    expect([...chunk.tokenSurfaces]).toEqual([...bare.tokenSurfaces]);
  });

  it('no titleSurfaces unless asked for and titles repeat', () => {
    expect(tokenizeChunk(docs, { titleRepeat: 1 }, { titleForms: true }).titleSurfaces).toBeUndefined();
    expect(tokenizeChunk(docs, { titleRepeat: 2 }).titleSurfaces).toBeUndefined();
  });
});

describe('FormDictionary', () => {
  it('one id per (key, surface), loaded forms first, new ones appended', () => {
    const dict = new FormDictionary([
      { key: 'color', surface: 'colour' },
      { key: 'color', surface: 'color' },
      { key: 'graph', surface: 'graphs' },
    ]);
    expect(dict.id('color', 'color')).toBe(1);
    expect(dict.id('color', 'colour')).toBe(0);
    expect(dict.id('graph', 'graphs')).toBe(2);
    expect(dict.id('graph', 'graph')).toBe(3);
    expect(dict.id('color', 'colours')).toBe(4);
    expect(dict.id('colour', 'colour')).toBe(5); // another key, same surface
    expect(dict.id('graph', 'graph')).toBe(3);
    expect(dict.size).toBe(6);
  });

  it('indexes each form by its key, whether the forms were loaded, added, or both', () => {
    const loaded = [
      { key: 'color', surface: 'colour' },
      { key: 'graph', surface: 'graphs' },
      { key: 'color', surface: 'color' },
    ];
    const keyOf = (dict: FormDictionary): string[] => {
      const { formKey, keys } = dict.keyIndex();
      return dict.forms.map((_, f) => keys[formKey[f]!]!);
    };
    const onlyLoaded = new FormDictionary(loaded);
    expect(keyOf(onlyLoaded)).toEqual(['color', 'graph', 'color']);
    expect(onlyLoaded.keyIndex().keys).toEqual(['color', 'graph']); // distinct
    const grown = new FormDictionary(loaded);
    grown.id('net', 'nets');
    grown.id('graph', 'graph');
    grown.id('color', 'colors');
    expect(keyOf(grown)).toEqual(['color', 'graph', 'color', 'net', 'graph', 'color']);
    grown.id('ai', 'ai'); // after keyIndex() too
    expect(keyOf(grown)).toEqual(['color', 'graph', 'color', 'net', 'graph', 'color', 'ai']);
    expect(grown.keyIndex().keys).toEqual(['color', 'graph', 'net', 'ai']);
  });
});

/** A memory store that records what was written. */
function spyStore(): TokenStore & { writes: { paperKey: string; data: Uint8Array }[][] } {
  const inner = memoryTokenStore();
  const writes: { paperKey: string; data: Uint8Array }[][] = [];
  return {
    writes,
    forms: (k) => inner.forms(k),
    get: (k, keys) => inner.get(k, keys),
    put(k, first, forms, rows) {
      writes.push(rows.map((r) => ({ paperKey: r.paperKey, data: Uint8Array.prototype.slice.call(r.data) })));
      inner.put(k, first, forms, rows);
    },
    close() {},
  };
}

describe('tokenizeWithCache records', () => {
  it.each([1, 3])('a paper listed twice is written once; records decode to the corpus (titleRepeat %i)', async (titleRepeat) => {
    const twice = [...docs, docs[0]!];
    const store = spyStore();
    const cold = await tokenizeWithCache(twice, { titleRepeat }, store);
    expect(plain(cold.corpus)).toEqual(plain(tokenizeCorpus(twice, { titleRepeat })));
    expect(store.writes.length).toBe(1);
    expect(store.writes[0]!.map((r) => r.paperKey)).toEqual(docs.map(paperTextHash));
    // Record layout: [tokens, title forms, ...tokens, ...title forms].
    const first = new Int32Array(store.writes[0]![0]!.data.buffer);
    const ids = cold.corpus.tokenIds.subarray(cold.corpus.docOffsets[0], cold.corpus.docOffsets[1]);
    expect(first[0]).toBe(ids.length);
    expect(first[1]).toBe(titleRepeat > 1 ? 4 : 0);
    expect(first.length).toBe(2 + first[0]! + first[1]!);
    const warm = await tokenizeWithCache(twice, { titleRepeat }, store);
    expect(warm).toMatchObject({ cached: twice.length, tokenized: 0 });
    expect(plain(warm.corpus)).toEqual(plain(cold.corpus));
  });

  it('a record with a form id outside the dictionary, or a bad length, is tokenized again and rewritten', async () => {
    const store = spyStore();
    const key = tokenCacheKey({});
    store.put(key, 0, [{ key: 'graph', surface: 'graphs' }], [
      { paperKey: paperTextHash(docs[1]!), data: encodePaperTokens({ tokens: Int32Array.of(0, 7), titleForms: new Int32Array(0) }) },
      { paperKey: paperTextHash(docs[2]!), data: new Uint8Array(6) },
    ]);
    const run = await tokenizeWithCache(docs, {}, store);
    expect(run).toMatchObject({ cached: 0, tokenized: docs.length });
    expect(plain(run.corpus)).toEqual(plain(tokenizeCorpus(docs, {})));
    expect(store.writes[1]!.length).toBe(docs.length);
    expect((await tokenizeWithCache(docs, {}, store)).cached).toBe(docs.length);
  });
});
