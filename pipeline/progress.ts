// A live progress line per stage on a terminal: the stage name, the time it has run, and a bar
// (when the stage knows its total) or a counter (when it does not). Only for a TTY: cron mail
// and CI logs must never receive carriage returns or escape codes, so createProgress returns
// undefined for any other stream and callers simply have no progress.
//
// The line is redrawn in place ('\r' + erase-line). Log messages go through write(), which
// erases the line, prints the message and draws the line again below it, so the two never mix.

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): unknown;
}

export interface Progress {
  /** A stage starts: its line appears and its clock starts. */
  begin(stage: string): void;
  /** The running stage has done `done` items (of `total`, when known). */
  update(done: number, total?: number): void;
  /** The stage is over: its line is erased (the log says how it went). */
  end(stage: string, outcome: 'done' | 'failed'): void;
  /** Prints one log line without tearing the live line. */
  write(line: string): void;
}

export interface ProgressOptions {
  stream: ProgressStream;
  /** Milliseconds clock (tests pass a fake one); default performance.now. */
  now?: () => number;
  /** Redraws at most this often from update() (default 100 ms); begin/end always draw. */
  minIntervalMs?: number;
  /** Redraw the elapsed time this often while a stage waits on I/O (default 500 ms; 0: never). */
  tickMs?: number;
  /** Environment (default process.env): TERM=dumb means no cursor control, so no progress. */
  env?: Record<string, string | undefined>;
}

const ERASE = '\r\x1b[2K';
const BAR_WIDTH = 20;

/** A progress line on `stream`, or undefined when the stream is not a terminal that can take one. */
export function createProgress(opts: ProgressOptions): Progress | undefined {
  const { stream } = opts;
  const env = opts.env ?? process.env;
  if (stream.isTTY !== true || env.TERM === 'dumb') return undefined;
  const now = opts.now ?? (() => performance.now());
  const minInterval = opts.minIntervalMs ?? 100;
  if (!(minInterval >= 0)) throw new RangeError(`progress: minIntervalMs must be ≥ 0; got ${minInterval}`);
  const tickMs = opts.tickMs ?? 500;
  if (!(tickMs >= 0)) throw new RangeError(`progress: tickMs must be ≥ 0; got ${tickMs}`);

  let stage: string | undefined;
  let started = 0;
  let done: number | undefined;
  let total: number | undefined;
  let lastDraw = -Infinity;
  let shown = false;
  let timer: ReturnType<typeof setInterval> | undefined;

  const draw = () => {
    if (stage === undefined) return;
    const text = formatProgressLine(stage, (now() - started) / 1000, done, total);
    const width = stream.columns && stream.columns > 1 ? stream.columns - 1 : 0;
    stream.write(ERASE + (width ? text.slice(0, width) : text));
    shown = true;
    lastDraw = now();
  };
  const erase = () => {
    if (shown) stream.write(ERASE);
    shown = false;
  };
  const stopTimer = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };

  return {
    begin(name) {
      stopTimer();
      stage = name;
      started = now();
      done = undefined;
      total = undefined;
      draw();
      // Keeps the clock moving while a stage awaits I/O; unref'd so it never holds the process.
      if (tickMs > 0) {
        timer = setInterval(draw, tickMs);
        timer.unref?.();
      }
    },
    update(n, t) {
      if (stage === undefined) return;
      done = n;
      total = t;
      if (now() - lastDraw >= minInterval) draw();
    },
    end() {
      stopTimer();
      erase();
      stage = undefined;
    },
    write(line) {
      erase();
      stream.write(line + '\n');
      draw();
    },
  };
}

/** 'tokenize   12.3 s  [########------------]  40%  30,000/74,728' (or a bare counter). */
export function formatProgressLine(stage: string, seconds: number, done?: number, total?: number): string {
  const head = `${stage.padEnd(10)} ${seconds.toFixed(1).padStart(6)} s`;
  if (done === undefined) return head;
  if (total === undefined || !(total > 0)) return `${head}  ${done.toLocaleString('en-US')}`;
  const ratio = Math.min(1, Math.max(0, done / total));
  const filled = Math.round(ratio * BAR_WIDTH);
  const bar = '#'.repeat(filled) + '-'.repeat(BAR_WIDTH - filled);
  const pct = `${Math.floor(ratio * 100)}%`.padStart(4);
  return `${head}  [${bar}] ${pct}  ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`;
}
