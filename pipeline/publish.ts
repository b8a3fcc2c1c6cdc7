// Publishing a run: the report is assembled in a staging folder and becomes visible in one
// rename; `latest` is a symlink swapped by rename too, so a reader never sees half a report.
import { renameSync, rmSync, symlinkSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export function newRunId(now = new Date()): string {
  return now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

export function publishRun(outDir: string, stagingDir: string, runId: string): string {
  let runDir = join(outDir, 'runs', runId);
  for (let n = 2; existsSync(runDir); n++) runDir = join(outDir, 'runs', `${runId}-${n}`);
  renameSync(stagingDir, runDir);
  const latest = join(outDir, 'latest');
  const tmpLink = join(outDir, `.latest-${process.pid}`);
  rmSync(tmpLink, { force: true });
  symlinkSync(join('runs', runDir.slice(join(outDir, 'runs').length + 1)), tmpLink);
  renameSync(tmpLink, latest);
  return runDir;
}
