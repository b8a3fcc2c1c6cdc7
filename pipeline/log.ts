// Progress for people and machines: a human line on stderr unless quiet, and (with json) one
// JSON object per event so cron mail and log shippers can parse a run.

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  event(event: string, fields: Record<string, unknown>): void;
}

export interface LoggerOptions {
  quiet?: boolean;
  json?: boolean;
  write?: (line: string) => void;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
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
