// The one error ingest throws: the input as a whole cannot be read (missing or unreadable path,
// unknown format, a CSV without the mapped columns). A bad *record* never throws: it becomes a Reject.
// The class is the pipeline's InputError (a UserError: the CLI prints the message and exits with
// the bad-input code); this helper puts the file (and line) in front of the message.

import { InputError } from '../errors.ts';

export { InputError };

export function inputError(file: string, message: string, opts: { line?: number; field?: string } = {}): InputError {
  const where = opts.line !== undefined ? `${file}:${opts.line}` : file;
  return new InputError(`${where}: ${message}`, file, opts.line, opts.field);
}
