// The tokenizer's hyphenation affixes come from the core model wink was given (wink.ts,
// preservedAffixes), not from a second parse of the package's 3 MB model file.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { type PreservedAffixes, preservedAffixSets } from '../analysis/text/simple-units.ts';
import { tokenizeChunk } from '../analysis/text/tokenizer.ts';
import { preservedAffixes } from '../analysis/text/wink.ts';

const require = createRequire(import.meta.url);
const CORE_FILE = require.resolve('wink-eng-lite-web-model/dist/languages/cur/models/eng-core-web-model.json');

describe('preservedAffixes', () => {
  it('are the model file’s, and tokenizing hyphenated words does not require the file again', () => {
    // Hyphenated units with a preserved prefix (co-), a preserved suffix (-wise) and neither: kept
    // whole, wink gives the whole unit's lower case; split, each part is read alone, and the
    // lexeme 'Colour' has the normal form 'color'.
    const chunk = tokenizeChunk([{ title: '', text: 'co-Colour Colour-wise Colour-based' }], { titleRepeat: 1 });
    expect(chunk.terms).toEqual(['co-colour', 'colour-wise', 'color-based']);
    expect(require.cache[CORE_FILE]).toBeUndefined();
    const { preserve } = JSON.parse(readFileSync(CORE_FILE, 'utf8')) as { preserve: PreservedAffixes };
    const expected = preservedAffixSets(preserve);
    const sets = preservedAffixes();
    expect([...sets.prefix].sort()).toEqual([...expected.prefix].sort());
    expect([...sets.suffix].sort()).toEqual([...expected.suffix].sort());
    expect(sets.prefix.has('co')).toBe(true);
    expect(sets.suffix.has('wise')).toBe(true);
    expect(preservedAffixes()).toBe(sets); // built once per thread
  });
});
