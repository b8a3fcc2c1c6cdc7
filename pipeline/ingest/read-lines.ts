// Byte-level access to an input file: gzip is detected by extension or by its magic bytes and
// decompressed on the fly; text is read line by line so a file of any size streams through.

import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
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
  // Large buffers: with the 16 KiB zlib default, gunzip of a 124 MB corpus takes 2-3x longer.
  const raw = createReadStream(input.path, { highWaterMark: 1 << 20 });
  if (!input.gzip) return raw;
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
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
}

/** Lines of the file, 1-based, BOM removed from the first. Stream errors (corrupt gzip) propagate. */
export async function* readLines(input: InputFile): AsyncGenerator<TextLine> {
  const stream = openStream(input);
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of rl) {
      line++;
      yield { line, text: line === 1 ? stripBom(text) : text };
    }
  } finally {
    rl.close();
    stream.destroy();
  }
}
