// bench/thread-cpu.ts's reading of /proc: a task's CPU and start from its stat line (the name may
// hold spaces and parentheses), and which kind of thread it is.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTaskStat, threadKind } from '../bench/thread-cpu.ts';

describe('bench:threads', () => {
  // Fields 3… of a real stat line: utime (14) = 250, stime (15) = 31, starttime (22) = 2205044.
  const tail = 'S 1 14592 14592 0 -1 4194560 1234 0 0 0 250 31 0 0 20 0 11 0 2205044 1100000000 12345 18446744073709551615';

  it('reads utime + stime and the start time, past a name with spaces and parentheses', () => {
    expect(parseTaskStat(`14594 (node) ${tail}`)).toEqual({ cpuTicks: 281, startTicks: 2205044 });
    expect(parseTaskStat(`14594 (a (b) c) ${tail}`)).toEqual({ cpuTicks: 281, startTicks: 2205044 });
    expect(parseTaskStat('14594 node S 1')).toBeUndefined();
    expect(parseTaskStat('14594 (node) S 1 2')).toBeUndefined();
  });

  it.skipIf(process.platform !== 'linux')('reads this thread’s own stat line', () => {
    const own = parseTaskStat(readFileSync('/proc/thread-self/stat', 'utf8'));
    expect(own?.startTicks).toBeGreaterThan(0);
    expect(own?.cpuTicks).toBeGreaterThanOrEqual(0);
  });

  it('the main thread by its tid, node’s threads by their start with it, the rest are the pipeline’s', () => {
    expect(threadKind(100, 100, 5000, 5000)).toBe('main');
    expect(threadKind(101, 100, 5003, 5000)).toBe('node');
    expect(threadKind(101, 100, 5010, 5000)).toBe('node');
    expect(threadKind(120, 100, 5011, 5000)).toBe('pipeline');
    expect(threadKind(120, 100, 5400, 5000, 500)).toBe('node');
  });
});
