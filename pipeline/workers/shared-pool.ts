// One WorkerPool per process, shared by the stages that run parallel kernels (tokenize, reduce,
// cluster). Started on first request (vectorize asks early so the workers load while TF-IDF
// runs); its workers are unref'd, so they do not keep the process alive. The runner retires it
// after tokenize (see retireSharedWorkerPool) and the next request starts a fresh one.
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

/**
 * Terminates the process's pool, if one was started; the next sharedWorkerPool() starts a new
 * one. Why: a worker that tokenized keeps wink's model, its share of the documents and their
 * garbage in its heap (measured on arXiv: ~350 MB per worker), and an idle worker never collects
 * it. Restarting costs one worker start (~1 s of CPU, overlapping the single-threaded vectorize).
 */
export async function retireSharedWorkerPool(): Promise<void> {
  const current = pool;
  if (!current) return;
  pool = null;
  try {
    await (await current).close();
  } catch {
    // a pool that failed to start has nothing to close
  }
}
