import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { artifactExists, loadArtifact, saveArtifact } from '../pipeline/artifacts.ts';

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
});
