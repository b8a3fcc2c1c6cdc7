// One WorkerPool per process, shared by the stages that run parallel kernels (reduce, cluster).
// Started on first request (vectorize asks early so the workers load while TF-IDF runs) and
// never closed: its workers are unref'd, so they do not keep the process alive.
//
// Threads: TOPIC_TRENDS_WORKERS when set (1 = no worker threads), else os.availableParallelism().
// (A config key would be the better home; the config belongs to the nightly-ops code.)

import { availableParallelism } from 'node:os';
import { WorkerPool } from '../../analysis/parallel/pool.ts';

let pool: Promise<WorkerPool> | null = null;

/** Threads the shared pool uses, including the main thread. */
export function workerThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.TOPIC_TRENDS_WORKERS;
  if (raw === undefined || raw === '') return availableParallelism();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`TOPIC_TRENDS_WORKERS must be a positive integer, got '${raw}'`);
  return n;
}

/** The process's pool (starting it on the first call). Never rejects for lack of workers: it falls back to one thread. */
export function sharedWorkerPool(): Promise<WorkerPool> {
  pool ??= (async () => {
    const threads = workerThreads();
    return threads > 1 ? WorkerPool.start({ threads }) : WorkerPool.serial();
  })();
  return pool;
}
