// k-means restarts spread over the pool: every participant claims restart indices from the
// shared task counter until all nInit are taken, so a slow restart does not hold up the others.

import { type RestartOutcome, type RestartProblem, runRestart } from '../kmeans-restart.ts';
import type { TaskCounter } from './kernels.ts';

export interface KMeansRestartArgs {
  /** X and fitX in shared memory. */
  problem: RestartProblem;
  nInit: number;
}

export function kmeansRestartKernel(args: KMeansRestartArgs, _part: number, _parts: number, tasks: TaskCounter): RestartOutcome[] {
  const out: RestartOutcome[] = [];
  for (let r = tasks.next(args.nInit); r >= 0; r = tasks.next(args.nInit)) out.push(runRestart(args.problem, r));
  return out;
}
