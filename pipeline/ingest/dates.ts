// Date normalisation for ingest: every accepted paper carries a 'YYYY-MM-DD' date (trends need
// one). Accepted spellings are the ones our inputs actually use; anything else is rejected with a
// reason rather than guessed, because a wrong date silently distorts every trend chart.

export const MIN_YEAR = 1000;
export const MAX_YEAR = 2100;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** `resolution` is set when the input named only a year or a month (the day is then the 1st). */
export type DateResult = { ok: true; date: string; resolution?: 'year' | 'month' } | { ok: false; reason: string };

function withResolution(r: DateResult, resolution: 'year' | 'month'): DateResult {
  return r.ok ? { ...r, resolution } : r;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Checks a calendar date and formats it; the reason names what is impossible. */
export function makeDate(year: number, month: number, day: number): DateResult {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    return { ok: false, reason: `year ${year} outside ${MIN_YEAR}–${MAX_YEAR}` };
  }
  if (!Number.isInteger(month) || month < 1 || month > 12) return { ok: false, reason: `impossible month ${month}` };
  if (!Number.isInteger(day) || day < 1 || day > daysInMonth(year, month)) {
    return { ok: false, reason: `impossible date ${pad(year, 4)}-${pad(month)}-${pad(day)}` };
  }
  return { ok: true, date: `${pad(year, 4)}-${pad(month)}-${pad(day)}` };
}

/** Month number (1–12) of an English month name or abbreviation ('Mar', 'March', 'Sept'), else 0. */
export function monthNumber(name: string): number {
  const key = name.toLowerCase().replace(/\.$/, '');
  if (key.length < 3) return 0;
  const i = MONTHS.indexOf(key.slice(0, 3));
  if (i < 0) return 0;
  const full = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'][i]!;
  return full.startsWith(key) || key === 'sept' ? i + 1 : 0;
}

/** The UTC calendar date of an instant given as local fields plus an offset in minutes east of UTC. */
function utcDate(y: number, mo: number, d: number, h: number, mi: number, s: number, offsetMinutes: number): DateResult {
  // Validate the local date first so '2025-02-30T10:00:00Z' is rejected, not rolled into March.
  const local = makeDate(y, mo, d);
  if (!local.ok) return local;
  if (h > 24 || mi > 59 || s > 60) return { ok: false, reason: `impossible time ${pad(h)}:${pad(mi)}:${pad(s)}` };
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi - offsetMinutes, Math.min(s, 59), 0);
  return makeDate(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

function parseOffset(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === '' || /^(z|gmt|utc|ut)$/i.test(zone)) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!m) return undefined;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_MONTH = /^(\d{4})-(\d{2})$/;
const YEAR = /^(\d{4})$/;
const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
// RFC 2822 as in arXiv's versions[].created: 'Mon, 2 Apr 2007 19:18:42 GMT'.
const RFC_2822 = /^(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3,9})\s+(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*(GMT|UTC|UT|Z|[+-]\d{4}))?)?$/;

/**
 * Normalises a date value to 'YYYY-MM-DD' (UTC for timestamps).
 * Accepts 'YYYY-MM-DD', ISO timestamps, 'YYYY-MM' (→ day 01), 'YYYY' or a year number (→ Jan 1),
 * and RFC 2822 dates. Missing values are the caller's business (it knows whether the format supplies one).
 */
export function normalizeDate(value: unknown): DateResult {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return { ok: false, reason: `date ${value} is not a year` };
    return withResolution(makeDate(value, 1, 1), 'year');
  }
  if (typeof value !== 'string') return { ok: false, reason: `date must be a string, got ${describeType(value)}` };
  const s = value.trim();
  let m: RegExpExecArray | null;
  if ((m = ISO_DATE.exec(s))) return makeDate(Number(m[1]), Number(m[2]), Number(m[3]));
  if ((m = ISO_TIMESTAMP.exec(s))) {
    const offset = parseOffset(m[7]);
    if (offset === undefined) return { ok: false, reason: `unrecognised time zone in '${s}'` };
    return utcDate(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0), offset);
  }
  if ((m = YEAR.exec(s))) return withResolution(makeDate(Number(m[1]), 1, 1), 'year');
  if ((m = ISO_MONTH.exec(s))) return withResolution(makeDate(Number(m[1]), Number(m[2]), 1), 'month');
  if ((m = RFC_2822.exec(s))) {
    const month = monthNumber(m[2]!);
    if (month === 0) return { ok: false, reason: `unknown month '${m[2]}' in '${s}'` };
    const offset = parseOffset(m[7]);
    if (offset === undefined) return { ok: false, reason: `unrecognised time zone in '${s}'` };
    return utcDate(Number(m[3]), month, Number(m[1]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), offset);
  }
  const shown = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  return { ok: false, reason: `unrecognised date '${shown}' (expected YYYY-MM-DD, an ISO timestamp, YYYY or an RFC 2822 date)` };
}

/** 'object', 'array', 'null', 'boolean', ... for error messages. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** The UTC date of a file time (mtime), for formats or files that carry no date of their own. */
export function dateOfTime(t: Date): string {
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}
