// One stream of RawRecords per input file, whatever its format: picks the container reader and,
// for JSON containers, the record mapping (generic, arXiv snapshot, Hugging Face daily papers).

import { looksLikeArxivSnapshot, mapArxivRecord } from './format-arxiv.ts';
import { readCsv, type CsvMapping } from './format-csv.ts';
import { looksLikeHfDailyPaper, mapHfRecord } from './format-hf.ts';
import { readJsonArray } from './format-json.ts';
import { mapGenericRecord, parseJsonItem, readJsonLineBatches, type JsonItem } from './format-jsonl.ts';
import { readPage, type PageYear } from './format-page.ts';
import type { RawRecord } from './raw-record.ts';
import type { InputFile } from './read-lines.ts';
import { containerOf, type InputFormat } from './sniff.ts';

export type RecordKind = 'generic' | 'arxiv' | 'hf';

export interface ReadContext {
  format: InputFormat;
  autoKind: boolean; // decide the record kind from the first JSON object (format 'auto')
  csv: CsvMapping | undefined;
  page: PageYear;
  note: (message: string) => void;
}

function detectKind(obj: Record<string, unknown>): RecordKind {
  if (looksLikeHfDailyPaper(obj)) return 'hf';
  if (looksLikeArxivSnapshot(obj)) return 'arxiv';
  return 'generic';
}

/** The format name reported per file: the record kind when it is a special one, else the container. */
export function reportedFormat(format: InputFormat, kind: RecordKind | undefined): InputFormat {
  if (kind === 'arxiv') return 'arxiv';
  if (kind === 'hf') return 'hf';
  return format;
}

/**
 * Records of one file, several at a time: JSON Lines a decompressed chunk at a time (see
 * readLineBatches; ~0.25 s of CPU of async steps on the 75k arXiv records), the other formats
 * one record at a time. `onKind` reports the record kind once it is known (JSON formats).
 */
export async function* readRecordBatches(input: InputFile, ctx: ReadContext, onKind: (kind: RecordKind) => void): AsyncGenerator<RawRecord[]> {
  const container = containerOf(ctx.format);
  if (container === 'csv') {
    for await (const rec of readCsv(input, ctx.csv)) yield [rec];
    return;
  }
  if (container === 'page') {
    for await (const rec of readPage(input, ctx.page, ctx.note)) yield [rec];
    return;
  }
  let kind: RecordKind | undefined = ctx.format === 'arxiv' ? 'arxiv' : ctx.format === 'hf' ? 'hf' : ctx.autoKind ? undefined : 'generic';
  if (kind) onKind(kind);
  const toRecord = (item: JsonItem): RawRecord => {
    const parsed = parseJsonItem(item);
    if ('rec' in parsed) return parsed.rec;
    if (kind === undefined) {
      kind = detectKind(parsed.obj);
      onKind(kind);
    }
    const plain = item.plain === true;
    const mapped = kind === 'arxiv' ? mapArxivRecord(parsed.obj, plain) : kind === 'hf' ? mapHfRecord(parsed.obj) : mapGenericRecord(parsed.obj, plain);
    if ('error' in mapped) return { line: item.line, raw: item.text, error: mapped.error };
    const rec: RawRecord = { line: item.line, raw: item.text, fields: mapped.fields, textField: mapped.textField };
    if (plain) rec.plain = true;
    return rec;
  };
  if (container === 'lines') {
    for await (const items of readJsonLineBatches(input)) yield items.map(toRecord);
    return;
  }
  for await (const item of readJsonArray(input, ctx.note)) yield [toRecord(item)];
}
