// A small pool of worker threads that runs data-parallel kernels SYNCHRONOUSLY from the caller's
// point of view: run() posts one job per worker, computes part 0 on the calling thread, then
// blocks in Atomics.wait until every worker has bumped the shared done counter. The algorithms
// (randomized PCA, k-means) therefore stay ordinary synchronous functions; only starting the pool
// is asynchronous.
//
// Why this shape:
//  - Node's postMessage into a worker does not need the sender's event loop, and results come
//    back on per-worker MessageChannels read with receiveMessageOnPort, so blocking the main
//    thread is safe and costs ~0.1 ms per job (kernels here run for 0.1–2 s).
//  - The calling thread takes a share of the work: on 2 cores, 1 worker + main = 2 participants.
//  - A pool that could not start any worker (e.g. a runtime that cannot load .ts in a worker)
//    has threads = 1 and runs every kernel inline: callers never need a separate serial path,
//    and a run never fails because threads are unavailable.
//
// Workers load worker.ts through a small bootstrap that registers tsx in the worker's own thread
// (see bootstrapSource), or, when the pipeline runs compiled (dist/), worker.mjs directly.
// Workers are unref'd: an idle pool never keeps the process alive.

import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { KERNELS, type KernelName, WARMERS, type WarmerName } from './kernels.ts';
import { CONTROL_DONE, CONTROL_LENGTH, CONTROL_TASK, type JobMessage, type JobReply, sharedTaskCounter } from './protocol.ts';
import { getHeapStatistics } from 'node:v8';
import { collectGarbage, HEAP_GROWTH_TO_COLLECT } from './collect.ts';
import { sharedInt32 } from './shared.ts';

export interface WorkerPoolOptions {
  /** Participants including the calling thread (default os.availableParallelism(); 1 = no workers). */
  threads?: number;
  /** Give up on a worker that has not reported ready after this long (default 120 s: loading the modules of a worker through tsx took over 30 s on the shared machine at load 11). */
  startTimeoutMs?: number;
  /** Worker entry module (default ./worker.ts); tests point it elsewhere to exercise the fallback. */
  workerUrl?: URL;
  /** What each worker loads as soon as it is ready, before any job (kernels.ts WARMERS). */
  warm?: WarmerName[];
}

interface PoolWorker {
  worker: Worker;
  results: MessagePort;
  /** Set when the thread exits (a crash, or terminate): run() leaves dead workers out. */
  dead: boolean;
}

export class WorkerPool {
  /** Why workers that were asked for did not start (empty when all started). */
  readonly startErrors: string[];
  private readonly workers: PoolWorker[];
  private readonly control: Int32Array;
  private busy = false;
  private closed = false;

  private constructor(workers: PoolWorker[], control: Int32Array, startErrors: string[]) {
    this.workers = workers;
    this.control = control;
    this.startErrors = startErrors;
  }

  /** A pool without workers: every kernel runs inline on the calling thread. */
  static serial(): WorkerPool {
    return new WorkerPool([], sharedInt32(CONTROL_LENGTH), []);
  }

  /**
   * Starts threads − 1 workers and waits until each is ready. Workers that fail to start are
   * left out (their errors in startErrors); this never rejects for that reason.
   */
  static async start(opts: WorkerPoolOptions = {}): Promise<WorkerPool> {
    const threads = opts.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`WorkerPool: threads must be a positive integer, got ${threads}`);
    const timeout = opts.startTimeoutMs ?? 120_000;
    if (!(timeout > 0)) throw new RangeError(`WorkerPool: startTimeoutMs must be positive, got ${timeout}`);
    const control = sharedInt32(CONTROL_LENGTH);
    const url = opts.workerUrl ?? defaultWorkerUrl();
    for (const w of opts.warm ?? []) if (!(w in WARMERS)) throw new RangeError(`WorkerPool: unknown warmer '${String(w)}'`);
    const started = await Promise.allSettled(Array.from({ length: threads - 1 }, () => startWorker(url, control, timeout, opts.warm ?? [])));
    const workers: PoolWorker[] = [];
    const errors: string[] = [];
    for (const s of started) {
      if (s.status === 'fulfilled') workers.push(s.value);
      else errors.push(s.reason instanceof Error ? s.reason.message : String(s.reason));
    }
    return new WorkerPool(workers, control, errors);
  }

  /** Participants of every job: the workers plus the calling thread. */
  get threads(): number {
    return this.live().length + 1;
  }

  private live(): PoolWorker[] {
    return this.workers.filter((w) => !w.dead);
  }

  /**
   * Runs `kernel(args, part, parts)` for part = 0 … threads − 1 (part 0 on the calling thread)
   * and returns the kernels' results in part order. Blocks until all parts are done. Throws the
   * first error of any part (after all parts have finished, so shared outputs are quiescent).
   * `meanwhile`: other work for the calling thread (see execute).
   */
  run<R = unknown>(kernel: KernelName, args: unknown, meanwhile?: () => void): R[] {
    return this.execute<R>(kernel, () => args, meanwhile);
  }

  /**
   * Like run(), but part p gets partArgs[p] (one entry per thread: size the work by `threads`).
   * For inputs that are not in shared memory, so each thread is sent only its own share.
   */
  runEach<R = unknown>(kernel: KernelName, partArgs: readonly unknown[], meanwhile?: () => void): R[] {
    if (partArgs.length !== this.threads) {
      throw new RangeError(`WorkerPool.runEach: ${partArgs.length} argument sets for ${this.threads} threads`);
    }
    return this.execute<R>(kernel, (part) => partArgs[part], meanwhile);
  }

  /**
   * `meanwhile`: other work for the calling thread, done after its own part and before it waits
   * for the workers (a part 0 with nothing to do leaves it free). Its error is thrown once every
   * part has finished, after any part's error.
   */
  private execute<R>(kernel: KernelName, argsOf: (part: number) => unknown, meanwhile?: () => void): R[] {
    if (this.closed) throw new Error('WorkerPool: run() after close()');
    if (this.busy) throw new Error('WorkerPool: run() is not re-entrant (a kernel may not start another job)');
    const fn = KERNELS[kernel];
    if (!fn) throw new Error(`WorkerPool: unknown kernel '${String(kernel)}'`);
    this.busy = true;
    const heapBefore = getHeapStatistics().used_heap_size;
    try {
      const workers = this.live();
      const parts = workers.length + 1;
      Atomics.store(this.control, CONTROL_DONE, 0);
      Atomics.store(this.control, CONTROL_TASK, 0);
      workers.forEach((w, i) => w.worker.postMessage({ kernel, args: argsOf(i + 1), part: i + 1, parts } satisfies JobMessage));
      const replies: JobReply[] = [];
      try {
        replies.push({ ok: true, value: fn(argsOf(0), 0, parts, sharedTaskCounter(this.control)) });
      } catch (e) {
        replies.push({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      }
      let meanwhileFailed = false;
      let meanwhileError: unknown;
      if (meanwhile) {
        try {
          meanwhile();
        } catch (e) {
          meanwhileFailed = true;
          meanwhileError = e;
        }
      }
      for (;;) {
        const done = Atomics.load(this.control, CONTROL_DONE);
        if (done >= workers.length) break;
        Atomics.wait(this.control, CONTROL_DONE, done);
      }
      for (const w of workers) {
        const msg = receiveMessageOnPort(w.results);
        replies.push(msg ? (msg.message as JobReply) : { ok: false, error: 'worker finished without a reply' });
      }
      // The calling thread's share of a job that allocates a lot (tokenizing) leaves garbage too;
      // collected here, while the workers do the same, instead of on top of the caller's next step.
      if (workers.length > 0 && getHeapStatistics().used_heap_size - heapBefore > HEAP_GROWTH_TO_COLLECT) collectGarbage();
      const failed = replies.findIndex((r) => !r.ok);
      if (failed >= 0) {
        const r = replies[failed] as { ok: false; error: string };
        throw new Error(`WorkerPool: kernel '${String(kernel)}' failed in part ${failed}: ${r.error}`);
      }
      if (meanwhileFailed) throw meanwhileError;
      return replies.map((r) => (r as { ok: true; value: R }).value);
    } finally {
      this.busy = false;
    }
  }

  /**
   * A full garbage collection in every thread of the pool, so shared memory the caller has let
   * go of is freed now: every thread holding a view must collect it first, and V8 does not count
   * shared memory towards a collection (see collect.ts). Workers collect in parallel with the
   * calling thread; ~0.1–0.3 s with the pipeline's main heap. `caller`: how the calling thread
   * collects ('young' when the memory may wait for its next full collection, see collect.ts).
   */
  collectGarbage(caller: 'full' | 'young' = 'full'): void {
    if (this.live().length > 0) this.run('collectGarbage', { caller });
    else collectGarbage(caller);
  }

  /** Terminates the workers. The pool cannot be used afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    for (const w of this.workers) w.results.close();
  }
}

/**
 * The worker entry beside this module: worker.ts when the sources run through a TypeScript loader,
 * worker.mjs when this module is part of the compiled bundle (dist/cli.mjs, see scripts/build.mjs),
 * which plain node loads without tsx (saving ~0.5 s per worker start).
 */
function defaultWorkerUrl(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.mjs', import.meta.url);
}

/**
 * The code a worker starts with (for a .ts entry). On Node 20, tsx registers its module hooks only on the main
 * thread and workers do not inherit them (`--import tsx` in a worker is a no-op there), and under
 * vitest no Node-level TypeScript loader exists at all. So the worker starts as a tiny CommonJS
 * script that registers tsx's ESM hooks in its own thread and then imports the .ts entry.
 */
function bootstrapSource(entry: URL): string {
  const api = tsxEsmApiUrl();
  return `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
}

/** URL of tsx's ESM API module (the "import" condition of 'tsx/esm/api'). */
function tsxEsmApiUrl(): string {
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  return pathToFileURL(join(dirname(pkg), 'dist', 'esm', 'api', 'index.mjs')).href;
}

function startWorker(url: URL, control: Int32Array, timeoutMs: number, warm: readonly string[]): Promise<PoolWorker> {
  return new Promise((resolve, reject) => {
    const { port1, port2 } = new MessageChannel();
    let worker: Worker;
    try {
      worker = new Worker(url.pathname.endsWith('.ts') ? bootstrapSource(url) : url, {
        eval: url.pathname.endsWith('.ts'),
        workerData: { control, resultPort: port2, warm },
        transferList: [port2],
      });
    } catch (e) {
      port1.close();
      reject(e);
      return;
    }
    const fail = (why: Error): void => {
      clearTimeout(timer);
      port1.close();
      void worker.terminate();
      reject(why);
    };
    const timer = setTimeout(() => fail(new Error(`worker did not start within ${timeoutMs} ms`)), timeoutMs);
    worker.once('error', fail);
    worker.once('exit', (code) => fail(new Error(`worker exited with code ${code} before it was ready`)));
    worker.once('message', (m) => {
      if (m !== 'ready') return fail(new Error(`unexpected first message from worker: ${String(m)}`));
      clearTimeout(timer);
      worker.removeAllListeners('error');
      worker.removeAllListeners('exit');
      // Errors inside kernels are caught in the worker and reported through run(); a thread
      // that dies between jobs is dropped. (One that dies DURING a job would leave run()
      // waiting: that takes a crash of the isolate itself, which normally ends the process.)
      const entry: PoolWorker = { worker, results: port1, dead: false };
      worker.on('error', () => {});
      worker.on('exit', () => {
        entry.dead = true;
      });
      worker.unref();
      port1.unref();
      resolve(entry);
    });
  });
}
