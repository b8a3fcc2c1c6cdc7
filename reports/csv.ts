// CSV writing for the exports, assignments.csv's rows included. Editors open these files in
// spreadsheets, and a title such as "=HYPERLINK(...)" would run as a formula there, so text cells
// that start with a formula trigger are prefixed with an apostrophe (OWASP "CSV injection").
// Numbers are written as numbers.

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
  return needsQuotes(text) || (text.length > 0 && (isSpace(text.charCodeAt(0)) || isSpace(text.charCodeAt(text.length - 1)))) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Whether a cell holds a quote, a comma or a line break (RFC 4180: it must be quoted). */
function needsQuotes(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 || c === 44 || c === 13 || c === 10) return true;
  }
  return false;
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

/** 6 significant digits; -0, NaN and ±Infinity (not JSON) become 0 / null. */
export function round6(value: number): number | null {
  if (!Number.isFinite(value)) return null;
  if (value === 0) return 0;
  return Number(value.toPrecision(6));
}

/** Code-unit order of two strings: the export files' order (not the locale's). */
export function byCodepoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface AssignmentRow {
  id: string;
  cluster: number;
  label: string;
  score: number;
  date: string;
  title: string;
}

/**
 * assignments.csv as consecutive blocks of whole lines, the header in the first: at 1M papers the
 * document is ~150 MB, and built whole (a cell array and a line per row, then the joined text)
 * it took ~0.8 GB at the report, the night's memory peak. The blocks joined are assignmentsCsv.
 * Without `header`: the rows' lines only (a later part of a file another writer starts).
 */
export function* assignmentsCsvBlocks(rows: readonly AssignmentRow[], blockRows = 10_000, header = true): Generator<string> {
  // The order of an index array: the same stable order as sorting the rows themselves.
  const order = Array.from(rows.keys()).sort((a, b) => byCodepoint(rows[a]!.id, rows[b]!.id) || rows[a]!.cluster - rows[b]!.cluster);
  // The header written here, not a module constant: a helper thread runs this function's text
  // beside ASSIGNMENTS_CSV_HELPERS, and can only name the functions declared there.
  let lines = header ? [csvRow(['id', 'cluster', 'label', 'score', 'date', 'title'])] : [];
  // Each line as csvRow writes it, concatenated without its two arrays, and a topic's label cell
  // made once: at 1M rows the writing thread spent ~1.5 s here, the report stage's last ~1.3 s
  // waiting for it.
  const labelCells = new Map<string, string>();
  for (const i of order) {
    const r = rows[i]!;
    let label = labelCells.get(r.label);
    if (label === undefined) labelCells.set(r.label, (label = csvCell(r.label)));
    lines.push(`${csvCell(r.id)},${csvCell(r.cluster)},${label},${csvCell(round6(r.score))},${csvCell(r.date)},${csvCell(r.title)}`);
    if (lines.length >= blockRows) {
      yield lines.join('\r\n') + '\r\n';
      lines = [];
    }
  }
  if (lines.length > 0) yield lines.join('\r\n') + '\r\n';
}

/**
 * What assignmentsCsvBlocks calls, as source text: function declarations that name nothing but
 * each other and globals. The helper thread of pipeline/assignments-behind.ts runs
 * assignmentsCsvBlocks' own text beside them, so its file is this module's output. (Everything
 * here lives in this one module because a function's text names an imported function as its
 * module system does, which that thread does not have.)
 */
export const ASSIGNMENTS_CSV_HELPERS = [isFormulaTrigger, isSpace, needsQuotes, csvCell, csvRow, round6, byCodepoint].map(String).join('\n');
