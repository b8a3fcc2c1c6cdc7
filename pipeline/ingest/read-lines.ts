// Byte-level access to an input file: gzip is detected by extension or by its magic bytes and
// decompressed on the fly; text is read line by line so a file of any size streams through.

import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { isAscii } from 'node:buffer';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { constants as zlibConstants, createGunzip, gunzipSync } from 'node:zlib';
import { inputError } from './errors.ts';

const GZIP_MAGIC = [0x1f, 0x8b];

export interface InputFile {
  path: string;
  name: string; // basename, what Paper.source holds
  gzip: boolean;
  mtime: Date;
  size: number;
}

/** Checks that the path is a readable regular file and whether it is gzip-compressed. */
export async function inspectInput(path: string): Promise<InputFile> {
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    throw inputError(path, `cannot read input file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (!info.isFile()) throw inputError(path, 'input is not a regular file');
  const head = Buffer.alloc(2);
  let got = 0;
  try {
    const fh = await open(path, 'r');
    try {
      got = (await fh.read(head, 0, 2, 0)).bytesRead;
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw inputError(path, `cannot read input file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const magic = got === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  return { path, name: basename(path), gzip: magic || /\.gz$/i.test(path), mtime: info.mtime, size: info.size };
}

/** The file's content as a byte stream, decompressed when gzip. */
export function openStream(input: InputFile): Readable {
  // Large buffers: with the 16 KiB zlib default, gunzip of a 124 MB corpus takes 2-3x longer;
  // 1 MiB output chunks save another ~10% of its CPU over 256 KiB.
  const raw = createReadStream(input.path, { highWaterMark: 1 << 20 });
  if (!input.gzip) return raw;
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  // Forward read errors so one 'error' reaches the consumer whichever side fails.
  raw.on('error', (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
}

/** The first `bytes` bytes of decompressed content (fewer for a short file), for format sniffing. */
export async function peekText(input: InputFile, bytes = 64 * 1024): Promise<string> {
  const fh = await open(input.path, 'r');
  let buf: Buffer;
  try {
    const head = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(head, 0, bytes, 0);
    buf = head.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  if (input.gzip) {
    try {
      // SYNC_FLUSH: decompress what this prefix holds without demanding the end of the stream.
      buf = gunzipSync(buf, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch (e) {
      throw inputError(input.path, `not a valid gzip file (${(e as Error).message})`);
    }
  }
  return stripBom(buf.toString('utf8'));
}

export function stripBom(s: string): string {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

export interface TextLine {
  line: number; // 1-based
  text: string; // without the line terminator (\n, \r\n or \r)
  /** With splitLineBatches' `plain` option: the line's bytes are ASCII, with no backslash and no DEL. */
  plain?: boolean;
}

/** Lines of the file, 1-based, BOM removed from the first. Stream errors (corrupt gzip) propagate. */
export async function* readLines(input: InputFile): AsyncGenerator<TextLine> {
  for await (const batch of readLineBatches(input)) for (const line of batch) yield line;
}

/**
 * readLines a chunk at a time: the lines each decompressed chunk completes, as one array. A reader
 * that handles a batch without awaiting pays the async-iteration steps (a promise and a microtask
 * per layer) once per 1 MiB chunk instead of once per line.
 */
export async function* readLineBatches(input: InputFile, options: { plain?: boolean } = {}): AsyncGenerator<TextLine[]> {
  const stream = openStream(input);
  try {
    yield* splitLineBatches(stream, options);
  } finally {
    stream.destroy();
  }
}

const LF = 10;
const CR = 13;
const BACKSLASH = 0x5c;
const DEL = 0x7f;

/** splitLineBatches' lines one at a time. */
export async function* splitLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<TextLine> {
  for await (const batch of splitLineBatches(chunks)) for (const line of batch) yield line;
}

/**
 * Lines of a byte stream, with node:readline's rules (crlfDelay Infinity): a line ends at \n,
 * \r\n or a lone \r; a last line without a terminator counts, an empty tail does not. Split on
 * the bytes, each line decoded on its own: readline decodes every chunk to one string and cuts
 * it with a regular expression, which cost ~0.6 s of CPU on a 124 MB corpus. \n and \r never
 * occur inside a UTF-8 sequence, so decoding line by line gives the same text, bad bytes included
 * (checked against readline in test/ingest-lines.test.ts). The BOM is removed from line 1.
 * Decoding a whole chunk once and slicing it was measured slower (+0.3 s of CPU on arXiv): one
 * non-ASCII character makes the chunk's string two-byte, and every line and field with it.
 * Yields the lines chunk by chunk, one array per chunk that completes a line (see
 * readLineBatches). `plain`: each line says whether its bytes are ASCII without a backslash or
 * DEL (a JSON line whose strings then hold printable ASCII only: no escapes, and JSON allows no
 * raw control character in a string). Three byte scans at memchr and SIMD speed (~35 ms on
 * arXiv's 124 MB) spare cleanText its control-character search on three lines in four (~0.1 s).
 */
export async function* splitLineBatches(chunks: AsyncIterable<Buffer>, options: { plain?: boolean } = {}): AsyncGenerator<TextLine[]> {
  const withPlain = options.plain === true;
  let line = 0;
  let carry: Buffer[] = []; // the start of a line that continues in the next chunk
  let afterCr = false; // the previous chunk ended with \r: a \n opening this one belongs to it
  const textLine = (chunk: Buffer, start: number, end: number): TextLine => {
    let bytes: Buffer | undefined;
    if (carry.length > 0) {
      carry.push(chunk.subarray(start, end));
      bytes = Buffer.concat(carry);
      carry = [];
    } else if (withPlain) bytes = chunk.subarray(start, end);
    const s = bytes ? bytes.toString('utf8') : chunk.toString('utf8', start, end);
    const text = ++line === 1 ? stripBom(s) : s;
    if (!withPlain) return { line, text };
    const b = bytes!;
    return { line, text, plain: isAscii(b) && b.indexOf(BACKSLASH) < 0 && b.indexOf(DEL) < 0 };
  };
  for await (const chunk of chunks) {
    const n = chunk.length;
    if (n === 0) continue;
    const batch: TextLine[] = [];
    let start = 0;
    if (afterCr && chunk[0] === LF) start = 1;
    afterCr = false;
    // Both searches run once per line found, not once per byte: memchr-speed scans.
    let cr = chunk.indexOf(CR, start);
    if (cr < 0) cr = n;
    let lf = chunk.indexOf(LF, start);
    if (lf < 0) lf = n;
    for (;;) {
      const end = cr < lf ? cr : lf;
      if (end >= n) break;
      batch.push(textLine(chunk, start, end));
      start = end + 1;
      if (end === cr) {
        if (start === n) afterCr = true;
        else if (chunk[start] === LF) start++;
      }
      if (cr < start) {
        cr = chunk.indexOf(CR, start);
        if (cr < 0) cr = n;
      }
      if (lf < start) {
        lf = chunk.indexOf(LF, start);
        if (lf < 0) lf = n;
      }
    }
    // A Buffer from the stream may be reused by its producer only after we let go: copy the tail.
    if (start < n) carry.push(Buffer.from(chunk.subarray(start, n)));
    if (batch.length > 0) yield batch;
  }
  if (carry.length > 0) {
    const rest = Buffer.concat(carry);
    carry = [];
    // readline never decodes a UTF-8 sequence cut off by the end of the file: it drops it.
    const end = rest.length - incompleteUtf8Tail(rest);
    if (end > 0) yield [textLine(rest, 0, end)];
  }
}

/**
 * How many bytes at the end of `bytes` start a UTF-8 character that the end cuts off (what a
 * StringDecoder holds back, waiting for more): a lead byte with fewer continuation bytes after it
 * than it announces. 0 when the bytes end on a whole character, or on bytes no character needs.
 */
function incompleteUtf8Tail(bytes: Buffer): number {
  let count = 0;
  for (let i = bytes.length - 1; i >= 0; i--) {
    count++;
    const b = bytes[i]!;
    if ((b & 0xc0) === 0x80) {
      if (count >= 4) return 0;
      continue;
    }
    const need = (b & 0xe0) === 0xc0 ? 2 : (b & 0xf0) === 0xe0 ? 3 : (b & 0xf8) === 0xf0 ? 4 : 0;
    return need > count ? count : 0;
  }
  return 0;
}
