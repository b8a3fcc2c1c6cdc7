// Units that are a plain ASCII word with punctuation around it — "model,", "(LLMs)", "(see", "data)."
// — and the proof obligations under which wink tokenizes them as the bare word plus punctuation
// tokens. The fast tokenizer then sends only the bare word to wink (the distinct bare words are
// about ten times fewer than the distinct units) and emits the punctuation as a boundary.
//
// Why each form splits that way, following wink-nlp's tokenizer (src/tokenizer.js) and the
// wink-eng-lite-web-model regexes (W is [A-Za-z]{2,}; a unit first goes whole to wink's lexeme
// cache, then to the first matching category regex):
//  - W c (c one of , . ; : ) ? ! " ]): category wordRP → processWordRP, which for 3+ chars adds W
//    as a word and c as punctuation. ('A.' is kept whole: hence W of 2+ letters.)
//  - W c1 c2 (c1 one of ) " ], c2 one of , . ; :): category unk → anyWithRP matches "W c1" + c2;
//    "W c1" is not in the cache (checked) and is a wordRP → W, c1; then c2 as punctuation.
//  - L W (L one of ( [ "): unk → anyWithRP refuses a leading L, anyWithLP gives L + W, and W goes
//    through the same lexeme lookup / category test as W alone.
//  - L W c (c one of , ; : ) ? ! " ] — not '.', which sends the unit to wink's recursive
//    tokenizer): LPanyRP gives L, W, c.
//  - L W c1 c2 (c1 one of ) " ], c2 one of , ; :): LPanyRP gives L, "W c1" (a wordRP, as above), c2.
// Preconditions checked against wink's cache (plainWordSplitHolds): the whole unit, and "W c1" for
// the two-char tails, are not lexemes (abbreviations such as 'etc.', 'vs.', 'Dr.', 'No.' are), and
// W is not a contraction ('cannot', 'dont': alone wink expands it, glued to punctuation it does
// not). Everything else (apostrophes, inner dots, digits, non-ASCII, '(W).') goes to wink, and so
// do hyphenated words unless parseCompound below takes them. The lexeme test matters little to the
// stream today (an abbreviation kept whole is cut at its final dot anyway), but it is part of why
// the split holds, so it stays; the contraction and affix tests do change streams (see the test).

/** A unit's form as lead (0 or 1 chars) | trail (0, 1 or 2 chars) << 1, or -1 when not handled. */
export function plainWordForm(s: string, from: number, to: number): number {
  let a = from;
  const first = s.charCodeAt(a);
  const lead = first === 40 /* ( */ || first === 91 /* [ */ || first === 34 /* " */ ? 1 : 0;
  a += lead;
  let b = a;
  while (b < to && isAsciiLetter(s.charCodeAt(b))) b++;
  if (b - a < 2) return -1;
  const trail = to - b;
  if (trail === 0) return lead === 1 ? 1 : -1; // a bare word is a unit of its own
  if (trail === 1) {
    const c = s.charCodeAt(b);
    if (lead === 1 ? !isLeadTail(c) : !isWordTail(c)) return -1;
  } else if (trail === 2) {
    const c1 = s.charCodeAt(b);
    const c2 = s.charCodeAt(b + 1);
    if (!(c1 === 41 /* ) */ || c1 === 34 /* " */ || c1 === 93) /* ] */) return -1;
    if (!(c2 === 44 /* , */ || c2 === 59 /* ; */ || c2 === 58 /* : */ || (lead === 0 && c2 === 46) /* . */)) return -1;
  } else return -1;
  return lead | (trail << 1);
}

export const formLead = (form: number): number => form & 1;
export const formTrail = (form: number): number => form >> 1;

/** wink's lexeme-cache lookup: null for a text it does not know, else its token index(es). */
export type LexemeLookup = (text: string) => readonly number[] | null;

/** Whether wink's cache lets the unit split as its form says (see the file comment). */
export function plainWordSplitHolds(unit: string, form: number, lookup: LexemeLookup): boolean {
  if (lookup(unit) !== null) return false;
  const lead = formLead(form);
  const trail = formTrail(form);
  const word = unit.slice(lead, unit.length - trail);
  const w = lookup(word);
  if (w !== null && w.length !== 1) return false; // a contraction
  return trail < 2 || lookup(unit.slice(lead, unit.length - 1)) === null;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/** After a bare word: wink's wordRP tail characters (ASCII ones). */
function isWordTail(c: number): boolean {
  return c === 44 || c === 46 || c === 59 || c === 58 || c === 41 || c === 63 || c === 33 || c === 34 || c === 93;
}

/** After a word with a leading bracket or quote: LPanyRP's right punctuation (no '.'). */
function isLeadTail(c: number): boolean {
  return c === 44 || c === 59 || c === 58 || c === 41 || c === 63 || c === 33 || c === 34 || c === 93;
}

/** A unit that is plain words joined by single hyphens, with optional punctuation around them. */
export interface Compound {
  lead: string; // '', '(', '[' or '"'
  words: string[]; // [A-Za-z]+ each, two or more
  trail: string; // '' or one of , ; : ) ? ! " ]
}

/** Words wink keeps whole when they start / end a hyphenated word ('multi-agent', 'stepwise'). */
export interface HyphenPreserve {
  prefix: Record<string, unknown>;
  suffix: Record<string, unknown>;
}

/**
 * The compound a unit is, or undefined. Why it splits as lead, W1, '-', W2, ..., trail in wink:
 * the unit (not a lexeme, and neither is its hyphenated core) falls to category unk; processUnk's
 * anyWithRP / anyWithLP / LPanyRP regexes either do not match or match around a core that is
 * again unk, and all roads send the whole unit to the recursive tokenizer. There the bracket,
 * quote, '?', '!' and ';' tails are split off as punctuation before the word regex, which matches
 * the hyphenated core whole (',' and ':' are split off after it); pushHyphenatedToken then splits
 * the core at its hyphens unless its first / last word is a preserved affix (checked), and each
 * word goes through the same lexeme lookup, else category word, as the word alone. The currency
 * regex, which runs first and unanchored, would cut 'USD', 'AUD', 'INR' or 'GBP' out of a word:
 * such units go to wink.
 */
export function parseCompound(unit: string): Compound | undefined {
  const n = unit.length;
  const first = unit.charCodeAt(0);
  const lead = first === 40 || first === 91 || first === 34 ? unit[0]! : '';
  const last = unit.charCodeAt(n - 1);
  const trail =
    n > 1 && (last === 44 || last === 59 || last === 58 || last === 41 || last === 63 || last === 33 || last === 34 || last === 93)
      ? unit[n - 1]!
      : '';
  const a = lead.length;
  const b = n - trail.length;
  const words: string[] = [];
  let w = a;
  for (let i = a; i <= b; i++) {
    const c = i < b ? unit.charCodeAt(i) : 45;
    if (c === 45 /* - */) {
      if (i === w) return undefined; // empty word: '--', a leading or trailing hyphen
      words.push(unit.slice(w, i));
      w = i + 1;
    } else if (!isAsciiLetter(c)) return undefined;
  }
  if (words.length < 2) return undefined;
  return { lead, words, trail };
}

const CURRENCY_INSIDE = /USD|AUD|INR|GBP/;

/** Whether wink's cache and affix lists let the compound split as parseCompound says. */
export function compoundSplitHolds(unit: string, c: Compound, lookup: LexemeLookup, preserve: HyphenPreserve): boolean {
  const core = c.words.join('-');
  if (CURRENCY_INSIDE.test(core)) return false;
  // Truthiness as wink tests it (so 'constructor', inherited from Object.prototype, counts too).
  if (preserve.prefix[c.words[0]!] || preserve.suffix[c.words[c.words.length - 1]!]) return false;
  return lookup(unit) === null && (core === unit || lookup(core) === null);
}
