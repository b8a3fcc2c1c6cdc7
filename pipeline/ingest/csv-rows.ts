// An RFC 4180 row splitter fed one physical line at a time. Written here rather than using
// csv-parse because csv-parse 6.2 (a) counts a CRLF inside a quoted field as two lines, so reject
// line numbers drift, and (b) after an invalid closing quote it swallows the following good rows.
// Here a broken row costs only itself: an unterminated quote is given up after MAX_ROW_LINES lines
// (or at end of file) and the lines after the row's first are parsed again.

export interface CsvRow {
  line: number; // line where the row starts
  fields: string[];
  raw: string; // the row's source lines joined with '\n'
  error?: string; // the row could not be split (quote errors)
}

export const MAX_ROW_LINES = 1000;
export const MAX_ROW_CHARS = 1_000_000;

const QUOTE = '"';

export class CsvRowSplitter {
  private readonly delimiter: string;
  private pending: { line: number; text: string }[] = [];
  private pendingChars = 0;
  private fields: string[] = [];
  private field = '';
  private inQuotes = false;

  constructor(delimiter = ',') {
    if (delimiter.length !== 1 || delimiter === QUOTE || delimiter === '\n' || delimiter === '\r') {
      throw new Error(`CSV delimiter must be one character other than a quote or a line break, got ${JSON.stringify(delimiter)}`);
    }
    this.delimiter = delimiter;
  }

  /** Feeds one line (without its terminator); yields the rows it completes. */
  *push(line: number, text: string): Generator<CsvRow> {
    if (this.pending.length === 0 && text.trim() === '') return; // blank lines are not rows
    if (this.pending.length > 0) this.field += '\n'; // continuing a quoted field across a line break
    this.pending.push({ line, text });
    this.pendingChars += text.length;
    let error: string | undefined;
    let afterQuote = false; // just closed a quoted field: only a delimiter may follow
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (this.inQuotes) {
        if (ch !== QUOTE) this.field += ch;
        else if (text[i + 1] === QUOTE) {
          this.field += QUOTE;
          i++;
        } else {
          this.inQuotes = false;
          afterQuote = true;
        }
      } else if (ch === this.delimiter) {
        this.fields.push(this.field);
        this.field = '';
        afterQuote = false;
      } else if (afterQuote) {
        error = `invalid character ${JSON.stringify(ch)} after the closing quote of column ${this.fields.length + 1}`;
        break;
      } else if (ch === QUOTE && this.field === '') {
        this.inQuotes = true;
      } else {
        this.field += ch; // a stray quote inside an unquoted field is kept as text
      }
    }
    if (this.inQuotes && error === undefined) {
      if (this.pending.length < MAX_ROW_LINES && this.pendingChars < MAX_ROW_CHARS) return; // wait for the closing quote
      yield* this.giveUp();
      return;
    }
    this.fields.push(this.field);
    const row: CsvRow = { line: this.pending[0]!.line, fields: this.fields, raw: this.pending.map((p) => p.text).join('\n') };
    if (error !== undefined) row.error = error;
    this.reset();
    yield row;
  }

  /** Call at end of input: an unterminated quoted field is reported and the lines after it re-read. */
  *end(): Generator<CsvRow> {
    while (this.pending.length > 0) yield* this.giveUp();
  }

  private *giveUp(): Generator<CsvRow> {
    const [first, ...rest] = this.pending;
    this.reset();
    yield { line: first!.line, fields: [], raw: first!.text, error: 'unterminated quoted field' };
    for (const p of rest) yield* this.push(p.line, p.text);
  }

  private reset(): void {
    this.pending = [];
    this.pendingChars = 0;
    this.fields = [];
    this.field = '';
    this.inQuotes = false;
  }
}
