// The byte-level line splitter and the clean-input shortcut of cleanText, each checked against
// the slower definition it replaced: node:readline (what readLines used to be) and the regular
// expression passes (cleanTextPasses), on seeded random inputs full of the awkward cases.
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../analysis/random.ts';
import { splitLineBatches, splitLines, stripBom, type TextLine } from '../pipeline/ingest/read-lines.ts';
import { cleanText, cleanTextPasses } from '../pipeline/ingest/text.ts';

/** The project's seeded generator (mulberry32), so a failure can be replayed. */
const random = createRandom;

async function collect(lines: AsyncIterable<TextLine>): Promise<TextLine[]> {
  const out: TextLine[] = [];
  for await (const l of lines) out.push(l);
  return out;
}

/** What readLines did before: readline over the decoded stream, BOM cut from line 1. */
async function readlineOracle(chunks: Buffer[]): Promise<TextLine[]> {
  const rl = createInterface({ input: Readable.from(chunks), crlfDelay: Infinity });
  const out: TextLine[] = [];
  let line = 0;
  for await (const text of rl) {
    line++;
    out.push({ line, text: line === 1 ? stripBom(text) : text });
  }
  return out;
}

/** Cuts bytes into chunks of random sizes (1 byte upwards), so every boundary case occurs. */
function chunked(bytes: Buffer, rnd: () => number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; ) {
    const size = 1 + Math.floor(rnd() * (rnd() < 0.5 ? 4 : 40));
    chunks.push(Buffer.from(bytes.subarray(i, i + size)));
    i += size;
  }
  return chunks;
}

// Pieces that make up the random files: line breaks of every kind, a BOM, multi-byte UTF-8,
// and invalid bytes (a lone continuation byte, truncated 2-, 3- and 4-byte sequences, 0xFF).
const PIECES: Buffer[] = [
  Buffer.from('\n'),
  Buffer.from('\r\n'),
  Buffer.from('\r'),
  Buffer.from('\r\r\n'),
  Buffer.from('\uFEFF'),
  Buffer.from('{"id": "a", "text": "x y"}'),
  Buffer.from('plain words'),
  Buffer.from('é'),
  Buffer.from('€'),
  Buffer.from('😀'),
  Buffer.from('  '),
  Buffer.from([0x80]),
  Buffer.from([0xc3]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0xf0, 0x9f, 0x98]),
  Buffer.from([0xff]),
];

describe('splitLines (readLines without readline)', () => {
  it('known answer: every line terminator, a BOM, a last line without one', async () => {
    const bytes = Buffer.from('\uFEFFone\r\ntwo\rthree\n\nfour\r\r\nfive');
    const lines = await collect(splitLines(Readable.from([bytes.subarray(0, 9), bytes.subarray(9, 13), bytes.subarray(13)])));
    expect(lines).toEqual([
      { line: 1, text: 'one' },
      { line: 2, text: 'two' },
      { line: 3, text: 'three' },
      { line: 4, text: '' },
      { line: 5, text: 'four' },
      { line: 6, text: '' },
      { line: 7, text: 'five' },
    ]);
  });

  it('a \\r\\n split between two chunks is one line break; a trailing terminator adds no line', async () => {
    const lines = await collect(splitLines(Readable.from([Buffer.from('a\r'), Buffer.from('\nb\r'), Buffer.from('\n')])));
    expect(lines).toEqual([
      { line: 1, text: 'a' },
      { line: 2, text: 'b' },
    ]);
    expect(await collect(splitLines(Readable.from([Buffer.from('x\r')])))).toEqual([{ line: 1, text: 'x' }]);
    expect(await collect(splitLines(Readable.from([])))).toEqual([]);
  });

  it('a UTF-8 character split between chunks is decoded whole; bad bytes become U+FFFD as readline had them', async () => {
    const euro = Buffer.from('a€b\n');
    const lines = await collect(splitLines(Readable.from([euro.subarray(0, 2), euro.subarray(2, 3), euro.subarray(3)])));
    expect(lines).toEqual([{ line: 1, text: 'a€b' }]);
    const bad = Buffer.concat([Buffer.from('x'), Buffer.from([0xe2, 0x82]), Buffer.from('\ny'), Buffer.from([0xff])]);
    expect(await collect(splitLines(Readable.from([bad])))).toEqual(await readlineOracle([bad]));
    expect((await collect(splitLines(Readable.from([bad]))))[0]!.text).toBe('x\uFFFD');
    // A character cut off by the end of the file is dropped (readline's decoder never flushes it).
    const cut = Buffer.from([0x61, 0xf0, 0x9f, 0x0a, 0x62, 0xe2, 0x82]);
    expect(await collect(splitLines(Readable.from([cut])))).toEqual([
      { line: 1, text: 'a\uFFFD' },
      { line: 2, text: 'b' },
    ]);
    expect(await collect(splitLines(Readable.from([Buffer.from([0x0a, 0xf0, 0x9f, 0x98])])))).toEqual([{ line: 1, text: '' }]);
  });

  it('gives exactly what readline gave, on 2000 random files in random chunks', async () => {
    const rnd = random(20260126);
    for (let file = 0; file < 2000; file++) {
      const parts: Buffer[] = [];
      const count = Math.floor(rnd() * 30);
      for (let i = 0; i < count; i++) parts.push(PIECES[Math.floor(rnd() * PIECES.length)]!);
      const bytes = Buffer.concat(parts);
      const chunks = chunked(bytes, rnd);
      const got = await collect(splitLines(Readable.from(chunks)));
      const want = await readlineOracle(chunked(bytes, rnd));
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        // Name the failing input in the message.
        expect({ file, bytes: bytes.toString('hex'), got }).toEqual({ file, bytes: bytes.toString('hex'), got: want });
      }
    }
  });
});

describe('splitLineBatches plain flag (printable-ASCII JSON lines)', () => {
  it('known answers: ASCII without backslash or DEL is plain, in one chunk or across chunks', async () => {
    const bytes = Buffer.from('{"a": "x  y"}\n{"a": "\\u00e9"}\n{"a": "é"}\n\u007f\nplain\r\n\uFEFFbom\nsplit across\n');
    const got: TextLine[] = [];
    for await (const b of splitLineBatches(Readable.from([bytes.subarray(0, 40), bytes.subarray(40, 52), bytes.subarray(52)]), { plain: true })) got.push(...b);
    expect(got.map((l) => [l.text, l.plain])).toEqual([
      ['{"a": "x  y"}', true],
      ['{"a": "\\u00e9"}', false],
      ['{"a": "é"}', false],
      ['\u007f', false],
      ['plain', true],
      ['\uFEFFbom', false],
      ['split across', true],
    ]);
    // Without the option the lines are readLines' own (no flag).
    for await (const b of splitLineBatches(Readable.from([bytes]))) for (const l of b) expect('plain' in l).toBe(false);
  });

  it('cleanText of printable ASCII gives the same with and without plain', () => {
    const rnd = random(11);
    for (let i = 0; i < 20_000; i++) {
      let s = '';
      const n = Math.floor(rnd() * 90);
      for (let j = 0; j < n; j++) s += rnd() < 0.3 ? ' ' : String.fromCharCode(0x21 + Math.floor(rnd() * 94));
      expect(cleanText(s, true)).toBe(cleanText(s));
    }
  });
});

describe('cleanText (clean-input shortcut)', () => {
  it('known answers', () => {
    expect(cleanText('already clean text')).toBe('already clean text');
    expect(cleanText('  two  spaces\tand\ttabs \n')).toBe('two spaces and tabs');
    expect(cleanText('a\u0001 \u0002b')).toBe('a b');
    expect(cleanText('nbsp\u00a0here\u2028')).toBe('nbsp here');
    expect(cleanText('lone \ud800 half')).toBe('lone \uFFFD half');
    expect(cleanText('')).toBe('');
    expect(cleanText(' ')).toBe('');
    expect(cleanText(' x')).toBe('x');
    expect(cleanText('x y')).toBe('x y');
    expect(cleanText('x  y')).toBe('x y');
    expect(cleanText('é x')).toBe('é x');
  });

  it('agrees with the regular-expression passes on 20 000 random strings', () => {
    const rnd = random(7);
    const alphabet = [
      'a', 'Z', '0', '.', 'é', 'λ', '中', ' ', ' ', '  ', '\t', '\n', '\r', '\v', '\f', '\u0000', '\u0007', '\u001f', '\u007f', '\u0085', '\u009f',
      '\u00a0', '\u00a1', '\u1680', '\u2000', '\u200a', '\u200b', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff', '\ud83d\ude00', '\ud800', '\udc00', '\ufffd',
    ];
    for (let i = 0; i < 20000; i++) {
      let s = '';
      // Short strings take the ASCII loop, long ones (over 64 code units) the regular expressions.
      const n = Math.floor(rnd() * (rnd() < 0.5 ? 12 : 90));
      for (let j = 0; j < n; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      if (cleanText(s) !== cleanTextPasses(s)) expect({ s, got: cleanText(s) }).toEqual({ s, got: cleanTextPasses(s) });
    }
  });

  it('agrees with the passes on 20 000 random Latin-1 strings (cleaned as bytes)', () => {
    const rnd = random(8);
    // Every kind of Latin-1 code unit the cleaning treats apart, in texts long enough to need it.
    const alphabet = ['a', 'Z', '0', '.', 'é', 'ÿ', '¡', ' ', ' ', '  ', '\t', '\n', '\r', '\r\n', '\v', '\f', '\u0000', '\u0007', '\u001f', '\u007f', '\u0080', '\u0085', '\u009f', '\u00a0', 'word '];
    let changed = 0;
    for (let i = 0; i < 20000; i++) {
      let s = '';
      const n = 20 + Math.floor(rnd() * 100);
      for (let j = 0; j < n; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      const want = cleanTextPasses(s);
      if (want !== s) changed++;
      if (cleanText(s) !== want) expect({ s, got: cleanText(s) }).toEqual({ s, got: want });
    }
    expect(changed).toBeGreaterThan(19000);
  });
});
