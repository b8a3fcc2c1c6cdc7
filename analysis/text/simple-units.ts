// Space-separated units whose wink tokens are known without running wink: a plain ASCII word out
// of wink's lexicon ("LLMs", "ResNet34"), words joined by hyphens ("large-scale": hyphenatedShape),
// a word wrapped in punctuation that wink provably splits off ("model,", "(LLMs),", "[BERT",
// "results)."), and leading or trailing punctuation around a unit wink reads alone (SHAPE_LEAD:
// ">that", SHAPE_TRAIL: 'atheism".').
//
// Why it holds (wink-nlp 2.x, src/tokenizer.js with the English lite model's regexes):
// - A unit is first looked up whole in the lexicon (_addTokenIfInCache); every shape below
//   requires that lookup to miss, so it never becomes one lexicon token ("vs.", "etc.").
// - A plain word out of the lexicon is category `word` (ltc[0]) and added as is: one token, value
//   as written, type 'word', normal its lower case when that is no lexeme either (cache.add points
//   the normal to the lower-cased text's entry, and a lexeme's entry has the lexicon's normal:
//   'Colour' → 'color').
// - word + one right punctuation ("model,") is `wordRP` (ltc[1]): processWordRP adds the word with
//   addToken (category word) and the punctuation, except "a." (two characters ending in a dot),
//   which stays one token. addToken is what the word alone gets (lexicon entry, or a new `word`)
//   unless the word is a contraction in the lexicon ("cannot"): alone it is expanded, here not.
// - word + ")" or "]" + one of , . ; : is `unk`; processUnk's anyWithRP takes the last
//   character off as punctuation and the rest ("model)") is wordRP as above, when not a lexeme.
// - "(" or "[" + word: processUnk's anyWithLP (the word must be 2+ characters) adds the bracket
//   and the word as the word alone would be added (lexicon lookup, else category word).
// - "(" or "[" + word + one right punctuation other than "." (LPanyRP has no dot): the bracket,
//   the word as alone, the punctuation; with ")" or "]" + one of , ; : ! ? the middle part
//   ("model)") is wordRP again.
// Punctuation tokens end a phrase (the stream rules make a boundary of any token that is not a
// word piece, and never glue across one), so a wrapped unit emits: a boundary for a leading
// bracket, the core word's own items, a boundary for the trailing punctuation.
// test/tokenizer-simple-units.test.ts checks these predictions against wink on every distinct
// unit of the real corpora and on hand-written tricky units.

/** Hand the unit to wink. */
export const SHAPE_WINK = 0;
/** A plain word out of the lexicon: one token, value as written, normal lower case, type 'word'. */
export const SHAPE_WORD = 1;
/** A core word wrapped in punctuation: see wrappedLead / wrappedTrail. Values 2..7. */
const WRAPPED = 2;
/** Words joined by single hyphens, out of the lexicon: see hyphenatedParts. */
export const SHAPE_HYPHENATED = 8;
/**
 * Printable ASCII without a letter ("2024", "4.64", "(1)", "40%", "--"): whatever wink's tokens,
 * none has a letter in its normal form (a new token's normal is its lower case, and no letterless
 * lexeme of the model has a lettered normal: checked in the test), so none is a term and the unit
 * is one boundary.
 */
export const SHAPE_BOUNDARY = 9;
/**
 * Leading punctuation, then a core that wink tokenizes as it would alone: a run of '>' (quoted
 * mail: ">that", ">>Now"), or one of " ( [ * ` ("What, (LLMs)., *not). wink splits such a
 * character off as its own token (a symbol or punctuation: a boundary to us) and, for these
 * characters, tokenizes the rest as it would the rest alone; the core is resolved as a unit of its
 * own (any shape, wink included: '(e.g.,'). Not taken, because wink reads them otherwise:
 * - a core with an apostrophe (">that's": the contraction is not expanded there) or with '..'
 *   ('"Hmmm...');
 * - a core that does not start with an ASCII letter ('(:source': '(:' is an emoticon);
 * - a core with a digit ('(DC2120s)' stays whole, 'DC2120s)' splits at a "decade");
 * - a currency code inside ('(INRs).': the recursive tokenizer splits 'INR' off);
 * - a unit that is a lexeme.
 * Checked against wink on every such unit of both real corpora (test/tokenizer-simple-units.test.ts).
 */
export const SHAPE_LEAD = 10;
/**
 * A core word, then up to six of " ? ! . , ; : ) ] ('atheism".', 'fact",', 'works...', 'Qwen2-VL,'):
 * wink reads the core as it would alone and splits the rest off as punctuation (boundaries to us).
 * The core starts with an ASCII letter and holds letters, digits and single hyphens; it is
 * resolved as a unit of its own. Not taken, because wink reads them otherwise: a core that is a
 * contraction ('cannot,': expanded only alone), a core that makes an abbreviation with a following
 * dot ('etc.,', 'Inc.)', 'M.,'), a unit that is a lexeme. Checked like SHAPE_LEAD.
 */
export const SHAPE_TRAIL = 11;

/** wink's lexicon lookup: null when the text is no lexeme, else its token indexes (several for a contraction). */
export type LexiconLookup = (text: string) => ArrayLike<unknown> | null | undefined;

/**
 * The shape of a plain ASCII word: SHAPE_WORD when neither it nor its lower case is a lexeme
 * (a lexeme's normal comes from the lexicon: 'Colour' → 'color'), else SHAPE_WINK.
 */
export function wordShape(word: string, lookup: LexiconLookup): number {
  if (lookup(word) != null) return SHAPE_WINK;
  const lower = word.toLowerCase();
  return lower === word || lookup(lower) == null ? SHAPE_WORD : SHAPE_WINK;
}

/** Whether a shape is a wrapped core word. */
export function isWrapped(shape: number): boolean {
  return shape >= WRAPPED && shape < SHAPE_HYPHENATED;
}
/** Characters before the core word of a wrapped shape (0 or 1). */
export function wrappedLead(shape: number): number {
  return (shape - WRAPPED) & 1;
}
/** Characters after the core word of a wrapped shape (0, 1 or 2). */
export function wrappedTrail(shape: number): number {
  return (shape - WRAPPED) >> 1;
}
/**
 * Where the core of a unit of a shape with one starts and ends (u[from, to)): wrapped, SHAPE_LEAD
 * and SHAPE_TRAIL units emit the core's items with a boundary for what is cut off on either side.
 * Undefined for the other shapes.
 */
export function coreBounds(u: string, shape: number): [from: number, to: number] | undefined {
  if (isWrapped(shape)) return [wrappedLead(shape), u.length - wrappedTrail(shape)];
  if (shape === SHAPE_LEAD) return [leadLength(u), u.length];
  if (shape === SHAPE_TRAIL) return [0, u.length - trailLength(u)];
  return undefined;
}

function wrapped(lead: number, trail: number): number {
  return WRAPPED + lead + 2 * trail;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/** An upper-case currency code inside (USD, AUD, INR, GBP): wink's currency regex splits it off wherever it is. */
function hasCurrencyCode(u: string): boolean {
  return u.includes('USD') || u.includes('AUD') || u.includes('INR') || u.includes('GBP');
}

function isAsciiAlnum(c: number): boolean {
  return isAsciiLetter(c) || (c >= 48 && c <= 57);
}

function isLetterlessAscii(u: string): boolean {
  for (let i = 0; i < u.length; i++) {
    const c = u.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || isAsciiLetter(c)) return false;
  }
  return true;
}

/** A plain word is a contraction in the lexicon ("cannot", "gonna"): wink expands it only when it stands alone. */
function isContraction(lookup: LexiconLookup, word: string): boolean {
  const found = lookup(word);
  return found != null && found.length !== 1;
}

/**
 * Not taken with digits in the core: what wink's recursive tokenizer, which reads a word with
 * digits, splits out of it before its word regex: a decade ("YOLOv10s" → 'YOLOv' '10s'), an ordinal ("top1st"), a
 * time ("GPT4pm") or a currency code (its regexes, model trex.rtc, searched anywhere in the unit;
 * a superset here, case ignored).
 */
const DIGIT_PATTERN = /\d0s|\d(?:st|nd|rd|th)|\d(?:[ap]m|hours|hrs)|USD|AUD|INR|GBP/i;

/** How wink tokenizes a unit, when it is one of the shapes above (see the file comment). */
export function unitShape(u: string, lookup: LexiconLookup): number {
  let shape = coreShape(u, lookup);
  if (shape === SHAPE_WINK) shape = leadShape(u, lookup);
  return shape === SHAPE_WINK ? trailShape(u, lookup) : shape;
}

/** Characters after the core of a SHAPE_TRAIL unit. */
export function trailLength(u: string): number {
  let k = u.length;
  while (k > 0 && isTrailChar(u.charCodeAt(k - 1))) k--;
  return u.length - k;
}

/** " ? ! . , ; : ) ] */
function isTrailChar(c: number): boolean {
  return c === 34 || c === 63 || c === 33 || c === 46 || c === 44 || c === 59 || c === 58 || c === 41 || c === 93;
}

/** SHAPE_TRAIL when the unit is one (see there), else SHAPE_WINK. */
function trailShape(u: string, lookup: LexiconLookup): number {
  const t = trailLength(u);
  const k = u.length - t;
  if (t === 0 || t > 6 || k < 2 || !isAsciiLetter(u.charCodeAt(0))) return SHAPE_WINK;
  for (let i = 1; i < k; i++) {
    const c = u.charCodeAt(i);
    if (c === 45 /* - */ ? i === k - 1 || u.charCodeAt(i + 1) === 45 : !isAsciiAlnum(c)) return SHAPE_WINK;
  }
  const core = u.slice(0, k);
  const found = lookup(core);
  if (found != null && found.length !== 1) return SHAPE_WINK; // a contraction
  if (u.charCodeAt(k) === 46 /* . */ && lookup(core + '.') != null) return SHAPE_WINK; // an abbreviation
  return lookup(u) == null ? SHAPE_TRAIL : SHAPE_WINK;
}

/** Characters before the core of a SHAPE_LEAD unit. */
export function leadLength(u: string): number {
  if (u.charCodeAt(0) !== 62 /* > */) return 1;
  let k = 1;
  while (k < u.length && u.charCodeAt(k) === 62) k++;
  return k;
}

/** SHAPE_LEAD when the unit is one (see there), else SHAPE_WINK. */
function leadShape(u: string, lookup: LexiconLookup): number {
  const c = u.charCodeAt(0);
  if (!(c === 62 /* > */ || c === 34 /* " */ || c === 40 /* ( */ || c === 91 /* [ */ || c === 42 /* * */ || c === 96) /* ` */) return SHAPE_WINK;
  const k = leadLength(u);
  // The core starts with a letter: after '(' wink reads '(:' as an emoticon, say.
  if (k >= u.length || !isAsciiLetter(u.charCodeAt(k))) return SHAPE_WINK;
  if (hasCurrencyCode(u)) return SHAPE_WINK;
  for (let i = k; i < u.length; i++) {
    const d = u.charCodeAt(i);
    if (d === 39 /* ' */ || d === 0x2019 || (d >= 48 && d <= 57) || (d === 46 /* . */ && u.charCodeAt(i + 1) === 46)) return SHAPE_WINK;
  }
  return lookup(u) == null ? SHAPE_LEAD : SHAPE_WINK;
}

/** unitShape without SHAPE_LEAD and SHAPE_TRAIL. */
function coreShape(u: string, lookup: LexiconLookup): number {
  const n = u.length;
  const first = u.charCodeAt(0);
  const lead = first === 40 /* ( */ || first === 91 /* [ */ ? 1 : 0;
  // The core: ASCII letters, possibly in parts joined by single hyphens ("large-scale"); or one
  // part of ASCII letters and digits that starts with a letter ("ResNet34", "T2I"), which wink
  // takes as one word like a plain one (a unit that starts with digits it splits: "1C8").
  let i = lead;
  let hyphens = 0;
  let digits = false;
  for (;;) {
    const from = i;
    // The first part starts with a letter; a later one may start with a digit ("GPT-4o").
    while (i < n && isAsciiLetter(u.charCodeAt(i))) i++;
    if (i === from && hyphens === 0) return isLetterlessAscii(u) ? SHAPE_BOUNDARY : SHAPE_WINK;
    for (let c = u.charCodeAt(i); i < n && isAsciiAlnum(c); c = u.charCodeAt(++i)) if (c <= 57) digits = true;
    if (i + 1 < n && u.charCodeAt(i) === 45 /* - */ && isAsciiAlnum(u.charCodeAt(i + 1))) {
      hyphens++;
      i++;
    } else break;
  }
  if (digits && DIGIT_PATTERN.test(u)) return SHAPE_WINK;
  const coreLen = i - lead;
  const trail = n - i;
  if (trail > 2) return SHAPE_WINK;
  // With a digit, a hyphenated core is one word to wink ("Qwen2-VL", "Covid-19": pushHyphenatedToken
  // leaves a word with a number whole), so it takes the plain-word rules below.
  if (hyphens > 0 && !digits) return hyphenatedShape(u, lead, i, lookup);
  if (lead === 0 && trail === 0) return wordShape(u, lookup);
  if (lookup(u) != null) return SHAPE_WINK;
  const p = trail > 0 ? u.charCodeAt(i) : 0;
  const q = trail > 1 ? u.charCodeAt(i + 1) : 0;
  if (lead === 0) {
    if (trail === 1) {
      if (!isWordRP(p) || (p === 46 /* . */ && coreLen < 2)) return SHAPE_WINK;
    } else {
      if ((p !== 41 /* ) */ && p !== 93) /* ] */ || !(q === 44 || q === 46 || q === 59 || q === 58) /* , . ; : */) return SHAPE_WINK;
      if (lookup(u.slice(0, i + 1)) != null) return SHAPE_WINK;
    }
    return isContraction(lookup, u.slice(0, i)) ? SHAPE_WINK : wrapped(0, trail);
  }
  if (trail === 0) return coreLen >= 2 ? wrapped(1, 0) : SHAPE_WINK;
  if (trail === 1) return isLPanyRP(p) ? wrapped(1, 1) : SHAPE_WINK;
  if ((p !== 41 && p !== 93) || !(q === 44 || q === 59 || q === 58 || q === 33 || q === 63) /* , ; : ! ? */) return SHAPE_WINK;
  if (lookup(u.slice(1, i + 1)) != null) return SHAPE_WINK;
  return isContraction(lookup, u.slice(1, i)) ? SHAPE_WINK : wrapped(1, 2);
}

/**
 * A hyphenated core u[lead, end) ("large-scale"), alone or wrapped. Out of the lexicon it is
 * `unk` to wink's linear tokenizer, whose recursive tokenizer (wink's rtc regexes in order) finds
 * nothing in it before the word regex, which takes the hyphenated word whole (pushWordToken →
 * pushHyphenatedToken, see hyphenatedTokens); brackets and , ; : are split off before that (the
 * punctuation regex), the rest goes the same way as the core alone. Not taken: a dot (the word
 * regex keeps it), "):" and ");" (an emoticon to wink), and an upper-case currency code inside
 * (USD, AUD, INR, GBP: split off by the currency regex).
 */
function hyphenatedShape(u: string, lead: number, end: number, lookup: LexiconLookup): number {
  const trail = u.length - end;
  const p = trail > 0 ? u.charCodeAt(end) : 0;
  const q = trail > 1 ? u.charCodeAt(end + 1) : 0;
  if (trail === 1 && !(p === 44 || p === 59 || p === 58 || p === 41 || p === 93) /* , ; : ) ] */) return SHAPE_WINK;
  if (trail === 2 && !((p === 41 || p === 93) && q === 44)) return SHAPE_WINK;
  if (hasCurrencyCode(u)) return SHAPE_WINK;
  if (lookup(u) != null) return SHAPE_WINK;
  if (lead === 0 && trail === 0) return SHAPE_HYPHENATED;
  if (lookup(u.slice(lead, end)) != null) return SHAPE_WINK;
  return wrapped(lead, trail);
}

/** The model's hyphenation affixes (`preserve`): a hyphenated word starting or ending with one stays whole. */
export interface PreservedAffixes {
  prefix: Record<string, unknown>;
  suffix: Record<string, unknown>;
}

/** The affixes wink reads as preserved, as sets (see preservedAffixSets). */
export interface AffixSets {
  prefix: ReadonlySet<string>;
  suffix: ReadonlySet<string>;
}

/**
 * Every name for which wink's plain-object test `preserve.prefix[name]` (or suffix) is truthy:
 * the object's own keys with a truthy value and, since the parsed JSON objects inherit from
 * Object.prototype, the inherited names whose value is truthy ('constructor', 'toString', …:
 * wink keeps "toString-based" whole). A Set answers a fresh string without the string-table probe
 * that a property read by a non-internalized key costs.
 */
export function preservedAffixSets(preserve: PreservedAffixes): AffixSets {
  const truthy = (o: Record<string, unknown>): Set<string> => {
    const names = new Set<string>();
    for (let p: object | null = o; p !== null; p = Object.getPrototypeOf(p)) {
      for (const name of Object.getOwnPropertyNames(p)) if (o[name]) names.add(name);
    }
    return names;
  };
  return { prefix: truthy(preserve.prefix), suffix: truthy(preserve.suffix) };
}

/**
 * wink's tokens of a hyphenated unit out of the lexicon (SHAPE_HYPHENATED), as pushHyphenatedToken
 * makes them: the whole unit as one word when its first part is a preserved prefix or its last a
 * preserved suffix (the same tests as wink's plain-object lookups), else each part as it would be
 * alone with a '-' token between parts. Returns undefined for "one word", else the parts.
 */
export function hyphenatedParts(u: string, preserve: AffixSets): string[] | undefined {
  const parts = u.split('-');
  return preserve.prefix.has(parts[0]!) || preserve.suffix.has(parts[parts.length - 1]!) ? undefined : parts;
}

/** ASCII right punctuation of wink's wordRP category: ) ] } , . ! ; ? / : " */
function isWordRP(c: number): boolean {
  return c === 41 || c === 93 || c === 125 || c === 44 || c === 46 || c === 33 || c === 59 || c === 63 || c === 47 || c === 58 || c === 34;
}

/** ASCII closing characters of wink's LPanyRP helper: ' " ] ) } , ! ; ? - : (no dot, no slash). */
function isLPanyRP(c: number): boolean {
  return c === 39 || c === 34 || c === 93 || c === 41 || c === 125 || c === 44 || c === 33 || c === 59 || c === 63 || c === 45 || c === 58;
}
