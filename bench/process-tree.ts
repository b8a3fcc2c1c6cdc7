// Reading a process tree's memory from /proc (Linux). A benchmarked command is often a wrapper
// (npx → node, tsx → node, /usr/bin/time → the command), so "peak RSS of the child" must cover
// every process under it, not just the one we spawned.
import { readdirSync, readFileSync } from 'node:fs';

/** Parent pid of every live process, from /proc/<pid>/stat (field 4). */
export function parentPids(procRoot = '/proc'): Map<number, number> {
  const parents = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync(procRoot);
  } catch {
    return parents; // no /proc: not Linux
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const ppid = parseStatParent(readFileSync(`${procRoot}/${name}/stat`, 'utf8'));
      if (ppid !== undefined) parents.set(Number(name), ppid);
    } catch {
      // the process ended between readdir and read
    }
  }
  return parents;
}

/**
 * The parent pid from a /proc/<pid>/stat line. The command name (field 2) is in parentheses and
 * may itself contain spaces and parentheses, so parse from the last ')'.
 */
export function parseStatParent(stat: string): number | undefined {
  const ppid = Number(statFields(stat)?.[1]);
  return Number.isInteger(ppid) ? ppid : undefined;
}

/**
 * The fields of a /proc/<pid>/stat (or task/<tid>/stat) line after the command name, from field 3
 * (state) on: the name is in parentheses and may itself hold spaces and parentheses, so they are
 * read from after the last ')'. Undefined when there is no ')'.
 */
export function statFields(stat: string): string[] | undefined {
  const close = stat.lastIndexOf(')');
  return close < 0 ? undefined : stat.slice(close + 2).split(' ');
}

/** root and all its descendants that are alive now (root first). */
export function processTree(root: number, parents: Map<number, number> = parentPids()): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) {
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    if (pid !== root && !parents.has(pid)) continue;
    out.push(pid);
    for (const c of children.get(pid) ?? []) queue.push(c);
  }
  return parents.has(root) ? out : out.slice(1);
}

/** A /proc/<pid>/status field in kB (VmHWM = peak resident set, VmRSS = current), or undefined. */
export function statusKb(status: string, field: 'VmHWM' | 'VmRSS'): number | undefined {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) : undefined;
}

export function readStatusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    return statusKb(readFileSync(`/proc/${pid}/status`, 'utf8'), field);
  } catch {
    return undefined;
  }
}
