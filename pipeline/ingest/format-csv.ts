// CSV / TSV with a header row. Columns are mapped to Paper fields by name (IngestOptions.csv);
// unmapped non-empty cells go to extra. A row with the wrong number of columns is a reject.

import { inputError } from './errors.ts';
import { CsvRowSplitter } from './csv-rows.ts';
import { recordError, type RawFields, type RawRecord } from './raw-record.ts';
import { readLines, type InputFile } from './read-lines.ts';
import { cleanText } from './text.ts';

export interface CsvMapping {
  id?: string;
  title?: string;
  text?: string;
  date?: string;
  label?: string;
  url?: string;
  delimiter?: string;
}

type Field = 'id' | 'title' | 'text' | 'date' | 'label' | 'url';
const FIELDS: Field[] = ['id', 'title', 'text', 'date', 'label', 'url'];
// Default column names per field, tried in order (exact, then case-insensitive).
const DEFAULTS: Record<Field, string[]> = {
  id: ['id'],
  title: ['title'],
  text: ['text', 'abstract', 'summary'],
  date: ['date'],
  label: ['label'],
  url: ['url'],
};
const REQUIRED: Field[] = ['id', 'text'];

export function csvDelimiter(input: InputFile, mapping: CsvMapping | undefined): string {
  if (mapping?.delimiter !== undefined) return mapping.delimiter;
  return /\.tsv(\.gz)?$/i.test(input.path) ? '\t' : ',';
}

function findColumn(header: string[], name: string): number {
  const exact = header.indexOf(name);
  if (exact >= 0) return exact;
  return header.findIndex((h) => h.toLowerCase() === name.toLowerCase());
}

/** Column index per field, or -1. A column named in the mapping but absent is an InputError. */
export function resolveColumns(file: string, header: string[], mapping: CsvMapping | undefined, line: number): Record<Field, number> {
  const out = {} as Record<Field, number>;
  for (const f of FIELDS) {
    const asked = mapping?.[f];
    if (asked !== undefined) {
      const i = findColumn(header, asked);
      if (i < 0) throw inputError(file, `column '${asked}' mapped to ${f} is not in the header (${header.join(', ')})`, { line, field: f });
      out[f] = i;
    } else {
      out[f] = DEFAULTS[f].map((n) => findColumn(header, n)).find((i) => i >= 0) ?? -1;
    }
    if (out[f] < 0 && REQUIRED.includes(f)) {
      throw inputError(file, `no ${f} column in the header (${header.join(', ')}); map one with csv.${f}`, { line, field: f });
    }
  }
  return out;
}

export async function* readCsv(input: InputFile, mapping: CsvMapping | undefined): AsyncGenerator<RawRecord> {
  const splitter = new CsvRowSplitter(csvDelimiter(input, mapping));
  let header: string[] | undefined;
  let columns: Record<Field, number> | undefined;
  let textName = 'text';

  function* toRecords(rows: Iterable<{ line: number; fields: string[]; raw: string; error?: string }>): Generator<RawRecord> {
    for (const row of rows) {
      if (header === undefined) {
        if (row.error !== undefined) throw inputError(input.path, `unreadable CSV header: ${row.error}`, { line: row.line });
        header = row.fields.map((h) => h.trim());
        columns = resolveColumns(input.path, header, mapping, row.line);
        textName = header[columns.text]!;
        continue;
      }
      if (row.error !== undefined) {
        yield recordError(row.line, row.raw, row.error);
        continue;
      }
      if (row.fields.length !== header.length) {
        yield recordError(row.line, row.raw, `expected ${header.length} columns, got ${row.fields.length}`);
        continue;
      }
      const cols = columns!;
      const cell = (f: Field) => (cols[f] >= 0 ? row.fields[cols[f]] : undefined);
      const date = cell('date');
      const fields: RawFields = {
        id: cell('id'),
        title: cell('title'),
        text: cell('text'),
        date: date === undefined || date.trim() === '' ? undefined : date,
        label: cell('label'),
        url: cell('url'),
      };
      const used = new Set(FIELDS.map((f) => cols[f]));
      const extra: Record<string, string> = {};
      header.forEach((name, i) => {
        const v = cleanText(row.fields[i]!);
        if (!used.has(i) && name !== '' && v !== '' && extra[name] === undefined) extra[name] = v.slice(0, 1000);
      });
      if (Object.keys(extra).length > 0) fields.extra = extra;
      yield { line: row.line, raw: row.raw, fields, textField: textName };
    }
  }

  for await (const { line, text } of readLines(input)) yield* toRecords(splitter.push(line, text));
  yield* toRecords(splitter.end());
  if (header === undefined) throw inputError(input.path, 'empty CSV file: no header row');
}
