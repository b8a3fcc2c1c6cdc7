import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { artifactExists, loadArtifact, saveArtifact, StoredArray } from '../pipeline/artifacts.ts';

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

describe('stage artifacts', () => {
  it('round-trips typed arrays bit for bit (views at odd offsets too) and plain JSON around them', () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-artifacts-'));
    const bytes = new Uint8Array([9, 1, 2, 3, 4, 5, 6, 7, 8]);
    const value = {
      f64: new Float64Array([Math.PI, -0, 1e-310, Number.MAX_VALUE]),
      f32: new Float32Array([0.1, 2.5]),
      nested: [{ ids: new Int32Array([-1, 0, 2 ** 31 - 1]) }, 'text', 3],
      view: new Uint8Array(bytes.buffer, 1, 5), // only its 5 bytes are written
      empty: new Float32Array(0),
    };
    const path = join(dir, 'stage');
    saveArtifact(path, value);
    expect(artifactExists(path)).toBe(true);
    const back = loadArtifact<typeof value>(path);
    expect(back).toEqual({ ...value, view: new Uint8Array([1, 2, 3, 4, 5]) });
    expect(Object.is(back.f64[1], -0)).toBe(true);
    expect(back.f64.byteOffset).toBe(0);
  });

  it('loads only the top-level keys asked for, without reading the others\' files', () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-artifacts-'));
    const path = join(dir, 'stage');
    saveArtifact(path, { small: new Int32Array([1, 2]), big: new Float64Array([3, 4, 5]), words: ['a', 'b'], nested: { big: new Float32Array([6]) } });
    const back = loadArtifact<Record<string, unknown>>(path, { only: ['small', 'nested'] });
    expect(back).toEqual({ small: new Int32Array([1, 2]), nested: { big: new Float32Array([6]) } });
    // The left-out array's file is not read: gone, the partial load still works, the whole one does not.
    for (const f of readdirSync(path)) if (f !== 'value.json' && readFileSync(join(path, f)).byteLength === 24) rmSync(join(path, f));
    expect(loadArtifact<Record<string, unknown>>(path, { only: ['small'] })).toEqual({ small: new Int32Array([1, 2]) });
    expect(() => loadArtifact(path)).toThrow();
  });

  it('writes an array reachable twice once and loads it shared; plain arrays pass through', () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-artifacts-'));
    const indices = new Int32Array([0, 3, 5]);
    const indptr = new Int32Array([0, 1, 3]);
    const value = {
      matrix: { indptr, indices, data: new Float32Array([0.5, 0.25, 1]) },
      counts: { indptr, indices, data: new Float32Array([1, 2, 1]) },
      vocabulary: ['a', 'b c', '', 'ü'],
      mixed: [1, 'x', null, true, [2, 'y'], { z: new Uint8Array([7]) }],
    };
    const path = join(dir, 'stage');
    saveArtifact(path, value);
    expect(readdirSync(path).filter((f) => f.endsWith('.bin')).sort()).toEqual(['a0.bin', 'a1.bin', 'a2.bin', 'a3.bin', 'a4.bin']);
    const back = loadArtifact<typeof value>(path);
    expect(back).toEqual(value);
    expect(back.counts.indptr).toBe(back.matrix.indptr);
    expect(back.counts.indices).toBe(back.matrix.indices);
    expect(back.counts.data).not.toBe(back.matrix.data);
  });

  it('keeps long arrays of strings as UTF-8 lines in a file of their own, unless a line feed, a lone surrogate or a non-string is in them', () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-artifacts-'));
    const n = 5000;
    const ids = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? '' : `2506.${String(i).padStart(5, '0')}${i % 11 === 0 ? ' ü 𝑥 "q" \\ ,' : ''}`));
    const value = {
      rowKeys: { paperIds: ids, key: 'k' },
      short: ['a', 'b'], // below the size that gets a file
      broken: ids.map((id, i) => (i === 4321 ? 'line\nfeed' : id)),
      lone: ids.map((id, i) => (i === 17 ? 'x\ud800y' : id)),
      numbers: ids.map((id, i) => (i === 9 ? 9 : id)),
    };
    const path = join(dir, 'stage');
    saveArtifact(path, value);
    expect(readdirSync(path).filter((f) => f.endsWith('.bin'))).toEqual(['a0.bin']);
    expect(readFileSync(join(path, 'a0.bin'), 'utf8')).toBe(ids.join('\n'));
    const json = readFileSync(join(path, 'value.json'), 'utf8');
    expect(json).toContain('"paperIds":{"$strings":5000,"file":"a0.bin"}');
    const stored = JSON.parse(json) as Record<string, unknown>;
    for (const key of ['short', 'broken', 'lone', 'numbers']) expect(Array.isArray(stored[key])).toBe(true); // kept in value.json
    const back = loadArtifact<typeof value>(path);
    expect(back).toEqual(value);
    expect(back.lone[17]).toBe('x\ud800y');
    // A file that does not hold the count value.json names is an error, not a shorter list.
    writeFileSync(join(path, 'a0.bin'), ids.slice(1).join('\n'));
    expect(() => loadArtifact(path)).toThrow(/a0\.bin holds 4999 strings, value\.json says 5000/);
  });
});

describe('arrays left on disk (StoredArray)', () => {
  it('loads the chosen paths as StoredArrays that read ranges exactly, the rest as arrays', () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-artifacts-'));
    const shared = Int32Array.from({ length: 1000 }, (_, i) => i * 7 - 3);
    const value = { m: { indices: shared, data: Float32Array.from({ length: 1000 }, (_, i) => i / 3) }, c: { indices: shared }, keep: new Int32Array([5, 6]) };
    const path = join(dir, 'stage');
    saveArtifact(path, value);
    const back = loadArtifact<{ m: { indices: StoredArray; data: StoredArray }; c: { indices: StoredArray }; keep: Int32Array }>(path, {
      onDisk: (p) => p.startsWith('m.') || p === 'c.indices',
    });
    try {
      expect(back.keep).toEqual(new Int32Array([5, 6]));
      expect(back.m.indices).toBeInstanceOf(StoredArray);
      expect(back.c.indices).toBe(back.m.indices); // one file, one StoredArray, as one array was shared
      expect(back.m.indices.length).toBe(1000);
      const out = new Int32Array(20).fill(-99);
      back.m.indices.readInto(out, 5, 100, 110);
      expect(Array.from(out.subarray(5, 15))).toEqual(Array.from(shared.subarray(100, 110)));
      expect(out[4]).toBe(-99);
      expect(out[15]).toBe(-99);
      const f = new Float32Array(3);
      back.m.data.readInto(f, 0, 997, 1000);
      expect(Array.from(f)).toEqual(Array.from(value.m.data.subarray(997)));
      expect(() => back.m.indices.readInto(out, 0, 995, 1001)).toThrow(RangeError);
      expect(() => back.m.indices.readInto(f, 0, 0, 1)).toThrow(/cannot read Int32Array elements into a Float32Array/);
    } finally {
      back.m.indices.close();
      back.m.data.close();
    }
    expect(() => back.m.indices.readInto(new Int32Array(1), 0, 0, 1)).toThrow(/read after close/);
  });
});
