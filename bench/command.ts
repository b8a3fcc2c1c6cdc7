// How a bench command starts when node runs its file (a test that imports the file starts
// nothing): main's result becomes the exit code; an error is one line named after the command,
// exit code 2.
import { resolve } from 'node:path';

/** Whether the module at `moduleUrl` is the script node was started with. */
export function invokedDirectly(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && resolve(process.argv[1]) === new URL(moduleUrl).pathname;
}

/** Runs main with the command line's arguments when `moduleUrl` is the script node was started with. */
export function runCommand(moduleUrl: string, name: string, main: (argv: string[]) => Promise<number>): void {
  if (!invokedDirectly(moduleUrl)) return;
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(`${name}: ${(err as Error).message ?? String(err)}`);
      process.exitCode = 2;
    },
  );
}
