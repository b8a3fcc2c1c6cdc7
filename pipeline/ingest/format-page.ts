// Text of a trending-papers web page (copied from a browser): a few header lines, date headings
// such as 'Mar 14', then for each paper a title line and an abstract paragraph, separated by blank
// lines. Heuristic: a date heading sets the current date; a short block followed by a long one is
// a title + abstract; any other block is page furniture and is skipped (counted in a note).

import { createHash } from 'node:crypto';
import { monthNumber } from './dates.ts';
import type { RawRecord } from './raw-record.ts';
import { readLines, type InputFile } from './read-lines.ts';
import { cleanText } from './text.ts';

export const MAX_TITLE_CHARS = 300;
export const MIN_ABSTRACT_CHARS = 200;

export interface PageYear {
  year: number;
  fromMtime: boolean; // the year was guessed from the file date: roll back headings later than it
  mtime: Date;
}

interface Block {
  line: number;
  lines: number;
  text: string;
}

// 'Mar 14', 'March 14', 'Mar 14, 2025', 'Sept. 3 2024'
const DATE_HEADING = /^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:,?\s+(\d{4}))?$/;

/** The date a heading stands for ('YYYY-MM-DD', possibly impossible like 2026-02-30 so validation rejects it), or undefined. */
export function headingDate(text: string, page: PageYear): { date: string; usedDefaultYear: boolean } | undefined {
  const m = DATE_HEADING.exec(text.trim());
  if (!m) return undefined;
  const month = monthNumber(m[1]!);
  if (month === 0) return undefined;
  const day = Number(m[2]);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (m[3] !== undefined) return { date: `${m[3]}-${pad(month)}-${pad(day)}`, usedDefaultYear: false };
  let year = page.year;
  if (page.fromMtime) {
    // A page saved on Jan 2 may list 'Dec 31' of the year before.
    const savedMonth = page.mtime.getUTCMonth() + 1;
    if (month > savedMonth || (month === savedMonth && day > page.mtime.getUTCDate())) year -= 1;
  }
  return { date: `${year}-${pad(month)}-${pad(day)}`, usedDefaultYear: true };
}

export function pageId(title: string): string {
  return `page-${createHash('sha1').update(title).digest('hex').slice(0, 12)}`;
}

function isTitle(b: Block): boolean {
  return b.lines === 1 && b.text.length >= 3 && b.text.length <= MAX_TITLE_CHARS;
}

function isAbstract(b: Block, title: Block): boolean {
  return b.text.length >= MIN_ABSTRACT_CHARS && b.text.length > 2 * title.text.length;
}

async function* blocks(input: InputFile): AsyncGenerator<Block> {
  let cur: Block | undefined;
  for await (const { line, text } of readLines(input)) {
    const t = cleanText(text);
    if (t === '') {
      if (cur) yield cur;
      cur = undefined;
    } else if (cur) {
      cur.text += ` ${t}`; // a paragraph wrapped over several lines
      cur.lines++;
    } else {
      cur = { line, lines: 1, text: t };
    }
  }
  if (cur) yield cur;
}

export async function* readPage(input: InputFile, page: PageYear, note: (message: string) => void): AsyncGenerator<RawRecord> {
  let date: string | undefined;
  let usedDefaultYear = false;
  let pending: Block | undefined; // a block that may be a title, waiting for the next one
  let skipped = 0;
  for await (const b of blocks(input)) {
    const heading = headingDate(b.text, page);
    if (heading) {
      if (pending) skipped++;
      pending = undefined;
      date = heading.date;
      usedDefaultYear ||= heading.usedDefaultYear;
      continue;
    }
    if (pending && isTitle(pending) && isAbstract(b, pending)) {
      yield {
        line: pending.line,
        raw: `${pending.text}\n\n${b.text}`,
        fields: { id: pageId(pending.text), title: pending.text, text: b.text, date },
        textField: 'abstract',
      };
      pending = undefined;
      continue;
    }
    if (pending) skipped++;
    pending = b;
  }
  if (pending) skipped++;
  if (usedDefaultYear) {
    note(
      page.fromMtime
        ? `year ${page.year} taken from the file's modification date; pass pageYear to override`
        : `year ${page.year} taken from pageYear`,
    );
  }
  if (skipped > 0) note(`${skipped} text block(s) were not a title + abstract pair and were skipped (page header, navigation)`);
}
