// arXiv metadata snapshot (Kaggle 'arxiv-metadata-oai-snapshot.json', JSON Lines):
// { id, title, abstract, authors, categories: 'cs.CL cs.LG', versions: [{ version, created }], update_date }.

import type { RawFields } from './raw-record.ts';
import { isObject } from './raw-record.ts';
import { extraValue } from './text.ts';

/** True when a JSON object looks like a snapshot record rather than a generic one. */
export function looksLikeArxivSnapshot(obj: Record<string, unknown>): boolean {
  return Array.isArray(obj.versions) || (obj.abstract !== undefined && obj.update_date !== undefined && obj.date === undefined);
}

/**
 * Date: the first version's submission time (versions[0].created, RFC 2822), which is when the
 * paper appeared; update_date (the last metadata change) only when versions are missing.
 * Label: the primary (first listed) category.
 */
export function mapArxivRecord(obj: Record<string, unknown>, plain = false): { fields: RawFields; textField: string } {
  const first = Array.isArray(obj.versions) ? obj.versions[0] : undefined;
  const created = isObject(first) ? first.created : undefined;
  const categories = typeof obj.categories === 'string' ? obj.categories.trim() : obj.categories;
  const primary = typeof categories === 'string' ? categories.split(/\s+/)[0] : undefined;
  const extra: Record<string, string | number> = {};
  const cats = extraValue(categories, ' ', plain);
  if (cats !== undefined && cats !== '') extra.categories = cats;
  const authors = extraValue(obj.authors, ', ', plain);
  if (authors !== undefined && authors !== '') extra.authors = authors;
  const fields: RawFields = {
    id: obj.id,
    title: obj.title,
    text: obj.abstract,
    date: created ?? obj.update_date,
    label: primary,
    url: obj.url,
  };
  if (Object.keys(extra).length > 0) fields.extra = extra;
  return { fields, textField: 'abstract' };
}
