// Where topic-trends' CPU goes, thread by thread and stage by stage (Linux). The bench's "where
// the CPU goes" table gives each stage's CPU over all threads (process.cpuUsage); this splits it:
// the main thread, the pipeline's worker threads (tokenizers, compute pool, writers), and the
// threads node starts with the process (V8's platform threads: parallel and concurrent garbage
// collection and the optimizing compiler's background jobs; libuv's pool). JavaScript CPU
// profiles (--cpu-prof) see only the first two, so a stretch where they show the main thread
// alone can still keep both cores busy.
//
//   npm run bench:threads -- --corpus ../shared/data/arxiv-cs-daily.jsonl.gz --k 30 [--runs 1] [--node-flag=--single-threaded-gc]
//
// Runs the compiled CLI (bin/topic-trends.mjs, with the flags `npm start` gives, plus any
// --node-flag) cold, samples /proc/<pid>/task/*/stat every 20 ms, and charges each thread's CPU
// to the stage that was running (from the --json log). Prints figures; asserts nothing.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { NODE_FLAGS } from '../pipeline/node-flags.ts';
import { wholeNumber } from './bench.ts';
import { invokedDirectly } from './command.ts';
import { statFields } from './process-tree.ts';
import { cell, formatTable, median } from './stats.ts';
import { ensureCompiled } from './systems.ts';

/** The kinds of thread CPU is charged to. */
export type ThreadKind = 'main' | 'pipeline' | 'node';
export const THREAD_KINDS: readonly ThreadKind[] = ['main', 'pipeline', 'node'];

/** CPU ticks (user + system) and start time (ticks after boot) from a /proc/<pid>/task/<tid>/stat line. */
export function parseTaskStat(stat: string): { cpuTicks: number; startTicks: number } | undefined {
  const fields = statFields(stat); // fields[0] is field 3 (state)
  if (!fields) return undefined;
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const start = Number(fields[19]);
  if (![utime, stime, start].every(Number.isFinite)) return undefined;
  return { cpuTicks: utime + stime, startTicks: start };
}

/**
 * A thread's kind: the main thread (its tid is the pid); a thread started with the process (within
 * `withinTicks` of the main thread: node's own, V8's platform threads and libuv's pool) or later
 * (the pipeline's worker threads).
 */
export function threadKind(tid: number, pid: number, startTicks: number, mainStartTicks: number, withinTicks = 10): ThreadKind {
  if (tid === pid) return 'main';
  return startTicks - mainStartTicks <= withinTicks ? 'node' : 'pipeline';
}

/** CPU seconds by stage and thread kind, and each stage's wall seconds, of one run. */
interface RunSplit {
  wall: Map<string, number>;
  cpu: Map<string, Record<ThreadKind, number>>;
}

function clockTicksPerSecond(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

function runOnce(repoRoot: string, corpus: string, k: number, nodeFlags: string[], hz: number): Promise<RunSplit> {
  const out = mkdtempSync(join(tmpdir(), 'tt-thread-cpu-'));
  const child = spawn(process.execPath, [...NODE_FLAGS, ...nodeFlags, join(repoRoot, 'bin/topic-trends.mjs'), 'run', '--input', corpus, '--k', String(k), '--out', out, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid!;
  const split: RunSplit = { wall: new Map(), cpu: new Map() };
  let stage = 'start';
  let stageStarted = performance.now();
  // A thread's CPU is read every 20 ms: what a thread that ends does after its last reading
  // (under 20 ms of work) is not counted.
  const seen = new Map<number, number>(); // tid → CPU ticks at the last sample
  const readStat = (tid: number) => {
    try {
      return parseTaskStat(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
    } catch {
      return undefined; // the thread (or the process) has ended
    }
  };
  let mainStart: number | undefined;
  const sample = () => {
    let tids: number[];
    try {
      tids = readdirSync(`/proc/${pid}/task`).map(Number);
    } catch {
      return; // the process has ended
    }
    mainStart ??= readStat(pid)?.startTicks;
    if (mainStart === undefined) return;
    for (const tid of tids) {
      const stat = readStat(tid);
      if (!stat) continue;
      const delta = stat.cpuTicks - (seen.get(tid) ?? 0);
      seen.set(tid, stat.cpuTicks);
      if (delta <= 0) continue;
      const kind = threadKind(tid, pid, stat.startTicks, mainStart);
      const row = split.cpu.get(stage) ?? { main: 0, pipeline: 0, node: 0 };
      row[kind] += delta / hz;
      split.cpu.set(stage, row);
    }
  };
  const timer = setInterval(sample, 20);
  const onLine = (line: string) => {
    const m = /"message":"([a-z]+): running"/.exec(line);
    if (!m) return;
    sample(); // what ran before this line belongs to the stage before
    split.wall.set(stage, (performance.now() - stageStarted) / 1000);
    stage = m[1]!;
    stageStarted = performance.now();
  };
  const tail: string[] = []; // the last lines, for the error when the run fails
  const lineReader = () => {
    let pending = '';
    return (chunk: Buffer) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        onLine(line);
        tail.push(line);
        if (tail.length > 5) tail.shift();
      }
    };
  };
  child.stdout.on('data', lineReader());
  child.stderr.on('data', lineReader());
  return new Promise((done, fail) => {
    child.on('exit', (code) => {
      clearInterval(timer);
      split.wall.set(stage, (performance.now() - stageStarted) / 1000);
      rmSync(out, { recursive: true, force: true });
      if (code === 0) done(split);
      else fail(new Error(`topic-trends exited with ${code}:\n${tail.join('\n')}`));
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      corpus: { type: 'string' },
      k: { type: 'string', default: '30' },
      runs: { type: 'string', default: '1' },
      'node-flag': { type: 'string', multiple: true, default: [] },
    },
  });
  if (!values.corpus) throw new Error('--corpus <file.jsonl[.gz]> is required');
  if (!existsSync(values.corpus)) throw new Error(`corpus ${values.corpus} not found`);
  if (!existsProc()) throw new Error('bench:threads reads /proc: Linux only');
  const repoRoot = resolve(new URL('.', import.meta.url).pathname, '..');
  ensureCompiled(repoRoot);
  const k = wholeNumber('--k', values.k, 2);
  const runs = wholeNumber('--runs', values.runs, 1);
  const hz = clockTicksPerSecond();
  const splits: RunSplit[] = [];
  for (let r = 0; r < runs; r++) splits.push(await runOnce(repoRoot, resolve(values.corpus), k, values['node-flag'], hz));
  const stages = [...splits[0]!.wall.keys()];
  const med = (f: (s: RunSplit) => number) => median(splits.map(f));
  const rows = stages.map((stage) => {
    const wall = med((s) => s.wall.get(stage) ?? 0);
    const kinds = THREAD_KINDS.map((kind) => med((s) => s.cpu.get(stage)?.[kind] ?? 0));
    const total = kinds.reduce((a, b) => a + b, 0);
    return [stage, cell(wall, 2), ...kinds.map((c) => cell(c, 2)), cell(total, 2), cell(wall > 0 ? total / wall : 0, 2)];
  });
  const sum = (kind: ThreadKind) => med((s) => [...s.cpu.values()].reduce((a, row) => a + row[kind], 0));
  const totals = THREAD_KINDS.map(sum);
  const wall = med((s) => [...s.wall.values()].reduce((a, b) => a + b, 0));
  const all = totals.reduce((a, b) => a + b, 0);
  rows.push(['whole run', cell(wall, 2), ...totals.map((c) => cell(c, 2)), cell(all, 2), cell(all / wall, 2)]);
  console.log(`${values.corpus}, k = ${k}, ${runs} run(s), medians; node flags: ${[...NODE_FLAGS, ...values['node-flag']].join(' ')}`);
  console.log(formatTable(['stage', 'wall (s)', 'main (s)', 'pipeline threads (s)', "node's threads (s)", 'CPU (s)', 'cores'], rows));
  console.log(
    "main: the calling thread. pipeline threads: worker threads the pipeline starts (tokenizers, compute pool, writers, chart rendering). node's threads: started with the process (V8's garbage collection helpers and optimizing compiler, libuv's pool).",
  );
}

function existsProc(): boolean {
  try {
    readdirSync('/proc/self/task');
    return true;
  } catch {
    return false;
  }
}

if (invokedDirectly(import.meta.url)) await main();
