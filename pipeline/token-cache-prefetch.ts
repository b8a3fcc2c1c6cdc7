// Reading the token cache's paper rows ahead of the tokenize stage, in a helper thread.
//
// Why: on a night over a large archive, tokenize began by reading every cached record on this
// thread (1M SQLite rows took ~10 s: iterating them 4.1 s, their keys 2.0 s, measured apart),
// while during ingest, which reads the archive window on this thread for as long, the second core
// had nothing to do. What the rows hold does not depend on ingest (only which of them the window
// wants does), so the whole table is read beside ingest, into one buffer, and the store answers
// tokenize's get() from it (TokenStore.adopt).
//
// The snapshot is taken in one read transaction and stamped with the cache's config key, run
// count and row count: the store uses it only if the file still says the same (nothing else
// writes the cache during a run: the out folder is locked), else it reads the file as before.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** Every paper row of a token cache file, as read by prefetchTokenRows. */
export interface PrefetchedTokenRows {
  configKey: string;
  /** The cache's run count ('runs' in meta) when read. */
  runs: number;
  /** Row r's paper key is keys[r]: the keys joined by '\n' (a text hash has none), one string to move. */
  keys: string;
  /** Row r's record is bytes[ends[r - 1], ends[r]). */
  bytes: Uint8Array;
  ends: Int32Array;
  /** Row r's run stamp and rowid. */
  used: Int32Array;
  rowids: Float64Array;
}

/** A prefetch of the cache's rows (a Prefetch of pipeline/stage.ts): undefined when there is no cache, or on any failure. */
export interface TokenRowsPrefetch {
  take(): Promise<PrefetchedTokenRows | undefined>;
  cancel(): void;
}

// Plain JavaScript, so that the thread starts in ~50 ms without a TypeScript loader. Sizes are
// summed first, so the records go straight into one buffer of the right size.
const READER = `
  const { workerData, parentPort } = require('node:worker_threads');
  const Database = require(workerData.module);
  const db = new Database(workerData.path, { fileMustExist: true, timeout: 10000 });
  try {
    const meta = db.prepare('SELECT value FROM meta WHERE name = ?');
    db.exec('BEGIN');
    const configKey = meta.get('config_key')?.value;
    const runs = Number(meta.get('runs')?.value ?? 0);
    const { n, size } = db.prepare('SELECT count(*) AS n, coalesce(sum(length(data)), 0) AS size FROM papers').get();
    if (configKey === undefined || n === 0 || size > 0x7fffffff) {
      parentPort.postMessage(undefined);
    } else {
      const bytes = new Uint8Array(size);
      const ends = new Int32Array(n);
      const used = new Int32Array(n);
      const rowids = new Float64Array(n);
      const keys = new Array(n);
      let r = 0;
      let at = 0;
      for (const [rowid, key, data, stamp] of db.prepare('SELECT rowid, paper_key, data, used FROM papers').raw().iterate()) {
        if (r === n || at + data.length > size) throw new Error('token cache changed while read');
        bytes.set(data, at);
        at += data.length;
        ends[r] = at;
        used[r] = stamp;
        rowids[r] = rowid;
        keys[r++] = key;
      }
      if (r !== n || at !== size) throw new Error('token cache changed while read');
      const rows = { configKey, runs, keys: keys.join('\\n'), bytes, ends, used, rowids };
      parentPort.postMessage(rows, [bytes.buffer, ends.buffer, used.buffer, rowids.buffer]);
    }
    db.exec('COMMIT');
  } finally {
    db.close();
  }`;

/** Starts reading <out>/cache/tokens.sqlite's rows in a helper thread (see the file comment). */
export function prefetchTokenRows(outDir: string): TokenRowsPrefetch {
  const path = join(outDir, 'cache', 'tokens.sqlite');
  if (!existsSync(path)) return { take: () => Promise.resolve(undefined), cancel() {} };
  let worker: Worker | undefined;
  let rows: PrefetchedTokenRows | undefined;
  const done = new Promise<void>((resolve) => {
    try {
      const module = createRequire(import.meta.url).resolve('better-sqlite3');
      worker = new Worker(READER, { eval: true, workerData: { module, path } });
    } catch {
      resolve();
      return;
    }
    let read: PrefetchedTokenRows | undefined;
    worker.once('message', (m: PrefetchedTokenRows | undefined) => (read = m));
    // The rows count only once the thread has ended cleanly (its read transaction closed).
    worker.once('error', () => (read = undefined));
    worker.once('exit', (code) => {
      worker = undefined;
      if (code === 0) rows = read;
      resolve();
    });
  });
  return {
    async take() {
      await done;
      const taken = rows;
      rows = undefined;
      return taken;
    },
    cancel() {
      void worker?.terminate();
      rows = undefined;
    },
  };
}

/** Row r's paper key (the keys of a PrefetchedTokenRows, split once). */
export function prefetchedKeys(rows: PrefetchedTokenRows): string[] {
  return rows.keys.split('\n');
}
