// JSON Lines: one JSON object per line. Also the record mapping of the generic format
// { id, title?, text | abstract | summary, date, label?, url?, ...extra } shared with JSON arrays.

import { describeType } from './dates.ts';
import { isObject, recordError, type RawFields, type RawRecord } from './raw-record.ts';
import { readLineBatches, type InputFile } from './read-lines.ts';
import { extraValue } from './text.ts';

/** One source record: its start line and JSON text. */
export interface JsonItem {
  line: number;
  text: string;
  error?: string; // set when the container itself is broken (e.g. a truncated JSON array)
  plain?: boolean; // the text is ASCII without a backslash or DEL (see splitLineBatches)
}

/**
 * Non-blank lines of a JSON Lines file (blank lines are not records and are not counted), a
 * decompressed chunk of the file at a time (see readLineBatches).
 */
export async function* readJsonLineBatches(input: InputFile): AsyncGenerator<JsonItem[]> {
  for await (const lines of readLineBatches(input, { plain: true })) {
    // The line objects serve as the items: a blank line is rare, so filter only when there is one.
    let blank = 0;
    for (const l of lines) if (isBlank(l.text)) blank++;
    if (blank === 0) yield lines;
    else if (blank < lines.length) yield lines.filter((l) => !isBlank(l.text));
  }
}

function isBlank(text: string): boolean {
  return text.trim() === '';
}

/** Parses one JSON record; invalid JSON and non-objects become record errors carrying the parser's message. */
export function parseJsonItem(item: JsonItem): { obj: Record<string, unknown> } | { rec: RawRecord } {
  if (item.error !== undefined) return { rec: recordError(item.line, item.text, item.error) };
  let value: unknown;
  try {
    value = JSON.parse(item.text);
  } catch (e) {
    return { rec: recordError(item.line, item.text, `invalid JSON: ${(e as Error).message}`) };
  }
  if (!isObject(value)) return { rec: recordError(item.line, item.text, `record must be a JSON object, got ${describeType(value)}`) };
  return { obj: value };
}

const GENERIC_KEYS = new Set(['id', 'title', 'text', 'abstract', 'summary', 'date', 'label', 'url']);
const TEXT_KEYS = ['text', 'abstract', 'summary'] as const;

/** Generic record → fields. Text comes from the first of text / abstract / summary present; other scalar or list fields go to extra. */
export function mapGenericRecord(obj: Record<string, unknown>, plain = false): { fields: RawFields; textField: string } {
  let textField = 'text';
  for (const k of TEXT_KEYS) {
    if (obj[k] !== undefined && obj[k] !== null) {
      textField = k;
      break;
    }
  }
  const extra: Record<string, string | number> = {};
  // Own keys in Object.keys order (a parsed JSON object has no inherited enumerable ones),
  // without the [key, value] pair arrays of Object.entries: this runs once per record.
  for (const key of Object.keys(obj)) {
    if (GENERIC_KEYS.has(key)) continue;
    const v = extraValue(obj[key], key === 'authors' ? ', ' : ' ', plain);
    if (v !== undefined && v !== '') extra[key] = v;
  }
  const fields: RawFields = { id: obj.id, title: obj.title, text: obj[textField], date: obj.date, label: obj.label, url: obj.url };
  if (Object.keys(extra).length > 0) fields.extra = extra;
  return { fields, textField };
}
