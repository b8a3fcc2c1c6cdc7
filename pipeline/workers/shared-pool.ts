// One WorkerPool per process, shared by the stages that run parallel kernels (reduce, cluster).
// Started on first request (vectorize asks early so the workers load while TF-IDF runs) and
// never closed: its workers are unref'd, so they do not keep the process alive.
//
// Threads: the config's `workers` when set, else TOPIC_TRENDS_WORKERS (1 = no worker threads),
// else os.availableParallelism(). Results are identical whatever the count, so it is no part of
// any stage's cache key.

import { availableParallelism } from 'node:os';
import { WorkerPool } from '../../analysis/parallel/pool.ts';
import { ConfigError } from '../errors.ts';

let pool: Promise<WorkerPool> | null = null;

/** Threads the shared pool uses, including the main thread. */
export function workerThreads(env: NodeJS.ProcessEnv = process.env, configured?: number): number {
  if (configured !== undefined) return configured;
  const raw = env.TOPIC_TRENDS_WORKERS;
  if (raw === undefined || raw === '') return availableParallelism();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`TOPIC_TRENDS_WORKERS must be a positive integer, got '${raw}'`, 'workers');
  return n;
}

/** The process's pool (starting it on the first call). Never rejects for lack of workers: it falls back to one thread. */
export function sharedWorkerPool(configured?: number): Promise<WorkerPool> {
  pool ??= (async () => {
    const threads = workerThreads(process.env, configured);
    return threads > 1 ? WorkerPool.start({ threads }) : WorkerPool.serial();
  })();
  return pool;
}
