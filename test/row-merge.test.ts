// Fold-in nights copy last night's rows and add the new ones (pipeline/model/row-reuse.ts). The
// merges copy runs of consecutive rows as one block; these tests hold them to the plain
// row-by-row definition on random nights, with last night's entries in memory or left on disk.
import { mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRandom } from '../analysis/random.ts';
import type { CsrMatrix } from '../analysis/types.ts';
import { closeStored, loadArtifact, saveArtifact, StoredArray } from '../pipeline/artifacts.ts';
import { mergeCsrRows, mergeDenseRows, type StoredCsr } from '../pipeline/model/row-reuse.ts';
import { previousOutput as previousReduce } from '../pipeline/stages/reduce.ts';
import { previousOutput } from '../pipeline/stages/vectorize.ts';

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

/** A matrix saved as a stage artifact and loaded back with its entries left on disk, as vectorize does. */
function storedCsr(m: CsrMatrix): StoredCsr & { close(): void } {
  dir ??= mkdtempSync(join(tmpdir(), 'tt-row-merge-'));
  const path = join(dir, `csr-${Math.random().toString(36).slice(2)}`);
  saveArtifact(path, { m });
  const back = loadArtifact<{ m: StoredCsr }>(path, { onDisk: (p) => p === 'm.indices' || p === 'm.data' }).m;
  return { ...back, close: () => closeStored(back.indices, back.data) };
}

/** A random CSR matrix: up to 4 entries a row; `shared` gives a counts matrix on the same structure. */
function randomPair(rows: number, cols: number, random: () => number): { matrix: CsrMatrix; counts: CsrMatrix } {
  const indptr = new Int32Array(rows + 1);
  const idx: number[] = [];
  for (let r = 0; r < rows; r++) {
    const k = Math.floor(random() * 5);
    for (let j = 0; j < k; j++) idx.push(Math.floor(random() * cols));
    indptr[r + 1] = idx.length;
  }
  const indices = Int32Array.from(idx);
  const data = Float32Array.from(idx, () => random());
  const counts = Float32Array.from(idx, () => 1 + Math.floor(random() * 9));
  const matrix = { rows, cols, indptr, indices, data };
  return { matrix, counts: { ...matrix, data: counts } };
}

/** The definition: row i is prev's row from[i], or the next fresh row. */
function rowByRow(prev: CsrMatrix, from: Int32Array, fresh: CsrMatrix): { rows: number[][]; values: number[][] } {
  const rows: number[][] = [];
  const values: number[][] = [];
  let f = 0;
  for (let i = 0; i < from.length; i++) {
    const [src, r] = from[i]! >= 0 ? [prev, from[i]!] : [fresh, f++];
    rows.push(Array.from(src.indices.subarray(src.indptr[r]!, src.indptr[r + 1]!)));
    values.push(Array.from(src.data.subarray(src.indptr[r]!, src.indptr[r + 1]!)));
  }
  return { rows, values };
}

function asRows(m: CsrMatrix): { rows: number[][]; values: number[][] } {
  const rows: number[][] = [];
  const values: number[][] = [];
  for (let i = 0; i < m.rows; i++) {
    rows.push(Array.from(m.indices.subarray(m.indptr[i]!, m.indptr[i + 1]!)));
    values.push(Array.from(m.data.subarray(m.indptr[i]!, m.indptr[i + 1]!)));
  }
  return { rows, values };
}

/** A night: last night's rows mostly in order with runs, some dropped, some reordered, new ones between. */
function randomNight(prevRows: number, random: () => number): Int32Array {
  const from: number[] = [];
  for (let r = 0; r < prevRows; r++) {
    const u = random();
    if (u < 0.1) continue; // dropped from the window
    if (u < 0.2) from.push(-1); // a new paper before it
    from.push(u < 0.25 ? Math.floor(random() * prevRows) : r); // a few out of order
  }
  if (random() < 0.5) from.push(-1, -1);
  return Int32Array.from(from);
}

describe('row merges on fold-in nights', () => {
  it('mergeCsrRows and mergeDenseRows agree with the row-by-row definition on random nights', () => {
    const random = createRandom(7);
    for (let trial = 0; trial < 40; trial++) {
      const prev = randomPair(1 + Math.floor(random() * 60), 9, random).matrix;
      const from = randomNight(prev.rows, random);
      const newRows = from.filter((r) => r < 0).length;
      const fresh = randomPair(newRows, 9, random).matrix;
      const merged = mergeCsrRows(prev, from, fresh);
      expect(merged.rows).toBe(from.length);
      expect(asRows(merged)).toEqual(rowByRow(prev, from, fresh));

      const d = 3;
      const prevDense = Float32Array.from({ length: prev.rows * d }, () => random());
      const freshDense = Float32Array.from({ length: newRows * d }, () => random());
      const dense = mergeDenseRows(prevDense, from, freshDense, d);
      let f = 0;
      for (let i = 0; i < from.length; i++) {
        const want = from[i]! >= 0 ? prevDense.subarray(from[i]! * d, from[i]! * d + d) : freshDense.subarray(f * d, ++f * d);
        expect(Array.from(dense.subarray(i * d, i * d + d))).toEqual(Array.from(want));
      }
    }
  });

  it('merges the same when last night entries are left on disk', () => {
    const random = createRandom(13);
    for (let trial = 0; trial < 4; trial++) {
      const prev = randomPair(80, 9, random).counts;
      const stored = storedCsr(prev);
      try {
        expect(stored.indices).toBeInstanceOf(StoredArray);
        expect(stored.data).toBeInstanceOf(StoredArray);
        const from = randomNight(80, random);
        const fresh = randomPair(from.filter((r) => r < 0).length, 9, random).counts;
        expect(asRows(mergeCsrRows(stored, from, fresh))).toEqual(rowByRow(prev, from, fresh));
      } finally {
        stored.close();
      }
    }
  });

  it('refuses a fresh matrix with the wrong number of rows', () => {
    const random = createRandom(5);
    const prev = randomPair(4, 3, random).matrix;
    const fresh = randomPair(2, 3, random).matrix;
    expect(() => mergeCsrRows(prev, Int32Array.from([0, -1, 1]), fresh)).toThrow(/2 fresh rows for 1 unmatched/);
  });

  it("reads last night's vectorize artifact with its counts on disk, and refuses a damaged one", () => {
    dir ??= mkdtempSync(join(tmpdir(), 'tt-row-merge-'));
    const random = createRandom(17);
    const pair = randomPair(30, 6, random);
    const rowKeys = { key: 'k', paperIds: Array.from({ length: 30 }, (_, i) => `p${i}`), fingerprints: new Uint32Array(60) };
    // Tonight's artifact (counts only) and one of an earlier version (weights beside the counts,
    // on one structure): both are read for their counts alone.
    for (const [name, saved] of [
      ['counts', { counts: pair.counts, rowKeys, night: { mode: 'refit' } }],
      ['with-weights', { ...pair, rowKeys, night: { mode: 'refit' } }],
    ] as const) {
      const out = join(dir, `out-${name}`);
      const stageDir = join(out, 'stages', 'vectorize');
      saveArtifact(stageDir, saved);
      if (name === 'with-weights') {
        // The weights are never read: without their file the counts still load.
        const files = JSON.parse(readFileSync(join(stageDir, 'value.json'), 'utf8')) as { matrix: { data: { file: string } }; counts: { data: { file: string } } };
        expect(files.matrix.data.file).not.toBe(files.counts.data.file);
        rmSync(join(stageDir, files.matrix.data.file));
      }
      const prev = previousOutput(out)!;
      expect(Object.keys(prev).sort(), name).toEqual(['counts', 'rowKeys']);
      expect(prev.counts.indices, name).toBeInstanceOf(StoredArray);
      expect(prev.counts.data, name).toBeInstanceOf(StoredArray);
      expect(prev.rowKeys.paperIds).toEqual(rowKeys.paperIds);
      const from = Int32Array.from({ length: 30 }, (_, i) => i);
      expect(asRows(mergeCsrRows(prev.counts, from, randomPair(0, 6, random).counts)), name).toEqual(asRows(pair.counts));
      closeStored(prev.counts.indices, prev.counts.data);
      // The counts' values file cut short (a disk that filled up): every row is transformed instead.
      const json = JSON.parse(readFileSync(join(stageDir, 'value.json'), 'utf8')) as { counts: { data: { file: string } } };
      truncateSync(join(stageDir, json.counts.data.file), 8);
      expect(previousOutput(out), name).toBeUndefined();
      rmSync(stageDir, { recursive: true });
      expect(previousOutput(out), name).toBeUndefined();
    }
  });

  it("reads last night's scores from the reduce artifact's file, the same as from memory", () => {
    dir ??= mkdtempSync(join(tmpdir(), 'tt-row-merge-'));
    const out = join(dir, 'out-reduce');
    const random = createRandom(19);
    const d = 4;
    const rows = 40;
    const scores = Float32Array.from({ length: rows * d }, () => random());
    const rowKeys = { key: 'k', paperIds: Array.from({ length: rows }, (_, i) => `p${i}`), fingerprints: new Uint32Array(2 * rows) };
    const stageDir = join(out, 'stages', 'reduce');
    saveArtifact(stageDir, { scores, components: new Float64Array(d * 7), mean: new Float64Array(7), nComponents: d, rowKeys });
    const prev = previousReduce(out)!;
    try {
      expect(prev.scores).toBeInstanceOf(StoredArray);
      const from = randomNight(rows, random);
      const fresh = Float32Array.from({ length: from.filter((r) => r < 0).length * d }, () => random());
      expect(Array.from(mergeDenseRows(prev.scores, from, fresh, d))).toEqual(Array.from(mergeDenseRows(scores, from, fresh, d)));
    } finally {
      prev.scores.close();
    }
    const json = JSON.parse(readFileSync(join(stageDir, 'value.json'), 'utf8')) as { scores: { file: string } };
    truncateSync(join(stageDir, json.scores.file), 16);
    expect(previousReduce(out)).toBeUndefined();
  });
});
