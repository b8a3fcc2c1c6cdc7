// Sentence splitting for the scale-corpus generator. Abstracts are resampled sentence by
// sentence, so a bad split shows up as fragments ("e.g." cut off) in every synthetic paper.
// The rule is deliberately simple and predictable: a sentence ends at . ! or ? followed by
// whitespace and an upper-case letter, digit, quote, bracket or `$`, unless the word before the
// full stop is a known abbreviation ("e.g.", "et al.", "Fig.") or a single letter ("J. Smith").

const ABBREVIATIONS = new Set([
  'e.g', 'i.e', 'et al', 'al', 'etc', 'fig', 'figs', 'eq', 'eqs', 'sec', 'ref', 'refs', 'vs', 'cf',
  'dr', 'mr', 'ms', 'prof', 'no', 'approx', 'resp', 'tab', 'viz', 'st', 'jr', 'inc', 'ltd', 'co',
]);

/** Shortest and longest sentence (characters) kept for resampling: shorter ones are headings
 * such as "Objective." or "Main results.", longer ones are run-on text that was not split. */
export const MIN_SENTENCE_CHARS = 25;
export const MAX_SENTENCE_CHARS = 800;

const BOUNDARY = /([.!?])\s+(?=["'(\[$A-Z0-9])/g;

/** Splits text into trimmed sentences (all of them, whatever their length). */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  const flat = text.replace(/\s+/g, ' ').trim();
  if (!flat) return out;
  let start = 0;
  BOUNDARY.lastIndex = 0;
  for (let m = BOUNDARY.exec(flat); m !== null; m = BOUNDARY.exec(flat)) {
    const end = m.index + 1; // keep the punctuation mark
    if (m[1] === '.' && endsWithAbbreviation(flat.slice(start, m.index))) continue;
    const sentence = flat.slice(start, end).trim();
    if (sentence) out.push(sentence);
    start = m.index + m[0].length;
  }
  const rest = flat.slice(start).trim();
  if (rest) out.push(rest);
  return out;
}

/** Sentences worth resampling: within the length bounds and containing some words. */
export function usableSentences(text: string): string[] {
  return splitSentences(text).filter(
    (s) => s.length >= MIN_SENTENCE_CHARS && s.length <= MAX_SENTENCE_CHARS && /[a-z]{3,}/i.test(s),
  );
}

function endsWithAbbreviation(before: string): boolean {
  const lower = before.toLowerCase();
  const word = /([a-z][a-z.]*)$/.exec(lower)?.[1] ?? '';
  if (word.length === 1) return true; // an initial: "J. Smith", "A. Both"
  if (ABBREVIATIONS.has(word)) return true;
  return lower.endsWith('et al');
}
