// Stage artifacts written in the background while the next stage runs.
//
// Why: writing a stage's arrays with writeFileSync cost the main thread ~0.6 s per arXiv run
// (270 MB of artifacts at ~440 MB/s into the page cache; ~0.9 s with value.json), in stretches
// where the second core had nothing to do (the tokenizer's assembly, vectorize). Here the main
// thread encodes value.json and starts one write per array in libuv's thread pool, straight from
// the stage's own arrays: no copy (copies cost ~0.2 s of page faults and raised the peak RSS by
// up to 80 MB while in flight). That is sound because no stage changes an array it was given or
// has returned: `checkUnchanged` verifies it (the runner's tests run whole refit and fold-in
// nights with it), and the arrays stay referenced by the pending writes until they are on disk.
// The files go into a tmp folder renamed into place once all are written, then the stage's
// artifact id and meta follow, in that order: a run killed before that leaves the stage without
// a meta, "not cached", as a kill during saveArtifact did. The last steps run on the main
// thread's event loop (a few small calls), so they may wait for the next stage to yield; the
// runner waits for every save before it publishes the run.
// The artifact being replaced is renamed aside and removed through the thread pool too: on a
// night over 1M papers the old stage folders hold ~3 GB, and removing them with rmSync held the
// main thread for ~2.5 s (unlink frees the files' extents). A folder left aside by a run that was
// killed meanwhile is removed by the next save of that stage.

import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, write, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { encodeArtifact } from './artifacts.ts';

/** A text file written after the artifact, through tmp + rename. */
export interface AfterFile {
  path: string;
  text: string;
}

export interface ArtifactWriterOptions {
  /**
   * Hash every array when it is saved and again at close(), which then throws if one changed
   * while or after it was written (tests: the no-copy rule above).
   */
  checkUnchanged?: boolean;
}

/** The most bytes one write request is given (fs.write takes at most 2 GiB). */
const MAX_WRITE = 1 << 30;

export class ArtifactWriter {
  private readonly inFlight = new Map<Promise<void>, string>();
  private readonly checks: { dir: string; file: string; bytes: Uint8Array; sum: string }[] = [];
  private asideCount = 0;

  constructor(private readonly opts: ArtifactWriterOptions = {}) {}

  /**
   * Writes `value` to `dir` as saveArtifact would, then each of `after` in order; resolves once
   * all are on disk, rejects with an error naming `dir` when a write fails. The arrays must not
   * change until it resolves (see the file comment).
   */
  save(dir: string, value: unknown, after: readonly AfterFile[] = []): Promise<void> {
    const { json, files } = encodeArtifact(value);
    if (this.opts.checkUnchanged) for (const f of files) this.checks.push({ dir, file: f.file, bytes: f.bytes, sum: sha1(f.bytes) });
    const tmp = `${dir}.tmp-${process.pid}`;
    const done = (async () => {
      rmSync(tmp, { recursive: true, force: true });
      mkdirSync(tmp, { recursive: true });
      await Promise.all([...files.map((f) => writeWhole(join(tmp, f.file), f.bytes)), writeWhole(join(tmp, 'value.json'), Buffer.from(json))]);
      const aside = asideFolders(dir);
      if (existsSync(dir)) {
        aside.push(`${dir}${ASIDE}${process.pid}-${++this.asideCount}`);
        renameSync(dir, aside[aside.length - 1]!);
      }
      renameSync(tmp, dir);
      for (const a of after) {
        writeFileSync(`${a.path}.tmp-${process.pid}`, a.text);
        renameSync(`${a.path}.tmp-${process.pid}`, a.path);
      }
      await Promise.all(aside.map((d) => rm(d, { recursive: true, force: true })));
    })().catch((e: Error) => {
      throw new Error(`could not write the artifact ${dir}: ${e.message}`);
    });
    this.inFlight.set(done, dir);
    const settled = () => this.inFlight.delete(done);
    done.then(settled, settled);
    return done;
  }

  /** Whether an artifact for `dir` is still being written. */
  pending(dir: string): boolean {
    for (const d of this.inFlight.values()) if (d === dir) return true;
    return false;
  }

  /**
   * Lets finished writes let go of their arrays, and waits for all but the newest save. A write's
   * completion runs on the main thread's event loop, which most stages never give a turn to:
   * without this, every artifact's arrays stayed alive until the report stage (measured: the
   * arXiv peak RSS rose by 70–100 MB, in reduce). The runner calls it before each stage, so an
   * array outlives its last reader by at most the stage after it is saved.
   */
  async catchUp(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const older = [...this.inFlight.keys()].slice(0, -1);
    if (older.length > 0) await Promise.allSettled(older);
  }

  /** Waits until no write is in flight, whether they succeeded or not; then the checks (checkUnchanged). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.inFlight.keys()]);
    const changed = this.checks.filter((c) => sha1(c.bytes) !== c.sum).map((c) => `${c.dir}/${c.file}`);
    this.checks.length = 0;
    if (changed.length > 0) throw new Error(`arrays changed after their artifact was saved: ${changed.join(', ')}`);
  }
}

/** What a replaced artifact folder is renamed to, before the pid and a count. */
const ASIDE = '.old-';

/** Folders that earlier saves of `dir` set aside and did not get to remove (a killed run). */
function asideFolders(dir: string): string[] {
  const prefix = basename(dir) + ASIDE;
  try {
    return readdirSync(dirname(dir))
      .filter((f) => f.startsWith(prefix))
      .map((f) => join(dirname(dir), f));
  } catch {
    return [];
  }
}

function sha1(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

/** Writes all of `bytes` to a new file at `path` through the thread pool. */
function writeWhole(path: string, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    let fd: number;
    try {
      fd = openSync(path, 'w');
    } catch (e) {
      reject(e as Error);
      return;
    }
    const finish = (err: Error | null) => {
      try {
        closeSync(fd);
      } catch (e) {
        err ??= e as Error;
      }
      if (err) reject(err);
      else resolve();
    };
    let at = 0;
    const next = () => {
      if (at >= bytes.length) return finish(null);
      write(fd, bytes, at, Math.min(bytes.length - at, MAX_WRITE), at, (err, n) => {
        if (err) return finish(err);
        at += n;
        next();
      });
    };
    next();
  });
}
