// removeEmails (analysis/text/clean.ts) finds e-mail addresses from each '@' instead of by a
// regular expression: it must remove exactly what the expression does.
import { describe, expect, it } from 'vitest';
import { removeEmails } from '../analysis/text/clean.ts';
import { randomStrings } from './fixtures/random-strings.ts';

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;

describe('removeEmails', () => {
  it('known answers', () => {
    expect(removeEmails('write to a.b@c.org today')).toBe('write to   today');
    expect(removeEmails('no address @ here, a@b, x@y.')).toBe('no address @ here, a@b, x@y.');
    expect(removeEmails('a@b.c@d.e')).toBe(' @d.e'); // the second local part would start inside the first match
    expect(removeEmails('mathew@mantis.co.uk>')).toBe(' >');
    expect(removeEmails('é@ü.ß and 𝑥@𝑦.𝑧')).toBe('  and  ');
  });

  it('removes what the regular expression removes, on 20 000 random strings', () => {
    const alphabet = ['a', 'Z', '0', '9', '.', '.', '-', '_', '%', '+', '@', '@', ' ', ',', '>', 'é', '٣', '中', '𝑥', '\ud800', '\udc00', '!', '(', ')'];
    for (const s of randomStrings(11, alphabet, 40, 20000)) {
      const want = s.replace(EMAIL, ' ');
      if (removeEmails(s) !== want) expect({ s, got: removeEmails(s) }).toEqual({ s, got: want });
    }
  });
});
