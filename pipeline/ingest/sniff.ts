// Which reader a file needs, from its extension and its first bytes. The record kind inside
// JSON containers (generic / arXiv snapshot / Hugging Face) is decided later, on the first record.

import { inputError } from './errors.ts';
import { peekText, type InputFile } from './read-lines.ts';

export type InputFormat = 'jsonl' | 'json' | 'csv' | 'arxiv' | 'hf' | 'page';
export const INPUT_FORMATS: readonly InputFormat[] = ['jsonl', 'json', 'csv', 'arxiv', 'hf', 'page'];

/** The container a format is read with. */
export type Container = 'lines' | 'array' | 'csv' | 'page';

export function containerOf(format: InputFormat): Container {
  switch (format) {
    case 'jsonl':
    case 'arxiv':
      return 'lines';
    case 'json':
    case 'hf':
      return 'array';
    case 'csv':
      return 'csv';
    case 'page':
      return 'page';
  }
}

/**
 * 'auto' detection. By extension (after removing .gz): .jsonl/.ndjson → JSON Lines; .json → JSON
 * array when it starts with '[', JSON Lines when it starts with '{' (Kaggle's arXiv snapshot is
 * named .json but is JSON Lines); .csv/.tsv → CSV; .txt/.md → page text. Unknown extensions are
 * sniffed from content ('[' or '{'); anything else is an InputError rather than a guess.
 */
export async function sniffFormat(input: InputFile): Promise<InputFormat> {
  const name = input.path.toLowerCase().replace(/\.gz$/, '');
  const ext = /\.([a-z0-9]+)$/.exec(name)?.[1] ?? '';
  if (ext === 'csv' || ext === 'tsv') return 'csv';
  if (ext === 'txt' || ext === 'text' || ext === 'md') return 'page';
  const head = await peekText(input);
  const first = head.trimStart()[0];
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl';
  if (first === '[') return 'json';
  if (first === '{') return 'jsonl';
  if (first === undefined) throw inputError(input.path, 'empty file: cannot tell its format; pass format explicitly');
  throw inputError(
    input.path,
    `unknown input format (extension '${ext || 'none'}', starts with ${JSON.stringify(head.slice(0, 20))}); ` +
      `expected ${INPUT_FORMATS.join(', ')} or name the format with --format`,
  );
}
