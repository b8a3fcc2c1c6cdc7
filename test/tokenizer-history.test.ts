// Tokenization must not depend on what the thread tokenized before. wink-nlp's lexeme cache learns
// every word it reads, and its tokenizer asks that cache whether a piece is a known word: after
// "Ego-QA-4.4K" (split into 'Ego-QA-4' '.' '4K'), '4k' was "known" and "-4k," came out as
// '-' '4k' ',' instead of '-4' 'k' ','; so the corpus depended on how documents were split between
// threads. analysis/text/wink.ts keeps wink's lexicon the model's (forgetNewLexemes).
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type DocText, type TokenizedChunk, tokenizeChunk } from '../analysis/text/tokenizer.ts';
import { addedLexemes, dropWink, winkTokens } from '../analysis/text/wink.ts';

/** Each document's stream as surface forms ('|' = boundary). */
function streams(c: TokenizedChunk): string[] {
  const out: string[] = [];
  for (let d = 0; d + 1 < c.docOffsets.length; d++) {
    const parts: string[] = [];
    for (let k = c.docOffsets[d]!; k < c.docOffsets[d + 1]!; k++) parts.push(c.tokenSurfaces[k]! < 0 ? '|' : c.surfaces[c.tokenSurfaces[k]!]!);
    out.push(parts.join(' '));
  }
  return out;
}

function wink(text: string): string {
  const t = winkTokens(text);
  return t.values.map((v, i) => `${v}/${t.types[i]}`).join(' ');
}

// Pairs (what primes wink, what is tokenized after it) where wink's cache changed the answer.
const PRIMED: [string, string][] = [
  ['Ego-QA-4.4K', '-4k,'],
  ['0.006USD', '15 USD'],
  ['Qwen2.5-VL-7B.', '-7b'],
  ["vision LLM's.", "LLM's"],
  ['16M.', '16M'],
];

describe('wink tokenizes a text the same whatever it read before', () => {
  it.each(PRIMED)('after %j, %j is tokenized as by a fresh instance', (prime, text) => {
    dropWink();
    const fresh = wink(text);
    dropWink();
    wink(prime);
    expect(wink(text)).toBe(fresh);
    expect(wink(prime + ' ' + text + ' ' + text)).toBe(`${wink(prime)} ${fresh} ${fresh}`);
  });

  it('the known case: "\\textsc{FineRS}-4k" gives the same tokens before and after "Ego-QA-4.4K"', () => {
    const doc: DocText = { title: '', text: 'Experimental results on \\textsc{FineRS}-4k, a dataset' };
    dropWink();
    const fresh = streams(tokenizeChunk([doc]));
    expect(fresh).toEqual(['finers | dataset']);
    dropWink();
    const primed = streams(tokenizeChunk([{ title: '', text: 'Ego-QA-4.4K and Ego-QA-4.4K.' }, doc]));
    expect(primed[1]).toBe(fresh[0]);
    expect(wink('-4k,')).toBe('-4/number k/word ,/punctuation');
  });

  it('wink still adds the words it reads (their normal forms and types are read from its lexicon)', () => {
    dropWink();
    expect(addedLexemes()).toBe(0);
    const t = winkTokens('FineRS FineRS finers');
    expect(t.normals).toEqual(['finers', 'finers', 'finers']);
    expect(t.types).toEqual(['word', 'word', 'word']);
    expect(addedLexemes()).toBeGreaterThanOrEqual(3); // each occurrence is a new entry, never found again
  });
});

const ARXIV = '../shared/data/arxiv-cs-daily.jsonl.gz';

describe.skipIf(!existsSync(ARXIV))('on real arXiv abstracts', () => {
  it('a slice tokenized by a fresh thread = the same slice after the thread tokenized other papers (in another order)', () => {
    const lines = gunzipSync(readFileSync(ARXIV)).toString('utf8').split('\n').filter(Boolean);
    const read = (from: number, to: number): DocText[] =>
      lines.slice(from, to).map((l) => {
        const r = JSON.parse(l) as { title?: string; text?: string };
        return { title: r.title ?? '', text: r.text ?? '' };
      });
    // Paper 15,664 holds "Ego-QA-4.4K", paper 34,388 "\textsc{FineRS}-4k".
    const a = read(15_000, 16_000);
    const b = read(33_900, 34_900);
    const docs = [...a, ...b];
    dropWink();
    const fresh = streams(tokenizeChunk(b));
    dropWink();
    const after = streams(tokenizeChunk(docs)).slice(a.length);
    const reversed = streams(tokenizeChunk([...b].reverse())).reverse();
    let same = 0;
    for (let d = 0; d < b.length; d++) if (after[d] === fresh[d]) same++;
    expect(same).toBe(b.length);
    expect(reversed).toEqual(fresh);
  }, 120_000);
});
