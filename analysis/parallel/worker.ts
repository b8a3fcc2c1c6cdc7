// Worker-thread entry of WorkerPool: waits for jobs, runs the named kernel on its part, posts
// the result (or the error) on its result port and only then bumps the shared done counter, so
// the main thread (blocked in Atomics.wait) finds the message queued when it wakes.

import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { KERNELS } from './kernels.ts';
import { CONTROL_DONE, type JobMessage, sharedTaskCounter } from './protocol.ts';

const { control, resultPort } = workerData as { control: Int32Array; resultPort: MessagePort };
const tasks = sharedTaskCounter(control);

parentPort!.on('message', (job: JobMessage) => {
  try {
    const kernel = KERNELS[job.kernel];
    if (!kernel) throw new Error(`unknown kernel '${job.kernel}'`);
    resultPort.postMessage({ ok: true, value: kernel(job.args, job.part, job.parts, tasks) });
  } catch (e) {
    resultPort.postMessage({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
  Atomics.add(control, CONTROL_DONE, 1);
  Atomics.notify(control, CONTROL_DONE);
});
parentPort!.postMessage('ready');
