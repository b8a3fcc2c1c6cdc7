// Documents' texts in one SharedArrayBuffer, for a worker that tokenizes them.
//
// Why: posting a worker its region as {title, text} objects (structured clone) cost the calling
// thread ~0.16 s of serialising and the worker ~0.3 s of deserialising and collecting garbage on
// half of arXiv (37M characters), before it could start; and the worker then held every string
// for the whole stage. Packed, the texts cross as shared bytes (nothing is copied by postMessage)
// and the worker makes each block's strings when it takes the block: they die young.
//
// Exact for any string: one that fits Latin-1 (every code unit < 256, most text) is stored a byte
// per code unit, any other as UTF-16 code units (lone surrogates included), and each is decoded
// the way it was encoded.

import type { DocText } from '../text/tokenizer.ts';

/** Documents packed by packTexts; structured-clones without copying the texts. */
export interface PackedTexts {
  /** Encoded titles and texts, in document order (title then text). */
  bytes: Uint8Array;
  /** 2n + 1 byte offsets: string s (title of d: 2d, text of d: 2d + 1) is bytes [ends[s], ends[s + 1]). */
  ends: Int32Array;
  /** Per string, 1 when stored as UTF-16 (a code unit ≥ 256), 0 when Latin-1. */
  wide: Uint8Array;
}

// A code unit outside Latin-1: the string cannot be stored a byte per code unit.
const BEYOND_LATIN1 = /[^\u0000-\u00ff]/;

/** The most bytes packTexts puts in one buffer (Buffer.write and Int32 offsets stay well inside their limits). */
export const MAX_PACKED_BYTES = 2 ** 30;

/**
 * Documents [from, to) of `docs`, packed into shared memory; undefined when they would take more
 * than `maxBytes` (a region of several million abstracts: the caller sends those as they are).
 */
export function packTexts(docs: ArrayLike<DocText>, from = 0, to = docs.length, maxBytes = MAX_PACKED_BYTES): PackedTexts | undefined {
  const n = to - from;
  const wide = new Uint8Array(new SharedArrayBuffer(2 * n));
  const ends = new Int32Array(new SharedArrayBuffer(4 * (2 * n + 1)));
  let size = 0;
  for (let d = 0; d < n; d++) {
    const doc = docs[from + d]!;
    for (let f = 0; f < 2; f++) {
      const s = textOf(doc, f);
      const isWide = BEYOND_LATIN1.test(s);
      wide[2 * d + f] = isWide ? 1 : 0;
      size += isWide ? 2 * s.length : s.length;
      if (size > maxBytes) return undefined;
      ends[2 * d + f + 1] = size;
    }
  }
  const bytes = Buffer.from(new SharedArrayBuffer(size));
  for (let d = 0; d < n; d++) {
    const doc = docs[from + d]!;
    for (let f = 0; f < 2; f++) {
      const s = textOf(doc, f);
      if (s.length > 0) bytes.write(s, ends[2 * d + f]!, wide[2 * d + f] === 1 ? 'utf16le' : 'latin1');
    }
  }
  return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), ends, wide };
}

/** A document's title (f = 0) or text (f = 1); a missing one (a caller in plain JavaScript) as '', which the tokenizer skips alike. */
function textOf(doc: DocText, f: number): string {
  const s: unknown = f === 0 ? doc.title : doc.text;
  return typeof s === 'string' ? s : '';
}

/** Number of documents in `packed`. */
export function packedCount(packed: PackedTexts): number {
  return packed.wide.length / 2;
}

/** Documents [from, to) of `packed` as strings again (new strings, equal to those packed). */
export function unpackTexts(packed: PackedTexts, from: number, to: number): DocText[] {
  const { ends, wide } = packed;
  const bytes = Buffer.from(packed.bytes.buffer, packed.bytes.byteOffset, packed.bytes.byteLength);
  const out: DocText[] = new Array(to - from);
  for (let d = from; d < to; d++) {
    const t = 2 * d;
    out[d - from] = {
      title: bytes.toString(wide[t] === 1 ? 'utf16le' : 'latin1', ends[t]!, ends[t + 1]!),
      text: bytes.toString(wide[t + 1] === 1 ? 'utf16le' : 'latin1', ends[t + 1]!, ends[t + 2]!),
    };
  }
  return out;
}
