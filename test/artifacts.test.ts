import { mkdtempSync, rmSync } from 'node:fs';
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
});
