// The hand-over between a format reader and validation: one input record with its fields still
// untyped (as the file had them), or the reason it could not even be read as a record.

export interface RawFields {
  id?: unknown;
  title?: unknown;
  text?: unknown;
  date?: unknown;
  label?: unknown;
  url?: unknown;
  extra?: Record<string, string | number>;
}

export interface RawRecord {
  line: number; // 1-based line where the record starts
  raw: string; // the record's source text (cut to RAW_EXCERPT_CHARS when stored in a Reject)
  fields?: RawFields; // absent when `error` is set
  error?: { reason: string; field?: string }; // unreadable record: invalid JSON, wrong column count, ...
  textField?: string; // which input field held the text, for messages
  plain?: boolean; // every string in fields is printable ASCII (from a plain JSON line, see splitLineBatches)
}

export const RAW_EXCERPT_CHARS = 500;

export function rawExcerpt(raw: string): string {
  return raw.length > RAW_EXCERPT_CHARS ? raw.slice(0, RAW_EXCERPT_CHARS) : raw;
}

export function recordError(line: number, raw: string, reason: string, field?: string): RawRecord {
  return { line, raw, error: field === undefined ? { reason } : { reason, field } };
}

/** Plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
