// CSV writing for the exports. Editors open these files in spreadsheets, and a title such as
// "=HYPERLINK(...)" would run as a formula there, so text cells that start with a formula
// trigger are prefixed with an apostrophe (OWASP "CSV injection"). Numbers are written as numbers.

const NEEDS_QUOTES = /[",\r\n]/;

/** A formula trigger as the first character: = + - @ tab CR. */
function isFormulaTrigger(c: number): boolean {
  return c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13;
}

/** A code unit of /\s/ (leading or trailing white space is quoted: spreadsheets trim it otherwise). */
function isSpace(c: number): boolean {
  return (
    c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

/**
 * One cell as CSV text, quoted per RFC 4180 when needed. (assignments.csv has ~450k cells on
 * arXiv: the first and last characters are tested by code, not by regular expressions on
 * one-character strings.)
 */
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
    if (text.length > 0 && isFormulaTrigger(text.charCodeAt(0))) text = `'${text}`;
  }
  return NEEDS_QUOTES.test(text) || (text.length > 0 && (isSpace(text.charCodeAt(0)) || isSpace(text.charCodeAt(text.length - 1)))) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line without its line end: the cells, quoted where needed, comma-separated. */
export function csvRow(cells: readonly unknown[]): string {
  return cells.map(csvCell).join(',');
}

/** A whole CSV document: header line, one line per row, CRLF line ends (RFC 4180). */
export function toCsv(header: string[], rows: unknown[][]): string {
  const lines = [csvRow(header)];
  for (const row of rows) {
    if (row.length !== header.length) {
      throw new Error(`toCsv: row has ${row.length} cells, header has ${header.length}`);
    }
    lines.push(csvRow(row));
  }
  return lines.join('\r\n') + '\r\n';
}
