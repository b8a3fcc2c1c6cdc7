// The end of a helper thread that reports nothing but its exit (a writer: the token cache's
// records, assignments.csv): resolves when it exits cleanly, rejects with its error, or with its
// exit code when it stopped otherwise.
import type { Worker } from 'node:worker_threads';

export function threadExit(worker: Worker, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let failed: Error | undefined;
    worker.once('error', (e) => (failed = e));
    worker.once('exit', (code) => (failed || code !== 0 ? reject(failed ?? new Error(`${what} exited with code ${code}`)) : resolve()));
  });
}
