// rejects.jsonl and duplicates.jsonl: one JSON object per line. JSON.stringify escapes control
// characters and (since Node 12) lone surrogates, and U+2028/U+2029 are escaped here too, so every
// line is valid JSON and splitting the file on '\n' always gives whole records.
// Synchronous on purpose: the report stage writes these just before the run folder is published.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Reject } from '../paper.ts';
import type { Duplicate } from './ingest.ts';

/** One JSON Lines text, '' for no rows. */
export function toJsonLines(rows: readonly object[]): string {
  return rows.map((r) => JSON.stringify(r).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029') + '\n').join('');
}

function writeJsonLines(path: string, rows: readonly object[]): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, toJsonLines(rows), 'utf8');
}

/** Writes { file, line, field?, reason, raw? } per line. */
export function writeRejects(path: string, rejects: readonly Reject[]): void {
  writeJsonLines(path, rejects.map((r) => ({ file: r.file, line: r.line, field: r.field, reason: r.reason, raw: r.raw })));
}

/** Writes { file, line, id, firstFile, firstLine, sameText } per line. */
export function writeDuplicates(path: string, duplicates: readonly Duplicate[]): void {
  writeJsonLines(path, duplicates.map((d) => ({ file: d.file, line: d.line, id: d.id, firstFile: d.firstFile, firstLine: d.firstLine, sameText: d.sameText })));
}
