// Running topic-trends from tests: in this process through main() (stdout and stderr captured),
// or as a child process (for kill -9 and for two runs at once).

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from '../../pipeline/cli.ts';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = fileURLToPath(new URL('../../pipeline/cli.ts', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `main(args)` in this process, capturing what it writes. */
export async function runCli(args: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const wOut = process.stdout.write.bind(process.stdout);
  const wErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string | Uint8Array) => (out.push(String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => (err.push(String(s)), true)) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = wOut;
    process.stderr.write = wErr;
  }
}

export interface Child {
  proc: ChildProcess;
  /** Resolves when the process has exited (code null when killed by a signal). */
  done: Promise<CliResult & { signal: NodeJS.Signals | null }>;
}

/** Starts `node --import tsx pipeline/cli.ts <args>`: the child's pid is the pid in the lock file. */
export function spawnCli(args: string[]): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d) => (stdout += String(d)));
  proc.stderr!.on('data', (d) => (stderr += String(d)));
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    proc.on('error', reject);
    proc.on('close', (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
  });
  return { proc, done };
}

/** A stack trace line as V8 prints them. */
export const STACK_LINE = /^\s+at .+[:(]\d+/m;
