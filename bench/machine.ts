// Machine facts printed with every benchmark: figures mean little without the machine they were
// measured on (and this one is shared, so the load average at the start is recorded too).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';

export const PYTHON = '/usr/bin/python3';

export interface MachineFacts {
  cores: number;
  cpuModel: string;
  totalMemoryGb: number;
  loadAverage1m: number;
  platform: string;
  node: string;
  sklearn: string | null; // null: /usr/bin/python3 cannot import sklearn
  gitCommit: string;
}

/** scikit-learn's version as /usr/bin/python3 sees it, or null when it cannot import it. */
export function sklearnVersion(python = PYTHON): string | null {
  if (!existsSync(python)) return null;
  try {
    return execFileSync(python, ['-c', 'import sklearn; print(sklearn.__version__)'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    return null;
  }
}

/** Short commit id, with "-dirty" when the work tree has uncommitted changes. */
export function gitCommit(cwd: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${head}-dirty` : head;
  } catch {
    return 'unknown';
  }
}

export function machineFacts(repoRoot: string): MachineFacts {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    totalMemoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.versions.node,
    sklearn: sklearnVersion(),
    gitCommit: gitCommit(repoRoot),
  };
}

export function formatMachine(m: MachineFacts): string {
  return [
    `machine: ${m.cores} cores (${m.cpuModel}), ${m.totalMemoryGb} GiB RAM, ${m.platform}`,
    `software: node ${m.node}, scikit-learn ${m.sklearn ?? 'not available'}, topic-trends at ${m.gitCommit}`,
  ].join('\n');
}
