// Hugging Face daily papers (JSON array from https://huggingface.co/api/daily_papers):
// [{ paper: { id, title, summary, upvotes, publishedAt?, authors? }, publishedAt, title?, numComments?, ... }].

import { isObject, type RawFields } from './raw-record.ts';
import { extraValue } from './text.ts';

export function looksLikeHfDailyPaper(obj: Record<string, unknown>): boolean {
  return isObject(obj.paper);
}

/** id/title/text from `paper`; date = publishedAt of the entry (the day it was featured), else of the paper. */
export function mapHfRecord(obj: Record<string, unknown>): { fields: RawFields; textField: string } | { error: { reason: string; field: string } } {
  const paper = obj.paper;
  if (!isObject(paper)) return { error: { reason: 'missing paper object', field: 'paper' } };
  const extra: Record<string, string | number> = {};
  const upvotes = extraValue(paper.upvotes);
  if (typeof upvotes === 'number') extra.upvotes = upvotes;
  const comments = extraValue(obj.numComments);
  if (typeof comments === 'number') extra.numComments = comments;
  if (Array.isArray(paper.authors)) {
    const names = paper.authors.map((a) => (isObject(a) && typeof a.name === 'string' ? a.name : undefined)).filter((n) => n !== undefined);
    const joined = extraValue(names, ', ');
    if (joined !== undefined && joined !== '') extra.authors = joined;
  }
  const fields: RawFields = {
    id: paper.id,
    title: paper.title ?? obj.title,
    text: paper.summary ?? obj.summary,
    date: obj.publishedAt ?? paper.publishedAt,
    url: obj.url ?? paper.url,
  };
  if (Object.keys(extra).length > 0) fields.extra = extra;
  return { fields, textField: 'paper.summary' };
}
