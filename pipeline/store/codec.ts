// Encodings of the per-run assignment BLOBs (see migrations.ts for why a BLOB).
// Typed arrays are stored little-endian, which is the byte order of every platform Node ships
// on that we run; a big-endian host is refused rather than silently writing the wrong bytes.

import { endianness } from 'node:os';
import { deflateRawSync, inflateRawSync } from 'node:zlib';

function requireLittleEndian(): void {
  if (endianness() !== 'LE') throw new Error('the archive stores little-endian arrays; this host is big-endian');
}

/**
 * Paper ids as a deflated JSON array (ids compress ~5×: they share prefixes). Level 1: the 1M ids
 * of a large window (16 MB of JSON) deflate in 30–37 ms instead of 116–143 ms at level 6, on the
 * main thread as the night publishes, for a blob 5% larger (2.47 against 2.36 MB).
 */
export function encodeIds(ids: readonly string[]): Buffer {
  return deflateRawSync(Buffer.from(JSON.stringify(ids), 'utf8'), { level: 1 });
}

export function decodeIds(blob: Buffer): string[] {
  const ids: unknown = JSON.parse(inflateRawSync(blob).toString('utf8'));
  if (!Array.isArray(ids) || !ids.every((x) => typeof x === 'string')) throw new Error('corrupt paper id list in the archive');
  return ids as string[];
}

/** A typed array's bytes, deflated (cluster numbers repeat and shrink well; scores little). */
export function encodeArray(values: Int32Array | Float32Array): Buffer {
  requireLittleEndian();
  return deflateRawSync(Buffer.from(values.buffer, values.byteOffset, values.byteLength), { level: 1 });
}

function inflateAligned(blob: Buffer, count: number): ArrayBuffer {
  requireLittleEndian();
  const bytes = inflateRawSync(blob);
  if (bytes.byteLength !== count * 4) throw new Error(`corrupt array in the archive: ${bytes.byteLength} bytes for ${count} values`);
  // Copy into a fresh buffer: the inflated bytes may sit at an offset that is not 4-aligned.
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

export function decodeInt32(blob: Buffer, count: number): Int32Array {
  return new Int32Array(inflateAligned(blob, count));
}

export function decodeFloat32(blob: Buffer, count: number): Float32Array {
  return new Float32Array(inflateAligned(blob, count));
}
