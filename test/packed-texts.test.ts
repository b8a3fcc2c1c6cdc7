// Texts packed for a tokenizing worker (analysis/parallel/packed-texts.ts) come back exactly,
// whatever their code units, and the packed form crosses to a thread without copying the texts.
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { packedCount, packTexts, unpackTexts } from '../analysis/parallel/packed-texts.ts';
import { createRandom } from '../analysis/random.ts';
import type { DocText } from '../analysis/text/tokenizer.ts';

// Code units from every class the packing treats differently: ASCII, the rest of Latin-1 (NUL,
// controls, 0x80-0xFF), BMP beyond Latin-1, both surrogate halves (paired or lone).
const POOLS: ((next: () => number) => number)[] = [
  (next) => 32 + Math.floor(next() * 95),
  () => 0,
  (next) => 0x80 + Math.floor(next() * 0x80),
  (next) => 0x100 + Math.floor(next() * 0xd700),
  (next) => 0xd800 + Math.floor(next() * 0x400),
  (next) => 0xdc00 + Math.floor(next() * 0x400),
];

function randomString(next: () => number, wideChance: number): string {
  const n = Math.floor(next() * 40);
  const units: number[] = [];
  for (let i = 0; i < n; i++) {
    const pool = next() < wideChance ? POOLS[1 + Math.floor(next() * (POOLS.length - 1))]! : POOLS[0]!;
    units.push(pool(next));
  }
  return String.fromCharCode(...units);
}

describe('packTexts / unpackTexts', () => {
  it('gives back every title and text exactly, Latin-1 or not, lone surrogates included', () => {
    const next = createRandom(7); // seeded: a failure can be replayed
    const docs: DocText[] = Array.from({ length: 500 }, (_, i) => ({ title: randomString(next, i % 3 === 0 ? 0 : 0.2), text: randomString(next, i % 2 === 0 ? 0 : 0.1) }));
    docs.push({ title: '', text: '' }, { title: 'café ÿ', text: 'naïve \u00a0 text' }, { title: '😀 astral', text: 'x\ud800' });
    const packed = packTexts(docs)!;
    expect(packedCount(packed)).toBe(docs.length);
    expect(unpackTexts(packed, 0, docs.length)).toEqual(docs);
    // Latin-1 strings take a byte per code unit, others two.
    const last = docs.length - 1;
    expect(packed.wide[2 * (last - 1)]).toBe(0);
    expect(packed.wide[2 * last]).toBe(1);
    expect(packed.ends[2 * last + 1]! - packed.ends[2 * last]!).toBe(2 * docs[last]!.title.length);
  });

  it('packs a range of documents, and unpacks any sub-range', () => {
    const docs: DocText[] = Array.from({ length: 20 }, (_, i) => ({ title: `T${i} — ü`, text: `text ${i} ${'é'.repeat(i)} ${i % 4 === 0 ? 'Ω' : ''}` }));
    const packed = packTexts(docs, 5, 17)!;
    expect(packedCount(packed)).toBe(12);
    expect(unpackTexts(packed, 3, 9)).toEqual(docs.slice(8, 14));
    expect(unpackTexts(packed, 0, 0)).toEqual([]);
  });

  it('declines texts larger than the limit (the caller sends those as objects)', () => {
    const docs: DocText[] = [{ title: 'ab', text: 'cdé' }, { title: 'Ω', text: 'x' }];
    expect(packTexts(docs, 0, 2, 8)).toBeDefined(); // 2 + 3 + 2·1 + 1 bytes
    expect(packTexts(docs, 0, 2, 7)).toBeUndefined();
  });

  it('reads a missing title (plain JavaScript callers) as empty, as the tokenizer skips it', () => {
    const docs = [{ text: 'only a text' } as unknown as DocText];
    expect(unpackTexts(packTexts(docs)!, 0, 1)).toEqual([{ title: '', text: 'only a text' }]);
  });

  it('lives in shared memory, so postMessage hands the texts over without a copy', async () => {
    const packed = packTexts([{ title: 'a', text: 'b' }])!;
    expect(packed.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(packed.ends.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(packed.wide.buffer).toBeInstanceOf(SharedArrayBuffer);
    // A clone sees writes made after it was sent: the same memory.
    const { port1, port2 } = new MessageChannel();
    const received = new Promise<typeof packed>((resolve) => port2.once('message', resolve));
    port1.postMessage(packed);
    const copy = await received;
    packed.bytes[0] = 'z'.charCodeAt(0);
    expect(unpackTexts(copy, 0, 1)).toEqual([{ title: 'z', text: 'b' }]);
    port1.close();
  });
});
