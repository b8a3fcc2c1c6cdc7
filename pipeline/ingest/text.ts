// Text and field clean-up shared by every format: what a later stage may assume about a Paper's
// strings (no control characters, single spaces, well-formed Unicode).

import { describeType } from './dates.ts';

// C0 and C1 control characters, DEL, BOMs / zero-width no-break spaces, and line/paragraph separators.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFEFF]/g;
const CONTROL_ANY = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFEFF]/;
const WHITESPACE = /[\s\u2028\u2029]+/g;
// Any whitespace other than a space (the code units of \s), or two spaces; leading and trailing
// spaces are checked by code. One class instead of five alternatives per position: ~30% faster.
const NOT_COLLAPSED = /[\t\n\v\f\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]| {2}/;
const SURROGATE = /[\uD800-\uDFFF]/;
// A surrogate half without its partner (JSON allows '\ud800'); it would make the text invalid UTF-8 on output.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// Every code unit any pass below acts on: C0 controls (\t \n \r included), DEL, C1 controls and
// U+00A0, the other white space of \s, U+2028/9, the BOM, surrogates. A string with none of
// them, no double space and no space at either end is returned as it is.
const NEEDS_CLEANING = /[\u0000-\u001F\u007F-\u00A0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\uD800-\uDFFF]/;

/**
 * Removes control characters, repairs lone surrogates and collapses whitespace runs to one space.
 * `plain`: the caller knows `s` holds printable ASCII only (U+0020-U+007E, see splitLineBatches),
 * so only double and end spaces can need cleaning.
 */
export function cleanText(s: string, plain = false): string {
  // Most input is already clean (the arXiv corpus is, every field of it): one scan for a single
  // character class and one for '  ' tell, at half the cost of running the passes' own tests
  // (~0.35 s of CPU on the 75k arXiv records). Short fields (ids, dates, names) are checked
  // by a loop over printable ASCII instead, cheaper than two searches' set-up.
  if (s.length <= 64 && isPlainAscii(s)) return s;
  if ((plain || !NEEDS_CLEANING.test(s)) && !s.includes('  ') && s.charCodeAt(0) !== 32 && s.charCodeAt(s.length - 1) !== 32) return s;
  return cleanLatin1(s) ?? cleanTextScan(s) ?? cleanTextPasses(s);
}

// A code unit past Latin-1: the text cannot be cleaned as bytes.
const BEYOND_LATIN1 = /[^\u0000-\u00ff]/;
/** cleanLatin1's bytes, reused (grown for a longer text). */
let latin1Scratch = Buffer.alloc(0);

/**
 * cleanTextPasses for a text of Latin-1 code units only (undefined for any other), as bytes: the
 * text copied out once (Buffer's latin1 write), compacted in place, one string made of what is
 * left. cleanTextScan builds its result from a slice per line, a chain of ~40 pieces for a mail
 * post that a later reader copies again, at ~6 ns a character: ~0.2 s of 20 Newsgroups' ingest on
 * the main thread, against ~3 ns here. In Latin-1 the white space of \s is \t \n \r, the space
 * and U+00A0 (\v and \f are removed as control characters, before the collapse, as in the passes).
 */
function cleanLatin1(s: string): string | undefined {
  if (BEYOND_LATIN1.test(s)) return undefined;
  const n = s.length;
  if (latin1Scratch.length < n) latin1Scratch = Buffer.allocUnsafeSlow(Math.max(n, 2 * latin1Scratch.length));
  const bytes = latin1Scratch;
  bytes.write(s, 0, n, 'latin1');
  let kept = 0;
  let space = false; // white space since the last kept character
  for (let i = 0; i < n; i++) {
    const c = bytes[i]!;
    if ((c > 32 && c < 127) || c > 0xa0) {
      if (space) {
        if (kept > 0) bytes[kept++] = 32;
        space = false;
      }
      bytes[kept++] = c;
    } else if (c === 32 || c === 10 || c === 9 || c === 13 || c === 0xa0) {
      space = true;
    } // else a control character (C0 but \t \n \r, DEL, C1): removed
  }
  return bytes.toString('latin1', 0, kept);
}

/**
 * cleanTextPasses in one scan over the code units, for a string without surrogates (undefined when
 * it meets one: the passes repair lone halves). Text with line breaks and indentation (mail, say)
 * always needs cleaning, and there the passes' global replace cost ~8 ns per character; this copies
 * runs of kept characters as slices. Removed control characters are dropped before white space is
 * collapsed, as in the passes, so "a \u0001 b" gives "a b" and "a\u0001b" gives "ab".
 */
function cleanTextScan(s: string): string | undefined {
  let out = '';
  let runStart = -1; // start of the run of kept characters being read (single inner spaces kept), or -1
  let space = false; // white space since the last kept character
  let kept = false; // out holds a kept character
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (runStart >= 0) {
      if (c > 32 && c < 127) continue;
      // A single space between printable ASCII stays in the run (most spaces: a run is a line).
      if (c === 32 && i + 1 < n) {
        const d = s.charCodeAt(i + 1);
        if (d > 32 && d < 127) continue;
      }
    }
    const white = c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
    if (white || c <= 31 || (c >= 0x7f && c <= 0x9f) || c === 0xfeff) {
      if (runStart >= 0) {
        out += s.slice(runStart, i);
        runStart = -1;
        kept = true;
      }
      if (white) space = true;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) return undefined;
    if (runStart < 0) {
      // A kept character after white space (or removed characters) starts a run.
      if (space && kept) out += ' ';
      space = false;
      runStart = i;
    }
  }
  if (runStart >= 0) out += s.slice(runStart, n);
  return out;
}

/** Printable ASCII with single inner spaces only: nothing for cleanText to do. */
function isPlainAscii(s: string): boolean {
  const last = s.length - 1;
  for (let i = 0; i <= last; i++) {
    const c = s.charCodeAt(i);
    if (c > 32 && c < 127) continue;
    if (c === 32 && i > 0 && i < last && s.charCodeAt(i + 1) !== 32) continue;
    return false;
  }
  return true;
}

/** cleanText without the clean-input shortcut: the definition cleanText must agree with (tested). */
export function cleanTextPasses(s: string): string {
  if (SURROGATE.test(s)) s = s.replace(LONE_SURROGATE, '\uFFFD');
  if (CONTROL_ANY.test(s)) s = s.replace(CONTROL, '');
  if (NOT_COLLAPSED.test(s) || s.charCodeAt(0) === 32 || s.charCodeAt(s.length - 1) === 32) s = s.replace(WHITESPACE, ' ').trim();
  return s;
}

export type FieldResult = { ok: true; value: string | undefined } | { ok: false; reason: string };

/**
 * A string field of a record: strings are cleaned, numbers coerced (a CSV or a careless exporter
 * may write a numeric id or title), null/undefined are absent; objects, arrays and booleans are
 * rejected because turning them into text would hide a mapping mistake.
 */
export function stringField(value: unknown, name: string, plain = false): FieldResult {
  if (value === undefined || value === null) return { ok: true, value: undefined };
  if (typeof value === 'string') return { ok: true, value: cleanText(value, plain) };
  if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value: String(value) };
  return { ok: false, reason: `${name} must be a string, got ${describeType(value)}` };
}

// New-style arXiv ids (2506.04263, 0704.0001, optional version) and old-style (hep-th/9901001, math.GT/0309136).
const ARXIV_NEW = /^\d{4}\.\d{4,5}(v\d+)?$/;
const ARXIV_OLD = /^[a-z][a-z-]*(\.[A-Z]{2})?\/\d{7}(v\d+)?$/;

export function isArxivId(id: string): boolean {
  return ARXIV_NEW.test(id) || ARXIV_OLD.test(id);
}

/**
 * The link kept for a paper: an http(s) URL from the record, else the arXiv abstract page when the
 * id is an arXiv id, else none. Other schemes (javascript:, file:, ftp:) are dropped because the
 * report turns urls into links.
 */
export function paperUrl(url: string | undefined, id: string): string | undefined {
  if (url !== undefined && url !== '') {
    try {
      const u = new URL(url);
      if (u.protocol === 'http:' || u.protocol === 'https:') return u.href;
    } catch {
      // not a URL: fall through to the arXiv link
    }
  }
  return isArxivId(id) ? `https://arxiv.org/abs/${id}` : undefined;
}

/** Values kept in Paper.extra: scalars as they are, arrays of scalars joined; long strings capped. `plain`: as for cleanText. */
export function extraValue(value: unknown, joiner = ' ', plain = false): string | number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') return capExtra(cleanText(value, plain));
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every(isScalar)) {
    return capExtra(value.map(plain ? cleanPlainScalar : cleanScalar).join(joiner));
  }
  return undefined;
}

// Module-level helpers rather than closures made per call (75k records × several fields).
const capExtra = (s: string): string => (s.length > 1000 ? s.slice(0, 1000) : s);
const isScalar = (v: unknown): boolean => typeof v === 'string' || typeof v === 'number';
const cleanScalar = (v: unknown): string => cleanText(String(v));
const cleanPlainScalar = (v: unknown): string => cleanText(String(v), true);
