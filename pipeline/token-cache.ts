// Per-paper token cache: a night that adds a few hundred papers to a large window tokenizes only
// those, and rebuilds the corpus for the whole window from cached per-paper records.
//
// Where: a SQLite file of its own, <out>/cache/tokens.sqlite, not the archive. It is a pure cache
// (deleting it costs one slow night, never data), so it stays out of the archive's schema,
// migrations and crash-safety guarantees; a cache that cannot be opened or read is rebuilt.
//
// Key: (config key, paper key). The config key hashes TOKENIZER_VERSION and the options that change
// a token stream (titleRepeat, maxChars, extraStopWords); the paper key is sha1(title \0 text), the
// archive's text_hash. Only rows of the current config key are kept: a config change or a
// tokenizer bump drops the old rows on the next write.
//
// Record (one BLOB per paper, little-endian): u32 forms, u32 tokens, i32 count per form, i32 form
// index per token (-1 = phrase boundary), then the forms as UTF-8 'key\tsurface' lines (surface
// left empty when it equals the key). A form is a (term key, surface as written) pair: exactly
// what mergeChunks needs, so the corpus built from records is the one tokenizeCorpus builds
// (tokenization of a paper is a pure function of its text: see analysis/text/tokenizer.ts).

import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tokenizeChunksParallel } from '../analysis/parallel/tokenize-kernels.ts';
import type { WorkerPool } from '../analysis/parallel/pool.ts';
import { type DocText, mergeChunks, resolveTokenizerOptions, type TokenizedChunk, type TokenizerOptions, tokenizeChunk, TOKENIZER_VERSION } from '../analysis/text/tokenizer.ts';
import type { TokenizedCorpus } from '../analysis/types.ts';

/** One paper's tokens: its distinct forms with their counts, and its token stream as form indices. */
export interface PaperTokens {
  keys: string[]; // term key per form
  surfaces: string[]; // surface form (as written, lower case) per form
  counts: Int32Array; // occurrences per form (a repeated title counted once, as tokenizeChunk counts)
  tokens: Int32Array; // form index per token, -1 at boundaries
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

/**
 * Cuts a chunk into per-paper records. `titleCounts`, when the title was repeated (titleRepeat
 * r > 1), holds each paper's title tokenized alone: a title form occurs r times in the stream
 * but counts once.
 */
export function splitChunk(chunk: TokenizedChunk, titleRepeat = 1, titles?: TokenizedChunk): PaperTokens[] {
  const docs = chunk.docOffsets.length - 1;
  const local = new Int32Array(chunk.surfaces.length).fill(-1); // chunk surface id → form index of the current paper
  const out: PaperTokens[] = [];
  for (let d = 0; d < docs; d++) {
    const keys: string[] = [];
    const surfaces: string[] = [];
    const counts: number[] = [];
    const used: number[] = [];
    const from = chunk.docOffsets[d]!;
    const to = chunk.docOffsets[d + 1]!;
    const tokens = new Int32Array(to - from);
    for (let k = from; k < to; k++) {
      const sid = chunk.tokenSurfaces[k]!;
      if (sid < 0) {
        tokens[k - from] = -1;
        continue;
      }
      let f = local[sid]!;
      if (f < 0) {
        f = local[sid] = keys.length;
        used.push(sid);
        keys.push(chunk.terms[chunk.surfaceTerm[sid]!]!);
        surfaces.push(chunk.surfaces[sid]!);
        counts.push(0);
      }
      counts[f]++;
      tokens[k - from] = f;
    }
    if (titles && titleRepeat > 1) {
      const index = new Map<string, number>();
      keys.forEach((key, f) => index.set(key + '\t' + surfaces[f], f));
      for (let k = titles.docOffsets[d]!; k < titles.docOffsets[d + 1]!; k++) {
        const sid = titles.tokenSurfaces[k]!;
        if (sid < 0) continue;
        const f = index.get(titles.terms[titles.surfaceTerm[sid]!]! + '\t' + titles.surfaces[sid]!);
        if (f !== undefined) counts[f] -= titleRepeat - 1;
      }
    }
    for (const sid of used) local[sid] = -1;
    out.push({ keys, surfaces, counts: Int32Array.from(counts), tokens });
  }
  return out;
}

/** The corpus of these papers, in this order: identical to tokenizeCorpus on their texts. */
export function assembleCorpus(papers: readonly PaperTokens[]): TokenizedCorpus {
  const terms: string[] = [];
  const termIds = new Map<string, number>();
  const surfaces: string[] = [];
  const surfaceTerm: number[] = [];
  const surfaceCounts: number[] = [];
  const surfaceIds = new Map<string, number>();
  let total = 0;
  for (const p of papers) total += p.tokens.length;
  const tokenSurfaces = new Int32Array(total);
  const docOffsets = new Int32Array(papers.length + 1);
  let at = 0;
  papers.forEach((p, d) => {
    const map = new Int32Array(p.keys.length);
    for (let f = 0; f < p.keys.length; f++) {
      const key = p.keys[f]!;
      const memo = key + '\t' + p.surfaces[f]!;
      let sid = surfaceIds.get(memo);
      if (sid === undefined) {
        let tid = termIds.get(key);
        if (tid === undefined) {
          tid = terms.length;
          terms.push(key);
          termIds.set(key, tid);
        }
        sid = surfaces.length;
        surfaces.push(p.surfaces[f]!);
        surfaceTerm.push(tid);
        surfaceCounts.push(0);
        surfaceIds.set(memo, sid);
      }
      map[f] = sid;
      surfaceCounts[sid] += p.counts[f]!;
    }
    for (let k = 0; k < p.tokens.length; k++) {
      const f = p.tokens[k]!;
      tokenSurfaces[at++] = f < 0 ? -1 : map[f]!;
    }
    docOffsets[d + 1] = at;
  });
  const tokenIds = new Int32Array(total);
  for (let k = 0; k < total; k++) tokenIds[k] = tokenSurfaces[k]! < 0 ? -1 : surfaceTerm[tokenSurfaces[k]!]!;
  return mergeChunks([
    { docOffsets, tokenIds, tokenSurfaces, terms, surfaces, surfaceTerm: Int32Array.from(surfaceTerm), surfaceCounts: Int32Array.from(surfaceCounts) },
  ]);
}

export function encodePaperTokens(p: PaperTokens): Buffer {
  const text = Buffer.from(p.keys.map((k, f) => k + '\t' + (p.surfaces[f] === k ? '' : p.surfaces[f])).join('\n'), 'utf8');
  const ints = new Int32Array(2 + p.keys.length + p.tokens.length);
  ints[0] = p.keys.length;
  ints[1] = p.tokens.length;
  ints.set(p.counts, 2);
  ints.set(p.tokens, 2 + p.keys.length);
  return Buffer.concat([Buffer.from(ints.buffer, ints.byteOffset, ints.byteLength), text]);
}

export function decodePaperTokens(blob: Uint8Array): PaperTokens {
  if (blob.byteLength < 8) throw new Error('corrupt token record (too short)');
  // Copies (Uint8Array.prototype.slice, not Buffer's view-returning slice) give aligned Int32 arrays.
  const copy = (from: number, to: number) => Uint8Array.prototype.slice.call(blob, from, to).buffer;
  const head = new Int32Array(copy(0, 8));
  const nForms = head[0]!;
  const nTokens = head[1]!;
  const intBytes = 4 * (2 + nForms + nTokens);
  if (nForms < 0 || nTokens < 0 || intBytes > blob.byteLength) throw new Error('corrupt token record (sizes)');
  const ints = new Int32Array(copy(8, intBytes));
  const keys: string[] = [];
  const surfaces: string[] = [];
  if (nForms > 0) {
    const lines = Buffer.from(blob.buffer, blob.byteOffset + intBytes, blob.byteLength - intBytes).toString('utf8').split('\n');
    if (lines.length !== nForms) throw new Error('corrupt token record (forms)');
    for (const line of lines) {
      const tab = line.indexOf('\t');
      const key = line.slice(0, tab);
      keys.push(key);
      surfaces.push(tab === line.length - 1 ? key : line.slice(tab + 1));
    }
  }
  const tokens = ints.subarray(nForms);
  for (let k = 0; k < nTokens; k++) if (tokens[k]! < -1 || tokens[k]! >= nForms) throw new Error('corrupt token record (token)');
  return { keys, surfaces, counts: ints.slice(0, nForms), tokens };
}

/** Where cached records live: a get/put by (config key, paper key). */
export interface TokenStore {
  get(configKey: string, paperKeys: readonly string[]): Map<string, Uint8Array>;
  /** Writes records and drops those of any other config key. */
  put(configKey: string, rows: readonly { paperKey: string; data: Uint8Array }[]): void;
  close(): void;
}

/** In memory (tests, and a stand-in when the file cannot be used). */
export function memoryTokenStore(): TokenStore {
  let key = '';
  let rows = new Map<string, Uint8Array>();
  return {
    get(configKey, paperKeys) {
      const out = new Map<string, Uint8Array>();
      if (configKey !== key) return out;
      for (const k of paperKeys) {
        const v = rows.get(k);
        if (v) out.set(k, v);
      }
      return out;
    },
    put(configKey, newRows) {
      if (configKey !== key) rows = new Map();
      key = configKey;
      for (const r of newRows) rows.set(r.paperKey, r.data);
    },
    close() {},
  };
}

/** <out>/cache/tokens.sqlite. A file that is not a readable cache is deleted and started afresh. */
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
  return {
    get(configKey, paperKeys) {
      const out = new Map<string, Uint8Array>();
      const BATCH = 500;
      for (let i = 0; i < paperKeys.length; i += BATCH) {
        const part = paperKeys.slice(i, i + BATCH);
        const stmt = db.prepare<string[], { paper_key: string; data: Buffer }>(
          `SELECT paper_key, data FROM tokens WHERE config_key = ? AND paper_key IN (${part.map(() => '?').join(',')})`,
        );
        for (const row of stmt.iterate(configKey, ...part)) out.set(row.paper_key, row.data);
      }
      return out;
    },
    put(configKey, rows) {
      const insert = db.prepare('INSERT OR REPLACE INTO tokens (config_key, paper_key, data) VALUES (?, ?, ?)');
      db.transaction(() => {
        db.prepare('DELETE FROM tokens WHERE config_key <> ?').run(configKey);
        for (const r of rows) insert.run(configKey, r.paperKey, r.data);
      }).immediate();
    },
    close() {
      db.close();
    },
  };
}

function openDb(path: string): Database.Database {
  const db = new Database(path, { timeout: 10_000 });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE IF NOT EXISTS tokens (config_key TEXT NOT NULL, paper_key TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (config_key, paper_key)) WITHOUT ROWID');
    db.prepare('SELECT count(*) FROM tokens LIMIT 1').get();
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

export interface CachedTokenizeOptions {
  /** Worker threads for the papers not in the cache (used when at least `parallelMin` of them). */
  pool?: WorkerPool | (() => Promise<WorkerPool>);
  /** Fewer missing papers than this are tokenized in this thread (starting workers costs more). Default 2000. */
  parallelMin?: number;
}

export interface CachedTokenizeResult {
  corpus: TokenizedCorpus;
  cached: number; // papers read from the cache
  tokenized: number; // papers tokenized now (and written to the cache)
  /** Set when the cache could not be written: the corpus is still right, the next night slower. */
  cacheError?: string;
}

/** tokenizeCorpus(docs, opts), tokenizing only the papers the store does not hold yet. */
export async function tokenizeWithCache(
  docs: readonly DocText[],
  opts: TokenizerOptions,
  store: TokenStore,
  options: CachedTokenizeOptions = {},
): Promise<CachedTokenizeResult> {
  const parallelMin = options.parallelMin ?? 2000;
  if (!Number.isInteger(parallelMin) || parallelMin < 1) throw new RangeError(`parallelMin must be a positive integer, got ${parallelMin}`);
  const configKey = tokenCacheKey(opts);
  const paperKeys = docs.map(paperTextHash);
  const found = store.get(configKey, [...new Set(paperKeys)]);
  const records: (PaperTokens | undefined)[] = new Array(docs.length);
  const missing: number[] = [];
  const decoded = new Map<string, PaperTokens>();
  for (let i = 0; i < docs.length; i++) {
    const key = paperKeys[i]!;
    let rec = decoded.get(key);
    const blob = rec ? undefined : found.get(key);
    if (!rec && blob) {
      try {
        rec = decodePaperTokens(blob);
        decoded.set(key, rec);
      } catch {
        rec = undefined; // a damaged record is tokenized again and overwritten
      }
    }
    if (rec) records[i] = rec;
    else missing.push(i);
  }

  const cached = docs.length - missing.length;
  let cacheError: string | undefined;
  if (missing.length > 0) {
    const todo = missing.map((i) => ({ title: docs[i]!.title, text: docs[i]!.text }));
    const titleRepeat = opts.titleRepeat ?? 1;
    let chunks: TokenizedChunk[];
    let titleChunks: TokenizedChunk[] | undefined;
    const titleDocs = titleRepeat > 1 ? todo.map((d) => ({ title: '', text: d.title })) : undefined;
    if (todo.length >= parallelMin && options.pool) {
      const pool = typeof options.pool === 'function' ? await options.pool() : options.pool;
      chunks = tokenizeChunksParallel(todo, opts, pool);
      if (titleDocs) titleChunks = tokenizeChunksParallel(titleDocs, { ...opts, titleRepeat: 0 }, pool);
    } else {
      chunks = [tokenizeChunk(todo, opts)];
      if (titleDocs) titleChunks = [tokenizeChunk(titleDocs, { ...opts, titleRepeat: 0 })];
    }
    const fresh: PaperTokens[] = [];
    if (titleChunks) {
      // Title chunks are sliced like the text chunks only when the slices match; split per paper to be safe.
      const titlesAll = mergeChunksToChunk(titleChunks);
      const textAll = mergeChunksToChunk(chunks);
      fresh.push(...splitChunk(textAll, titleRepeat, titlesAll));
    } else {
      for (const c of chunks) fresh.push(...splitChunk(c));
    }
    const rows: { paperKey: string; data: Uint8Array }[] = [];
    const written = new Set<string>();
    missing.forEach((i, m) => {
      const key = paperKeys[i]!;
      records[i] = fresh[m]!;
      if (!written.has(key)) {
        written.add(key);
        rows.push({ paperKey: key, data: encodePaperTokens(fresh[m]!) });
      }
    });
    cacheError = tryPut(store, configKey, rows);
  } else {
    cacheError = tryPut(store, configKey, []); // still drops rows of other configs
  }
  const result: CachedTokenizeResult = { corpus: assembleCorpus(records as PaperTokens[]), cached, tokenized: docs.length - cached };
  if (cacheError) result.cacheError = cacheError;
  return result;
}

function tryPut(store: TokenStore, configKey: string, rows: readonly { paperKey: string; data: Uint8Array }[]): string | undefined {
  try {
    store.put(configKey, rows);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Concatenates chunks into one chunk with a joint local vocabulary (document order kept). */
function mergeChunksToChunk(chunks: readonly TokenizedChunk[]): TokenizedChunk {
  if (chunks.length === 1) return chunks[0]!;
  const records: PaperTokens[] = [];
  for (const c of chunks) records.push(...splitChunk(c));
  // Rebuild as one chunk through the record path (forms keyed by term key + surface).
  const terms: string[] = [];
  const termIds = new Map<string, number>();
  const surfaces: string[] = [];
  const surfaceTerm: number[] = [];
  const surfaceCounts: number[] = [];
  const ids = new Map<string, number>();
  const tokenSurfaces: number[] = [];
  const docOffsets = [0];
  for (const p of records) {
    for (let k = 0; k < p.tokens.length; k++) {
      const f = p.tokens[k]!;
      if (f < 0) {
        tokenSurfaces.push(-1);
        continue;
      }
      const memo = p.keys[f]! + '\t' + p.surfaces[f]!;
      let sid = ids.get(memo);
      if (sid === undefined) {
        let tid = termIds.get(p.keys[f]!);
        if (tid === undefined) {
          tid = terms.length;
          terms.push(p.keys[f]!);
          termIds.set(p.keys[f]!, tid);
        }
        sid = surfaces.length;
        ids.set(memo, sid);
        surfaces.push(p.surfaces[f]!);
        surfaceTerm.push(tid);
        surfaceCounts.push(0);
      }
      tokenSurfaces.push(sid);
    }
    docOffsets.push(tokenSurfaces.length);
  }
  const ts = Int32Array.from(tokenSurfaces);
  return {
    docOffsets: Int32Array.from(docOffsets),
    tokenIds: ts.map((s) => (s < 0 ? -1 : surfaceTerm[s]!)),
    tokenSurfaces: ts,
    terms,
    surfaces,
    surfaceTerm: Int32Array.from(surfaceTerm),
    surfaceCounts: Int32Array.from(surfaceCounts), // not used by splitChunk
  };
}
