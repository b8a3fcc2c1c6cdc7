// The record every input format is turned into. Ingest produces these; every later stage reads them.

export interface Paper {
  id: string; // unique key (arXiv id, HF id, or the id field of the input)
  title: string; // may be ''
  text: string; // abstract / body
  date: string; // 'YYYY-MM-DD' (required: trends need it)
  label?: string; // a known class (20 Newsgroups group, arXiv primary category), for scoring only
  url?: string; // link to the abstract page; only http(s) URLs are kept
  source: string; // input file the record came from (basename)
  extra?: Record<string, string | number>; // e.g. upvotes, categories (joined), authors
  /**
   * sha1 of title and text (the archive's text_hash, paperTextHash), set on the papers of the
   * archive window that ingest hands on. It covers the whole text even after trimTexts has cut
   * the text to its fallback text (fallbackText), so later stages can key per-paper caches on it.
   */
  textHash?: string;
}

/** How much of an untitled paper's text the stages after tokenize keep (a fallback title needs ≤ 120 characters). */
export const TEXT_HEAD_CHARS = 200;

/**
 * What the stages after tokenize keep of a paper's text: its head when the paper has no title
 * (the page shows the head as its title), else nothing; no later stage reads more. Keeping the
 * heads of titled papers cost a night over 1M papers 200M characters read from SQLite and held.
 */
export function fallbackText(title: string, text: string, chars = TEXT_HEAD_CHARS): string {
  return title === '' ? textHead(text, chars) : '';
}

/**
 * The first `chars` UTF-16 units of a text, as a fresh string (a plain slice would keep the whole
 * text alive behind it: V8's sliced strings); the text itself when it is not longer.
 */
export function textHead(text: string, chars = TEXT_HEAD_CHARS): string {
  return text.length > chars ? Buffer.from(text.slice(0, chars), 'utf8').toString('utf8') : text;
}

/** Why a record was not accepted; one line of rejects.jsonl. */
export interface Reject {
  file: string;
  line: number; // 1-based line (for JSON arrays: the line where the element starts)
  field?: string; // the offending field, when one is to blame
  reason: string;
  raw?: string; // the first 500 characters of the record
}

export interface IngestCounts {
  read: number; // = accepted + duplicate + rejected
  accepted: number;
  duplicate: number;
  rejected: number;
}
