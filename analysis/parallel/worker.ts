// Worker-thread entry of WorkerPool: waits for jobs, runs the named kernel on its part, posts
// the result (or the error) on its result port and only then bumps the shared done counter, so
// the main thread (blocked in Atomics.wait) finds the message queued when it wakes.
// A result's typed arrays are moved, not copied (see ownedBuffers).

import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { collectGarbage, HEAP_GROWTH_TO_COLLECT } from './collect.ts';
import { KERNELS, WARMERS } from './kernels.ts';
import { CONTROL_DONE, type JobMessage, sharedTaskCounter } from './protocol.ts';

const { control, resultPort, warm } = workerData as { control: Int32Array; resultPort: MessagePort; warm?: string[] };
const tasks = sharedTaskCounter(control);

parentPort!.on('message', (job: JobMessage) => {
  const heapBefore = getHeapStatistics().used_heap_size;
  try {
    const kernel = KERNELS[job.kernel];
    if (!kernel) throw new Error(`unknown kernel '${job.kernel}'`);
    const value = kernel(job.args, job.part, job.parts, tasks);
    resultPort.postMessage({ ok: true, value }, ownedBuffers(value));
  } catch (e) {
    resultPort.postMessage({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
  Atomics.add(control, CONTROL_DONE, 1);
  Atomics.notify(control, CONTROL_DONE);
  // A job that grew the heap a lot leaves that much garbage, which an idle worker would keep:
  // collect it now, while the caller is busy with the results (see HEAP_GROWTH_TO_COLLECT).
  if (getHeapStatistics().used_heap_size - heapBefore > HEAP_GROWTH_TO_COLLECT) collectGarbage();
});
parentPort!.postMessage('ready');
// Loaded ahead of the first job (WorkerPoolOptions.warm), in this thread's first turn after
// 'ready': a job posted meanwhile waits for it, and needs it anyway. A warmer that fails leaves
// the load to the job, which reports the error.
for (const name of warm ?? []) {
  try {
    WARMERS[name]?.();
  } catch {
    // see above
  }
}
// Loading leaves garbage (wink's model is parsed from JSON) that an idle thread would keep until
// its job's first full collection: measured on arXiv, the run's peak RSS +50 MB without this.
if (warm !== undefined && warm.length > 0) collectGarbage();

/**
 * The ArrayBuffers a kernel's result owns outright (typed arrays covering all of a non-shared
 * buffer, found in the result and its plain objects and arrays), to transfer instead of copy.
 * Why: a copy leaves the worker's original as garbage that an idle worker never collects (a
 * tokenize chunk left ~110 MB per worker on arXiv). Kernels return freshly built results, so
 * the worker never reads them again; views of part of a buffer (e.g. Node's Buffer pool) are
 * copied as before.
 */
function ownedBuffers(value: unknown, found: Set<ArrayBuffer> = new Set(), depth = 0): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    const b = value.buffer;
    if (b instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === b.byteLength) found.add(b);
  } else if (depth < 4 && value !== null && typeof value === 'object') {
    const items = Array.isArray(value) ? value : Object.values(value);
    for (const item of items) if (item !== null && typeof item === 'object') ownedBuffers(item, found, depth + 1);
  }
  return [...found];
}
