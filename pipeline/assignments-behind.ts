// assignments.csv written by a helper thread while the report stage draws its charts. On two
// cores the report runs on the calling thread alone (vega drawing, the page), with the second
// core idle, and this export was ~0.15 s of it on arXiv (75k rows). The thread runs the very code
// of reports/csv.ts (assignmentsCsvBlocks and the CSV cell rules: ASSIGNMENTS_CSV_HELPERS), so
// the file is the same byte for byte; it gets the columns (cloned once: ~3 strings a row) rather
// than row objects.
import { Worker } from 'node:worker_threads';
import { ASSIGNMENTS_CSV_HELPERS, type AssignmentRow, assignmentsCsvBlocks } from '../reports/csv.ts';
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
  for (const block of blocksOf(rowsOf(workerData.columns))) writeSync(fd, block, null, 'utf8');
} finally {
  closeSync(fd);
}
`;

/**
 * Writes assignments.csv at `path` in a helper thread; settles once the file is closed. Where no
 * thread can be started the file is written here, before this returns.
 */
export function writeAssignmentsBehind(path: string, columns: AssignmentColumns): Promise<void> {
  let worker: Worker;
  try {
    worker = new Worker(SOURCE, { eval: true, workerData: { path, columns } });
  } catch {
    writeBlocks(path, assignmentsCsvBlocks(assignmentRows(columns)));
    return Promise.resolve();
  }
  return threadExit(worker, 'assignments.csv writer');
}
