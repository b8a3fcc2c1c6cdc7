// Runs one command as a child process and measures what it cost the machine: whole-process wall
// time, CPU time (user + system, all threads; with GNU time only) and peak resident memory of its
// whole process tree.
//
// Peak memory has two sources, combined:
//  - /usr/bin/time -f '%e %M %U %S' (GNU time, when installed): the exact peak RSS of the largest
//    single process in the tree (the kernel's ru_maxrss of waited-for children is a max, not a
//    sum), measured to the last byte even if the peak is reached just before exit;
//  - polling /proc every `pollMs`: each descendant's VmHWM (its own high-water mark), so wrapper
//    processes (npx, tsx's launcher) are counted too.
// peakTreeMb = sum of every process's VmHWM, with the largest one replaced by time's exact figure
// when that is higher. Summing high-water marks can over-count when the peaks were not
// simultaneous; for a wrapper + worker that is a few tens of MB at most.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parentPids, processTree, readStatusKb } from './process-tree.ts';

export const GNU_TIME = '/usr/bin/time';

export interface ProcessMeasurement {
  command: string[];
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  wallSeconds: number;
  /**
   * User + system CPU seconds of the process and the children it waited for (GNU time's %U + %S),
   * over all its threads; undefined without GNU time. Unlike wall time it shows how much work a
   * run did whatever the number of cores it spread it over.
   */
  cpuSeconds?: number;
  /** Peak RSS of the whole process tree (see the file comment), MB = 2^20 bytes. */
  peakTreeMb: number;
  /** Peak RSS of the largest single process, MB. */
  peakLargestMb: number;
  /** Distinct processes seen in the tree (the /usr/bin/time wrapper excluded). */
  processes: number;
  method: 'gnu-time+proc' | 'proc';
  stdout: string;
  /** The last 64 KiB of stderr (enough for an error message and its stack). */
  stderr: string;
}

export interface MeasureOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  pollMs?: number;
  /** Use GNU time when present (default true). */
  useGnuTime?: boolean;
}

const STDERR_TAIL = 64 * 1024;

/** The format runMeasured gives GNU time: elapsed s, max RSS KiB, user s, system s. */
const GNU_TIME_FORMAT = '%e %M %U %S';

/**
 * Parses GNU time's `-f '%e %M %U %S'` output (its last line): elapsed seconds, max RSS in KiB and
 * CPU seconds (user + system). The two-field form `%e %M` is read too (no cpuSeconds).
 */
export function parseGnuTime(text: string): { seconds: number; maxRssKb: number; cpuSeconds?: number } | undefined {
  const lines = text.trim().split('\n');
  const m = /^(\d+(?:\.\d+)?) (\d+)(?: (\d+(?:\.\d+)?) (\d+(?:\.\d+)?))?$/.exec(lines[lines.length - 1]?.trim() ?? '');
  if (!m) return undefined;
  const parsed: { seconds: number; maxRssKb: number; cpuSeconds?: number } = { seconds: Number(m[1]), maxRssKb: Number(m[2]) };
  if (m[3] !== undefined) parsed.cpuSeconds = Math.round((Number(m[3]) + Number(m[4])) * 100) / 100;
  return parsed;
}

/**
 * Combines per-process high-water marks (kB) with GNU time's exact max RSS of the largest process.
 * Returns MB.
 */
export function combinePeaks(hwmKb: ReadonlyMap<number, number>, gnuTimeMaxKb?: number): { treeMb: number; largestMb: number } {
  let sum = 0;
  let largest = 0;
  for (const kb of hwmKb.values()) {
    sum += kb;
    largest = Math.max(largest, kb);
  }
  if (gnuTimeMaxKb !== undefined && gnuTimeMaxKb > largest) {
    sum += gnuTimeMaxKb - largest;
    largest = gnuTimeMaxKb;
  }
  return { treeMb: sum / 1024, largestMb: largest / 1024 };
}

export function runMeasured(command: string, args: string[], options: MeasureOptions = {}): Promise<ProcessMeasurement> {
  const pollMs = options.pollMs ?? 100;
  const gnuTime = (options.useGnuTime ?? true) && existsSync(GNU_TIME);
  const scratch = gnuTime ? mkdtempSync(join(tmpdir(), 'bench-time-')) : '';
  const timeFile = join(scratch, 'time.txt');
  const [file, argv] = gnuTime ? [GNU_TIME, ['-f', GNU_TIME_FORMAT, '-o', timeFile, command, ...args]] : [command, args];

  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(file, argv, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const hwm = new Map<number, number>();
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (stderr.length > 2 * STDERR_TAIL) stderr = stderr.slice(-STDERR_TAIL);
    });

    const poll = () => {
      if (child.pid === undefined) return;
      for (const pid of processTree(child.pid, parentPids())) {
        if (gnuTime && pid === child.pid) continue; // the time wrapper itself
        const kb = readStatusKb(pid, 'VmHWM');
        if (kb !== undefined) hwm.set(pid, Math.max(kb, hwm.get(pid) ?? 0));
      }
    };
    const timer = setInterval(poll, pollMs);
    poll();

    child.on('error', (err) => {
      clearInterval(timer);
      if (scratch) rmSync(scratch, { recursive: true, force: true });
      reject(err);
    });
    child.on('close', (exitCode, signal) => {
      clearInterval(timer);
      const wallSeconds = (performance.now() - started) / 1000;
      let gnuMaxKb: number | undefined;
      let cpuSeconds: number | undefined;
      if (gnuTime) {
        try {
          const parsed = parseGnuTime(readFileSync(timeFile, 'utf8'));
          gnuMaxKb = parsed?.maxRssKb;
          cpuSeconds = parsed?.cpuSeconds;
        } catch {
          // time did not write its file (killed): keep the polled figures
        }
        rmSync(scratch, { recursive: true, force: true });
      }
      const peaks = combinePeaks(hwm, gnuMaxKb);
      resolvePromise({
        command: [command, ...args],
        exitCode,
        signal,
        wallSeconds,
        ...(cpuSeconds !== undefined ? { cpuSeconds } : {}),
        peakTreeMb: peaks.treeMb,
        peakLargestMb: peaks.largestMb,
        processes: hwm.size,
        method: gnuMaxKb !== undefined ? 'gnu-time+proc' : 'proc',
        stdout,
        stderr: stderr.slice(-STDERR_TAIL),
      });
    });
  });
}
