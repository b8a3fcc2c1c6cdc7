// CSV writing for the exports. Editors open these files in spreadsheets, and a title such as
// "=HYPERLINK(...)" would run as a formula there, so text cells that start with a formula
// trigger are prefixed with an apostrophe (OWASP "CSV injection"). Numbers are written as numbers.

const FORMULA_TRIGGER = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;
// Leading or trailing white space is quoted (spreadsheets trim it otherwise). Tested on the end
// characters only: /^\s|\s$/ tries the second branch at every position of the text.
const SPACE = /\s/;

/** One cell as CSV text, quoted per RFC 4180 when needed. */
export function csvCell(value: unknown): string {
  let text: string;
  if (value === null || value === undefined) {
    text = '';
  } else if (typeof value === 'number') {
    // A negative number passed as a number is data, not a formula: keep it as is.
    text = Number.isFinite(value) ? String(value) : '';
  } else if (typeof value === 'boolean' || typeof value === 'bigint') {
    text = String(value);
  } else {
    text = typeof value === 'string' ? value : JSON.stringify(value);
    if (FORMULA_TRIGGER.test(text)) text = `'${text}`;
  }
  return NEEDS_QUOTES.test(text) || (text.length > 0 && (SPACE.test(text[0]!) || SPACE.test(text[text.length - 1]!))) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole CSV document: header line, one line per row, CRLF line ends (RFC 4180). */
export function toCsv(header: string[], rows: unknown[][]): string {
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) {
    if (row.length !== header.length) {
      throw new Error(`toCsv: row has ${row.length} cells, header has ${header.length}`);
    }
    lines.push(row.map(csvCell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
