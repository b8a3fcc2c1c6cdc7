// assignments.csv written by helper threads while the report stage draws its charts. On two
// cores the report runs on the calling thread alone (vega drawing, the page), with the second
// core idle, and this export was ~0.15 s of it on arXiv (75k rows). The threads run the very code
// of reports/csv.ts (assignmentsCsvBlocks and the CSV cell rules: ASSIGNMENTS_CSV_HELPERS), so
// the file is the same byte for byte; they get the columns (cloned once: ~3 strings a row) rather
// than row objects.
//
// Large windows take two threads, a half of the rows each: at 1M papers one thread took 3.2 s
// alone, and the report stage of a night waited 1.7 s for it after its own work. The rows are put
// in the file's order here (ingest's window is already in it: one pass checks), the first thread
// writes the header and the first half, the second the other half to a file beside it, and the
// second file is then appended to the first: the text of one thread writing all the rows.
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { ASSIGNMENTS_CSV_HELPERS, type AssignmentRow, assignmentsCsvBlocks, byCodepoint } from '../reports/csv.ts';
import { writeBlocks } from './write-blocks.ts';
import { threadExit } from './workers/thread-exit.ts';

/** assignments.csv's rows as columns: row i is paper i. */
export interface AssignmentColumns {
  ids: string[];
  /** Stable topic id of each paper. */
  clusters: Int32Array;
  /** Label of each topic id. */
  labels: [number, string][];
  scores: Float64Array;
  dates: string[];
  titles: string[];
}

/** The rows assignmentsCsvBlocks takes, from the columns (self-contained: the thread runs its text too). */
export function assignmentRows(columns: AssignmentColumns): AssignmentRow[] {
  const label = new Map(columns.labels);
  return columns.ids.map((id, i) => {
    const cluster = columns.clusters[i]!;
    return { id, cluster, label: label.get(cluster) ?? '', score: columns.scores[i]!, date: columns.dates[i]!, title: columns.titles[i]! };
  });
}

// The helpers are declarations (under the names the build gave them, which the two functions'
// texts use); the two functions are bound to names of this text's own.
const SOURCE = `
const { workerData } = require('node:worker_threads');
const { closeSync, openSync, writeSync } = require('node:fs');
${ASSIGNMENTS_CSV_HELPERS}
const rowsOf = (${assignmentRows.toString()});
const blocksOf = (${assignmentsCsvBlocks.toString()});
const fd = openSync(workerData.path, 'w');
try {
  for (const block of blocksOf(rowsOf(workerData.columns), 10000, workerData.header)) writeSync(fd, block, null, 'utf8');
} finally {
  closeSync(fd);
}
`;

/** From this many rows on, two threads write the file (below, one thread's start-up is most of the saving). */
export const SPLIT_ROWS = 100_000;

/**
 * Writes assignments.csv at `path` in helper threads; settles once the file is complete and
 * closed. Where no thread can be started the file is written here, before this returns.
 */
export function writeAssignmentsBehind(path: string, columns: AssignmentColumns, splitRows = SPLIT_ROWS): Promise<void> {
  const n = columns.ids.length;
  if (n < Math.max(2, splitRows)) return writeBehind(path, columns, true, () => writeBlocks(path, assignmentsCsvBlocks(assignmentRows(columns))));
  const ordered = fileOrder(columns);
  const half = n >> 1;
  const tail = `${path}.tail`;
  const head = rowsOf(ordered, 0, half);
  const rest = rowsOf(ordered, half, n);
  const first = writeBehind(path, head, true, () => writeBlocks(path, assignmentsCsvBlocks(assignmentRows(head))));
  const second = writeBehind(tail, rest, false, () => writeBlocks(tail, assignmentsCsvBlocks(assignmentRows(rest), 10_000, false)));
  // Both settle before the half file goes: a thread still running could otherwise make it again.
  return Promise.allSettled([first, second]).then((results) => {
    try {
      for (const r of results) if (r.status === 'rejected') throw r.reason;
      appendFile(path, tail);
    } finally {
      rmSync(tail, { force: true });
    }
  });
}

/** A thread writing `columns`' lines to `path` (`header`: the header line first), or `fallback` here when no thread can start. */
function writeBehind(path: string, columns: AssignmentColumns, header: boolean, fallback: () => void): Promise<void> {
  let worker: Worker;
  try {
    worker = new Worker(SOURCE, { eval: true, workerData: { path, columns, header } });
  } catch {
    fallback();
    return Promise.resolve();
  }
  return threadExit(worker, 'assignments.csv writer');
}

/** The columns with their rows in the file's order (by id, then topic: assignmentsCsvBlocks' sort); the same arrays when already in it. */
function fileOrder(columns: AssignmentColumns): AssignmentColumns {
  const { ids, clusters } = columns;
  const before = (a: number, b: number): number => byCodepoint(ids[a]!, ids[b]!) || clusters[a]! - clusters[b]!;
  let sorted = true;
  for (let i = 1; i < ids.length && sorted; i++) sorted = before(i - 1, i) <= 0;
  if (sorted) return columns;
  // Ties (the same id and topic) keep their index order, as assignmentsCsvBlocks' stable sort does.
  const order = Int32Array.from(ids.keys()).sort((a, b) => before(a, b) || a - b);
  return { labels: columns.labels, ...gather(columns, order) };
}

/** Rows `order` of the columns, in that order. */
function gather(columns: AssignmentColumns, order: Int32Array): Omit<AssignmentColumns, 'labels'> {
  return {
    ids: Array.from(order, (i) => columns.ids[i]!),
    clusters: Int32Array.from(order, (i) => columns.clusters[i]!),
    scores: Float64Array.from(order, (i) => columns.scores[i]!),
    dates: Array.from(order, (i) => columns.dates[i]!),
    titles: Array.from(order, (i) => columns.titles[i]!),
  };
}

/** Rows [from, to) of the columns. */
function rowsOf(columns: AssignmentColumns, from: number, to: number): AssignmentColumns {
  return {
    ids: columns.ids.slice(from, to),
    clusters: columns.clusters.slice(from, to),
    labels: columns.labels,
    scores: columns.scores.slice(from, to),
    dates: columns.dates.slice(from, to),
    titles: columns.titles.slice(from, to),
  };
}

/** Appends the bytes of `from` to the file `to`, a block at a time. */
function appendFile(to: string, from: string): void {
  const out = openSync(to, 'a');
  const src = openSync(from, 'r');
  try {
    const block = Buffer.allocUnsafe(1 << 22);
    for (let n = readSync(src, block, 0, block.length, null); n > 0; n = readSync(src, block, 0, block.length, null)) {
      for (let at = 0; at < n; ) at += writeSync(out, block, at, n - at);
    }
  } finally {
    closeSync(src);
    closeSync(out);
  }
}
