// wink's model is loaded only by a thread that meets a unit it has not tokenized: not by importing
// the kernel table (every worker thread does), and not by a night whose papers all come from the
// token cache. (Its own file: vitest runs each file in a fresh module registry.)
import { describe, expect, it } from 'vitest';
import '../analysis/parallel/kernels.ts';
import { tokenizeChunk } from '../analysis/text/tokenizer.ts';
import { winkLoaded } from '../analysis/text/wink.ts';
import { encodePaperTokens, memoryTokenStore, paperTextHash, tokenCacheKey, tokenizeWithCache } from '../pipeline/token-cache.ts';

describe('lazy wink', () => {
  it('is not loaded by imports, empty texts or a warm cache, and is by a new word', async () => {
    expect(winkLoaded()).toBe(false);
    expect(tokenizeChunk([{ title: '', text: '' }, { title: '  ', text: ' \n\t ' }]).tokenIds.length).toBe(0);
    expect(winkLoaded()).toBe(false);

    const doc = { title: 'Graphs', text: 'graphs' };
    const store = memoryTokenStore();
    const key = tokenCacheKey({});
    const record = { tokens: Int32Array.of(0, -1, 0), titleForms: new Int32Array(0) };
    store.put(key, 0, [{ key: 'graph', surface: 'graphs' }], [{ paperKey: paperTextHash(doc), data: encodePaperTokens(record) }]);
    const warm = await tokenizeWithCache([doc], {}, store);
    expect(warm).toMatchObject({ cached: 1, tokenized: 0 });
    expect(warm.corpus.terms).toEqual(['graph']);
    expect(winkLoaded()).toBe(false);

    const cold = await tokenizeWithCache([doc], {}, memoryTokenStore());
    expect(cold.tokenized).toBe(1);
    expect([...cold.corpus.tokenIds]).toEqual([...warm.corpus.tokenIds]);
    expect(winkLoaded()).toBe(true);
  });
});
