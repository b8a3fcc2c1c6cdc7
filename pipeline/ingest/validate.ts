// RawRecord → Paper fields or a Reject. Every rule about what a valid paper is lives here so all
// formats agree. The date may still be missing: whether that is a reject depends on the whole
// file (see ingest.ts), so it is left to the caller.

import type { Paper, Reject } from '../paper.ts';
import { normalizeDate } from './dates.ts';
import { rawExcerpt, type RawRecord } from './raw-record.ts';
import { cleanText, paperUrl, stringField } from './text.ts';

/** Any character other than white space and the zero-width ones (ZWSP, ZWNJ, ZWJ, word joiner). */
const VISIBLE = /[^\s\u200B-\u200D\u2060]/;

export interface TextLimits {
  minTextChars: number;
  maxTextChars: number;
}

/** An accepted record whose date may still be missing. */
export type DraftPaper = Omit<Paper, 'date'> & { date: string | undefined };

export type Validated =
  | { ok: true; line: number; raw: string /* excerpt */; paper: DraftPaper; truncated: boolean; hadDate: boolean }
  | { ok: false; reject: Reject; hadDate: boolean };

// A module-level function, not a closure made per record (75k records a night).
function rejected(rec: RawRecord, file: string, reason: string, field?: string, hadDate = false): Validated {
  const r: Reject = { file, line: rec.line, reason };
  if (field !== undefined) r.field = field;
  if (rec.raw !== '') r.raw = rawExcerpt(rec.raw);
  return { ok: false, reject: r, hadDate };
}

export function validateRecord(rec: RawRecord, file: string, source: string, limits: TextLimits): Validated {
  if (rec.error !== undefined || rec.fields === undefined) return rejected(rec, file, rec.error?.reason ?? 'unreadable record', rec.error?.field);
  const f = rec.fields;
  // "Has a date" counts any non-empty date value, valid or not: it tells a dated file from an undated one.
  const hadDate = f.date !== undefined && f.date !== null && !(typeof f.date === 'string' && cleanText(f.date) === '');

  const plain = rec.plain === true;
  const id = stringField(f.id, 'id', plain);
  if (!id.ok) return rejected(rec, file, id.reason, 'id', hadDate);
  if (id.value === undefined || id.value === '') return rejected(rec, file, 'missing id', 'id', hadDate);

  const title = stringField(f.title, 'title', plain);
  if (!title.ok) return rejected(rec, file, title.reason, 'title', hadDate);

  const textName = rec.textField ?? 'text';
  const text = stringField(f.text, textName, plain);
  if (!text.ok) return rejected(rec, file, text.reason, textName, hadDate);
  if (text.value === undefined) return rejected(rec, file, 'missing text', textName, hadDate);
  // Zero-width characters survive cleanText (they matter inside emoji and some scripts) but a
  // text made only of them is as empty as '' (found by the fuzzer: ' \u200b ' was accepted).
  if (text.value.length === 0 || !VISIBLE.test(text.value)) return rejected(rec, file, 'empty text', textName, hadDate);
  if (text.value.length < limits.minTextChars) {
    return rejected(rec, file, `text shorter than ${limits.minTextChars} characters (${text.value.length})`, textName, hadDate);
  }
  let body = text.value;
  const truncated = body.length > limits.maxTextChars;
  if (truncated) {
    // Do not cut a surrogate pair in half.
    const end = /[\uD800-\uDBFF]/.test(body[limits.maxTextChars - 1] ?? '') ? limits.maxTextChars - 1 : limits.maxTextChars;
    body = body.slice(0, end).trimEnd();
  }

  const label = stringField(f.label, 'label', plain);
  if (!label.ok) return rejected(rec, file, label.reason, 'label', hadDate);
  const url = stringField(f.url, 'url', plain);
  if (!url.ok) return rejected(rec, file, url.reason, 'url', hadDate);

  let date: string | undefined;
  let resolution: 'year' | 'month' | undefined;
  if (hadDate) {
    const d = normalizeDate(typeof f.date === 'string' ? cleanText(f.date) : f.date);
    if (!d.ok) return rejected(rec, file, d.reason, 'date', hadDate);
    date = d.date;
    resolution = d.resolution;
  }

  const paper: DraftPaper = { id: id.value, title: title.value ?? '', text: body, date, source };
  if (label.value !== undefined && label.value !== '') paper.label = label.value;
  const link = paperUrl(url.value, id.value);
  if (link !== undefined) paper.url = link;
  if (f.extra !== undefined) paper.extra = { ...f.extra };
  // '1999' becomes 1999-01-01: say so, or trends would read a pile-up on January 1st as a burst.
  if (resolution !== undefined) paper.extra = { ...paper.extra, dateResolution: resolution };
  // The excerpt is only needed if the missing date turns this into a reject later; skip it otherwise (memory).
  return { ok: true, line: rec.line, raw: date === undefined ? rawExcerpt(rec.raw) : '', paper, truncated, hadDate };
}
