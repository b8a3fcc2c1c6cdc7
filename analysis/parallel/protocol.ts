// What the main thread and the workers of a WorkerPool agree on: the layout of the shared
// control block and the job message.

import type { TaskCounter } from './kernels.ts';

/** Index in the control block of the number of workers that finished the current job. */
export const CONTROL_DONE = 0;
/** Index of the next unclaimed task of the current job (dynamic work sharing). */
export const CONTROL_TASK = 1;
export const CONTROL_LENGTH = 2;

export interface JobMessage {
  kernel: string;
  args: unknown;
  part: number;
  parts: number;
}

export type JobReply = { ok: true; value: unknown } | { ok: false; error: string };

/** The task counter over a control block (shared by all participants of a job). */
export function sharedTaskCounter(control: Int32Array): TaskCounter {
  return {
    next(total: number): number {
      const t = Atomics.add(control, CONTROL_TASK, 1);
      return t < total ? t : -1;
    },
  };
}
