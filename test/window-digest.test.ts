// The window digest (pipeline/store/window-digest.ts) is what an ingest artifact is checked
// against: writing the keys' bytes into a buffer must hash exactly the lines the plain definition
// hashes (every key, UTF-8, a line feed after each, in order).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digestWindowKeys, windowDigestKey } from '../pipeline/store/window-digest.ts';

/** The definition: sha256 of the keys joined by line feeds, a line feed after the last. */
function definition(keys: readonly string[]): string {
  return createHash('sha256').update(keys.map((k) => `${k}\n`).join('')).digest('hex');
}

describe('digestWindowKeys', () => {
  it('hashes every key as a UTF-8 line, in order', () => {
    const keys = [
      windowDigestKey('2501.00001', 'a'.repeat(40), '2025-01-02', 'cs.CL', null, 'arxiv.jsonl', null),
      windowDigestKey('ünï-cödé', 'b'.repeat(40), '2025-01-03', null, 'https://example.org/x?a="1"', 'f.json', '{"authors":"Ada, 李"}'),
      windowDigestKey('emoji-😀', 'c'.repeat(40), '2025-01-04', 'x\ny', null, 'f.csv', null),
      '',
      'a line of its own',
    ];
    expect(digestWindowKeys(createHash, keys.length, (j) => keys[j]!)).toBe(definition(keys));
    // Order matters, and so does every key.
    expect(digestWindowKeys(createHash, 2, (j) => keys[1 - j]!)).not.toBe(definition(keys.slice(0, 2)));
    expect(digestWindowKeys(createHash, 0, () => '')).toBe(definition([]));
  });

  it('asks for each key once, in order', () => {
    const asked: number[] = [];
    digestWindowKeys(createHash, 5, (j) => {
      asked.push(j);
      return String(j);
    });
    expect(asked).toEqual([0, 1, 2, 3, 4]);
  });

  it('gives the same digest across buffer boundaries and for keys longer than a buffer', () => {
    // Many keys (the buffer fills and is hashed several times), multi-byte characters at every
    // offset, and one key of 3 MB of 3-byte characters (longer than the buffer on its own).
    const keys: string[] = [];
    for (let i = 0; i < 30_000; i++) keys.push(windowDigestKey(`id-${i}-${'é€'.repeat(i % 7)}`, (i * 2654435761).toString(16).padStart(40, '0'), '2025-02-03', i % 3 ? 'cs.LG' : null, null, 'src', i % 5 ? null : `{"k":"${'x'.repeat(i % 500)}"}`));
    keys.splice(12_345, 0, '€'.repeat(1_000_000), 'after the long one');
    expect(digestWindowKeys(createHash, keys.length, (j) => keys[j]!)).toBe(definition(keys));
  });
});
