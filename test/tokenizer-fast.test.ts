// The fast tokenizer (wink once per distinct space unit, gated cleaning) against the reference
// definitions (wink per document, every cleaning pass): same token streams, same corpus.
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cleanText, cleanTextReference, collapseSpaces } from '../analysis/text/clean.ts';
import { randomStrings } from './fixtures/random-strings.ts';
import { tokenizeChunkReference } from '../analysis/text/reference-tokenizer.ts';
import { type DocText, mergeChunks, tokenizeChunk, type TokenizerOptions } from '../analysis/text/tokenizer.ts';
import type { TokenizedCorpus } from '../analysis/types.ts';

const FIXTURE: DocText[] = [
  { title: 'Large-scale vision-language models for 3D-aware robots', text: "We propose a state-of-the-art U-Net. It's fast; don't worry: LLMs' outputs (e.g., GPT-4's) aren't 16M. 3.5% better, 1,000 runs, v2.0." },
  { title: 'Colour and behaviour', text: 'The colour of the organisation’s behaviour was analysed and optimised. Modelling vs. modeling; centre, centres; analyses and hypotheses.' },
  { title: '', text: 'See https://github.com/foo/bar, www.example.org or mail john.doe@cs.univ.edu. USD 15 and 0.006USD; 15 USD. AI, RL and 5G in the UK.' },
  { title: 'Math $x^2$ and \\textbf{bold}', text: 'We prove $O(n \\log n)$ bounds in \\cite{foo} for $$\\sum_i x_i$$ and G\\"odel. <b>HTML</b> &amp; entities &eacute;t&#233;.' },
  { title: 'Ünïcödé — naïve café', text: 'Die Straße, Москва и Київ, 東京 and naïve façade — “quoted” ‘single’ … ellipsis; emoji 🚀 and ✓ marks; x\u00a0y\u200bz.' },
  { title: 'Hyphen chains', text: 'A multi-agent, multi-modal, end-to-end, plug-and-play, self-supervised pre-training; -leading and trailing- hyphens; 3-d, 2-D and x-ray.' },
  { title: 'ACRONYMS', text: 'BERT, GPT, LLM, CNN, RNNs and GANs; NLP/CV; R&D; C++ and C#; .NET; node.js; I/O; TCP/IP; Ph.D. and U.S.A. in Dr. Smith’s lab.' },
  { title: 'Numbers', text: '10x faster, 2nd place, 1990s, 3:45pm, 12/05/2020, -5.2e-3, #1, @user, 50%, $4.95, 1st-order, 4k-resolution, 128-bit.' },
  { title: 'Repeat repeat', text: 'model model, model. model; (model) "model" model’s models models\' modelling model-based model-free.' },
  { title: 'Mail', text: 'In article <1993Apr5.1234@foo.edu> bob@foo.edu (Bob) writes:\n> quoted line\n\n-- \nBob\nbegin 644 x.uu\nM9V%R8F%G92!G87)B86=E(&=A<F)A9V4@9V%R8F%G92!G87)B86=E(&=A<F)A\n' },
  { title: 'Empty text', text: '' },
  { title: '', text: '   \n\t  ' },
];

function streams(c: TokenizedCorpus): string[] {
  const out: string[] = [];
  for (let d = 0; d + 1 < c.docOffsets.length; d++) {
    const parts: string[] = [];
    for (let k = c.docOffsets[d]!; k < c.docOffsets[d + 1]!; k++) {
      const t = c.tokenIds[k]!;
      parts.push(t < 0 ? '|' : `${c.terms[t]}/${c.variants![t]![c.tokenVariants![k]!]}`);
    }
    out.push(parts.join(' '));
  }
  return out;
}

function compare(docs: DocText[], opts: TokenizerOptions = {}): { same: number; fast: TokenizedCorpus; ref: TokenizedCorpus } {
  const fast = mergeChunks([tokenizeChunk(docs, opts)]);
  const ref = mergeChunks([tokenizeChunkReference(docs, opts)]);
  const a = streams(fast);
  const b = streams(ref);
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return { same, fast, ref };
}

describe('fast tokenizer = reference tokenizer', () => {
  it('on a fixture of tricky cases (hyphens, apostrophes, numbers, acronyms, URLs, LaTeX, unicode, British spellings)', () => {
    for (const opts of [{}, { titleRepeat: 2 }, { titleRepeat: 0, extraStopWords: ['model'] }]) {
      const { same, fast, ref } = compare(FIXTURE, opts);
      expect(same).toBe(FIXTURE.length);
      expect(fast).toEqual(ref);
    }
    // the fixture does exercise the rules: folding, spelling, gluing, cuts
    const { fast } = compare(FIXTURE);
    expect(fast.terms).toEqual(expect.arrayContaining(['color', 'behavior', 'large-scale', 'vision-language', '3d-aware', 'u-net', 'llm']));
  });

  it('whatever the order in which units are first seen (documents reversed and repeated)', () => {
    const docs = [...FIXTURE, ...[...FIXTURE].reverse()];
    const s = streams(mergeChunks([tokenizeChunk(docs)]));
    for (let i = 0; i < FIXTURE.length; i++) expect(s[docs.length - 1 - i]).toBe(s[i]);
  });

  it('collapseSpaces = the paragraph and white-space regular expressions, then trim, on 30 000 random strings', () => {
    const byRegex = (t: string) => t.replace(/[ \t\r]*\n[ \t\r]*\n\s*/g, ' ; ').replace(/\s+/g, ' ').trim();
    const alphabet = [' ', ' ', '\n', '\n', '\t', '\r', '\u000b', '\u00a0', '\u2028', '\ufeff', '\u3000', 'a', 'b', ';', '.'];
    for (const t of randomStrings(5, alphabet, 12, 30000)) {
      if (collapseSpaces(t) !== byRegex(t)) expect({ t, got: collapseSpaces(t) }).toEqual({ t, got: byRegex(t) });
    }
    expect(collapseSpaces('a \n \n b')).toBe('a ; b');
    expect(collapseSpaces('\n\na')).toBe('; a');
    expect(collapseSpaces('a\n\u00a0\nb')).toBe('a b'); // no paragraph: a no-break space between the line feeds
  });

  it('cleanText (gated passes) = cleanTextReference (every pass) on the fixture and edge cases', () => {
    const extra = [' lead', 'trail ', 'a  b', 'a\tb', '\u00a0x', 'x\u2028y', 'a\u000bb', 'M'.repeat(61), 'a&#32;b', 'x&lt;b&gt;y', 'q'.repeat(150), 'z'.repeat(25) + '$$'];
    for (const s of [...FIXTURE.flatMap((d) => [d.title, d.text]), ...extra]) expect(cleanText(s)).toBe(cleanTextReference(s));
  });

  it('the same streams on 3 000 random texts of irregular white space, with and without the length cap', () => {
    // The unit scan reads white space uncollapsed (cleanTextUncollapsed): paragraph breaks at
    // either end or between units, no-break and line-separator spaces, control characters and
    // vertical tabs that entity decoding brings back, texts long enough for the cap (maxChars 40).
    const alphabet = ['model', 'graph', 'neural;', 'x', ' ', ' ', '\n', '\n\n', ' \r\n \n', '\n\u00a0\n', '\t', '\u2028', '\u00a0', '&#1;', '&#11;', ';', 'a-b', '(data)'];
    const texts = randomStrings(3, alphabet, 24, 3000);
    const docs = texts.map((text, i) => ({ title: i % 3 === 0 ? texts[(i + 1) % texts.length]! : '', text }));
    for (const maxChars of [20000, 40]) {
      const { same, fast, ref } = compare(docs, { maxChars });
      expect(same).toBe(docs.length);
      expect(fast).toEqual(ref);
    }
  });

  it('cleanText = cleanTextReference on 5 000 random texts with encoded runs, control characters and uuencoded lines', () => {
    // Encoded runs found by the first scan are replaced where it found them; a control character
    // (a second scan) or a uuencoded line (a changed text) must not leave stale positions.
    const uuLine = '\nM' + '9V%R8F%G92!G87)B86=E(&=A<F)A9V4@9V%R8F%G92!G87)B86=E(&=A<F)A'.slice(0, 60) + '\n';
    const alphabet = ['QZ#7!`', 'M(`#', 'abcdefgh', 'x9!Q', 'Ab-Cd', ' ', ' ', '\n', '\u0001', '&amp;', uuLine, '$x$', 'q'.repeat(40)];
    let encoded = 0;
    for (const s of randomStrings(5, alphabet, 40, 5000)) {
      const want = cleanTextReference(s);
      if (want.includes(' ; ') && /[#`!]/.test(s)) encoded++;
      if (cleanText(s) !== want) expect({ s, got: cleanText(s) }).toEqual({ s, got: want });
    }
    expect(encoded).toBeGreaterThan(500);
  });
});

const DATA = '../shared/data';
const corpora = ['arxiv-cs-daily', '20newsgroups-bydate'].map((name) => ({ name, path: `${DATA}/${name}.jsonl.gz` }));

function sample(path: string, count: number): DocText[] {
  const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n').filter(Boolean);
  const step = Math.max(1, Math.floor(lines.length / count));
  const docs: DocText[] = [];
  for (let i = 0; i < lines.length && docs.length < count; i += step) {
    const r = JSON.parse(lines[i]!) as { title?: string; text?: string };
    docs.push({ title: r.title ?? '', text: r.text ?? '' });
  }
  return docs;
}

for (const { name, path } of corpora) {
  describe.skipIf(!existsSync(path))(`on real documents: ${name}`, () => {
    it('identical token streams on a sample spread over the corpus', () => {
      const docs = sample(path, 1500);
      for (const d of docs) {
        expect(cleanText(d.title)).toBe(cleanTextReference(d.title));
        expect(cleanText(d.text)).toBe(cleanTextReference(d.text));
      }
      const { same, fast, ref } = compare(docs);
      console.log(`${name}: ${same} / ${docs.length} documents with identical token streams`);
      expect(same).toBe(docs.length); // wink per document = wink per unit since its lexicon stopped learning (tok-7)
      expect(fast.terms).toEqual(ref.terms);
      expect(fast.display).toEqual(ref.display);
    }, 120_000);
  });
}
