// Persists a stage's output: typed arrays as raw little-endian buffers (fast, exact, no JSON
// float round-trip), everything else as one JSON document that points at the buffers.
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

type TypedArray = Int32Array | Float32Array | Float64Array | Uint8Array | Uint32Array | Int8Array | Uint16Array | Int16Array;
const TYPED: Record<string, new (buffer: ArrayBuffer) => TypedArray> = {
  Int32Array,
  Float32Array,
  Float64Array,
  Uint8Array,
  Uint32Array,
  Int8Array,
  Uint16Array,
  Int16Array,
};

interface TypedRef {
  $typed: string;
  file: string;
}

/** An artifact ready to write: value.json's text and the .bin files it points at. */
export interface EncodedArtifact {
  json: string;
  files: { file: string; bytes: Uint8Array }[];
}

/**
 * value.json plus one .bin per typed array. A typed array reachable twice (TF-IDF's matrix and
 * counts share indptr and indices) is written once and loads as one array again, shared as it
 * was. Arrays of plain values (vocabularies, paper ids: 10⁵–10⁶ strings) go to JSON as they are,
 * not copied element by element. The files are views of the arrays' own bytes, not copies.
 */
export function encodeArtifact(value: unknown): EncodedArtifact {
  const files: EncodedArtifact['files'] = [];
  const written = new Map<ArrayBufferView, TypedRef>();
  const encode = (v: unknown): unknown => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const seen = written.get(v);
      if (seen) return seen;
      const name = v.constructor.name;
      if (!(name in TYPED)) throw new Error(`cannot persist ${name}`);
      const file = `a${files.length}.bin`;
      const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      files.push({ file, bytes });
      const ref = { $typed: name, file } satisfies TypedRef;
      written.set(v, ref);
      return ref;
    }
    if (Array.isArray(v)) return allPlain(v) ? v : v.map(encode);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = encode(x);
      return out;
    }
    return v;
  };
  const json = JSON.stringify(encode(value));
  return { json, files };
}

/** Writes `value` to `dir` (replacing what was there): see encodeArtifact. */
export function saveArtifact(dir: string, value: unknown): void {
  const { json, files } = encodeArtifact(value);
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const f of files) writeFileSync(join(tmp, f.file), f.bytes);
  writeFileSync(join(tmp, 'value.json'), json);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

export function loadArtifact<T>(dir: string): T {
  const loaded = new Map<string, TypedArray>();
  const decode = (v: unknown): unknown => {
    if (Array.isArray(v)) return allPlain(v) ? v : v.map(decode);
    if (v && typeof v === 'object') {
      const ref = v as Partial<TypedRef>;
      if (typeof ref.$typed === 'string' && typeof ref.file === 'string') {
        const key = `${ref.$typed} ${ref.file}`;
        let array = loaded.get(key);
        if (!array) {
          array = new TYPED[ref.$typed]!(readAligned(join(dir, ref.file)));
          loaded.set(key, array);
        }
        return array;
      }
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = decode(x);
      return out;
    }
    return v;
  };
  return decode(JSON.parse(readFileSync(join(dir, 'value.json'), 'utf8'))) as T;
}

/** True when no element is an object (or array): nothing inside to encode or decode. */
function allPlain(a: readonly unknown[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (typeof x === 'object' && x !== null) return false;
  }
  return true;
}

/**
 * A file's bytes in a fresh ArrayBuffer (aligned for any typed array), read straight into it:
 * readFileSync + copy held every array twice while loading (Buffer pools may also start at odd
 * offsets, which typed arrays over them cannot).
 */
function readAligned(path: string): ArrayBuffer {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = new ArrayBuffer(size);
    const view = new Uint8Array(buf);
    for (let at = 0; at < size; ) {
      const n = readSync(fd, view, at, size - at, at);
      if (n === 0) throw new Error(`${path}: file ended after ${at} of ${size} bytes`);
      at += n;
    }
    return buf;
  } finally {
    closeSync(fd);
  }
}

export function artifactExists(dir: string): boolean {
  return existsSync(join(dir, 'value.json'));
}
