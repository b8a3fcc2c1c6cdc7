// Per-paper token cache: a night that adds a few hundred papers to a large window tokenizes only
// those, and rebuilds the corpus for the whole window from cached per-paper records.
//
// Where: a SQLite file of its own, <out>/cache/tokens.sqlite, not the archive. It is a pure cache
// (deleting it costs one slow night, never data), so it stays out of the archive's schema,
// migrations and crash-safety guarantees; a file that cannot be opened as a cache is rebuilt.
//
// Key: (config key, paper key). The config key hashes TOKENIZER_VERSION and the options that change
// a token stream (titleRepeat, maxChars, extraStopWords); the paper key is sha1(title \0 text), the
// archive's text_hash. Only one config key is kept: a config change or a tokenizer bump drops the
// old rows on the next write.
//
// Layout: a persistent dictionary of forms (a form = term key + surface as written; ids 0, 1, …
// in order of first sight), stored as one JSON batch per write, and one BLOB per paper holding its
// token stream as form ids (Int32, -1 = phrase boundary). With ids instead of strings a warm night
// decodes 75k papers by copying integers. When titles are repeated (titleRepeat r > 1) a title
// token occurs r times in the stream but counts once towards a form's frequency (as tokenizeChunk
// counts), so the record also lists the title's form ids: BLOB = i32 tokens, i32 title forms,
// tokens…, title forms….
// Pruning: each paper row carries the last run that requested it; rows no run requested for
// KEEP_RUNS runs are deleted (see KEEP_RUNS). The form dictionary is not pruned (it grows with the
// vocabulary, not with the papers).
// Tokenization of a paper is a pure function of its text (analysis/text/tokenizer.ts), so the
// corpus assembled from records is the one tokenizeCorpus builds from the same papers.
//
// Speed (a cold night tokenizes everything, and the steps after the workers return run on one
// core): the chunks come back with each paper's title forms (tokenizeChunk's ChunkOptions, from
// the threads that tokenized); the papers' tokens, cached or fresh, are written once into one
// stream of form ids, which the records are cut from and which becomes the corpus's tokenIds: no
// per-paper objects, no decode of what was just encoded. (Sorting each chunk's terms in its own
// thread so that the final key sort merged presorted runs cost more CPU than it saved: 20NG +0.5 s.)
// A cold night's 75k new rows (~0.5 s of SQLite inserts) are cut out of the stream and written by
// a helper thread (TokenStore.putBehind, StreamRows) while this one assembles the corpus;
// tokenizeWithCache returns once they are in (a failed write is reported in cacheError like any
// other), or with finishLater at once, handing the wait on (`finishing`) to its caller.
// A night whose window came mostly from the cache, with a stored model to fold into
// (tokenizeToSource), skips the assembly: the records stay in the buffer they were read into,
// the new papers' tokens go into a stream of their own (the helper thread's records are cut from
// it), and the corpus is assembled later for the rows that need it (pipeline/record-corpus.ts).

import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { WorkerPool } from '../analysis/parallel/pool.ts';
import { sharedInt32 } from '../analysis/parallel/shared.ts';
import { tokenizeChunkOnWorker, tokenizeChunksParallel } from '../analysis/parallel/tokenize-kernels.ts';
import { type DocText, resolveTokenizerOptions, type TokenizedChunk, type TokenizerOptions, tokenizeChunk, TOKENIZER_VERSION } from '../analysis/text/tokenizer.ts';
import type { TokenizedCorpus } from '../analysis/types.ts';
import { type CachedRecords, noRecords, recordsInRows, recordsOfBlobs, type RowsOfPapers } from './cached-records.ts';
import { RecordCorpusBuilder, type TokenSource } from './record-corpus.ts';
import { setNewFilePageSize } from './store/page-size.ts';
import { StringIndex } from './string-index.ts';
import { type PrefetchedTokenRows, prefetchedKeys } from './token-cache-prefetch.ts';
import { assembleForms, type Form, FormDictionary } from './token-forms.ts';
import { threadExit } from './workers/thread-exit.ts';

export { type Form, FormDictionary } from './token-forms.ts';

/** One paper's tokens as form ids of a FormDictionary. */
export interface PaperTokens {
  tokens: Int32Array; // form id per token, -1 at boundaries
  titleForms: Int32Array; // form id per token of the title alone (only when titleRepeat > 1; else empty)
}

/** Identity of the tokenizer and of the options that change a token stream. */
export function tokenCacheKey(opts: TokenizerOptions = {}): string {
  resolveTokenizerOptions(opts); // the same checks and errors as the tokenizer
  const extra = [...(opts.extraStopWords ?? [])].sort();
  const identity = JSON.stringify({ v: TOKENIZER_VERSION, titleRepeat: opts.titleRepeat ?? 1, maxChars: opts.maxChars ?? 20000, extra });
  return createHash('sha1').update(identity).digest('hex').slice(0, 16);
}

/** sha1(title \0 text): the archive's text_hash. */
export function paperTextHash(doc: DocText): string {
  return createHash('sha1').update(doc.title).update('\u0000').update(doc.text).digest('hex');
}

/** A paper's text, with its text hash when the caller already has it (ingest's Paper.textHash). */
export interface HashedDocText extends DocText {
  textHash?: string;
}

/** The cache key of a paper: the hash ingest computed (the archive's text_hash), else computed here. */
function paperKeyOf(doc: HashedDocText): string {
  return doc.textHash ?? paperTextHash(doc);
}

/**
 * Occurrences of each form over the window's papers, a title written r times counted once (as
 * tokenizeChunk counts): cached records by a pass over their tokens, each id checked; freshly
 * tokenized chunks from their own per-surface counts (surfaceCounts, through their surfaces' form
 * ids `freshIds`), which counted the same tokens as they were made. On a first night that skips a
 * pass over every token on the main thread (~12M on arXiv, ~0.13 s in a profile).
 */
function formCounts(
  records: CachedRecords,
  fresh: readonly TokenizedChunk[],
  freshIds: readonly Int32Array[],
  titleRepeat: number,
  n: number,
): Int32Array {
  const counts = new Int32Array(n);
  const { pools, pool, start } = records;
  for (let i = 0; i < pool.length; i++) {
    const p = pool[i]!;
    if (p < 0) continue;
    const rec = pools[p]!;
    const at = start[i]!;
    const end = at + 2 + rec[at]!;
    for (let k = at + 2; k < end; k++) {
      const f = rec[k]!;
      if (f >= n || f < -1) throw new Error(`token cache: form id ${f} outside the dictionary (${n} forms)`);
      if (f >= 0) counts[f]++;
    }
    if (titleRepeat > 1) subtractTitles(counts, rec, end, end + rec[at + 1]!, titleRepeat, n);
  }
  fresh.forEach((chunk, c) => {
    const ids = freshIds[c]!;
    for (let s = 0; s < ids.length; s++) counts[ids[s]!] += chunk.surfaceCounts[s]!;
  });
  return counts;
}

/** A title written r times counts once towards its forms (as tokenizeChunk counts). */
function subtractTitles(counts: Int32Array, titleForms: Int32Array, from: number, to: number, titleRepeat: number, n: number): void {
  for (let k = from; k < to; k++) {
    const f = titleForms[k]!;
    if (f >= n || f < 0) throw new Error(`token cache: title form id ${f} outside the dictionary (${n} forms)`);
    counts[f] -= titleRepeat - 1;
  }
}

export function encodePaperTokens(p: PaperTokens): Buffer {
  const ints = new Int32Array(2 + p.tokens.length + p.titleForms.length);
  ints[0] = p.tokens.length;
  ints[1] = p.titleForms.length;
  ints.set(p.tokens, 2);
  ints.set(p.titleForms, 2 + p.tokens.length);
  return Buffer.from(ints.buffer, ints.byteOffset, ints.byteLength);
}

export function decodePaperTokens(blob: Uint8Array): PaperTokens {
  if (blob.byteLength < 8 || blob.byteLength % 4 !== 0) throw new Error('corrupt token record (length)');
  // A copy (Uint8Array.prototype.slice, not Buffer's view-returning slice) is aligned for Int32.
  const ints = new Int32Array(Uint8Array.prototype.slice.call(blob).buffer);
  const nTokens = ints[0]!;
  const nTitle = ints[1]!;
  if (nTokens < 0 || nTitle < 0 || 2 + nTokens + nTitle !== ints.length) throw new Error('corrupt token record (sizes)');
  return { tokens: ints.subarray(2, 2 + nTokens), titleForms: ints.subarray(2 + nTokens) };
}

/** Where cached records live. */
export interface TokenStore {
  /** The form dictionary of this config key (empty when the store holds another one). */
  forms(configKey: string): Form[];
  /**
   * How many forms forms(configKey) returns, without reading them: what the cached records are
   * checked against. A store that has it lets the dictionary load while a worker tokenizes.
   */
  formCount?(configKey: string): number;
  get(configKey: string, paperKeys: readonly string[]): Map<string, Uint8Array>;
  /**
   * The record of each of paperKeys (which may repeat), in their order: get() without the Map,
   * whose string keys cost ~5 string-hash operations per paper (~6 s of a night over 1M papers).
   */
  getEach?(configKey: string, paperKeys: readonly string[]): (Uint8Array | undefined)[];
  /**
   * getEach as positions in one buffer, when the store holds its rows in one (read ahead, see
   * adopt); undefined otherwise (then ask getEach). Either call uses up the rows read ahead.
   */
  getRows?(configKey: string, paperKeys: readonly string[]): RowsOfPapers | undefined;
  /** Appends forms (ids firstFormId, …) and writes records, in one transaction; drops any other config key. */
  put(configKey: string, firstFormId: number, newForms: readonly Form[], rows: readonly { paperKey: string; data: Uint8Array }[]): void;
  /** Ends a run that requested these papers (all read or written): the store may prune what no recent run requested. */
  endRun?(configKey: string, paperKeys: readonly string[]): void;
  /**
   * put() with the paper rows cut from the stream and written by a helper thread while the caller
   * goes on (the forms, and a change of config key, are written before it returns). `written`
   * settles when the rows are in; call endRun only after that (both write). The caller must call
   * waitForCopy() before it changes the stream.
   */
  putBehind?(configKey: string, firstFormId: number, newForms: readonly Form[], rows: StreamRows): BehindWrite;
  /**
   * Rows of this store read ahead by another thread (token-cache-prefetch.ts): the next get()
   * answers from them instead of reading the file, if the file still holds what they were read from.
   */
  adopt?(rows: PrefetchedTokenRows | undefined): void;
  close(): void;
}

/** Paper rows in one buffer: row r is bytes[ends[r - 1], ends[r]). */
export interface PackedRows {
  keys: string[];
  bytes: Uint8Array;
  ends: Int32Array;
}

/**
 * New records still in the corpus's stream of form ids: the record of docs[i] is keyed keys[i] (a
 * key listed twice is written once, from its first doc). The stream (tokens, docOffsets, and the
 * titles' form ids when titles are repeated: docs[i]'s at titleForms[titleEnds[i - 1], titleEnds[i]))
 * is in shared memory, so that a writing thread cuts the records out itself (packStreamRows):
 * on a cold arXiv night that is 75k records and 48 MB copied (~0.15 s) that the calling thread,
 * alone on its core while it assembles the corpus, no longer does.
 */
export interface StreamRows {
  keys: string[];
  docs: Int32Array;
  tokens: Int32Array;
  docOffsets: Int32Array;
  titleForms?: Int32Array;
  titleEnds?: Int32Array;
  /** Shared, one cell: GATE_OPEN until the writer starts copying, GATE_READING, then GATE_DONE (or GATE_CLOSED: see waitForCopy). */
  gate: Int32Array;
}

/** A write behind under way (TokenStore.putBehind). */
export interface BehindWrite {
  /** Settles when the rows are in. */
  written: Promise<void>;
  /** Returns once the writer holds its own copy of the records: the stream may change from then on. */
  waitForCopy(): void;
}

const GATE_OPEN = 0;
const GATE_READING = 1;
const GATE_DONE = 2;
const GATE_CLOSED = 3;
/** How long the calling thread waits for a writer to start copying before it closes the gate (the write then fails). */
const GATE_START_TIMEOUT_MS = 20_000;

/**
 * Blocks until the writer that was handed `gate` has copied the records. A writer that has not
 * started copying within GATE_START_TIMEOUT_MS (a thread that died while starting: this thread
 * cannot see its exit while it waits here) finds the gate closed if it ever does, and writes
 * nothing; a thread that could not be created closes it at once (writeRowsInThread).
 */
export function waitForGate(gate: Int32Array, startTimeoutMs = GATE_START_TIMEOUT_MS): void {
  if (Atomics.wait(gate, 0, GATE_OPEN, startTimeoutMs) === 'timed-out' && Atomics.compareExchange(gate, 0, GATE_OPEN, GATE_CLOSED) === GATE_OPEN) return;
  while (Atomics.load(gate, 0) === GATE_READING) Atomics.wait(gate, 0, GATE_READING);
}

/**
 * The records of `rows` (see encodePaperTokens), first occurrence of each key only. Self-contained
 * (no reference outside its body): the writing thread runs its source (writeRowsInThread).
 */
export function packStreamRows(rows: Omit<StreamRows, 'gate'>): PackedRows {
  const { keys, docs, tokens, docOffsets, titleForms, titleEnds } = rows;
  const written = new Set<string>();
  const picked: number[] = [];
  let size = 0;
  for (let i = 0; i < docs.length; i++) {
    if (written.has(keys[i]!)) continue;
    written.add(keys[i]!);
    picked.push(i);
    const d = docs[i]!;
    size += 2 + docOffsets[d + 1]! - docOffsets[d]! + (titleEnds ? titleEnds[i]! - (i === 0 ? 0 : titleEnds[i - 1]!) : 0);
  }
  const ints = new Int32Array(size);
  const ends = new Int32Array(picked.length);
  let at = 0;
  for (let r = 0; r < picked.length; r++) {
    const i = picked[r]!;
    const from = docOffsets[docs[i]!]!;
    const to = docOffsets[docs[i]! + 1]!;
    const titleFrom = titleEnds && i > 0 ? titleEnds[i - 1]! : 0;
    const titleTo = titleEnds ? titleEnds[i]! : 0;
    ints[at++] = to - from;
    ints[at++] = titleTo - titleFrom;
    ints.set(tokens.subarray(from, to), at);
    at += to - from;
    if (titleForms) ints.set(titleForms.subarray(titleFrom, titleTo), at);
    at += titleTo - titleFrom;
    ends[r] = 4 * at;
  }
  return { keys: picked.map((i) => keys[i]!), bytes: new Uint8Array(ints.buffer), ends };
}

/**
 * Pruning rule of the SQLite store: a record requested by any of the last KEEP_RUNS - TOUCH_RUNS
 * runs is kept; one that no run requested for KEEP_RUNS runs is deleted. (A record's run stamp is
 * refreshed only when it is TOUCH_RUNS runs old, so that a warm night rewrites a quarter of the
 * stamps, not all of them.) A run is one tokenize stage against this out folder.
 */
export const KEEP_RUNS = 10;
export const TOUCH_RUNS = 3;

/** In memory (tests, and the stand-in when the cache file cannot be used). Never prunes. */
export function memoryTokenStore(): TokenStore {
  let key = '';
  let forms: Form[] = [];
  let rows = new Map<string, Uint8Array>();
  return {
    forms: (configKey) => (configKey === key ? [...forms] : []),
    formCount: (configKey) => (configKey === key ? forms.length : 0),
    get(configKey, paperKeys) {
      const out = new Map<string, Uint8Array>();
      if (configKey !== key) return out;
      for (const k of paperKeys) {
        const v = rows.get(k);
        if (v) out.set(k, v);
      }
      return out;
    },
    put(configKey, firstFormId, newForms, newRows) {
      if (configKey !== key) {
        rows = new Map();
        forms = [];
        key = configKey;
      }
      if (firstFormId !== forms.length) throw new Error(`token cache: forms start at ${forms.length}, not ${firstFormId}`);
      for (const f of newForms) forms.push(f); // not push(...): 200k+ arguments overflow the stack
      for (const r of newRows) rows.set(r.paperKey, Uint8Array.prototype.slice.call(r.data));
    },
    close() {},
  };
}

/**
 * <out>/cache/tokens.sqlite. A file that is not a readable cache is deleted and started afresh.
 *
 * Layout (one config key at a time, in `meta`): the form dictionary as JSON batches, one row per
 * write ([[key, surface], …] for ids first_id, …), since reading 220k form rows cost more than the
 * rest of a warm night; one row per paper (text hash, record BLOB, run stamp). A run that wants
 * most of the table reads it in one scan instead of looking keys up.
 */
export function openTokenStore(outDir: string): TokenStore {
  const dir = join(outDir, 'cache');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'tokens.sqlite');
  let db: Database.Database;
  try {
    db = openDb(path);
  } catch {
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
    db = openDb(path);
  }
  const meta = (name: string): string | undefined => db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE name = ?').get(name)?.value;
  const setMeta = db.prepare('INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)');
  const currentRun = (): number => Number(meta('runs') ?? 0) + 1;
  let stale: number[] = []; // rowids read by this run whose stamp needs refreshing
  let adopted: PrefetchedTokenRows | undefined;
  /**
   * The adopted rows (once: they are dropped here) with their keys split, when they are what the
   * file holds for configKey now; else undefined. Resets the stale list: a read starts the run's.
   */
  const adoptedRows = (configKey: string): (Omit<PrefetchedTokenRows, 'keys'> & { keys: string[] }) | undefined => {
    const rows = adopted;
    adopted = undefined;
    stale = [];
    if (!rows || meta('config_key') !== configKey || rows.configKey !== configKey || rows.runs !== currentRun() - 1) return undefined;
    const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM papers').get()!.n;
    const keys = prefetchedKeys(rows);
    return rows.ends.length === count && keys.length === count ? { ...rows, keys } : undefined;
  };
  /**
   * The row of adopted rows that holds each of paperKeys (-1: none), looked up in one index of the
   * rows' keys (a repeated key finds the same row); a row read by this run for the first time
   * whose stamp is old goes on the stale list once.
   */
  const rowsOfAdopted = (rows: Omit<PrefetchedTokenRows, 'keys'> & { keys: string[] }, paperKeys: readonly string[]): RowsOfPapers => {
    const { keys, bytes, ends, used, rowids } = rows;
    const index = new StringIndex(keys); // not a Map: see string-index.ts
    const staleBefore = currentRun() - TOUCH_RUNS;
    const taken = new Uint8Array(keys.length);
    const rowOf = new Int32Array(paperKeys.length);
    for (let i = 0; i < paperKeys.length; i++) {
      const r = index.get(paperKeys[i]!);
      rowOf[i] = r;
      if (r < 0) continue;
      if (taken[r] === 0 && used[r]! <= staleBefore) stale.push(rowids[r]!);
      taken[r] = 1;
    }
    return { bytes, ends, rowOf };
  };
  /** The record of each of paperKeys from adopted rows, as a view of their buffer (getEach's answer). */
  const fromAdopted = (rows: Omit<PrefetchedTokenRows, 'keys'> & { keys: string[] }, paperKeys: readonly string[]): (Uint8Array | undefined)[] => {
    const { bytes, ends, rowOf } = rowsOfAdopted(rows, paperKeys);
    return Array.from(rowOf, (r) => (r < 0 ? undefined : bytes.subarray(r === 0 ? 0 : ends[r - 1]!, ends[r]!)));
  };
  const putForms = (configKey: string, firstFormId: number, newForms: readonly Form[]): void => {
    if (meta('config_key') !== configKey) {
      db.exec('DELETE FROM papers; DELETE FROM form_batches;');
      setMeta.run('config_key', configKey);
      stale = [];
    }
    const last = db.prepare<[], { first_id: number; count: number }>('SELECT first_id, count FROM form_batches ORDER BY first_id DESC LIMIT 1').get();
    const have = last ? last.first_id + last.count : 0;
    if (have !== firstFormId) throw new Error(`token cache: forms start at ${have}, not ${firstFormId}`);
    if (newForms.length > 0) db.prepare('INSERT INTO form_batches (first_id, count, data) VALUES (?, ?, ?)').run(firstFormId, newForms.length, JSON.stringify(newForms.map((f) => [f.key, f.surface])));
  };
  return {
    formCount(configKey) {
      if (meta('config_key') !== configKey) return 0;
      const last = db.prepare<[], { first_id: number; count: number }>('SELECT first_id, count FROM form_batches ORDER BY first_id DESC LIMIT 1').get();
      return last ? last.first_id + last.count : 0;
    },
    forms(configKey) {
      if (meta('config_key') !== configKey) return [];
      const out: Form[] = [];
      for (const row of db.prepare<[], { first_id: number; data: string }>('SELECT first_id, data FROM form_batches ORDER BY first_id').iterate()) {
        if (row.first_id !== out.length) throw new Error(`token cache: form ids not contiguous at ${out.length}`);
        for (const [key, surface] of JSON.parse(row.data) as [string, string][]) out.push({ key, surface });
      }
      return out;
    },
    getRows(configKey, paperKeys) {
      const prefetched = adoptedRows(configKey);
      return prefetched ? rowsOfAdopted(prefetched, paperKeys) : undefined;
    },
    getEach(configKey, paperKeys) {
      const prefetched = adoptedRows(configKey);
      return prefetched ? fromAdopted(prefetched, paperKeys) : eachFromMap(this.get(configKey, [...new Set(paperKeys)]), paperKeys);
    },
    get(configKey, paperKeys) {
      const out = new Map<string, Uint8Array>();
      const prefetched = adoptedRows(configKey);
      if (prefetched) {
        fromAdopted(prefetched, paperKeys).forEach((data, i) => data && out.set(paperKeys[i]!, data));
        return out;
      }
      if (meta('config_key') !== configKey || paperKeys.length === 0) return out;
      const staleBefore = currentRun() - TOUCH_RUNS;
      const take = (row: { id: number; paper_key: string; data: Buffer; used: number }): void => {
        out.set(row.paper_key, row.data);
        if (row.used <= staleBefore) stale.push(row.id);
      };
      const rows = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM papers').get()!.n;
      if (paperKeys.length * 2 >= rows) {
        const wanted = new Set(paperKeys);
        for (const row of db.prepare<[], { id: number; paper_key: string; data: Buffer; used: number }>('SELECT rowid AS id, paper_key, data, used FROM papers').iterate()) {
          if (wanted.has(row.paper_key)) take(row);
        }
      } else {
        const BATCH = 500;
        for (let i = 0; i < paperKeys.length; i += BATCH) {
          const part = paperKeys.slice(i, i + BATCH);
          const stmt = db.prepare<string[], { id: number; paper_key: string; data: Buffer; used: number }>(
            `SELECT rowid AS id, paper_key, data, used FROM papers WHERE paper_key IN (${part.map(() => '?').join(',')})`,
          );
          for (const row of stmt.iterate(...part)) take(row);
        }
      }
      return out;
    },
    put(configKey, firstFormId, newForms, rows) {
      const insert = db.prepare('INSERT OR REPLACE INTO papers (paper_key, data, used) VALUES (?, ?, ?)');
      db.transaction(() => {
        putForms(configKey, firstFormId, newForms);
        const run = currentRun();
        for (const r of rows) insert.run(r.paperKey, r.data, run);
      }).immediate();
    },
    putBehind(configKey, firstFormId, newForms, rows) {
      db.transaction(() => putForms(configKey, firstFormId, newForms)).immediate();
      return { written: writeRowsInThread(path, rows, currentRun()), waitForCopy: () => waitForGate(rows.gate) };
    },
    endRun(configKey) {
      if (meta('config_key') !== configKey) return;
      const touch = db.prepare('UPDATE papers SET used = ? WHERE rowid = ?');
      db.transaction(() => {
        const run = currentRun();
        for (const id of stale) touch.run(run, id);
        // Stamps start at run 1: before run KEEP_RUNS + 1 no row can be that old, and the DELETE
        // would only scan the table (~50 ms on a first arXiv night, on the main thread).
        if (run > KEEP_RUNS) db.prepare('DELETE FROM papers WHERE used <= ?').run(run - KEEP_RUNS);
        setMeta.run('runs', String(run));
      }).immediate();
      stale = [];
    },
    adopt(rows) {
      adopted = rows;
    },
    close() {
      adopted = undefined;
      db.close();
    },
  };
}

/**
 * The rows cut from the stream (packStreamRows) and INSERTed on a connection of a helper thread
 * (plain JavaScript, so that it starts in ~50 ms without a TypeScript loader). The stream's arrays
 * are shared, not copied; the thread copies the records out first and opens the gate (StreamRows).
 */
function writeRowsInThread(path: string, rows: StreamRows, run: number): Promise<void> {
  const source = `
    const { workerData } = require('node:worker_threads');
    const packStreamRows = (${packStreamRows.toString()});
    const { path, rows: { gate, ...stream }, run } = workerData;
    if (Atomics.compareExchange(gate, 0, ${GATE_OPEN}, ${GATE_READING}) !== ${GATE_OPEN}) {
      throw new Error('token cache: the writer started after the corpus was assembled; records not written');
    }
    let packed;
    try {
      packed = packStreamRows(stream);
    } finally {
      Atomics.store(gate, 0, ${GATE_DONE});
      Atomics.notify(gate, 0);
    }
    // Nothing waits for the INSERTs (~0.6 s of this thread on a cold arXiv night) until the run
    // is published, so they run at the lowest priority: in the cores' idle moments, instead of
    // taking a core from the stages that follow. On Linux the nice value is per thread.
    try {
      require('node:os').setPriority(19);
    } catch {}
    const { keys, bytes, ends } = packed;
    const Database = require(workerData.module);
    const db = new Database(path, { timeout: 10000 });
    try {
      db.pragma('synchronous = NORMAL');
      const insert = db.prepare('INSERT OR REPLACE INTO papers (paper_key, data, used) VALUES (?, ?, ?)');
      db.transaction(() => {
        let from = 0;
        for (let r = 0; r < keys.length; r++) {
          insert.run(keys[r], Buffer.from(bytes.buffer, bytes.byteOffset + from, ends[r] - from), run);
          from = ends[r];
        }
      }).immediate();
      // The rows sit in the WAL (~50 MB on a cold arXiv night): copied into the database here, so
      // that the next commit on the calling thread's connection (endRun) need not (one profile
      // showed endRun at ~0.05 s of the main thread; 0.001-0.024 s in three with this), and the
      // WAL cut to nothing (TRUNCATE), so that the calling thread's close, the last one, does not
      // delete a 50 MB file (that close took 65-107 ms of the main thread in the next stage, then
      // 7-35 ms). Should another connection be reading, the checkpoint gives up at once instead of
      // waiting (busy_timeout 0; the rows are committed either way) and the close does the rest.
      db.pragma('busy_timeout = 0');
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }`;
  let worker: Worker;
  try {
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    worker = new Worker(source, { eval: true, workerData: { module, path, rows, run } });
  } catch (e) {
    Atomics.store(rows.gate, 0, GATE_CLOSED); // no thread will copy: waitForCopy returns at once
    return Promise.reject(e as Error);
  }
  return threadExit(worker, 'token cache writer');
}

function openDb(path: string): Database.Database {
  const db = new Database(path, { timeout: 10_000 });
  try {
    setNewFilePageSize(db); // before WAL, which writes a new file's header
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // Layout 2 (see openTokenStore); layout 1's tables go.
    db.exec(`
      DROP TABLE IF EXISTS tokens;
      DROP TABLE IF EXISTS forms;
      CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS form_batches (first_id INTEGER PRIMARY KEY, count INTEGER NOT NULL, data TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS papers (paper_key TEXT NOT NULL, data BLOB NOT NULL, used INTEGER NOT NULL);
      CREATE UNIQUE INDEX IF NOT EXISTS papers_by_key ON papers (paper_key);
    `);
    db.prepare('SELECT count(*) FROM papers').get();
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/**
 * Below this many missing papers, one warm worker tokenizes them when this thread has not loaded
 * wink: loading it here costs ~0.5 s (a 1M night, 2,904 new papers: the main thread loaded the
 * model to tokenize its half), while a second thread saves ~37 µs a paper (~75 µs a paper on
 * one), so the two break even at ~13,000 papers.
 */
export const WARM_WORKER_MAX = 10_000;

/** Where the missing papers are tokenized: every thread of the pool, one warm worker, or this thread. */
export type TokenizePlace = 'threads' | 'worker' | 'here';

/** Where `missing` papers are tokenized, from what CachedTokenizeOptions says (pool, parallelMin, poolWarm, callerWarm). */
export function tokenizePlace(
  missing: number,
  o: { pool: boolean; parallelMin: number; poolWarm: boolean; callerWarm: boolean; warmWorkerMax?: number },
): TokenizePlace {
  if (!o.pool) return 'here';
  if (o.poolWarm && !o.callerWarm && missing < (o.warmWorkerMax ?? WARM_WORKER_MAX)) return 'worker';
  if (missing >= o.parallelMin) return 'threads';
  return o.poolWarm ? 'worker' : 'here';
}

export interface CachedTokenizeOptions {
  /** Worker threads for the papers not in the cache (used when at least `parallelMin` of them, or any number with poolWarm). */
  pool?: WorkerPool | (() => Promise<WorkerPool>);
  /** Fewer missing papers than this are tokenized in one thread: this one (starting workers costs more), or a warm worker (poolWarm). Default 2000. */
  parallelMin?: number;
  /**
   * Whether the pool's workers load wink before their first job (WorkerPoolOptions.warm): then
   * fewer than parallelMin missing papers are tokenized by a worker, which loads it while this
   * thread reads the cache, instead of by this thread, which would load it only then (~0.5 s on
   * a night of 300 new papers). Default: no.
   */
  poolWarm?: () => boolean;
  /**
   * Whether this thread has loaded wink already (lexiconLoaded). When it has not and the pool is
   * warm, fewer than WARM_WORKER_MAX missing papers go to one warm worker rather than to every
   * thread (see tokenizePlace). Default: yes (the threads share from parallelMin papers on).
   */
  callerWarm?: () => boolean;
  /**
   * Called once the workers' share is back, before the chunks are split, encoded, written and
   * assembled here. The tokenize stage retires the pool there: a worker that tokenized holds
   * wink's model and its garbage (~250 MB), which would otherwise sit through this thread's
   * busiest moment and set the run's peak memory.
   */
  afterParallel?: () => Promise<void>;
  /**
   * From this many new papers on, a store that can (TokenStore.putBehind) writes their records in
   * a helper thread while this one assembles the corpus; fewer are written here (a thread costs
   * more). Default 5000.
   */
  writeBehindMin?: number;
  /**
   * From this many papers in the window on, new records are always written by the helper thread:
   * the cache then holds as many rows, and each insert lands on a page of its own in the key
   * index (2,904 inserts took 1.1 s here on a night over 1M papers). Default 100,000.
   */
  writeBehindWindow?: number;
  /**
   * When the docs' texts are not whole (only their fallback texts: ingest's textHeadChars): the whole
   * title and text of docs `which`, in that order, for the papers that must be tokenized. Every
   * doc must then carry its textHash (the key of its record).
   */
  wholeTexts?: (which: readonly number[]) => DocText[];
  /**
   * Return once the corpus is assembled, without waiting for a helper thread's write of the new
   * records (putBehind): the result's `finishing` then settles when they are in and the run is
   * ended (endRun), and the caller must not close the store before it has. A cold arXiv run's
   * main thread waited ~0.35 s here for 75k inserts, with nothing else to do.
   */
  finishLater?: boolean;
}

export interface CachedTokenizeResult<C extends TokenSource = TokenizedCorpus> {
  corpus: C;
  cached: number; // papers read from the cache
  tokenized: number; // papers tokenized now (and written to the cache)
  /** Set when the cache could not be written: the corpus is still right, the next night slower. */
  cacheError?: string;
  /**
   * With finishLater, when the records were still being written: settles (never rejects) once
   * they are in and the run is ended, with the error that stopped that, if any (as cacheError).
   */
  finishing?: Promise<string | undefined>;
}

/** tokenizeCorpus(docs, opts), tokenizing only the papers the store does not hold yet. */
export async function tokenizeWithCache(
  docs: readonly HashedDocText[],
  opts: TokenizerOptions,
  store: TokenStore,
  options: CachedTokenizeOptions = {},
): Promise<CachedTokenizeResult> {
  return (await tokenizeFromCache(docs, opts, store, options, false)) as CachedTokenizeResult;
}

/**
 * tokenizeWithCache, except when the cache holds most of the papers (and keepRecords): then their
 * tokens stay in the records they were read from (a RecordCorpus, see pipeline/record-corpus.ts),
 * and whoever needs a corpus assembles the rows it needs. A fold-in night transforms only its new
 * papers.
 */
export function tokenizeToSource(
  docs: readonly HashedDocText[],
  opts: TokenizerOptions,
  store: TokenStore,
  options: CachedTokenizeOptions = {},
  keepRecords = true,
): Promise<CachedTokenizeResult<TokenSource>> {
  return tokenizeFromCache(docs, opts, store, options, keepRecords);
}

async function tokenizeFromCache(
  docs: readonly HashedDocText[],
  opts: TokenizerOptions,
  store: TokenStore,
  options: CachedTokenizeOptions,
  defer: boolean,
): Promise<CachedTokenizeResult<TokenSource>> {
  const parallelMin = options.parallelMin ?? 2000;
  if (!Number.isInteger(parallelMin) || parallelMin < 1) throw new RangeError(`parallelMin must be a positive integer, got ${parallelMin}`);
  const configKey = tokenCacheKey(opts);
  const titleRepeat = opts.titleRepeat ?? 1;
  // Workers start now, so that their start-up overlaps hashing and the cache lookup. If fewer than
  // parallelMin papers turn out to be missing, the pool is not used here and stays up for the
  // next stage that asks for it (vectorize does anyway).
  let poolReady: Promise<WorkerPool> | undefined;
  if (options.pool && docs.length >= parallelMin) {
    poolReady = typeof options.pool === 'function' ? options.pool() : Promise.resolve(options.pool);
    poolReady.catch(() => {}); // awaited below when used; an unused pool's failure is not ours to report
  }
  if (options.wholeTexts) {
    const unkeyed = docs.findIndex((d) => d.textHash === undefined);
    if (unkeyed >= 0) throw new Error(`tokenizeWithCache: doc ${unkeyed} has no textHash, and its text is only a head`);
  }
  const paperKeys = docs.map(paperKeyOf); // sha1 of 75k texts is ~0.2 s that ingest already spent
  // The form dictionary: loaded here, or, when the store can say how many forms it holds (all
  // that checking the cached records needs), while a warm worker tokenizes tonight's few new
  // papers (loadForms), its index built too: on a 300-paper night over the 74k arXiv archive
  // this thread spent ~0.2 s on them and then waited ~0.3 s for the worker.
  let dict: FormDictionary | undefined;
  let known: number;
  // Each paper's record as stored (see encodePaperTokens), or none: tokenized below. A damaged
  // record counts as none (it is tokenized again and overwritten).
  let records: CachedRecords;
  try {
    const count = store.formCount?.(configKey);
    if (count === undefined) dict = new FormDictionary(store.forms(configKey));
    known = count ?? dict!.size;
    const rows = store.getRows?.(configKey, paperKeys);
    records = rows
      ? recordsInRows(rows, known)
      : recordsOfBlobs(store.getEach ? store.getEach(configKey, paperKeys) : eachFromMap(store.get(configKey, [...new Set(paperKeys)]), paperKeys), known);
  } catch {
    dict = new FormDictionary(); // an unreadable cache: tokenize everything (put below starts it over)
    known = 0;
    records = noRecords(docs.length);
  }
  /**
   * Loads the dictionary if it is not yet, with its index when `indexed` (else built at the first
   * new surface's lookup, toFormIds); false when it cannot be read or does not hold `known` forms.
   */
  const loadForms = (indexed = false): boolean => {
    if (dict !== undefined) return true;
    try {
      const loaded = new FormDictionary(store.forms(configKey));
      if (loaded.size !== known) return false;
      if (indexed) loaded.keyIndex();
      dict = loaded;
      return true;
    } catch {
      return false;
    }
  };
  // The dictionary turned out unreadable after the records were checked against its count: as
  // when it is unreadable from the start (the catch above), nothing of the cache is used.
  const withoutCache = () => tokenizeFromCache(docs, opts, unreadableForms(store), options, defer);
  const missing: number[] = [];
  for (let i = 0; i < docs.length; i++) if (records.pool[i]! < 0) missing.push(i);

  const cached = docs.length - missing.length;
  let fresh: TokenizedChunk[] = [];
  let freshIds: Int32Array[] = [];
  if (missing.length > 0) {
    const todo = options.wholeTexts ? options.wholeTexts(missing) : missing.map((i) => docs[i]!);
    if (todo.length !== missing.length) throw new Error(`tokenizeWithCache: wholeTexts gave ${todo.length} texts for ${missing.length} papers`);
    // The cache reads the chunks' surface ids alone (toFormIds, formStream): no local term ids.
    const chunkOpts = { titleForms: true, surfacesOnly: true };
    const place = tokenizePlace(todo.length, { pool: poolReady !== undefined, parallelMin, poolWarm: options.poolWarm?.() ?? false, callerWarm: options.callerWarm?.() ?? true });
    if (place === 'worker') {
      let loaded = true;
      fresh = [tokenizeChunkOnWorker(todo, opts, await poolReady!, chunkOpts, () => (loaded = loadForms(true)))];
      if (!loaded || !loadForms(true)) return withoutCache();
    } else {
      if (!loadForms()) return withoutCache();
      if (place === 'threads') {
        fresh = tokenizeChunksParallel(todo, opts, await poolReady!, chunkOpts);
        await options.afterParallel?.();
      } else {
        fresh = [tokenizeChunk(todo, opts, chunkOpts)];
      }
    }
    freshIds = toFormIds(fresh, dict!);
  } else if (!loadForms()) return withoutCache();
  const dictionary = dict!; // loaded by now (loadForms), or the empty one of an unreadable cache
  // The new records' write: by a helper thread that cuts them out of the stream they are in
  // (putBehind), or here.
  let cacheError: string | undefined;
  let writing: Promise<void> | undefined;
  let beforeRewrite: (() => void) | undefined;
  const write = (rows: StreamRows): void => {
    const newForms = dictionary.forms.slice(known);
    const behind = missing.length >= (options.writeBehindMin ?? 5000) || docs.length >= (options.writeBehindWindow ?? 100_000);
    if (store.putBehind && behind) {
      try {
        const started = store.putBehind(configKey, known, newForms, rows);
        writing = started.written;
        writing.catch(() => {}); // awaited below, once the corpus is assembled
        beforeRewrite = started.waitForCopy;
      } catch (e) {
        cacheError = (e as Error).message;
      }
    } else {
      cacheError = tryPut(store, configKey, known, newForms, rowList(packStreamRows(rows)));
    }
  };

  let corpus: TokenSource;
  if (defer && cached > missing.length) {
    // Most of the window came from the cache: the records stay where they are, and the new
    // papers' tokens go into a stream of their own (not rewritten later: nothing waits for the
    // writer's copy of it).
    freshIds = [];
    const stream = formStream(noRecords(missing.length), fresh, titleRepeat > 1);
    fresh = [];
    const builder = new RecordCorpusBuilder(docs.length, titleRepeat);
    for (let i = 0, j = 0; i < docs.length; i++) {
      const p = records.pool[i]!;
      if (p >= 0) builder.setRecordAt(i, records.pools[p]!, records.start[i]!);
      else builder.set(i, stream.tokens.subarray(stream.docOffsets[j]!, stream.docOffsets[j + 1]!), stream.titleForms[j++]);
    }
    records = noRecords(0);
    if (missing.length > 0) {
      write(streamRows(Array.from(missing.keys()), missing.map((i) => paperKeys[i]!), stream.tokens, stream.docOffsets, titleRepeat > 1 ? stream.titleForms : undefined));
    }
    corpus = builder.build(dictionary);
  } else {
    const counts = formCounts(records, fresh, freshIds, titleRepeat, dictionary.size);
    freshIds = [];
    // Every paper's tokens as form ids in one stream (the corpus's tokenIds once assembled). The
    // chunks go as soon as their tokens are in it: they are ~twice its size.
    const { tokens, docOffsets, titleForms } = formStream(records, fresh, titleRepeat > 1);
    fresh = [];
    records = noRecords(0);
    // One record per distinct text (a paper listed twice is written once).
    if (missing.length > 0) write(streamRows(missing, paperKeys, tokens, docOffsets, titleRepeat > 1 ? titleForms : undefined));
    corpus = assembleForms(tokens, docOffsets, counts, dictionary, beforeRewrite);
  }
  const result: CachedTokenizeResult<TokenSource> = { corpus, cached, tokenized: missing.length };
  if (writing && options.finishLater && !cacheError) {
    result.finishing = finishWrite(store, configKey, paperKeys, writing);
    return result;
  }
  cacheError = cacheError ?? (await finishWrite(store, configKey, paperKeys, writing));
  if (cacheError) result.cacheError = cacheError;
  return result;
}

/** `store` with a form dictionary that cannot be read: tokenizeFromCache then uses nothing of the cache. */
function unreadableForms(store: TokenStore): TokenStore {
  return Object.assign(Object.create(store) as TokenStore, {
    formCount: undefined,
    forms: (): Form[] => {
      throw new Error('token cache: the form dictionary cannot be read');
    },
  });
}

/** Waits for the records' write (if any), then ends the run; the first error's message, if any. */
async function finishWrite(store: TokenStore, configKey: string, paperKeys: readonly string[], writing: Promise<void> | undefined): Promise<string | undefined> {
  try {
    await writing;
    store.endRun?.(configKey, paperKeys);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** get()'s answer in the order of paperKeys (what getEach returns). */
function eachFromMap(found: ReadonlyMap<string, Uint8Array>, paperKeys: readonly string[]): (Uint8Array | undefined)[] {
  return paperKeys.map((k) => found.get(k));
}

/** The new records of docs `which` (see StreamRows), the titles' form ids packed in shared memory when given. */
function streamRows(which: readonly number[], paperKeys: readonly string[], tokens: Int32Array, docOffsets: Int32Array, titleForms: readonly Int32Array[] | undefined): StreamRows {
  const rows: StreamRows = { keys: which.map((i) => paperKeys[i]!), docs: Int32Array.from(which), tokens, docOffsets, gate: sharedInt32(1) };
  if (titleForms) {
    const titleEnds = new Int32Array(which.length);
    let at = 0;
    which.forEach((i, k) => (titleEnds[k] = at += titleForms[i]!.length));
    const packed = sharedInt32(at);
    which.forEach((i, k) => packed.set(titleForms[i]!, k === 0 ? 0 : titleEnds[k - 1]!));
    rows.titleForms = packed;
    rows.titleEnds = titleEnds;
  }
  return rows;
}

function rowList(rows: PackedRows): { paperKey: string; data: Uint8Array }[] {
  return rows.keys.map((paperKey, r) => ({ paperKey, data: rows.bytes.subarray(r === 0 ? 0 : rows.ends[r - 1]!, rows.ends[r]!) }));
}

/** The papers' tokens (cached records, or fresh ones in order) as one stream of form ids. */
function formStream(
  records: CachedRecords,
  fresh: readonly TokenizedChunk[],
  withTitles: boolean,
): { tokens: Int32Array; docOffsets: Int32Array; titleForms: Int32Array[] } {
  const { pools, pool, start } = records;
  const n = pool.length;
  // The corpus's docOffsets and tokenIds in shared memory: the vectorizer's threads read them
  // where they are (analysis/parallel/tfidf-kernels.ts; a copy for the worker cost more than the
  // split saved). They are written to the artifact like any typed array.
  const docOffsets = sharedInt32(n + 1);
  const titleForms: Int32Array[] = withTitles ? new Array(n) : [];
  // Where each fresh paper is: chunk c, document d of it.
  let c = 0;
  let d = 0;
  const nextFresh = (): void => {
    while (d + 1 >= fresh[c]!.docOffsets.length) {
      c++;
      d = 0;
    }
  };
  for (let i = 0; i < n; i++) {
    const p = pool[i]!;
    if (p >= 0) {
      docOffsets[i + 1] = docOffsets[i]! + pools[p]![start[i]!]!;
    } else {
      nextFresh();
      docOffsets[i + 1] = docOffsets[i]! + fresh[c]!.docOffsets[d + 1]! - fresh[c]!.docOffsets[d]!;
      d++;
    }
  }
  const tokens = sharedInt32(docOffsets[n]!);
  c = 0;
  d = 0;
  for (let i = 0; i < n; ) {
    const p = pool[i]!;
    if (p >= 0) {
      const rec = pools[p]!;
      const at = start[i]!;
      const titleAt = at + 2 + rec[at]!;
      tokens.set(rec.subarray(at + 2, titleAt), docOffsets[i]!);
      if (withTitles) titleForms[i] = rec.subarray(titleAt, titleAt + rec[at + 1]!);
      i++;
      continue;
    }
    // A run of fresh papers from one chunk is one run of its tokens: copied at once (a cold
    // night is a run per thread; a copy per paper took ~0.1 s of arXiv's assembly).
    nextFresh();
    const chunk = fresh[c]!;
    const first = d;
    const firstPaper = i;
    do {
      if (withTitles) titleForms[i] = chunk.titleSurfaces!.subarray(chunk.titleOffsets![d]!, chunk.titleOffsets![d + 1]!);
      i++;
      d++;
    } while (i < n && pool[i]! < 0 && d + 1 < chunk.docOffsets.length);
    tokens.set(chunk.tokenSurfaces.subarray(chunk.docOffsets[first]!, chunk.docOffsets[d]!), docOffsets[firstPaper]!);
  }
  return { tokens, docOffsets, titleForms };
}

/**
 * Enters freshly tokenized chunks' surfaces in the form dictionary and rewrites their surface ids
 * (tokenSurfaces, titleSurfaces) as form ids, in place; returns each chunk's surface → form id.
 */
function toFormIds(chunks: readonly TokenizedChunk[], dict: FormDictionary): Int32Array[] {
  // A thread's chunk can come as several runs of documents that share its vocabulary (the same
  // surfaces array: with three or more threads, the calling thread's blocks taken from several
  // workers' regions, inDocumentOrder): its surfaces are entered once.
  const idsOf = new Map<readonly string[], Int32Array>();
  return chunks.map((c) => {
    let ids = idsOf.get(c.surfaces);
    if (ids === undefined) {
      ids = new Int32Array(c.surfaces.length);
      for (let s = 0; s < ids.length; s++) ids[s] = dict.id(c.terms[c.surfaceTerm[s]!]!, c.surfaces[s]!);
      idsOf.set(c.surfaces, ids);
    }
    const t = c.tokenSurfaces;
    for (let k = 0; k < t.length; k++) if (t[k]! >= 0) t[k] = ids[t[k]!]!;
    const titles = c.titleSurfaces;
    if (titles) for (let k = 0; k < titles.length; k++) titles[k] = ids[titles[k]!]!;
    return ids;
  });
}

function tryPut(store: TokenStore, configKey: string, firstFormId: number, forms: readonly Form[], rows: readonly { paperKey: string; data: Uint8Array }[]): string | undefined {
  try {
    store.put(configKey, firstFormId, forms, rows);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
