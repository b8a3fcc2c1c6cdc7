// assignments.csv written by helper threads (pipeline/assignments-behind.ts) runs the text of
// reports/exports.ts' functions: its file must be assignmentsCsv's output byte for byte, whether
// one thread writes it or two write a half each.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type AssignmentColumns, assignmentRows, SPLIT_ROWS, writeAssignmentsBehind } from '../pipeline/assignments-behind.ts';
import { assignmentsCsv, assignmentsCsvBlocks } from '../reports/exports.ts';

const dir = mkdtempSync(join(tmpdir(), 'tt-assign-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Columns with every kind of awkward cell: formula triggers, quotes, commas, line breaks, padding, non-ASCII, ids in no order, ties. */
function columns(n: number): AssignmentColumns {
  const texts = ['plain', '=SUM(A1)', '+1', '-x', '@me', '\tlead', ' padded ', 'a,b', 'say "hi"', 'line\nbreak', '', 'ünï €', '𝑥 math'];
  const scores = [0.1234567, -0.5, 0, -0, Number.NaN, Number.POSITIVE_INFINITY, 1e-9, 12345678.9];
  return {
    ids: Array.from({ length: n }, (_, i) => `${texts[i % texts.length]}${(i * 7919) % 101}`),
    clusters: Int32Array.from({ length: n }, (_, i) => [3, 17, 4, 99][i % 4]!),
    labels: [
      [3, 'graph neural networks'],
      [17, '=HYPERLINK("x")'],
      [4, 'a, b'],
    ], // topic 99 has no label: an empty cell
    scores: Float64Array.from({ length: n }, (_, i) => scores[i % scores.length]!),
    dates: Array.from({ length: n }, (_, i) => (i % 11 === 0 ? '=1+1' : `2025-01-${String(1 + (i % 28)).padStart(2, '0')}`)),
    titles: Array.from({ length: n }, (_, i) => texts[(i * 5) % texts.length]!),
  };
}

describe('assignments.csv from a helper thread', () => {
  it('is assignmentsCsv of the same rows, byte for byte', async () => {
    for (const n of [0, 1, 257, 25_000]) {
      const cols = columns(n);
      const path = join(dir, `a${n}.csv`);
      await writeAssignmentsBehind(path, cols);
      expect(readFileSync(path, 'utf8')).toBe(assignmentsCsv(assignmentRows(cols)));
    }
  });

  it('in two halves (two threads) it is the same file, rows in any order with ties, or already in order', async () => {
    for (const n of [2, 3, 257, 25_000]) {
      const cols = columns(n);
      const want = assignmentsCsv(assignmentRows(cols));
      const path = join(dir, `h${n}.csv`);
      await writeAssignmentsBehind(path, cols, 2);
      expect(readFileSync(path, 'utf8')).toBe(want);
      // The same rows handed over in the file's order: no reordering needed.
      const lines = want.split('\r\n');
      expect(lines.length).toBe(n + 2);
      const order = Array.from(cols.ids.keys()).sort((a, b) => (cols.ids[a]! < cols.ids[b]! ? -1 : cols.ids[a]! > cols.ids[b]! ? 1 : cols.clusters[a]! - cols.clusters[b]!));
      const sorted: AssignmentColumns = {
        ids: order.map((i) => cols.ids[i]!),
        clusters: Int32Array.from(order, (i) => cols.clusters[i]!),
        labels: cols.labels,
        scores: Float64Array.from(order, (i) => cols.scores[i]!),
        dates: order.map((i) => cols.dates[i]!),
        titles: order.map((i) => cols.titles[i]!),
      };
      await writeAssignmentsBehind(path, sorted, 2);
      expect(readFileSync(path, 'utf8')).toBe(want);
    }
    expect(readdirSync(dir).filter((f) => f.endsWith('.tail'))).toEqual([]);
    expect(SPLIT_ROWS).toBeGreaterThan(25_000); // the arXiv-sized default stays one thread
  });

  it('without the header, the blocks are the lines after it', () => {
    const rows = assignmentRows(columns(40));
    const whole = assignmentsCsv(rows);
    expect([...assignmentsCsvBlocks(rows, 7, false)].join('')).toBe(whole.slice(whole.indexOf('\r\n') + 2));
    expect([...assignmentsCsvBlocks([], 7, false)]).toEqual([]);
  });

  it('rows from columns: each paper its topic label, an unknown topic an empty one', () => {
    const rows = assignmentRows(columns(4));
    expect(rows.map((r) => [r.cluster, r.label])).toEqual([
      [3, 'graph neural networks'],
      [17, '=HYPERLINK("x")'],
      [4, 'a, b'],
      [99, ''],
    ]);
  });

  it('a write that fails rejects (no directory to write in)', async () => {
    await expect(writeAssignmentsBehind(join(dir, 'missing', 'a.csv'), columns(3))).rejects.toThrow(/ENOENT/);
    await expect(writeAssignmentsBehind(join(dir, 'missing', 'b.csv'), columns(30), 2)).rejects.toThrow(/ENOENT/);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });
});
