import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ArtifactWriter } from '../pipeline/artifact-writer.ts';
import { loadArtifact, saveArtifact } from '../pipeline/artifacts.ts';

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

const sample = () => {
  const indptr = new Int32Array([0, 1, 3]);
  return {
    matrix: { indptr, data: new Float32Array([0.5, 0.25, 1]) },
    counts: { indptr, data: new Float64Array([1, 2, Math.PI]) },
    vocabulary: ['a', 'b c', 'ü'],
    view: new Uint8Array(new Uint8Array([9, 1, 2, 3]).buffer, 1, 2),
  };
};

describe('the artifact writer thread', () => {
  it('writes the same files as saveArtifact, then the files that follow it, and resolves once they are on disk', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-writer-'));
    const value = sample();
    saveArtifact(join(dir, 'sync'), value);
    const writer = new ArtifactWriter();
    const target = join(dir, 'behind');
    const saved = writer.save(target, value, [
      { path: join(target, 'artifact.id'), text: 'id-1' },
      { path: join(target, 'meta.json'), text: '{"artifactId":"id-1"}' },
    ]);
    expect(writer.pending(target)).toBe(true);
    await saved;
    expect(writer.pending(target)).toBe(false);
    const names = readdirSync(join(dir, 'sync')).sort();
    expect(readdirSync(target).sort()).toEqual([...names, 'artifact.id', 'meta.json'].sort());
    for (const f of names) expect(readFileSync(join(target, f))).toEqual(readFileSync(join(dir, 'sync', f)));
    expect(readFileSync(join(target, 'meta.json'), 'utf8')).toBe('{"artifactId":"id-1"}');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    await writer.close();
  });

  it('with checkUnchanged, close() names an array changed after it was saved (the no-copy rule)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-writer-'));
    const value = sample();
    const strict = new ArtifactWriter({ checkUnchanged: true });
    await strict.save(join(dir, 'kept'), value);
    await expect(strict.close()).resolves.toBeUndefined();
    await strict.save(join(dir, 'stage'), value);
    value.counts.data[1] = -1; // a later stage writing into an array it was given
    await expect(strict.close()).rejects.toThrow(`${join(dir, 'stage')}/a2.bin`);
  });

  it('replaces an existing artifact, and reports a write that fails with the folder it was for', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-writer-'));
    const writer = new ArtifactWriter();
    const target = join(dir, 'stage');
    saveArtifact(target, { old: new Int32Array([1, 2, 3]), extra: 'old' });
    await writer.save(target, { old: new Int32Array([4]) });
    expect(loadArtifact(target)).toEqual({ old: new Int32Array([4]) });
    // The replaced folder was set aside and is gone once the save resolves.
    expect(readdirSync(dir).sort()).toEqual(['stage']);
    // A folder set aside by a run killed before it was removed goes with the next save of that
    // stage (not another stage's).
    saveArtifact(join(dir, `stage.old-999999-1`), { stale: new Int32Array(2) });
    saveArtifact(join(dir, `other.old-999999-1`), { stale: new Int32Array(2) });
    await writer.save(target, { old: new Int32Array([5]) });
    expect(loadArtifact(target)).toEqual({ old: new Int32Array([5]) });
    expect(readdirSync(dir).sort()).toEqual(['other.old-999999-1', 'stage']);
    rmSync(join(dir, 'other.old-999999-1'), { recursive: true });
    // A file where the parent folder should be: mkdir fails in the thread.
    writeFileSync(join(dir, 'blocked'), 'not a folder');
    const bad = join(dir, 'blocked', 'stage');
    await expect(writer.save(bad, { a: new Int32Array(1) })).rejects.toThrow(bad);
    expect(existsSync(bad)).toBe(false);
    // The writer still works after a failed job.
    await writer.save(join(dir, 'after'), { b: new Float64Array([0.5]) });
    expect(loadArtifact(join(dir, 'after'))).toEqual({ b: new Float64Array([0.5]) });
    await writer.close();
  });
});
