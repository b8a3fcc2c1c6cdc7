// A rule-based English sentence splitter for long, clean prose (the State of the Union corpus).
// A boundary is . ! or ? (plus closing quotes/brackets) followed by space and a capital, digit or
// opening quote, unless the word before the period is an abbreviation ('Mr.', 'Gen.', 'U.S.',
// 'St.'), an initial ('John Q. Adams') or a roman-numeral-free list marker. Over-joining is safe
// here (a passage grows by a sentence); over-splitting would cut names, so doubt means join.

const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'messrs', 'dr', 'prof', 'rev', 'hon', 'gen', 'col', 'capt', 'lt', 'maj', 'sgt', 'adm', 'cmdr', 'gov',
  'sen', 'rep', 'pres', 'supt', 'st', 'jr', 'sr', 'esq', 'no', 'nos', 'vol', 'art', 'sec', 'ch', 'co', 'corp', 'inc', 'ltd',
  'bros', 'dept', 'lb', 'lbs', 'oz', 'etc', 'viz', 'vs', 'cf', 'al', 'approx', 'ft', 'mt', 'fig', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul',
  'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'ave', 'e.g', 'i.e', 'u.s', 'u.s.a', 'u.k', 'u.n', 'd.c', 'a.m', 'p.m',
]);

// End punctuation, optional closing quotes/brackets, whitespace, then what may start a sentence.
const BOUNDARY = /([.!?]+)(["'”’)\]]*)\s+(?=["'“‘(\[]?[A-Z0-9])/g;

/** Whether the period at the end of `before` ends an abbreviation or an initial rather than a sentence. */
function isAbbreviation(before: string): boolean {
  const word = /(\S+)$/.exec(before)?.[1] ?? '';
  const bare = word.replace(/^["'“‘(\[]+/, '').toLowerCase();
  if (ABBREVIATIONS.has(bare)) return true;
  if (/^[a-z]$/.test(bare)) return true; // an initial: 'John Q. Adams'
  return /^([a-z]\.)+[a-z]$/.test(bare); // dotted acronyms: 'U.S', 'D.C'
}

/** Sentences of a text, trimmed, in order; paragraphs (blank lines) always end a sentence. */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    const p = paragraph.replace(/\s+/g, ' ').trim();
    if (p === '') continue;
    let start = 0;
    BOUNDARY.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = BOUNDARY.exec(p)) !== null) {
      const punct = m[1]!;
      if (punct === '.' && m[2] === '' && isAbbreviation(p.slice(start, m.index))) continue;
      const end = m.index + punct.length + m[2]!.length;
      out.push(p.slice(start, end).trim());
      start = m.index + m[0].length;
    }
    const rest = p.slice(start).trim();
    if (rest !== '') out.push(rest);
  }
  return out;
}
