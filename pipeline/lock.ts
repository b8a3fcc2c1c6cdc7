// One run at a time per output folder. The lock file holds the owner's pid; a lock whose owner
// is gone (crash, kill -9) is taken over, so a dead run never blocks the next night.
import { openSync, writeSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LockError } from './errors.ts';

/** Locks this process holds: a pid alone cannot tell two runs inside one process apart. */
const heldHere = new Set<string>();

export function acquireLock(outDir: string): () => void {
  const path = join(outDir, '.lock');
  if (heldHere.has(path)) {
    throw new LockError(`another topic-trends run in this process is using ${outDir}; wait for it to finish`);
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      heldHere.add(path);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        heldHere.delete(path);
        rmSync(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = readOwner(path);
      if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
        throw new LockError(`another topic-trends run (pid ${owner}) is using ${outDir}; wait for it to finish or remove ${path} if that process is gone`);
      }
      rmSync(path, { force: true }); // stale: its owner died
    }
  }
  throw new LockError(`could not take the lock ${path}`);
}

function readOwner(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isFinite(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
