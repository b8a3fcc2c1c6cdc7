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

/** A long array of strings, stored as their UTF-8 text joined by line feeds (see encodeArtifact). */
interface StringsRef {
  $strings: number;
  file: string;
}

/**
 * From this many elements an array of strings goes to a file of its own. The window's paper ids
 * (1M at 1M papers) and the vocabulary went into value.json as JSON: 23 MB for vectorize, parsed
 * the next night (0.26 s) and written again (0.19 s); joined and split they take ~0.1 s each.
 */
const STRINGS_FILE_MIN = 4096;

/** An artifact ready to write: value.json's text and the .bin files it points at. */
export interface EncodedArtifact {
  json: string;
  files: { file: string; bytes: Uint8Array }[];
}

/**
 * value.json plus one .bin per typed array. A typed array reachable twice (TF-IDF's matrix and
 * counts share indptr and indices) is written once and loads as one array again, shared as it
 * was. The files are views of the arrays' own bytes, not copies. A long array of strings
 * (vocabularies, paper ids: 10⁵–10⁶ strings) goes to a .bin of its own as UTF-8 lines
 * (STRINGS_FILE_MIN, joinedStrings); other arrays of plain values go to JSON as they are, not
 * copied element by element.
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
    if (Array.isArray(v)) {
      const joined = v.length >= STRINGS_FILE_MIN ? joinedStrings(v) : undefined;
      if (joined !== undefined) {
        const file = `a${files.length}.bin`;
        files.push({ file, bytes: Buffer.from(joined, 'utf8') });
        return { $strings: v.length, file } satisfies StringsRef;
      }
      return allPlain(v) ? v : v.map(encode);
    }
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

export function loadArtifact<T>(dir: string, options: LoadOptions = {}): T {
  const loaded = new Map<string, TypedArray | StoredArray>();
  const decode = (v: unknown, path: string): unknown => {
    if (Array.isArray(v)) return allPlain(v) ? v : v.map((x, i) => decode(x, `${path}.${i}`));
    if (v && typeof v === 'object') {
      const strings = v as Partial<StringsRef>;
      if (typeof strings.$strings === 'number' && typeof strings.file === 'string') {
        const list = readFileSync(join(dir, strings.file), 'utf8').split('\n');
        if (list.length !== strings.$strings) throw new Error(`${dir}: ${strings.file} holds ${list.length} strings, value.json says ${strings.$strings}`);
        return list;
      }
      const ref = v as Partial<TypedRef>;
      if (typeof ref.$typed === 'string' && typeof ref.file === 'string') {
        const key = `${ref.$typed} ${ref.file}`;
        let array = loaded.get(key);
        if (!array) {
          const Typed = TYPED[ref.$typed];
          if (!Typed) throw new Error(`${dir}: unknown array type ${ref.$typed}`);
          const file = join(dir, ref.file);
          array = options.onDisk?.(path) ? new StoredArray(file, Typed) : new Typed(readAligned(file));
          loaded.set(key, array);
        }
        return array;
      }
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (path === '' && options.only && !options.only.includes(k)) continue;
        out[k] = decode(x, path === '' ? k : `${path}.${k}`);
      }
      return out;
    }
    return v;
  };
  try {
    return decode(JSON.parse(readFileSync(join(dir, 'value.json'), 'utf8')), '') as T;
  } catch (e) {
    closeStored(...loaded.values()); // nobody else can
    throw e;
  }
}

export interface LoadOptions {
  /**
   * Arrays to leave on disk, by their path in the value ('counts.indices'): they load as a
   * StoredArray, whose ranges the caller reads where it needs them, instead of as a whole.
   */
  onDisk?: (path: string) => boolean;
  /** The value's top-level keys to load (its arrays' files are not read for the others, which are left out). */
  only?: readonly string[];
}

/**
 * A typed array of an artifact left in its file: ranges are read straight into the caller's
 * arrays, so a stage that copies most of last night's array into a bigger one tonight holds
 * only tonight's. Arrays that were one array when saved load as one StoredArray. Close it when
 * done (the file stays open between reads).
 */
export class StoredArray {
  readonly length: number;
  readonly bytesPerElement: number;
  private fd: number | undefined;

  constructor(
    readonly file: string,
    readonly type: new (buffer: ArrayBuffer) => TypedArray,
  ) {
    this.bytesPerElement = (type as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    this.fd = openSync(file, 'r');
    const size = fstatSync(this.fd).size;
    if (size % this.bytesPerElement !== 0) throw new Error(`${file}: ${size} bytes is not a whole number of ${type.name} elements`);
    this.length = size / this.bytesPerElement;
  }

  /** Copies elements [from, to) into `target` (of the same type) at `targetAt`. */
  readInto(target: TypedArray, targetAt: number, from: number, to: number): void {
    if (target.constructor !== this.type) throw new Error(`${this.file}: cannot read ${this.type.name} elements into a ${target.constructor.name}`);
    if (from < 0 || to > this.length || from > to) throw new RangeError(`${this.file}: elements ${from}–${to} outside 0–${this.length}`);
    if (this.fd === undefined) throw new Error(`${this.file}: read after close`);
    const b = this.bytesPerElement;
    readFully(this.fd, this.file, new Uint8Array(target.buffer, target.byteOffset + targetAt * b, (to - from) * b), from * b);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Closes those of `values` that are StoredArrays (the rest, arrays in memory or undefined, need nothing). */
export function closeStored(...values: unknown[]): void {
  for (const v of values) if (v instanceof StoredArray) v.close();
}

function readFully(fd: number, file: string, into: Uint8Array, position: number): void {
  for (let at = 0; at < into.length; ) {
    const n = readSync(fd, into, at, into.length - at, position + at);
    if (n === 0) throw new Error(`${file}: file ended ${into.length - at} bytes early`);
    at += n;
  }
}

/** String.prototype.isWellFormed (node 20; TypeScript's lib has it from ES2024, past this project's target). */
type WellFormedTest = string & { isWellFormed(): boolean };

/**
 * The strings of `a` joined by line feeds, when that text gives them back exactly: every element
 * a string, none with a line feed, none with a lone surrogate (UTF-8 cannot hold one; JSON
 * escapes it). Otherwise undefined, and the array stays in value.json.
 */
function joinedStrings(a: readonly unknown[]): string | undefined {
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'string') return undefined;
  const joined = a.join('\n');
  if (!(joined as WellFormedTest).isWellFormed()) return undefined;
  let breaks = 0;
  for (let at = joined.indexOf('\n'); at >= 0; at = joined.indexOf('\n', at + 1)) breaks++;
  return breaks === a.length - 1 ? joined : undefined;
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
