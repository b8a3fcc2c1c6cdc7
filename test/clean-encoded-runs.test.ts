// removeEncodedRuns (analysis/text/clean.ts) finds the runs of non-space characters by a scan
// instead of the look-behind pattern cleanText used: it must replace exactly what the pattern did.
import { describe, expect, it } from 'vitest';
import { isEncodedRun, removeEncodedRuns } from '../analysis/text/clean.ts';
import { randomStrings } from './fixtures/random-strings.ts';

const CANDIDATE_RUN = /(?<!\S)\S{20,}/g;
const byPattern = (t: string): string => t.replace(CANDIDATE_RUN, (run) => (isEncodedRun(run) ? ' ; ' : run));

describe('removeEncodedRuns', () => {
  it('known answers', () => {
    const uu = 'M9#`!Q7&Z%B8@:)+`4$/#"!';
    expect(isEncodedRun(uu)).toBe(true);
    expect(removeEncodedRuns(`begin ${uu} end`)).toBe('begin  ;  end');
    expect(removeEncodedRuns(`${uu}\n${uu}`)).toBe(' ; \n ; ');
    expect(removeEncodedRuns('vision-language-action-models are words')).toBe('vision-language-action-models are words');
    const long = uu.repeat(5); // 100+ characters: left for the long-run pass
    expect(removeEncodedRuns(`a ${long} b`)).toBe(`a ${long} b`);
    expect(removeEncodedRuns(`a\u00a0${uu}\u2003b`)).toBe('a\u00a0 ; \u2003b'); // JavaScript's \s, not only ASCII
  });

  it('replaces what the pattern replaces, on 20 000 random strings', () => {
    const alphabet = ['QZ#7!`', 'M(`#', 'abcdefgh', '0123456789', 'Ab-Cd-Ef', 'x9!Q', 'é中', '\ud800', '.,;', ' ', '\n', '\u00a0'];
    let changed = 0;
    for (const s of randomStrings(7, alphabet, 60, 20000)) {
      const want = byPattern(s);
      if (want !== s) changed++;
      const got = removeEncodedRuns(s);
      if (got !== want) expect({ s, got }).toEqual({ s, got: want });
    }
    expect(changed).toBeGreaterThan(2000); // the strings do exercise the replacement
  });
});
