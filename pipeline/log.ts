// Progress for people and machines: a human line on stderr unless quiet, and (with json) one
// JSON object per event so cron mail and log shippers can parse a run. On a terminal, lines go
// through the live progress line (pipeline/progress.ts) so that the two never overwrite each other.
import type { Progress } from './progress.ts';

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  event(event: string, fields: Record<string, unknown>): void;
}

export interface LoggerOptions {
  quiet?: boolean;
  json?: boolean;
  write?: (line: string) => void;
  /** The live progress line: human lines are printed through it. Ignored with json. */
  progress?: Progress;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const progress = opts.json ? undefined : opts.progress;
  const write = opts.write ?? (progress ? (line: string) => progress.write(line) : (line: string) => process.stderr.write(line + '\n'));
  const emit = (level: string, message: string, fields?: Record<string, unknown>) => {
    if (opts.json) write(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }));
    else if (!opts.quiet || level === 'warn') write(level === 'warn' ? `warning: ${message}` : message);
  };
  return {
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    event: (event, fields) => {
      if (opts.json) write(JSON.stringify({ time: new Date().toISOString(), level: 'info', event, ...fields }));
    },
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, event() {} };
