// The one error ingest throws: the input as a whole cannot be read (missing or unreadable path,
// unknown format, a CSV without the mapped columns). A bad *record* never throws: it becomes a Reject.

export class InputError extends Error {
  readonly file: string;
  readonly line?: number;
  readonly field?: string;

  constructor(file: string, message: string, opts: { line?: number; field?: string; cause?: unknown } = {}) {
    const where = opts.line !== undefined ? `${file}:${opts.line}` : file;
    super(`${where}: ${message}`, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'InputError';
    this.file = file;
    if (opts.line !== undefined) this.line = opts.line;
    if (opts.field !== undefined) this.field = opts.field;
  }
}
