// JSON array files: [ {...}, {...} ]. A small streaming scanner cuts the array into its elements
// (tracking nesting depth, strings and escapes) so a file of tens of MB never becomes one string
// and each element's start line is known for rejects.

import { inputError } from './errors.ts';
import type { JsonItem } from './format-jsonl.ts';
import { openStream, type InputFile } from './read-lines.ts';

const OPEN_OBJ = 0x7b, CLOSE_OBJ = 0x7d, OPEN_ARR = 0x5b, CLOSE_ARR = 0x5d;
const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c, NEWLINE = 0x0a;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xfeff;
}

/**
 * Elements of a top-level JSON array, each with its text and start line. Elements are not
 * parsed here (the caller reports an invalid one as a reject). A file that does not start with
 * '[' is an InputError; a file that ends inside the array yields a last item with `error` set.
 */
export async function* readJsonArray(input: InputFile, note: (message: string) => void = () => {}): AsyncGenerator<JsonItem> {
  const stream = openStream(input);
  stream.setEncoding('utf8');
  let state: 'before' | 'between' | 'element' | 'after' = 'before';
  let depth = 0; // nesting inside the current element
  let inString = false;
  let escaped = false;
  let line = 1;
  let startLine = 0;
  let parts: string[] = []; // pieces of the current element from earlier chunks
  let trailing = false;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      let from = -1; // start of the current element within this chunk
      if (state === 'element') from = 0;
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk.charCodeAt(i);
        if (state === 'element') {
          if (inString) {
            if (escaped) escaped = false;
            else if (c === BACKSLASH) escaped = true;
            else if (c === QUOTE) inString = false;
            else if (c === NEWLINE) line++;
            continue;
          }
          if (c === QUOTE) inString = true;
          else if (c === OPEN_OBJ || c === OPEN_ARR) depth++;
          else if ((c === CLOSE_OBJ || c === CLOSE_ARR) && depth > 0) depth--;
          else if (depth === 0 && (c === COMMA || c === CLOSE_ARR)) {
            parts.push(chunk.slice(from, i));
            yield { line: startLine, text: parts.join('').trim() };
            parts = [];
            state = c === COMMA ? 'between' : 'after';
          }
          if (c === NEWLINE) line++;
          continue;
        }
        if (c === NEWLINE) line++;
        if (isSpace(c)) continue;
        if (state === 'before') {
          if (c !== OPEN_ARR) {
            throw inputError(input.path, `expected a JSON array ('[') at line ${line}, found '${String.fromCharCode(c)}'`, { line });
          }
          state = 'between';
        } else if (state === 'between') {
          if (c === CLOSE_ARR) state = 'after';
          else if (c !== COMMA) {
            state = 'element';
            startLine = line;
            from = i;
            depth = 0;
            i--; // rescan this character as part of the element
          }
        } else {
          trailing = true; // content after the closing ']'
        }
      }
      if (state === 'element') parts.push(chunk.slice(Math.max(from, 0)));
    }
  } finally {
    stream.destroy();
  }
  if (state === 'element') {
    yield { line: startLine, text: parts.join('').trim(), error: 'unexpected end of file inside a JSON array element' };
  } else if (state === 'before') {
    throw inputError(input.path, 'empty file: expected a JSON array');
  } else if (state === 'between') {
    // Never closed, but no element is cut: nothing lost, so a note rather than a reject.
    note(`JSON array not closed with ']' (every element before the end was read)`);
  }
  if (trailing) note(`content after the closing ']' of the JSON array was ignored`);
}
