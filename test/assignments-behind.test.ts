// assignments.csv written by a helper thread (pipeline/assignments-behind.ts) runs the text of
// reports/exports.ts' functions: its file must be assignmentsCsv's output byte for byte.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type AssignmentColumns, assignmentRows, writeAssignmentsBehind } from '../pipeline/assignments-behind.ts';
import { assignmentsCsv } from '../reports/exports.ts';

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
  });
});
