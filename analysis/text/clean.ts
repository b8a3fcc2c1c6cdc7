// Text cleaning before tokenization. Two goals:
//  1. Drop what is not prose (LaTeX math and commands, HTML, URLs, e-mail addresses), so that
//     'mathcal', 'href' or 'www' never become topic terms.
//  2. Protect wink-nlp, whose tokenizer is quadratic on long runs without spaces (a 64k hyphen
//     chain takes 12 s, a 1 MiB run over 10 minutes): runs of 100+ non-space characters go,
//     and the length is capped.
// Everything here is linear time: math delimiters are matched by a hand-written scanner with a
// bounded look-ahead, and every regex is either a single character class or is applied after
// long runs are gone, so no pattern can backtrack over more than ~100 characters.

/** What replaces removed math and paragraph breaks: a punctuation token, i.e. a phrase boundary. */
const BOUNDARY = ' ; ';

/** Longest inline math ($...$, \(...\)) we accept; beyond it a '$' is taken as a stray dollar. */
const MAX_INLINE_MATH = 400;
/** Longest display math ($$...$$, \[...\]). */
const MAX_DISPLAY_MATH = 4000;
/** Runs of this many non-space characters are removed. */
export const MAX_RUN = 100;

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200D\u2060\uFEFF]/g;
// Commands whose argument is a key or a path, not prose: drop command and argument.
const KEY_COMMAND = /\\(?:cite[a-z]*|[a-z]*ref|label|url|includegraphics|bibliography\w*|begin|end)\*?(?:\[[^\]\s]{0,100}\])?\{[^{}\s]{0,100}\}/g;
const ACCENT = /\\['"`^~=.]/g; // G\"odel → Godel
const COMMAND = /\\[a-zA-Z]+\*?/g; // \textbf, \emph, \mathrm ... (their {argument} words stay)
const ESCAPED = /\\([%&_#$])/g; // \% → %
const BRACES = /[{}]/g;
const HTML_TAG = /<\/?[a-zA-Z][^<>]{0,300}>/g;
const HTML_ENTITY = /&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,9});/g;
const URL = /(?:\b(?:https?|ftp):\/\/|\bwww\.)\S*/gi;
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
const LONG_RUN = new RegExp(`(?<!\\S)\\S{${MAX_RUN},}`, 'g'); // anchored at run starts: each run is scanned once
// Candidate runs for the encoded-data test (uuencode, base64, PGP blocks, hex dumps).
const CANDIDATE_RUN = /(?<!\S)\S{20,}/g;
// A full uuencoded line: 'M' (45 bytes) then 60 characters from ' ' to '`' (old encoders write
// zero bytes as spaces, so the line is not one run). Bounded: no lower case can match.
const UUENCODED_LINE = /^M[\x20-\x60]{58,61}$/gm;
const PARAGRAPH = /[ \t\r]*\n[ \t\r]*\n\s*/g;
const SPACES = /\s+/g;

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  rsquo: '’',
  lsquo: '‘',
  rdquo: '”',
  ldquo: '“',
  aacute: 'á',
  agrave: 'à',
  acirc: 'â',
  auml: 'ä',
  eacute: 'é',
  egrave: 'è',
  ecirc: 'ê',
  euml: 'ë',
  iacute: 'í',
  iuml: 'ï',
  oacute: 'ó',
  ocirc: 'ô',
  ouml: 'ö',
  uacute: 'ú',
  uuml: 'ü',
  ccedil: 'ç',
  ntilde: 'ñ',
  szlig: 'ß',
};

/**
 * Cleans one text for tokenization; returns at most `maxChars` characters (cut at a space).
 * Removed math and paragraph breaks leave a ';' so that no bigram spans them.
 *
 * Most abstracts need none of the passes, so one char-code scan first measures what the text
 * holds (control characters, irregular white space, runs of 20+ and 100+ non-space characters)
 * and only the passes with something to do run: the run patterns (a lookbehind at every position)
 * and the white-space collapse were a third of the tokenizer's time. The output is that of
 * cleanTextReference (every pass, always), checked in test/tokenizer-fast.test.ts.
 */
export function cleanText(s: string, maxChars = 20000): string {
  checkMaxChars(maxChars);
  const t = cleanPasses(s, maxChars);
  return capLength(whiteSpaceLeft ? collapseSpaces(t) : t, maxChars);
}

/**
 * cleanText for a reader that takes every run of white space as collapseSpaces writes it: a ';'
 * when the run holds a paragraph break, else nothing but a separator (the tokenizer's unit scan).
 * The text is then returned before the collapse, which copied every text a pass had changed: the
 * pipeline's texts come from ingest with single spaces already, but a removed address, URL, tag
 * or formula leaves spaces around it (most 20 Newsgroups posts have an address: the tokenizer's
 * CPU there fell ~5%; arXiv's abstracts rarely need it). Only when the cap could apply is it
 * cleanText's text: the collapse writes at most 3 characters for a run of 2 or more (' ; ') and
 * at most 1 for a single one, so a text of at most 2/3 maxChars is never cut.
 */
export function cleanTextUncollapsed(s: string, maxChars = 20000): string {
  checkMaxChars(maxChars);
  const t = cleanPasses(s, maxChars);
  if (!whiteSpaceLeft) return capLength(t, maxChars);
  return 3 * t.length <= 2 * maxChars ? t : capLength(collapseSpaces(t), maxChars);
}

function checkMaxChars(maxChars: number): void {
  if (!Number.isInteger(maxChars) || maxChars < 1) {
    throw new RangeError(`cleanText: maxChars must be a positive integer, got ${maxChars}`);
  }
}

/**
 * Whether the last cleanPasses left white space for collapseSpaces (else its text has single
 * spaces between non-space characters only). Module state rather than a returned pair: this runs
 * once per title and text, millions of times.
 */
let whiteSpaceLeft = false;

/** Every pass of cleanText but the white-space collapse and the cap (see whiteSpaceLeft). */
function cleanPasses(s: string, maxChars: number): string {
  whiteSpaceLeft = false;
  if (!s) return '';
  let t = s.length > maxChars * 4 ? s.slice(0, maxChars * 4) : s;
  const encoded = ENCODED_RUNS;
  encoded.length = 0;
  let scan = scanText(t, encoded);
  if (scan & HAS_CONTROL) {
    t = t.replace(CONTROL, ' ');
    encoded.length = 0;
    scan = scanText(t, encoded);
  }
  const start = t;
  const odd = scan & HAS_ODD_SPACE;
  if (scan & HAS_NL && t.includes('\nM')) t = t.replace(UUENCODED_LINE, (line) => (symbolCount(line) >= 4 ? BOUNDARY : line));
  // Runs only get shorter or split from here on (every pass below replaces by shorter text or by
  // text with spaces at both ends), and only removals run before the entity decoding, after which
  // the flags are taken again: a flag may be stale-true (the pass then finds nothing), never
  // stale-false.
  // The scan found the encoded runs already; a text the uuencode pass changed is searched again.
  if (scan & HAS_ENCODED_RUN) t = t === start ? replaceRuns(t, encoded) : removeEncodedRuns(t);
  if (scan & HAS_MATH) t = stripMath(t);
  if (scan & HAS_LT) t = t.replace(HTML_TAG, ' ');
  if (scan & HAS_AMP) {
    const before = t;
    t = t.replace(HTML_ENTITY, decodeEntity);
    if (t !== before) scan = scanText(t, undefined);
  }
  if (scan & HAS_RUN_100) t = t.replace(LONG_RUN, ' ');
  if ((scan & HAS_COLON && t.includes('://')) || (scan & HAS_W && /www\./i.test(t))) t = t.replace(URL, ' ');
  if (scan & HAS_AT) t = removeEmails(t);
  if (scan & HAS_BACKSLASH) {
    t = t.replace(KEY_COMMAND, ' ');
    t = t.replace(ACCENT, '');
    t = t.replace(COMMAND, ' ');
    t = t.replace(ESCAPED, '$1');
  }
  if (scan & HAS_BRACE) t = t.replace(BRACES, ' ');
  whiteSpaceLeft = odd !== 0 || t !== start;
  return t;
}

/**
 * t.replace(PARAGRAPH, BOUNDARY).replace(SPACES, ' ').trim() in one pass over the white-space
 * runs, 2.6× faster on 20 Newsgroups' mail, where most texts have line breaks (the two regular
 * expressions and the trim were a tenth of its tokenizing). A run becomes ' ; ' when it holds a
 * paragraph break (two line feeds with only spaces, tabs and carriage returns between: where
 * PARAGRAPH matches; its trailing \s* takes the rest of the run, and SPACES merges what comes
 * before into the space before the ';'), else one space; at either end of the text the spaces go
 * (the trim) and the ';' stays. Tested against the regular expressions.
 */
export function collapseSpaces(t: string): string {
  const n = t.length;
  let out = '';
  let copied = 0; // t[0, copied) is in out
  let i = 0;
  while (i < n) {
    const c = t.charCodeAt(i);
    if (!isJsSpace(c)) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && isJsSpace(t.charCodeAt(j))) j++;
    if (c === 32 && j === i + 1 && i > 0 && j < n) {
      i = j; // a single space between words stays
      continue;
    }
    const lead = i === 0;
    const trail = j === n;
    const replacement = hasParagraphBreak(t, i, j) ? (lead ? (trail ? ';' : '; ') : trail ? ' ;' : BOUNDARY) : lead || trail ? '' : ' ';
    out += t.slice(copied, i) + replacement;
    copied = j;
    i = j;
  }
  return copied === 0 ? t : out + t.slice(copied);
}

/**
 * t.replace(CANDIDATE_RUN, (run) => (isEncodedRun(run) ? BOUNDARY : run)), for a text whose runs
 * cleanText's first scan did not see (the uuencode pass changed it; otherwise the runs found there
 * are replaced at once): scanText finds the runs the pattern matches (a whole run of 20+, which
 * \S{20,} takes greedily after a space, tested when under MAX_RUN: longer ones are never encoded),
 * instead of the pattern's look-behind at every position (on 20 Newsgroups ~4% of the tokenizer's
 * time). Tested against the pattern.
 */
export function removeEncodedRuns(t: string): string {
  const runs: number[] = [];
  scanText(t, runs);
  return runs.length === 0 ? t : replaceRuns(t, runs);
}

/** t with each run t[runs[2r], runs[2r + 1]) (in order, disjoint) replaced by BOUNDARY. */
function replaceRuns(t: string, runs: readonly number[]): string {
  let out = '';
  let copied = 0;
  for (let r = 0; r < runs.length; r += 2) {
    out += t.slice(copied, runs[r]) + BOUNDARY;
    copied = runs[r + 1]!;
  }
  return out + t.slice(copied);
}

/** Whether t[from, to) (white space) holds two line feeds with only ' ', '\t' and '\r' between them. */
export function hasParagraphBreak(t: string, from: number, to: number): boolean {
  let afterLineFeed = false;
  for (let k = from; k < to; k++) {
    const c = t.charCodeAt(k);
    if (c === 10) {
      if (afterLineFeed) return true;
      afterLineFeed = true;
    } else if (c !== 32 && c !== 9 && c !== 13) afterLineFeed = false;
  }
  return false;
}

const LETTER_OR_NUMBER = /^[\p{L}\p{N}]$/u;

/** A code point of EMAIL's label class [\p{L}\p{N}-]. */
function isLabelChar(cp: number): boolean {
  if (cp < 128) return (cp >= 97 && cp <= 122) || (cp >= 65 && cp <= 90) || (cp >= 48 && cp <= 57) || cp === 45;
  return LETTER_OR_NUMBER.test(String.fromCodePoint(cp));
}

/** A code point of EMAIL's local-part class [\p{L}\p{N}._%+-]. */
function isLocalChar(cp: number): boolean {
  return cp === 46 || cp === 95 || cp === 37 || cp === 43 || isLabelChar(cp);
}

/** The code point that ends at t[i - 1] (a surrogate pair read whole, as a 'u' regular expression does). */
function codePointBefore(t: string, i: number): number {
  const c = t.charCodeAt(i - 1);
  if (c >= 0xdc00 && c <= 0xdfff && i >= 2) {
    const h = t.charCodeAt(i - 2);
    if (h >= 0xd800 && h <= 0xdbff) return (h - 0xd800) * 0x400 + (c - 0xdc00) + 0x10000;
  }
  return c;
}

/** End of the run of label characters from t[i]. */
function labelEnd(t: string, i: number): number {
  while (i < t.length) {
    const cp = t.codePointAt(i)!;
    if (!isLabelChar(cp)) break;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

/**
 * t.replace(EMAIL, ' '), found from each '@' instead of by the regular expression, which tries
 * every position of every word of a text that has an '@' (mail has many: ~0.25 s on 20 Newsgroups).
 * The same matches: the local part is the whole run of its class before the '@' (the class has no
 * '@', so a match can start nowhere else), not reaching back into the previous match; the domain
 * is a greedy label, then as many '.label' as follow, at least one. Tested against EMAIL.
 */
export function removeEmails(t: string): string {
  let out = '';
  let copied = 0; // t[0, copied) is in out
  for (let at = t.indexOf('@'); at >= 0; at = t.indexOf('@', at + 1)) {
    let start = at;
    while (start > copied) {
      const cp = codePointBefore(t, start);
      if (!isLocalChar(cp)) break;
      start -= cp > 0xffff ? 2 : 1;
    }
    if (start === at) continue;
    let end = labelEnd(t, at + 1);
    if (end === at + 1) continue;
    let labels = 0;
    while (t.charCodeAt(end) === 46 /* . */) {
      const next = labelEnd(t, end + 1);
      if (next === end + 1) break;
      end = next;
      labels++;
    }
    if (labels === 0) continue;
    out += t.slice(copied, start) + ' ';
    copied = end;
    at = end - 1;
  }
  return copied === 0 ? t : out + t.slice(copied);
}

/** cleanText with every pass run unconditionally: the definition cleanText is tested against. */
export function cleanTextReference(s: string, maxChars = 20000): string {
  if (!Number.isInteger(maxChars) || maxChars < 1) {
    throw new RangeError(`cleanText: maxChars must be a positive integer, got ${maxChars}`);
  }
  if (!s) return '';
  // Bound the work first: cleaning never lengthens text by more than a few BOUNDARY inserts, and
  // what is kept of a very long input is its head.
  let t = s.length > maxChars * 4 ? s.slice(0, maxChars * 4) : s;
  t = t.replace(CONTROL, ' ');
  // Encoded data first: math and tag removal would cut a uuencoded line into short pieces that no
  // longer look encoded. (The pattern is linear: one greedy run per match, no backtracking.)
  if (t.includes('\nM')) t = t.replace(UUENCODED_LINE, (line) => (symbolCount(line) >= 4 ? BOUNDARY : line));
  t = t.replace(CANDIDATE_RUN, (run) => (isEncodedRun(run) ? BOUNDARY : run));
  t = stripMath(t);
  if (t.includes('<')) t = t.replace(HTML_TAG, ' ');
  if (t.includes('&')) t = t.replace(HTML_ENTITY, decodeEntity);
  t = t.replace(LONG_RUN, ' '); // from here on every \S run is < MAX_RUN, bounding the patterns below
  if (t.includes('://') || /www\./i.test(t)) t = t.replace(URL, ' ');
  if (t.includes('@')) t = t.replace(EMAIL, ' ');
  if (t.includes('\\')) {
    t = t.replace(KEY_COMMAND, ' ');
    t = t.replace(ACCENT, '');
    t = t.replace(COMMAND, ' ');
    t = t.replace(ESCAPED, '$1');
  }
  if (t.includes('{') || t.includes('}')) t = t.replace(BRACES, ' ');
  t = t.replace(PARAGRAPH, BOUNDARY);
  t = t.replace(SPACES, ' ').trim();
  return capLength(t, maxChars);
}

function capLength(t: string, maxChars: number): string {
  if (t.length <= maxChars) return t;
  const cut = t.lastIndexOf(' ', maxChars);
  return t.slice(0, cut > maxChars / 2 ? cut : maxChars);
}

// What scanText reports: which passes of cleanText have something to do.
const HAS_CONTROL = 1; // a character CONTROL replaces
const HAS_ODD_SPACE = 2; // white space other than single ' ' between non-space characters
const HAS_ENCODED_RUN = 4; // a run of 20-99 non-space characters that isEncodedRun flags
const HAS_RUN_100 = 8; // a run of MAX_RUN+ (LONG_RUN)
const HAS_MATH = 16; // '$' or '\\'
const HAS_LT = 32;
const HAS_AMP = 64;
const HAS_AT = 128;
const HAS_BACKSLASH = 256;
const HAS_BRACE = 512;
const HAS_COLON = 1024;
const HAS_W = 2048; // 'w' or 'W' (www.)
const HAS_NL = 4096;
const SPACE = 1 << 15; // marks ASCII white space in ASCII_FLAGS

/** Per ASCII code: SPACE for white space, plus the flags the character raises. */
const ASCII_FLAGS = (() => {
  const f = new Uint16Array(128);
  for (let c = 0; c < 32; c++) f[c] = HAS_CONTROL;
  f[127] = HAS_CONTROL;
  for (const c of [9, 10, 11, 12, 13]) f[c] = SPACE | HAS_ODD_SPACE | (c === 11 || c === 12 ? HAS_CONTROL : 0);
  f[10] |= HAS_NL;
  f[32] = SPACE;
  f[36] = HAS_MATH; // $
  f[92] = HAS_MATH | HAS_BACKSLASH;
  f[60] = HAS_LT;
  f[38] = HAS_AMP;
  f[64] = HAS_AT;
  f[123] = HAS_BRACE;
  f[125] = HAS_BRACE;
  f[58] = HAS_COLON;
  f[119] = HAS_W;
  f[87] = HAS_W;
  return f;
})();

/** Where scanText found encoded runs (from, to pairs): one array reused by every cleanText call. */
const ENCODED_RUNS: number[] = [];

/**
 * What the passes of cleanText would find in t (flags above), in one pass over its char codes;
 * with `encoded`, the runs isEncodedRun flags are appended to it as (from, to) pairs.
 */
function scanText(t: string, encoded: number[] | undefined): number {
  let flags = 0;
  let run = 0;
  let prevSpace = true; // the start counts as a space: a leading space is odd
  const n = t.length;
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i);
    let space: boolean;
    if (c < 128) {
      const f = ASCII_FLAGS[c]!;
      if (f === 0) {
        run++;
        prevSpace = false;
        continue;
      }
      flags |= f & ~SPACE;
      space = (f & SPACE) !== 0;
    } else {
      space = isJsSpace(c);
      if (space && c !== 0xfeff) flags |= HAS_ODD_SPACE;
      if (c <= 0x9f || (c >= 0x200b && c <= 0x200d) || c === 0x2060 || c === 0xfeff) flags |= HAS_CONTROL;
    }
    if (space) {
      if (prevSpace) flags |= HAS_ODD_SPACE;
      if (run >= 20) flags |= runFlags(t, i - run, i, encoded);
      run = 0;
      prevSpace = true;
    } else {
      run++;
      prevSpace = false;
    }
  }
  if (prevSpace && n > 0) flags |= HAS_ODD_SPACE; // a trailing space
  if (run >= 20) flags |= runFlags(t, n - run, n, encoded);
  return flags;
}

function runFlags(t: string, from: number, to: number, encoded: number[] | undefined): number {
  if (to - from >= MAX_RUN) return HAS_RUN_100;
  if (!isEncodedRun(t.slice(from, to))) return 0;
  encoded?.push(from, to);
  return HAS_ENCODED_RUN;
}

/** Exactly JavaScript's \s: WhiteSpace and LineTerminator code units. */
export function isJsSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * Whether a run of 20-99 non-space characters is encoded data rather than words. Mail archives
 * (20 Newsgroups) carry uuencoded binaries and PGP / base64 blocks; wink cuts them at the
 * punctuation into pseudo-words ('g9v', 'b8f', 'max', 'ax') that then form a cluster of their own
 * and fill its label. Two signatures:
 *  - uuencode: no lower-case letter, and at least two symbols that prose does not put inside a
 *    word (anything but letters, digits and - . , ; : ' " ( ) /);
 *  - base64 / hex / keys (40+ characters): the character class (lower, upper, digit, symbol)
 *    changes at least every fourth character, hyphens not counted. Words, CamelCase names and
 *    hyphenated compounds ('vision-language-action-models') change class rarely.
 */
export function isEncodedRun(run: string): boolean {
  if (run.length >= MAX_RUN) return false; // LONG_RUN removes it anyway
  let lower = 0;
  let odd = 0;
  let changes = 0;
  let prev = -1;
  for (let i = 0; i < run.length; i++) {
    const c = run.charCodeAt(i);
    let cls: number;
    if ((c >= 97 && c <= 122) || c > 127) {
      cls = 0; // non-ASCII counts as lower case: Cyrillic, Greek or CJK words are prose
      lower++;
    } else if (c >= 65 && c <= 90) cls = 1;
    else if (c >= 48 && c <= 57) cls = 2;
    else if (c === 45) continue; // hyphen: neutral
    else {
      cls = 3;
      if (!PROSE_SYMBOLS.includes(run[i]!)) odd++;
    }
    if (prev >= 0 && cls !== prev) changes++;
    prev = cls;
  }
  if (lower === 0 && odd >= 2) return true;
  return run.length >= 40 && changes * 4 >= run.length;
}

const PROSE_SYMBOLS = ".,;:'\"()/";

/** Symbols that prose does not put inside words (see isEncodedRun), counted in a line. */
function symbolCount(line: string): number {
  let odd = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c > 32 && c < 127 && !(c >= 48 && c <= 57) && !(c >= 65 && c <= 90) && !(c >= 97 && c <= 122) && c !== 45) {
      if (!PROSE_SYMBOLS.includes(line[i]!)) odd++;
    }
  }
  return odd;
}

function decodeEntity(_whole: string, body: string): string {
  if (body[0] === '#') {
    const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : ' ';
  }
  return NAMED_ENTITIES[body] ?? ' '; // unknown names: a space, never the raw '&name;'
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Removes $$..$$, $..$, \[..\] and \(..\) in one left-to-right pass. Each opener looks ahead at most
 * MAX_*_MATH characters for its closer, so the scan is linear. Inline '$' follows pandoc's rule
 * (opening '$' not followed by a space, closing '$' not preceded by a space nor followed by a
 * digit), so prices like "$4.95 ... $5" in mail are not taken for math.
 */
function stripMath(t: string): string {
  if (t.indexOf('$') < 0 && t.indexOf('\\') < 0) return t;
  const out: string[] = [];
  let copied = 0; // t[copied .. i) is pending copy
  let i = 0;
  const n = t.length;
  const memo = new Map<string, number>(); // closer → its next position (-1: none left)
  while (i < n) {
    const c = t.charCodeAt(i);
    let end = -1; // index just past the math span, if one starts at i
    if (c === 92 /* \ */ && i + 1 < n) {
      const d = t.charCodeAt(i + 1);
      if (d === 40 /* ( */) end = findClose(t, i + 2, '\\)', MAX_INLINE_MATH, memo);
      else if (d === 91 /* [ */) end = findClose(t, i + 2, '\\]', MAX_DISPLAY_MATH, memo);
      else {
        i += 2; // an escaped character such as \$ is never a delimiter
        continue;
      }
    } else if (c === 36 /* $ */) {
      if (i + 1 < n && t.charCodeAt(i + 1) === 36) end = findClose(t, i + 2, '$$', MAX_DISPLAY_MATH, memo);
      else end = findInlineDollarClose(t, i + 1, memo);
    }
    if (end > 0) {
      out.push(t.slice(copied, i), BOUNDARY);
      i = end;
      copied = end;
    } else {
      i++;
    }
  }
  if (copied === 0) return t;
  out.push(t.slice(copied));
  return out.join('');
}

/**
 * Finds `closer` at or after `from` within `maxLen` characters. indexOf alone would rescan to the
 * end of the text for every unmatched opener (quadratic on '\\(\\(\\(...'), so the last answer per
 * closer is remembered: it stays valid for any later `from` not beyond it.
 */
function findClose(t: string, from: number, closer: string, maxLen: number, memo: Map<string, number>): number {
  let k = memo.get(closer);
  if (k === undefined || (k >= 0 && k < from)) {
    k = t.indexOf(closer, from);
    memo.set(closer, k);
  }
  return k >= 0 && k - from <= maxLen ? k + closer.length : -1;
}

/** A '$' that can close inline math: not escaped, not after a space, not before a digit. */
function isDollarCloser(t: string, k: number): boolean {
  const before = t.charCodeAt(k - 1);
  return before !== 92 && !isSpace(before) && !(k + 1 < t.length && isDigit(t.charCodeAt(k + 1)));
}

/** End of the inline math opened by the '$' just before `from`, or -1. Memoised like findClose. */
function findInlineDollarClose(t: string, from: number, memo: Map<string, number>): number {
  const n = t.length;
  if (from >= n || isSpace(t.charCodeAt(from)) || t.charCodeAt(from) === 36) return -1;
  let k = memo.get('$');
  if (k === undefined || (k >= 0 && k <= from)) {
    k = t.indexOf('$', from + 1);
    while (k >= 0 && !isDollarCloser(t, k)) k = t.indexOf('$', k + 1);
    memo.set('$', k);
  }
  if (k < 0 || k - from > MAX_INLINE_MATH) return -1;
  let blank = memo.get('\n\n');
  if (blank === undefined || (blank >= 0 && blank < from)) {
    blank = t.indexOf('\n\n', from);
    memo.set('\n\n', blank);
  }
  return blank >= 0 && blank < k ? -1 : k + 1; // no math across a blank line
}
