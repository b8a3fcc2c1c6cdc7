// The paper archive: one SQLite file that outlives every run. It holds all papers ever ingested,
// the runs, each run's topics (the lineage history), the last few runs' assignments, the next
// stable topic id and the editors' topic names. Synchronous (better-sqlite3): the pipeline is a
// batch job, and every multi-row write is one transaction over prepared statements.
//
// Concurrency: WAL mode lets a reader (a report tool, `labels export`) work while the nightly run
// writes; busy_timeout makes a second writer wait instead of failing at once. The nightly run's
// own lock (pipeline/lock.ts) is what keeps two runs apart; the store only guarantees that
// concurrent access never corrupts the file. One exception to WAL: a large first load into an
// empty archive goes through a rollback journal (see upsertPapers), so for that second or so
// another process opening the file waits instead of reading alongside.

import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { TopicSignature } from '../../analysis/topic-matching.ts';
import { fallbackText, type Paper } from '../paper.ts';
import { decodeFloat32, decodeIds, decodeInt32, encodeArray, encodeIds } from './codec.ts';
import { paperExtraJson } from './extra-json.ts';
import { startLoadBehind, type LoadBehind } from './load-behind.ts';
import { digestWindowKeys, windowDigestKey } from './window-digest.ts';
import { migrate } from './migrate.ts';
import { setNewFilePageSize } from './page-size.ts';

export interface StoreOptions {
  /** Runs whose assignments are kept (default 30); older ones are pruned on save. */
  keepAssignmentRuns?: number;
  /** How long a writer waits for another connection's lock, in ms (default 10 000). */
  busyTimeoutMs?: number;
  /** The clock for timestamps (default: the system clock); tests pass a fixed one. */
  now?: () => Date;
  /**
   * An upsert of at least this many papers into an empty archive is a bulk load (default
   * 10 000): see upsertPapers.
   */
  bulkLoadMinPapers?: number;
}

export type RunStatus = 'running' | 'published' | 'failed';

export interface RunRecord {
  runId: string;
  createdAt: string; // ISO time
  finishedAt?: string;
  status: RunStatus;
  configJson: string;
  countsJson?: string;
  reportDir?: string;
}

export interface TermWeight {
  term: string;
  weight: number;
}

export interface StoredTopic {
  cluster: number; // index in the run's assignment
  topicId: number; // stable id
  label: string; // automatic label
  size: number;
  terms: TermWeight[];
  metrics: Record<string, number | undefined>;
}

export interface RunAssignments {
  paperIds: string[];
  clusters: Int32Array;
  scores: Float32Array;
}

export interface EditorLabel {
  label: string;
  setAt: string; // ISO time
  setFromRun: string;
  needsReview: boolean;
  reviewReason?: string;
  terms: TermWeight[]; // the topic's terms when the editor named it (or last confirmed it)
}

export interface UpsertCounts {
  inserted: number;
  updated: number; // title or text changed (text_hash differs): downstream caches must drop these
  unchanged: number;
  metadataUpdated: number; // same text, but date / label / url / extra changed (counted here, not in unchanged)
  updatedIds: string[]; // ids of the `updated` papers, ascending
}

export type PaperWindow = { all: true } | { sinceDate: string };

/** A store call that cannot be carried out as asked (unknown run, id reuse, bad argument). */
export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreError';
  }
}

export { paperExtraJson } from './extra-json.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_LABEL_LENGTH = 200;

/** What upsertPapers refuses before writing anything (loadBehind's caller checks the same). */
export function checkPapers(papers: readonly Paper[]): void {
  for (const p of papers) {
    if (typeof p.id !== 'string' || p.id.length === 0) throw new StoreError('upsertPapers: a paper has an empty id');
    if (typeof p.title !== 'string' || typeof p.text !== 'string') throw new StoreError(`upsertPapers: paper ${p.id} lacks title or text`);
    if (typeof p.date !== 'string' || !DATE.test(p.date)) throw new StoreError(`upsertPapers: paper ${p.id} has date '${p.date}', expected YYYY-MM-DD`);
  }
}

/** sha1 of title and text, separated by a NUL so that ('ab', 'c') and ('a', 'bc') differ. */
export function paperTextHash(title: string, text: string): string {
  return createHash('sha1').update(title).update('\u0000').update(text).digest('hex');
}

function checkJson(name: string, json: string): void {
  try {
    JSON.parse(json);
  } catch {
    throw new StoreError(`${name} is not valid JSON`);
  }
}

interface PaperRow {
  id: string;
  title: string;
  text: string;
  date: string;
  label: string | null;
  url: string | null;
  source: string;
  extra_json: string | null;
  text_hash: string;
}

function rowToPaper(row: PaperRow): Paper {
  return storedPaper(row.id, row.title, row.text, row.date, row.label, row.url, row.source, row.extra_json, row.text_hash);
}

interface RunRow {
  run_id: string;
  created_at: string;
  finished_at: string | null;
  status: RunStatus;
  config_json: string;
  counts_json: string | null;
  report_dir: string | null;
}

function rowToRun(row: RunRow): RunRecord {
  const run: RunRecord = { runId: row.run_id, createdAt: row.created_at, status: row.status, configJson: row.config_json };
  if (row.finished_at !== null) run.finishedAt = row.finished_at;
  if (row.counts_json !== null) run.countsJson = row.counts_json;
  if (row.report_dir !== null) run.reportDir = row.report_dir;
  return run;
}

interface TopicRow {
  cluster: number;
  topic_id: number;
  label: string;
  size: number;
  terms_json: string;
  metrics_json: string;
}

function parseMetrics(json: string): Record<string, number | undefined> {
  const raw = JSON.parse(json) as Record<string, number | null>;
  const out: Record<string, number | undefined> = {};
  // JSON turns NaN / undefined into null; give the caller back "no value".
  for (const [k, v] of Object.entries(raw)) out[k] = v === null ? undefined : v;
  return out;
}

/**
 * A paper as the archive returns it (absent optional fields, `extra` with sorted keys), with its
 * text_hash: later stages key per-paper caches on it without hashing the text again.
 */
function storedPaper(
  id: string,
  title: string,
  text: string,
  date: string,
  label: string | null,
  url: string | null,
  source: string,
  extraJson: string | null,
  textHash: string,
): Paper {
  const paper: Paper = { id, title, text, date, source };
  if (label !== null) paper.label = label;
  if (url !== null) paper.url = url;
  if (extraJson !== null) paper.extra = JSON.parse(extraJson) as Record<string, string | number>;
  paper.textHash = textHash;
  return paper;
}

/**
 * Sorts a window's papers by JavaScript (UTF-16) id order and digests them in that order, each
 * paper's key made from its fields when the digest reaches it. (Keys made as the rows were read
 * and kept until the sort lived long enough to be copied by the young-generation collector: 1M
 * rows' keys cost a night ~1 s of the 4 s read.)
 */
function orderWindow(unordered: Paper[], extraJsons: readonly (string | null)[]): { papers: Paper[]; digest: string } {
  const order = idOrder(unordered, Array.from(unordered, (_, i) => i));
  const papers: Paper[] = new Array(order.length);
  for (let i = 0; i < order.length; i++) papers[i] = unordered[order[i]!]!;
  return { papers, digest: windowDigest(unordered, unordered.map((p) => p.textHash!), extraJsons, order) };
}

/** `indices` sorted by the JavaScript (UTF-16) order of their papers' ids, in place. */
function idOrder(papers: readonly Paper[], indices: number[]): number[] {
  const ids = papers.map((p) => p.id);
  return indices.sort((a, b) => {
    const x = ids[a]!;
    const y = ids[b]!;
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/**
 * The papers of a first night's window in archive (id) order, before their text hashes are known:
 * the sort needs only ids and dates, so ingest does it while the archive's helper thread is still
 * hashing and writing (see windowOfInserted).
 */
export function insertedOrder(papers: readonly Paper[], window: PaperWindow): number[] {
  const since = 'all' in window && window.all === true ? undefined : (window as { sinceDate: string }).sinceDate;
  const kept: number[] = [];
  for (let i = 0; i < papers.length; i++) if (since === undefined || papers[i]!.date >= since) kept.push(i);
  return idOrder(papers, kept);
}

/**
 * What readWindow would return for an archive that holds exactly `papers`, all just inserted
 * (a first night), without reading them back: the same papers, order and digest. `extraJsons`
 * (paperExtraJson of each paper) may be passed when the caller has them already; `order`
 * (insertedOrder of the papers and window) when it was worked out before.
 *
 * `adopt`: the window is made of the given objects themselves (their textHash set) wherever they
 * have the archive's shape already, instead of copies with `extra` parsed back from its JSON:
 * on arXiv's 75k papers the copies cost ~0.1 s of the main thread and as much again in garbage.
 * Only for a caller that hands its papers over and keeps no other use for them (ingest).
 *
 * `digest`: the window's digest when the caller has it already, for these papers, hashes, extra
 * JSON and order (the archive's helper thread works it out on a first night: load-behind.ts).
 */
export function windowOfInserted(
  papers: readonly Paper[],
  textHashes: readonly string[],
  window: PaperWindow,
  extraJsons?: readonly (string | null)[],
  options: { adopt?: boolean; order?: readonly number[]; digest?: string } = {},
): { papers: Paper[]; digest: string } {
  const order = options.order ?? insertedOrder(papers, window);
  const extras = extraJsons ?? papers.map((p) => paperExtraJson(p.extra));
  const out: Paper[] = new Array(order.length);
  for (let j = 0; j < order.length; j++) {
    const i = order[j]!;
    const p = papers[i]!;
    const extraJson = extras[i] ?? null;
    const textHash = textHashes[i]!;
    const adopted = options.adopt === true ? adoptAsStored(p, extraJson) : undefined;
    if (adopted !== undefined) {
      adopted.textHash = textHash;
      out[j] = adopted;
    } else {
      out[j] = storedPaper(p.id, p.title, p.text, p.date, p.label ?? null, p.url ?? null, p.source, extraJson, textHash);
    }
  }
  return { papers: out, digest: options.digest ?? windowDigest(papers, textHashes, extras, order) };
}

/**
 * The digest of a window: papers[order[0]], papers[order[1]], … with their text hashes and extra
 * JSON (the archive's fields). What readWindow gives for the archive's rows, and windowOfInserted
 * for papers about to be inserted.
 */
function windowDigest(papers: readonly Paper[], textHashes: readonly string[], extraJsons: readonly (string | null)[], order: readonly number[]): string {
  return digestWindowKeys(createHash, order.length, (j) => {
    const i = order[j]!;
    const p = papers[i]!;
    return windowDigestKey(p.id, textHashes[i]!, p.date, p.label ?? null, p.url ?? null, p.source, extraJsons[i] ?? null);
  });
}

/**
 * `p` as storedPaper would make it, reusing `p` itself: undefined unless `p` has own string
 * properties id, title, text, date, source, then label and url where present, then extra where
 * present, in that order (the key order later stages serialise), and an `extra` whose JSON gives
 * it back unchanged (values strings or finite numbers other than -0; keys that are not array
 * indices or '__proto__', so that an object filled in sorted order keeps that order). An `extra`
 * whose keys are not in sorted order is replaced by a copy that has them sorted, as its JSON does.
 */
function adoptAsStored(p: Paper, extraJson: string | null): Paper | undefined {
  const keys = Object.keys(p);
  const n = keys.length;
  if (n < REQUIRED_KEYS || n > STORED_KEYS.length || Object.getPrototypeOf(p) !== Object.prototype) return undefined;
  if (typeof p.id !== 'string' || typeof p.title !== 'string' || typeof p.text !== 'string' || typeof p.date !== 'string' || typeof p.source !== 'string') return undefined;
  let next = 0; // the next of STORED_KEYS that may come
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    while (next < STORED_KEYS.length && STORED_KEYS[next] !== k) {
      if (next < REQUIRED_KEYS) return undefined;
      next++;
    }
    if (next++ === STORED_KEYS.length) return undefined;
  }
  if (p.label !== undefined ? typeof p.label !== 'string' : 'label' in p) return undefined;
  if (p.url !== undefined ? typeof p.url !== 'string' : 'url' in p) return undefined;
  const extra = p.extra;
  if (extra === undefined) return extraJson === null && !('extra' in p) ? p : undefined;
  if (extraJson === null || typeof extra !== 'object' || extra === null || Object.getPrototypeOf(extra) !== Object.prototype) return undefined;
  const extraKeys = Object.keys(extra);
  if (extraKeys.length === 0) return undefined;
  let sorted = true;
  for (let i = 0; i < extraKeys.length; i++) {
    const k = extraKeys[i]!;
    const c = k.charCodeAt(0);
    // Perhaps an array index (those come first in any object), or a key assignment cannot make.
    if ((c >= 48 && c <= 57) || k === '__proto__') return undefined;
    const v = extra[k];
    if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v) && !Object.is(v, -0))) return undefined;
    if (i > 0 && !(extraKeys[i - 1]! < k)) sorted = false;
  }
  if (!sorted) {
    const copy: Record<string, string | number> = {};
    for (const k of extraKeys.sort()) copy[k] = extra[k]!;
    p.extra = copy;
  }
  return p;
}

const STORED_KEYS = ['id', 'title', 'text', 'date', 'source', 'label', 'url', 'extra'];
const REQUIRED_KEYS = 5;

const LAST_PUBLISHED_SQL = "SELECT * FROM runs WHERE status = 'published' ORDER BY created_at DESC, rowid DESC LIMIT 1";

export class Store {
  readonly path: string;
  readonly schemaVersion: number;
  private db: Database.Database;
  private readonly keepAssignmentRuns: number;
  private readonly now: () => Date;
  private readonly busyTimeoutMs: number;
  private readonly bulkLoadMinPapers: number;

  constructor(path: string, options: StoreOptions = {}) {
    const keep = options.keepAssignmentRuns ?? 30;
    if (!Number.isInteger(keep) || keep < 1) throw new StoreError(`keepAssignmentRuns must be an integer ≥ 1, got ${keep}`);
    const busy = options.busyTimeoutMs ?? 10_000;
    if (!Number.isInteger(busy) || busy < 0) throw new StoreError(`busyTimeoutMs must be an integer ≥ 0, got ${busy}`);
    const bulk = options.bulkLoadMinPapers ?? 10_000;
    if (!Number.isInteger(bulk) || bulk < 1) throw new StoreError(`bulkLoadMinPapers must be an integer ≥ 1, got ${bulk}`);
    this.path = path;
    this.keepAssignmentRuns = keep;
    this.busyTimeoutMs = busy;
    this.bulkLoadMinPapers = bulk;
    this.now = options.now ?? (() => new Date());
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path, { timeout: busy });
    try {
      this.configureConnection(false);
      this.schemaVersion = migrate(this.db);
    } catch (err) {
      this.db.close();
      throw err;
    }
  }

  /** `afterBulkLoad`: a lock held past busy_timeout leaves the file in rollback mode (see leaveBulkLoad). */
  private configureConnection(afterBulkLoad: boolean): void {
    // busy_timeout first: switching to WAL itself needs a lock another process may hold.
    this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    setNewFilePageSize(this.db); // before WAL, which writes a new file's header
    if (afterBulkLoad) {
      this.leaveBulkLoad();
    } else {
      this.useWal();
      // NORMAL is safe in WAL mode (no corruption); a power cut can lose only the last commits,
      // which the next night's run rewrites anyway.
      this.db.pragma('synchronous = NORMAL');
    }
    this.db.pragma('foreign_keys = ON');
  }

  /**
   * A first night's papers written into this empty archive by a helper thread while the caller is
   * still reading them (see load-behind.ts): the same rows upsertPapers would write, the text
   * hashes computed there too. Undefined when the archive is not empty or not a file: upsert as
   * usual then. This connection is closed while the helper runs (so that it can load through a
   * rollback journal like upsertPapers) and reopened before `written` or `abort` settles: make
   * no other call on this store until then.
   */
  loadBehind(runId: string): LoadBehind | undefined {
    if (typeof runId !== 'string' || runId.length === 0) throw new StoreError('loadBehind: runId must be a non-empty string');
    if (this.path === ':memory:' || this.countPapers() !== 0) return undefined;
    const now = this.timestamp();
    this.db.close();
    try {
      return startLoadBehind({
        path: this.path,
        busyTimeoutMs: this.busyTimeoutMs,
        bulkMin: this.bulkLoadMinPapers,
        runId,
        now,
        onExit: () => {
          this.db = new Database(this.path, { timeout: this.busyTimeoutMs });
          this.configureConnection(true);
        },
      });
    } catch (err) {
      this.db = new Database(this.path, { timeout: this.busyTimeoutMs });
      this.configureConnection(false);
      throw err;
    }
  }

  /**
   * Runs a write transaction. IMMEDIATE takes the write lock at BEGIN, where busy_timeout
   * waits for another writer; a deferred transaction that reads first and writes later would
   * instead fail at once with SQLITE_BUSY when another connection committed in between (WAL
   * cannot upgrade a stale read snapshot). Measured: two processes upserting into one file
   * failed about one time in three before this.
   */
  private write(fn: () => void): void {
    this.db.transaction(fn).immediate();
  }

  /**
   * Switches the file to WAL. SQLite answers SQLITE_BUSY at once, without the busy handler, while
   * another connection writes in rollback-journal mode (a bulk load, see upsertPapers): retry
   * until busy_timeout has passed, as any other lock wait would.
   */
  private useWal(): void {
    const deadline = Date.now() + this.busyTimeoutMs;
    for (;;) {
      try {
        this.db.pragma('journal_mode = WAL');
        return;
      } catch (err) {
        if ((err as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw err;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
    }
  }

  /**
   * Leaves WAL for a bulk load into an empty archive: in WAL mode every page is written twice
   * (to the log, then copied into the file by the checkpoint that follows the commit), ~0.3 s of
   * CPU for the 100 MB of a 75k-paper first night. A rollback journal writes new pages once and
   * journals only the few pages that existed before; with synchronous = FULL it is SQLite's
   * classic crash-safe mode (a crash rolls the load back on the next open). Leaving WAL needs
   * the only connection to the file: with any other open (in any process) SQLite refuses at once
   * and the load goes through the WAL as usual. False when the switch did not happen.
   */
  private enterBulkLoad(): boolean {
    let mode: unknown;
    try {
      mode = this.db.pragma('journal_mode = DELETE', { simple: true });
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return false;
      throw err;
    }
    if (mode !== 'delete') return false; // e.g. an in-memory database
    this.db.pragma('synchronous = FULL');
    return true;
  }

  /**
   * Back to WAL (waiting for a lock like any writer) and its synchronous level after a bulk load.
   * If another connection holds the file past busy_timeout, the load has committed all the same:
   * the connection stays in rollback-journal mode with synchronous = FULL (safe, only without
   * WAL's concurrent readers) rather than failing the night; the next open returns to WAL.
   */
  private leaveBulkLoad(): void {
    try {
      this.useWal();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return;
      throw err;
    }
    this.db.pragma('synchronous = NORMAL');
  }

  private timestamp(): string {
    return this.now().toISOString();
  }

  // ---------------------------------------------------------------- papers

  /**
   * Inserts new papers and updates changed ones, in one transaction. Idempotent: the same papers
   * twice change nothing. A paper whose title or text changed (text_hash) is rewritten and
   * counted as updated; one whose metadata alone changed gets the new date / label / url / extra
   * and is counted in metadataUpdated. `source` stays the file the paper first (or last changed)
   * came from, and first_seen_* never change. `textHashes` (paperTextHash of each paper, in
   * order) and `extraJsons` (paperExtraJson of each) may be passed when the caller has them
   * already. At least bulkLoadMinPapers papers into an empty archive, with no other connection
   * open, are written through a rollback journal instead of the WAL (enterBulkLoad): same rows,
   * half the writing.
   */
  upsertPapers(papers: readonly Paper[], runId: string, textHashes?: readonly string[], extraJsons?: readonly (string | null)[]): UpsertCounts {
    if (typeof runId !== 'string' || runId.length === 0) throw new StoreError('upsertPapers: runId must be a non-empty string');
    if (textHashes !== undefined && textHashes.length !== papers.length) {
      throw new StoreError(`upsertPapers: ${papers.length} papers but ${textHashes.length} text hashes`);
    }
    if (extraJsons !== undefined && extraJsons.length !== papers.length) {
      throw new StoreError(`upsertPapers: ${papers.length} papers but ${extraJsons.length} extra JSON values`);
    }
    checkPapers(papers);
    const now = this.timestamp();
    const counts: UpsertCounts = { inserted: 0, updated: 0, unchanged: 0, metadataUpdated: 0, updatedIds: [] };
    const bulk = papers.length >= this.bulkLoadMinPapers && this.countPapers() === 0 && this.enterBulkLoad();
    try {
      this.upsertRows(papers, runId, textHashes, extraJsons, now, counts);
    } finally {
      if (bulk) this.leaveBulkLoad();
    }
    counts.updatedIds.sort();
    return counts;
  }

  private upsertRows(
    papers: readonly Paper[],
    runId: string,
    textHashes: readonly string[] | undefined,
    extraJsons: readonly (string | null)[] | undefined,
    now: string,
    counts: UpsertCounts,
  ): void {
    // Positional parameters and raw rows: binding named parameters from an object per row cost
    // about a third of a 75k-paper upsert.
    const select = this.db
      .prepare<[string], [string, string, string | null, string | null, string | null]>('SELECT text_hash, date, label, url, extra_json FROM papers WHERE id = ?')
      .raw();
    const insert = this.db.prepare(
      `INSERT INTO papers (id, title, text, date, label, url, source, text_hash, first_seen_run, first_seen_at, updated_at, extra_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const updateText = this.db.prepare(
      `UPDATE papers SET title = ?, text = ?, date = ?, label = ?, url = ?, source = ?,
         text_hash = ?, updated_at = ?, extra_json = ? WHERE id = ?`,
    );
    const updateMeta = this.db.prepare('UPDATE papers SET date = ?, label = ?, url = ?, updated_at = ?, extra_json = ? WHERE id = ?');
    this.write(() => {
      // An empty archive (the first night) has nothing to compare with: skip 75k lookups.
      const empty = this.db.prepare<[], { one: number }>('SELECT 1 AS one FROM papers LIMIT 1').get() === undefined;
      for (let i = 0; i < papers.length; i++) {
        const p = papers[i]!;
        const hash = textHashes?.[i] ?? paperTextHash(p.title, p.text);
        const label = p.label ?? null;
        const url = p.url ?? null;
        const extra = extraJsons !== undefined ? (extraJsons[i] ?? null) : paperExtraJson(p.extra);
        const old = empty ? undefined : select.get(p.id);
        if (!old) {
          insert.run(p.id, p.title, p.text, p.date, label, url, p.source, hash, runId, now, now, extra);
          counts.inserted++;
        } else if (old[0] !== hash) {
          updateText.run(p.title, p.text, p.date, label, url, p.source, hash, now, extra, p.id);
          counts.updated++;
          counts.updatedIds.push(p.id);
        } else if (old[1] !== p.date || old[2] !== label || old[3] !== url || old[4] !== extra) {
          updateMeta.run(p.date, label, url, now, extra, p.id);
          counts.metadataUpdated++;
        } else {
          counts.unchanged++;
        }
      }
    });
  }

  /**
   * The papers of a window in JavaScript (UTF-16) id order, with a digest of their content.
   * `reuse` maps ids to papers already in memory (tonight's input) and their text hashes: where
   * the archive's text hash matches, the title and text strings are taken from there instead of
   * being read again, so a first night holds one copy of 75k abstracts, not two. The digest
   * covers every stored field (text through text_hash) in that order, so equal windows give equal
   * digests however the input was ordered, without hashing the texts again. With `textHeadChars`
   * the texts are only their fallback texts (fallbackText: an untitled paper's head, else '').
   */
  readWindow(
    window: PaperWindow,
    reuse?: ReadonlyMap<string, { paper: Paper; textHash: string }>,
    textHeadChars?: number,
  ): { papers: Paper[]; digest: string } {
    const where = this.windowClause('readWindow', window);
    if (textHeadChars !== undefined && (!Number.isInteger(textHeadChars) || textHeadChars < 1)) {
      throw new StoreError(`readWindow: textHeadChars must be a positive integer, got ${textHeadChars}`);
    }
    // With textHeadChars, each text is cut to its fallback text (fallbackText) as it is read: an
    // untitled paper's head (SQLite's substr counts code points, so its head holds at least as
    // many UTF-16 units as textHead keeps), a titled paper's nothing.
    const textColumn = textHeadChars === undefined ? 'text' : `CASE WHEN title = '' THEN substr(text, 1, ${textHeadChars}) ELSE '' END`;
    const keptText = (title: string, text: string): string => (textHeadChars === undefined ? text : fallbackText(title, text, textHeadChars));
    // Building a JavaScript string for every title and text is most of the cost (0.4 of 0.65 s
    // CPU for 75k papers). When tonight brought a large part of the archive (a first night),
    // tt_reuse(id, hash) tells SQLite which of them not to hand over; on a small night the
    // function calls would cost more (~0.15 s) than they save.
    const titleText =
      reuse !== undefined && reuse.size * 4 >= this.countPapers()
        ? `CASE WHEN tt_reuse(id, text_hash) THEN NULL ELSE title END, CASE WHEN tt_reuse(id, text_hash) THEN NULL ELSE ${textColumn} END`
        : `title, ${textColumn}`;
    this.db.function('tt_reuse', { deterministic: true }, (id: unknown, hash: unknown) => (reuse?.get(id as string)?.textHash === hash ? 1 : 0));
    // No ORDER BY: the table is read in storage order and sorted here, by JavaScript's UTF-16
    // order (SQLite's is by bytes), which is what every later stage sorts by.
    const stmt = this.db
      .prepare<unknown[], [string, string, string, string | null, string | null, string, string | null, string | null, string | null]>(
        `SELECT id, text_hash, date, label, url, source, extra_json, ${titleText} FROM papers ${where.sql}`,
      )
      .raw();
    const unordered: Paper[] = [];
    // What the digest covers beyond the papers' fields (storedPaper keeps a null label or url as
    // absent, the text hash as textHash, and the extra parsed).
    const extraJsons: (string | null)[] = [];
    for (const [id, textHash, date, label, url, source, extraJson, title, text] of stmt.iterate(...where.params)) {
      const known = title === null ? reuse!.get(id)!.paper : undefined;
      const paperTitle = known ? known.title : title!;
      unordered.push(storedPaper(id, paperTitle, keptText(paperTitle, known ? known.text : text!), date, label, url, source, extraJson, textHash));
      extraJsons.push(extraJson);
    }
    return orderWindow(unordered, extraJsons);
  }

  /** Title, whole text and text hash of each paper of `ids` the archive holds, by id. */
  textsOf(ids: readonly string[]): Map<string, { title: string; text: string; textHash: string }> {
    const out = new Map<string, { title: string; text: string; textHash: string }>();
    if (ids.length > 1000 && ids.length * 4 >= this.countPapers()) {
      // Most of the archive (a night after a tokenizer change): one scan, not thousands of lookups.
      const wanted = new Set(ids);
      const scan = this.db.prepare<[], [string, string, string, string]>('SELECT id, title, text, text_hash FROM papers').raw();
      for (const [id, title, text, textHash] of scan.iterate()) if (wanted.has(id)) out.set(id, { title, text, textHash });
      return out;
    }
    const BATCH = 500;
    for (let i = 0; i < ids.length; i += BATCH) {
      const part = ids.slice(i, i + BATCH);
      const stmt = this.db.prepare<string[], [string, string, string, string]>(`SELECT id, title, text, text_hash FROM papers WHERE id IN (${part.map(() => '?').join(',')})`).raw();
      for (const [id, title, text, textHash] of stmt.iterate(...part)) out.set(id, { title, text, textHash });
    }
    return out;
  }

  private windowClause(method: string, window: PaperWindow): { sql: string; params: string[] } {
    if ('all' in window && window.all === true) return { sql: '', params: [] };
    const since = (window as { sinceDate?: unknown }).sinceDate;
    if (typeof since !== 'string' || !DATE.test(since)) throw new StoreError(`${method}: sinceDate must be YYYY-MM-DD, got '${String(since)}'`);
    return { sql: 'WHERE date >= ?', params: [since] };
  }

  /** Papers in a date window (inclusive), ordered by id. */
  papersInWindow(window: PaperWindow): Paper[] {
    return [...this.iteratePapersInWindow(window)];
  }

  /** The same as papersInWindow, one paper at a time (for archives too large to hold twice). */
  *iteratePapersInWindow(window: PaperWindow): IterableIterator<Paper> {
    const columns = 'id, title, text, date, label, url, source, extra_json, text_hash';
    if ('all' in window && window.all === true) {
      for (const row of this.db.prepare<[], PaperRow>(`SELECT ${columns} FROM papers ORDER BY id`).iterate()) yield rowToPaper(row);
      return;
    }
    const since = (window as { sinceDate?: unknown }).sinceDate;
    if (typeof since !== 'string' || !DATE.test(since)) throw new StoreError(`papersInWindow: sinceDate must be YYYY-MM-DD, got '${String(since)}'`);
    const stmt = this.db.prepare<[string], PaperRow>(`SELECT ${columns} FROM papers WHERE date >= ? ORDER BY id`);
    for (const row of stmt.iterate(since)) yield rowToPaper(row);
  }

  /** The newest paper date in the archive (YYYY-MM-DD), or undefined when it is empty. */
  newestPaperDate(): string | undefined {
    return this.db.prepare<[], { d: string | null }>('SELECT max(date) AS d FROM papers').get()?.d ?? undefined;
  }

  countPapers(): number {
    return this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM papers').get()!.n;
  }

  /** Ids of the papers first ingested by this run, ascending. */
  paperIdsFirstSeenIn(runId: string): string[] {
    return this.db
      .prepare<[string], { id: string }>('SELECT id FROM papers WHERE first_seen_run = ? ORDER BY id')
      .all(runId)
      .map((r) => r.id);
  }

  // ---------------------------------------------------------------- runs

  beginRun(runId: string, configJson: string): void {
    if (typeof runId !== 'string' || runId.length === 0) throw new StoreError('beginRun: runId must be a non-empty string');
    checkJson('beginRun: configJson', configJson);
    if (this.getRun(runId)) throw new StoreError(`beginRun: run '${runId}' already exists`);
    this.db
      .prepare("INSERT INTO runs (run_id, created_at, status, config_json) VALUES (?, ?, 'running', ?)")
      .run(runId, this.timestamp(), configJson);
  }

  finishRun(runId: string, outcome: { status: 'published' | 'failed'; countsJson?: string; reportDir?: string }): void {
    if (outcome.status !== 'published' && outcome.status !== 'failed') {
      throw new StoreError(`finishRun: status must be 'published' or 'failed', got '${String(outcome.status)}'`);
    }
    if (outcome.countsJson !== undefined) checkJson('finishRun: countsJson', outcome.countsJson);
    const run = this.getRun(runId);
    if (!run) throw new StoreError(`finishRun: no run '${runId}'`);
    if (run.status !== 'running') throw new StoreError(`finishRun: run '${runId}' is already ${run.status}`);
    this.db
      .prepare('UPDATE runs SET status = ?, finished_at = ?, counts_json = ?, report_dir = ? WHERE run_id = ?')
      .run(outcome.status, this.timestamp(), outcome.countsJson ?? null, outcome.reportDir ?? null, runId);
  }

  getRun(runId: string): RunRecord | undefined {
    const row = this.db.prepare<[string], RunRow>('SELECT * FROM runs WHERE run_id = ?').get(runId);
    return row ? rowToRun(row) : undefined;
  }

  /** The most recently begun run that was published (ties: the later inserted). */
  lastPublishedRun(): RunRecord | undefined {
    const row = this.db.prepare<[], RunRow>(LAST_PUBLISHED_SQL).get();
    return row ? rowToRun(row) : undefined;
  }

  /** All runs, oldest first. */
  runs(): RunRecord[] {
    return this.db.prepare<[], RunRow>('SELECT * FROM runs ORDER BY created_at, rowid').all().map(rowToRun);
  }

  private requireRun(method: string, runId: string): void {
    if (!this.getRun(runId)) throw new StoreError(`${method}: no run '${runId}' (call beginRun first)`);
  }

  // ---------------------------------------------------------------- topics and ids

  /**
   * Stores a run's topics, replacing any saved before for that run. Clusters and topic ids must
   * be unique non-negative integers. Raises next_topic_id past the largest id saved, so an id
   * handed out by matchTopics can never be handed out again.
   */
  saveTopics(runId: string, topics: readonly StoredTopic[]): void {
    this.requireRun('saveTopics', runId);
    const clusters = new Set<number>();
    const ids = new Set<number>();
    for (const t of topics) {
      if (!Number.isInteger(t.cluster) || t.cluster < 0) throw new StoreError(`saveTopics: cluster ${t.cluster} is not a non-negative integer`);
      if (!Number.isSafeInteger(t.topicId) || t.topicId < 0) throw new StoreError(`saveTopics: topic id ${t.topicId} is not a non-negative integer`);
      if (!Number.isInteger(t.size) || t.size < 0) throw new StoreError(`saveTopics: topic ${t.topicId} has size ${t.size}`);
      if (clusters.has(t.cluster)) throw new StoreError(`saveTopics: cluster ${t.cluster} appears twice`);
      if (ids.has(t.topicId)) throw new StoreError(`saveTopics: topic id ${t.topicId} appears twice`);
      clusters.add(t.cluster);
      ids.add(t.topicId);
    }
    const insert = this.db.prepare(
      'INSERT INTO topics (run_id, cluster, topic_id, label, size, terms_json, metrics_json) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.write(() => {
      this.db.prepare('DELETE FROM topics WHERE run_id = ?').run(runId);
      for (const t of [...topics].sort((a, b) => a.cluster - b.cluster)) {
        const terms = t.terms.map(({ term, weight }) => ({ term, weight }));
        insert.run(runId, t.cluster, t.topicId, t.label, t.size, JSON.stringify(terms), JSON.stringify(t.metrics));
      }
      const maxId = Math.max(-1, ...ids);
      if (maxId + 1 > this.nextTopicId()) this.writeNextTopicId(maxId + 1);
    });
  }

  /** A run's topics, by cluster. Empty when the run saved none. */
  topicsOfRun(runId: string): StoredTopic[] {
    return this.db
      .prepare<[string], TopicRow>('SELECT cluster, topic_id, label, size, terms_json, metrics_json FROM topics WHERE run_id = ? ORDER BY cluster')
      .all(runId)
      .map((r) => ({
        cluster: r.cluster,
        topicId: r.topic_id,
        label: r.label,
        size: r.size,
        terms: JSON.parse(r.terms_json) as TermWeight[],
        metrics: parseMetrics(r.metrics_json),
      }));
  }

  /** A run's topics as matchTopics wants its `previous` argument (id = stable id). */
  topicSignatures(runId: string): TopicSignature[] {
    return this.topicsOfRun(runId).map((t) => ({ id: t.topicId, terms: t.terms, size: t.size }));
  }

  /** The next stable topic id to hand out (pass as matchTopics' nextId). */
  nextTopicId(): number {
    const row = this.db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'next_topic_id'").get();
    return row ? Number(row.value) : 0;
  }

  /** Records matchTopics' nextId. Lowering it would reuse ids, so that is refused. */
  setNextTopicId(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new StoreError(`setNextTopicId: ${n} is not a non-negative integer`);
    const current = this.nextTopicId();
    if (n < current) throw new StoreError(`setNextTopicId: ${n} is below the current ${current}; topic ids are never reused`);
    this.writeNextTopicId(n);
  }

  private writeNextTopicId(n: number): void {
    this.db.prepare("INSERT INTO meta (key, value) VALUES ('next_topic_id', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(n));
  }

  /**
   * Records a run whose folder has just been published, all in one transaction: its topics, its
   * assignment, the next topic id, the editor-label review flags, and status 'published'. A
   * crash before this commits leaves the previous published run as the one the next night
   * matches against.
   */
  recordPublishedRun(
    runId: string,
    rec: {
      topics: readonly StoredTopic[];
      assignments?: { paperIds: readonly string[]; clusters: Int32Array; scores: Float32Array };
      nextTopicId: number;
      reviews: readonly { topicId: number; reason: string }[];
      countsJson?: string;
      reportDir?: string;
    },
  ): void {
    this.requireRun('recordPublishedRun', runId);
    this.write(() => {
      this.saveTopics(runId, rec.topics);
      if (rec.assignments) this.saveAssignments(runId, rec.assignments.paperIds, rec.assignments.clusters, rec.assignments.scores);
      // saveTopics already raised it past every saved id; never lower it.
      this.setNextTopicId(Math.max(rec.nextTopicId, this.nextTopicId()));
      for (const r of rec.reviews) this.flagEditorLabel(r.topicId, r.reason);
      this.finishRun(runId, { status: 'published', countsJson: rec.countsJson, reportDir: rec.reportDir });
    });
  }

  // ---------------------------------------------------------------- assignments

  /**
   * Stores a run's assignment (paper i → clusters[i], score[i]), replacing an earlier one, then
   * prunes assignments beyond the newest keepAssignmentRuns runs. The last published run's
   * assignment is never pruned: the next run may need it.
   */
  saveAssignments(runId: string, paperIds: readonly string[], clusters: Int32Array, scores: Float32Array): void {
    this.requireRun('saveAssignments', runId);
    if (clusters.length !== paperIds.length || scores.length !== paperIds.length) {
      throw new StoreError(
        `saveAssignments: ${paperIds.length} paper ids but ${clusters.length} clusters and ${scores.length} scores`,
      );
    }
    const idsBlob = encodeIds(paperIds);
    const clustersBlob = encodeArray(clusters);
    const scoresBlob = encodeArray(scores);
    this.write(() => {
      this.db
        .prepare(
          `INSERT INTO run_assignments (run_id, count, paper_ids, clusters, scores) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (run_id) DO UPDATE SET count = excluded.count, paper_ids = excluded.paper_ids,
             clusters = excluded.clusters, scores = excluded.scores`,
        )
        .run(runId, paperIds.length, idsBlob, clustersBlob, scoresBlob);
      this.db
        .prepare(
          `DELETE FROM run_assignments
           WHERE run_id NOT IN (SELECT a.run_id FROM run_assignments a JOIN runs r USING (run_id)
                                ORDER BY r.created_at DESC, r.rowid DESC LIMIT ?)
             AND run_id IS NOT (SELECT run_id FROM (${LAST_PUBLISHED_SQL}))`,
        )
        .run(this.keepAssignmentRuns);
    });
  }

  /** A run's assignment, or undefined when it was never saved or has been pruned. */
  assignmentsOfRun(runId: string): RunAssignments | undefined {
    const row = this.db
      .prepare<[string], { count: number; paper_ids: Buffer; clusters: Buffer; scores: Buffer }>(
        'SELECT count, paper_ids, clusters, scores FROM run_assignments WHERE run_id = ?',
      )
      .get(runId);
    if (!row) return undefined;
    const paperIds = decodeIds(row.paper_ids);
    if (paperIds.length !== row.count) throw new Error(`corrupt assignment of run '${runId}': ${paperIds.length} ids, expected ${row.count}`);
    return { paperIds, clusters: decodeInt32(row.clusters, row.count), scores: decodeFloat32(row.scores, row.count) };
  }

  /** Runs that still have a stored assignment, oldest first. */
  runsWithAssignments(): string[] {
    return this.db
      .prepare<[], { run_id: string }>('SELECT a.run_id FROM run_assignments a JOIN runs r USING (run_id) ORDER BY r.created_at, r.rowid')
      .all()
      .map((r) => r.run_id);
  }

  // ---------------------------------------------------------------- editor labels

  /**
   * Sets editors' names for topics, in one transaction. A topic id must be one of the last
   * published run's topics; others are returned in `unknown` and not stored. The label is
   * trimmed; an empty label clears an existing one (allowed for any id, so a dead topic's name
   * can be removed). Setting a label records the topic's current terms (for drift review) and
   * clears any review flag. `runId` is recorded as where the name came from.
   */
  setEditorLabels(rows: readonly { topicId: number; label: string }[], runId: string): { set: number; cleared: number; unknown: number[] } {
    const seen = new Set<number>();
    for (const r of rows) {
      if (!Number.isSafeInteger(r.topicId) || r.topicId < 0) throw new StoreError(`setEditorLabels: topic id ${r.topicId} is not a non-negative integer`);
      if (seen.has(r.topicId)) throw new StoreError(`setEditorLabels: topic id ${r.topicId} is listed twice`);
      seen.add(r.topicId);
      if (typeof r.label !== 'string') throw new StoreError(`setEditorLabels: label of topic ${r.topicId} is not a string`);
      if (r.label.trim().length > MAX_LABEL_LENGTH) throw new StoreError(`setEditorLabels: label of topic ${r.topicId} is longer than ${MAX_LABEL_LENGTH} characters`);
    }
    const last = this.lastPublishedRun();
    const termsById = new Map<number, TermWeight[]>();
    if (last) for (const t of this.topicsOfRun(last.runId)) termsById.set(t.topicId, t.terms);

    const existing = this.db.prepare<[number], { topic_id: number }>('SELECT topic_id FROM editor_labels WHERE topic_id = ?');
    const remove = this.db.prepare('DELETE FROM editor_labels WHERE topic_id = ?');
    const upsert = this.db.prepare(
      `INSERT INTO editor_labels (topic_id, label, set_at, set_from_run, terms_json, needs_review, review_reason)
       VALUES (?, ?, ?, ?, ?, 0, NULL)
       ON CONFLICT (topic_id) DO UPDATE SET label = excluded.label, set_at = excluded.set_at,
         set_from_run = excluded.set_from_run, terms_json = excluded.terms_json, needs_review = 0, review_reason = NULL`,
    );
    const now = this.timestamp();
    const result = { set: 0, cleared: 0, unknown: [] as number[] };
    this.write(() => {
      for (const r of rows) {
        // Collapse inner whitespace too: a label is one line in the report and in CSV.
        const label = r.label.trim().replace(/\s+/g, ' ');
        if (label === '') {
          if (existing.get(r.topicId)) {
            remove.run(r.topicId);
            result.cleared++;
          } else if (!termsById.has(r.topicId)) {
            result.unknown.push(r.topicId);
          }
          continue;
        }
        const terms = termsById.get(r.topicId);
        if (!terms) {
          result.unknown.push(r.topicId);
          continue;
        }
        upsert.run(r.topicId, label, now, runId, JSON.stringify(terms));
        result.set++;
      }
    });
    result.unknown.sort((a, b) => a - b);
    return result;
  }

  /** All editor labels by stable topic id. */
  editorLabels(): Map<number, EditorLabel> {
    const rows = this.db
      .prepare<[], { topic_id: number; label: string; set_at: string; set_from_run: string; terms_json: string; needs_review: number; review_reason: string | null }>(
        'SELECT * FROM editor_labels ORDER BY topic_id',
      )
      .all();
    const out = new Map<number, EditorLabel>();
    for (const r of rows) {
      const entry: EditorLabel = {
        label: r.label,
        setAt: r.set_at,
        setFromRun: r.set_from_run,
        needsReview: r.needs_review === 1,
        terms: JSON.parse(r.terms_json) as TermWeight[],
      };
      if (r.review_reason !== null) entry.reviewReason = r.review_reason;
      out.set(r.topic_id, entry);
    }
    return out;
  }

  /** Marks a label for an editor's review (e.g. its topic drifted or died). False if there is no such label. */
  flagEditorLabel(topicId: number, reason: string): boolean {
    return this.db.prepare('UPDATE editor_labels SET needs_review = 1, review_reason = ? WHERE topic_id = ?').run(reason, topicId).changes > 0;
  }

  /**
   * An editor confirmed the label still fits: the flag goes, and the terms it is compared with
   * from now on become the topic's terms in the last published run (if it is there), so the same
   * drift is not flagged again tomorrow. False if there is no such label.
   */
  clearReview(topicId: number): boolean {
    const last = this.lastPublishedRun();
    const terms = last ? this.topicsOfRun(last.runId).find((t) => t.topicId === topicId)?.terms : undefined;
    const info = terms
      ? this.db.prepare('UPDATE editor_labels SET needs_review = 0, review_reason = NULL, terms_json = ? WHERE topic_id = ?').run(JSON.stringify(terms), topicId)
      : this.db.prepare('UPDATE editor_labels SET needs_review = 0, review_reason = NULL WHERE topic_id = ?').run(topicId);
    return info.changes > 0;
  }

  // ---------------------------------------------------------------- upkeep

  /** SQLite's own consistency check: 'ok' when the file is sound, else its findings, one a line. */
  integrityCheck(): string {
    const rows = this.db.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('\n');
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Opens (creating file, folder and schema on first use) the archive at `path`. */
export function openStore(path: string, options: StoreOptions = {}): Store {
  return new Store(path, options);
}
