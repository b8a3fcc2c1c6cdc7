// A first night's papers written into the empty archive by a helper thread while ingest is still
// reading the input (Store.loadBehind). On arXiv (75k papers) the INSERTs, their sha1 text hashes
// and the commit cost ~1 s of the main thread after the parse; here they run on the other core as
// the papers are accepted, so by the end of the parse only the commit is left.
//
// The helper is plain JavaScript (it starts in ~50 ms without a TypeScript loader) on its own
// connection. It writes exactly what Store.upsertPapers writes into an empty archive, the same way:
// one IMMEDIATE transaction, through a rollback journal with synchronous = FULL when it is the only
// connection to the file (Store.enterBulkLoad), else through the WAL. It begins only once
// `bulkMin` papers have arrived and finds the archive still empty inside its transaction;
// otherwise it writes nothing and says 'declined', and the caller upserts as usual. A failure is
// rolled back and rethrown on the main thread as the same error (better-sqlite3's SqliteError
// with its code); a crash leaves a hot journal that SQLite rolls back on the next open, as a
// crashed upsertPapers would.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { Paper } from '../paper.ts';
import { paperExtraJson } from './extra-json.ts';
import { digestWindowKeys, windowDigestKey } from './window-digest.ts';

/** What the helper reports once it has every paper: their text hashes, then how the write ended. */
export interface LoadBehindResult {
  /** paperTextHash of each paper added, in order. */
  textHashes: string[];
  /** paperExtraJson of each paper added, in order. */
  extraJsons: (string | null)[];
  /** The window's digest (windowDigest in store.ts) when finish() was given the window's order. */
  digest?: string;
  /** Committed (the number of rows inserted) or declined (nothing written); settles after the helper has closed its connection. */
  written: Promise<number | 'declined'>;
}

export interface LoadBehind {
  /** Hands one accepted paper to the helper (in ingest order); the helper works out its paperExtraJson. */
  add(paper: Paper): void;
  /**
   * No more papers: resolves once the helper has hashed them all (the commit follows in
   * `written`). `windowOrder`: the indexes (in the order added) of the papers of tonight's window,
   * in window order (insertedOrder): the helper then digests the window too.
   */
  finish(windowOrder?: readonly number[]): Promise<LoadBehindResult>;
  /** Rolls back whatever was written and waits for the helper to exit. */
  abort(): Promise<void>;
}

const BATCH = 1024;

const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
const Database = require(workerData.module);
const { path, busy, bulkMin, runId, now } = workerData;
// Batches as they came, not yet written in full (the first from row \`next\` on).
const batches = [];
let next = 0;
const hashes = [];
// paperTextHash (store.ts): sha1 of title, NUL, text. One-shot crypto.hash (Node >= 20.12) skips a
// Hash object and three calls per paper (~15% of the hashing on arXiv).
const textHash = typeof crypto.hash === 'function'
  ? (title, text) => crypto.hash('sha1', title + '\\u0000' + text, 'hex')
  : (title, text) => crypto.createHash('sha1').update(title).update('\\u0000').update(text).digest('hex');
// paperExtraJson (extra-json.ts), the same function: serialising the extras here rather than on
// the main thread moves ~0.1 s of arXiv's parse to this thread, which waits on it a quarter of the time.
const paperExtraJson = (${paperExtraJson.toString()});
const extraJsons = [];
// The window's digest (window-digest.ts, the same functions): each paper's key is made as its
// batch comes, and the keys are hashed in window order at the end, here rather than on the main
// thread, which is then loading the tokenizer (~0.35 s of its time on arXiv's 75k papers).
const windowDigestKey = (${windowDigestKey.toString()});
const digestWindowKeys = (${digestWindowKeys.toString()});
const digestKeys = [];
let db, insert, inTransaction = false, declined = false, failed = false, written = 0;

function begin() {
  db = new Database(path, { timeout: busy });
  db.pragma('busy_timeout = ' + busy);
  let bulk = false;
  try {
    bulk = db.pragma('journal_mode = DELETE', { simple: true }) === 'delete';
  } catch (err) {
    if (err.code !== 'SQLITE_BUSY' && err.code !== 'SQLITE_LOCKED') throw err;
  }
  db.pragma(bulk ? 'synchronous = FULL' : 'synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  insert = db.prepare('INSERT INTO papers (id, title, text, date, label, url, source, text_hash, first_seen_run, first_seen_at, updated_at, extra_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  db.exec('BEGIN IMMEDIATE');
  inTransaction = true;
  if (db.prepare('SELECT 1 FROM papers LIMIT 1').get() !== undefined) {
    db.exec('ROLLBACK');
    inTransaction = false;
    declined = true;
  }
}

function writeUpTo(n) {
  for (; written < n; written++) {
    const b = batches[0];
    const i = next;
    insert.run(b.ids[i], b.titles[i], b.texts[i], b.dates[i], b.labels[i], b.urls[i], b.sources[i], hashes[written], runId, now, now, extraJsons[written]);
    // The helper's copies of the texts go with their batch once it is written.
    if (++next === b.ids.length) {
      batches.shift();
      next = 0;
    }
  }
}

function close() {
  if (db === undefined) return;
  if (inTransaction) {
    inTransaction = false;
    try { db.exec('ROLLBACK'); } catch {}
  }
  db.close();
  db = undefined;
}

parentPort.on('message', (m) => {
  // After a failure (rolled back) messages already queued are ignored: nothing more is written.
  if (failed) return;
  try {
    if (m.abort) {
      failed = true;
      close();
      parentPort.close();
      return;
    }
    if (m.batch) {
      const b = m.batch;
      batches.push(b);
      for (let i = 0; i < b.ids.length; i++) {
        const hash = textHash(b.titles[i], b.texts[i]);
        const extraJson = paperExtraJson(b.extras[i] ?? undefined);
        hashes.push(hash);
        extraJsons.push(extraJson);
        digestKeys.push(windowDigestKey(b.ids[i], hash, b.dates[i], b.labels[i], b.urls[i], b.sources[i], extraJson));
      }
      if (db === undefined && !declined && hashes.length >= bulkMin) begin();
      if (inTransaction) writeUpTo(hashes.length);
      return;
    }
    if (m.end) {
      const order = m.windowOrder;
      const digest = order ? digestWindowKeys(crypto.createHash, order.length, (j) => digestKeys[order[j]]) : undefined;
      digestKeys.length = 0;
      parentPort.postMessage({ hashes, extraJsons, digest });
      if (db === undefined && !declined && hashes.length >= bulkMin) begin();
      if (inTransaction) {
        writeUpTo(hashes.length);
        db.exec('COMMIT');
        inTransaction = false;
      } else {
        declined = true;
      }
      close();
      parentPort.postMessage({ done: declined ? 'declined' : written });
      parentPort.close();
    }
  } catch (err) {
    failed = true;
    close();
    parentPort.postMessage({ error: { name: err && err.name, message: err && err.message, code: err && err.code } });
    parentPort.close();
  }
});
`;

type Columns = { ids: string[]; titles: string[]; texts: string[]; dates: string[]; labels: (string | null)[]; urls: (string | null)[]; sources: string[]; extras: (Paper['extra'] | null)[] };

function emptyColumns(): Columns {
  return { ids: [], titles: [], texts: [], dates: [], labels: [], urls: [], sources: [], extras: [] };
}

/** The error the helper hit, as the main thread would have thrown it. */
function rebuildError(e: { name?: string; message?: string; code?: string }): Error {
  if (e.name === 'SqliteError' && typeof e.code === 'string') return new Database.SqliteError(e.message ?? '', e.code);
  const err = new Error(e.message ?? 'archive writer failed');
  if (e.name) err.name = e.name;
  if (e.code !== undefined) (err as Error & { code?: string }).code = e.code;
  return err;
}

/**
 * Starts the helper. `onExit` runs on the main thread once the helper has gone, whatever the
 * outcome, before `written` (or abort) settles: Store.loadBehind reopens its connection there.
 */
export function startLoadBehind(opts: { path: string; busyTimeoutMs: number; bulkMin: number; runId: string; now: string; onExit: () => void }): LoadBehind {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(SOURCE, {
    eval: true,
    workerData: { module, path: opts.path, busy: opts.busyTimeoutMs, bulkMin: opts.bulkMin, runId: opts.runId, now: opts.now },
  });
  let batch = emptyColumns();
  let failure: Error | undefined;
  let hashes: string[] | undefined;
  let extraJsons: (string | null)[] | undefined;
  let digest: string | undefined;
  let outcome: number | 'declined' | undefined;
  worker.on('message', (m: { hashes?: string[]; extraJsons?: (string | null)[]; digest?: string; done?: number | 'declined'; error?: { name?: string; message?: string; code?: string } }) => {
    if (m.hashes) {
      hashes = m.hashes;
      extraJsons = m.extraJsons;
      digest = m.digest;
    }
    else if (m.done !== undefined) outcome = m.done;
    else if (m.error) failure ??= rebuildError(m.error);
  });
  worker.on('error', (e) => (failure ??= e));
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', (code) => {
      if (code !== 0 && outcome === undefined) failure ??= new Error(`archive writer exited with code ${code}`);
      try {
        opts.onExit();
      } catch (e) {
        failure ??= e as Error;
      }
      resolve();
    });
  });
  const flush = () => {
    if (batch.ids.length === 0) return;
    worker.postMessage({ batch });
    batch = emptyColumns();
  };
  let hashesArrived: Promise<void> | undefined;
  return {
    add(p) {
      batch.ids.push(p.id);
      batch.titles.push(p.title);
      batch.texts.push(p.text);
      batch.dates.push(p.date);
      batch.labels.push(p.label ?? null);
      batch.urls.push(p.url ?? null);
      batch.sources.push(p.source);
      batch.extras.push(p.extra ?? null);
      if (batch.ids.length >= BATCH) flush();
    },
    async finish(windowOrder) {
      flush();
      worker.postMessage({ end: true, ...(windowOrder ? { windowOrder: Int32Array.from(windowOrder) } : {}) });
      hashesArrived ??= new Promise<void>((resolve) => {
        const check = (m: { hashes?: unknown }) => {
          if (m.hashes) resolve();
        };
        worker.on('message', check);
        void exited.then(() => resolve());
      });
      await hashesArrived;
      if (hashes === undefined) {
        await exited;
        throw failure ?? new Error('archive writer ended without the text hashes');
      }
      const written = exited.then(() => {
        if (failure) throw failure;
        if (outcome === undefined) throw new Error('archive writer ended without committing');
        return outcome;
      });
      written.catch(() => undefined); // the caller awaits it; not an unhandled rejection meanwhile
      return { textHashes: hashes, extraJsons: extraJsons ?? [], ...(digest !== undefined ? { digest } : {}), written };
    },
    async abort() {
      worker.postMessage({ abort: true });
      await exited;
    },
  };
}
