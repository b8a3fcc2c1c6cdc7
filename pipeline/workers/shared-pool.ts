// One WorkerPool per process, shared by the stages that run parallel kernels (tokenize, reduce,
// cluster). Started on first request (tokenize and vectorize ask early so the workers load
// meanwhile); its workers are unref'd, so they do not keep the process alive. Once the workers
// have tokenized, the tokenize stage replaces them with fresh ones (renewSharedWorkerPool).
//
// Threads: the config's `workers` when set, else TOPIC_TRENDS_WORKERS (1 = no worker threads),
// else os.availableParallelism(). Results are identical whatever the count, so it is no part of
// any stage's cache key.

import { availableParallelism } from 'node:os';
import type { WarmerName } from '../../analysis/parallel/kernels.ts';
import { WorkerPool } from '../../analysis/parallel/pool.ts';
import { ConfigError } from '../errors.ts';

let pool: Promise<WorkerPool> | null = null;
/** What the current pool's workers loaded ahead of their first job. */
let poolWarm: WarmerName[] = [];

/** What the current pool's workers were started to load ahead of their first job ([] when none or no pool). */
export function sharedWorkerPoolWarm(): readonly WarmerName[] {
  return pool === null ? [] : poolWarm;
}

/** Threads the shared pool uses, including the main thread. */
export function workerThreads(env: NodeJS.ProcessEnv = process.env, configured?: number): number {
  if (configured !== undefined) return configured;
  const raw = env.TOPIC_TRENDS_WORKERS;
  if (raw === undefined || raw === '') return availableParallelism();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`TOPIC_TRENDS_WORKERS must be a positive integer, got '${raw}'`, 'workers');
  return n;
}

/** Whether the process's pool has been started (and not retired since). */
export function sharedWorkerPoolStarted(): boolean {
  return pool !== null;
}

/**
 * The process's pool (starting it on the first call). Never rejects for lack of workers: it falls
 * back to one thread. `warm`: what its workers load before their first job, when this call
 * starts the pool (WorkerPoolOptions.warm).
 */
export function sharedWorkerPool(configured?: number, warm?: WarmerName[]): Promise<WorkerPool> {
  if (pool === null) poolWarm = [...(warm ?? [])];
  pool ??= (async () => {
    const threads = workerThreads(process.env, configured);
    return threads > 1 ? WorkerPool.start({ threads, warm }) : WorkerPool.serial();
  })();
  return pool;
}

/**
 * Starts the process's pool without waiting for it (so its workers load meanwhile); a start
 * failure surfaces where the pool is awaited.
 */
export function startSharedWorkerPool(configured?: number, warm?: WarmerName[]): void {
  sharedWorkerPool(configured, warm).catch(() => undefined);
}

/**
 * Terminates the process's pool, if one was started; the next sharedWorkerPool() starts a new
 * one. Why: a worker that tokenized keeps wink's model, its share of the documents and their
 * garbage in its heap (measured on arXiv: ~350 MB per worker), and an idle worker never collects
 * it. A restart costs one worker start (~1 s of CPU): renewSharedWorkerPool does it at once.
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

/**
 * Retires the process's pool and starts a fresh one at once, without waiting for it: for when the
 * workers hold a heap of garbage (they tokenized, see retireSharedWorkerPool) and more parallel
 * work follows. The new workers load while the caller goes on alone (tokenize assembling its
 * corpus), not while the next parallel pass waits for them. Resolves once the old pool is closed;
 * the new one starts before that (the old workers are told to stop either way, and their heaps go
 * as their threads end), so a caller that need not know when the old threads are gone does not
 * wait for it: on a cold arXiv run that wait was 80-110 ms of the calling thread's.
 */
export function renewSharedWorkerPool(configured?: number): Promise<void> {
  const closed = retireSharedWorkerPool(); // forgets the pool at once (its first step is synchronous)
  startSharedWorkerPool(configured);
  return closed;
}
