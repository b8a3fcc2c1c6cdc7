import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import { describe, expect, it } from 'vitest';
import { cleanText, isEncodedRun } from '../analysis/text/clean.ts';
import { foldTermKey, termKey } from '../analysis/text/normalize.ts';
import { randomStrings } from './fixtures/random-strings.ts';
import { STOP_WORDS, WINK_STOP_WORDS } from '../analysis/text/stopwords.ts';
import { mergeChunks, tokenizeChunk, tokenizeCorpus, TOKENIZER_VERSION } from '../analysis/text/tokenizer.ts';
import type { TokenizedCorpus } from '../analysis/types.ts';

/** Doc i's tokens as keys, '|' for a boundary. */
function stream(c: TokenizedCorpus, i: number): string {
  return Array.from(c.tokenIds.subarray(c.docOffsets[i], c.docOffsets[i + 1]), (t) => (t < 0 ? '|' : c.terms[t])).join(' ');
}

function displayOf(c: TokenizedCorpus, key: string): string | undefined {
  const i = c.terms.indexOf(key);
  return i < 0 ? undefined : c.display[i];
}

describe('cleanText', () => {
  it('strips LaTeX math and commands, keeping argument words', () => {
    expect(cleanText('We prove $O(n \\log n)$ bounds for $$\\sum_i x_i$$ and \\(x\\) or \\[y=1\\].')).toBe('We prove ; bounds for ; and ; or ; .');
    expect(cleanText('A \\textbf{deep} \\emph{learning} model \\cite{foo2020} in Fig.~\\ref{fig:a}')).toBe('A deep learning model in Fig.~');
    expect(cleanText('G\\"odel and 50\\% of \\$5')).toBe('Godel and 50% of $5');
  });
  it('leaves prices alone (a closing $ needs no space before it and no digit after it)', () => {
    expect(cleanText('It costs $4.95 postpaid, or $5 per fish.')).toBe('It costs $4.95 postpaid, or $5 per fish.');
  });
  it('strips HTML tags and decodes entities', () => {
    expect(cleanText('<p>Fish &amp; <b>chips</b> &eacute;t&#233; &lt;3&nbsp;now</p>')).toBe('Fish & chips été <3 now');
  });
  it('strips URLs, e-mail addresses and control characters', () => {
    expect(cleanText('See https://example.org/a?b=1, www.foo.com or\u0007 john.doe@cs.univ.edu today')).toBe('See or today');
  });
  it('drops runs of 100+ non-space characters but keeps 99', () => {
    const ok = 'a'.repeat(99);
    expect(cleanText(`x ${'-'.repeat(100)} y ${ok} z`)).toBe(`x y ${ok} z`);
  });
  it('keeps paragraph breaks as boundaries and joins wrapped lines', () => {
    expect(cleanText('line one\ncontinues\n\n\nnext   para')).toBe('line one continues ; next para');
  });
  it('caps the length at a space', () => {
    const out = cleanText('word '.repeat(1000), 52);
    expect(out.length).toBeLessThanOrEqual(52);
    expect(out.endsWith('word')).toBe(true);
    expect(() => cleanText('x', 0)).toThrow(/maxChars/);
  });
  it('completes on pathological inputs (linear time)', () => {
    // a 1 MiB run, a 100k-character word, and inputs that defeat naive backtracking or indexOf
    expect(cleanText('x'.repeat(1 << 20), 1 << 21)).toBe('');
    expect(cleanText('a'.repeat(100_000))).toBe('');
    expect(cleanText('\\('.repeat(200_000), 1 << 21)).toBe('');
    expect(cleanText('$a '.repeat(200_000), 1 << 21).length).toBeGreaterThan(0);
    expect(cleanText(('y'.repeat(99) + ' ').repeat(5000), 1 << 21).length).toBe(500_000 - 1);
  });
});

describe('stop words', () => {
  it('contains wink, function-word, abstract and mail boilerplate', () => {
    for (const w of ['the', 'however', 'propose', 'paper', 'approach', 'results', 'state-of-the-art', 'writes', 'edu', 'subject']) {
      expect(STOP_WORDS.has(w)).toBe(true);
    }
  });
  it('keeps real topic words', () => {
    for (const w of ['model', 'learning', 'data', 'language', 'image', 'network', 'time', 'large', 'mean']) {
      expect(STOP_WORDS.has(w)).toBe(false);
    }
  });
  it("equals wink's own stop word flags", () => {
    const nlp = winkNLP(model, []);
    const doc = nlp.readDoc(WINK_STOP_WORDS.join('\n') + '\nmodel\nlearning');
    const words = doc.tokens().filter((t: { out: (f: unknown) => unknown }) => t.out(nlp.its.type) === 'word');
    const flags = words.out(nlp.its.stopWordFlag) as unknown as boolean[];
    expect(flags.length).toBe(WINK_STOP_WORDS.length + 2);
    expect(flags.slice(0, -2).every(Boolean)).toBe(true);
    expect(flags.slice(-2)).toEqual([false, false]);
  });
});

describe('termKey (plural folding)', () => {
  it.each([
    ['models', 'model'],
    ['studies', 'study'],
    ['classes', 'class'],
    ['approaches', 'approach'],
    ['boxes', 'box'],
    ['caches', 'cache'],
    ['movies', 'movie'],
    ['matrices', 'matrix'],
    ['analyses', 'analysis'],
    ['llms', 'llm'],
    ['vision-language-models', 'vision-language-model'],
    // Irregular plurals that do not end in 's' (tok-7 and earlier left them as they were).
    ['criteria', 'criterion'],
    ['phenomena', 'phenomenon'],
    ['automata', 'automaton'],
    ['corpora', 'corpus'],
    ['minima', 'minimum'],
    ['children', 'child'],
    ['women', 'woman'],
    ['teeth', 'tooth'],
    ['evaluation-criteria', 'evaluation-criterion'],
  ])('%s → %s', (w, k) => expect(termKey(w)).toBe(k));
  it.each(['analysis', 'bias', 'this', 'process', 'corpus', 'news', 'series', 'physics', 'k-means', 'gas', 'data', 'media', 'dice', 'amen', 'omen', 'criterion'])('%s stays', (w) =>
    expect(termKey(w)).toBe(w),
  );
  it('is foldTermKey, shortcut and memo included (words, compounds, irregular plurals, random strings)', () => {
    // termKey returns a word whose last part does not end in 's' without folding it: this fails
    // if folding ever changes such a word.
    const words = ['women', 'mice', 'feet', 'teeth', 'children', 'criteria', 'x-criteria', 'men', 'data', 'open', 'lives', 'wolves', 'heroes', 'biases', 'ties', 'pies', 'movies', 'x-rays', 'state-of-the-arts', 'ss', 's', '', '-', 'a-s', 'glass-houses'];
    const letters = ['a', 'e', 'i', 'o', 'u', 's', 'h', 'c', 'x', 'z', 'y', 'v', 'f', 'm', 'n', 't', '-', "'"];
    for (const w of [...words, ...randomStrings(3, letters, 9, 20000)]) {
      if (termKey(w) !== foldTermKey(w)) expect({ w, key: termKey(w) }).toEqual({ w, key: foldTermKey(w) });
    }
  });
});

describe('tokenizeCorpus', () => {
  const docs = [
    {
      title: 'Large-Scale Vision-Language Models',
      text: 'We propose a novel approach: the models learn; 3D-aware image-editing with LLMs. It is 2024. Привет мир!',
    },
    { title: '', text: 'A model, two models and more models of classes.' },
  ];
  const c = tokenizeCorpus(docs);

  it('has a version', () => expect(TOKENIZER_VERSION).toMatch(/\S/));

  it('drops stop words, numbers and punctuation, marking boundaries', () => {
    // title | text; "We propose a novel approach" are all stop words → one boundary
    expect(stream(c, 0)).toBe(
      'large-scale vision-language model | model learn | 3d-aware image-editing | llm | привет мир',
    );
    expect(stream(c, 1)).toBe('model | model | model | class');
  });

  it('counts an irregular plural and its singular as one term', () => {
    const t = tokenizeCorpus([
      { title: '', text: 'Evaluation criteria for automata.' },
      { title: '', text: 'One criterion: minimal automaton size. Two criteria.' },
    ]);
    expect(stream(t, 0)).toBe('evaluation criterion | automaton');
    expect(stream(t, 1)).toBe('criterion | minimal automaton size | criterion');
    expect(displayOf(t, 'criterion')).toBe('criteria'); // criteria ×2, criterion ×1
  });

  it('picks the most frequent surface form as display', () => {
    expect(displayOf(c, 'model')).toBe('models'); // models ×4, model ×1
    expect(displayOf(c, 'class')).toBe('classes');
    expect(displayOf(c, 'llm')).toBe('llms');
  });

  it('sorts term keys and never returns a stem', () => {
    expect(c.terms).toEqual([...c.terms].sort());
    expect(c.terms).not.toContain('propos');
  });

  it('repeats titles on request and can ignore them', () => {
    const twice = tokenizeCorpus([{ title: 'Graph Learning', text: 'Kernels.' }], { titleRepeat: 2 });
    expect(stream(twice, 0)).toBe('graph learning | graph learning | kernel');
    const none = tokenizeCorpus([{ title: 'Graph Learning', text: 'Kernels.' }], { titleRepeat: 0 });
    expect(stream(none, 0)).toBe('kernel');
    expect(() => tokenizeCorpus([], { titleRepeat: -1 })).toThrow(/titleRepeat/);
  });

  it('adds extra stop words (matched on surface and key)', () => {
    const x = tokenizeCorpus([{ title: '', text: 'Graphs and kernels.' }], { extraStopWords: ['Graph'] });
    expect(stream(x, 0)).toBe('kernel');
  });

  it('handles empty documents', () => {
    const e = tokenizeCorpus([{ title: '', text: '' }, { title: 'the', text: '...' }]);
    expect(Array.from(e.docOffsets)).toEqual([0, 0, 0]);
  });

  it('gives the same corpus whatever the chunking', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({
      title: `Topic ${i % 5} models`,
      text: ['Graph networks and kernels.', 'Model models MODELS model.', 'Reinforcement learning agents.', 'Studies of study.'][i % 4],
    }));
    const whole = tokenizeCorpus(many);
    const chunked = mergeChunks([tokenizeChunk(many.slice(0, 7)), tokenizeChunk(many.slice(7, 23)), tokenizeChunk(many.slice(23))]);
    expect(chunked.terms).toEqual(whole.terms);
    expect(chunked.display).toEqual(whole.display);
    expect(Array.from(chunked.docOffsets)).toEqual(Array.from(whole.docOffsets));
    expect(Array.from(chunked.tokenIds)).toEqual(Array.from(whole.tokenIds));
  });

  it("does not depend on wink's lexeme cache (\"LLM's\" is one token once wink has seen it)", () => {
    const doc = { title: '', text: "The LLM's output. Student's grades." };
    const first = tokenizeCorpus([doc]);
    tokenizeCorpus([{ title: '', text: "It beats the vision LLM's. And the student's." }]); // a sentence-final possessive makes wink cache "llm's"
    const again = tokenizeCorpus([doc]);
    expect(stream(first, 0)).toBe('llm | output | student | grade');
    expect(stream(again, 0)).toBe(stream(first, 0));
  });

  it("does not depend on wink's cache for a final dot either ('16M.' → '16' 'm.' or '16m' '.')", () => {
    const doc = { title: '', text: 'Contexts up to 16M. This report' };
    const first = tokenizeCorpus([doc]);
    tokenizeCorpus([{ title: '', text: 'We use 16m tokens and 16M tokens. Up to 16m.' }]);
    expect(stream(tokenizeCorpus([doc]), 0)).toBe(stream(first, 0));
    expect(stream(first, 0)).toBe('context | 16m | report');
  });

  it('breaks display ties by lexical order, independent of input order', () => {
    const a = tokenizeCorpus([{ title: '', text: 'models' }, { title: '', text: 'model' }]);
    const b = tokenizeCorpus([{ title: '', text: 'model' }, { title: '', text: 'models' }]);
    expect(displayOf(a, 'model')).toBe('model');
    expect(displayOf(b, 'model')).toBe('model');
  });
});

describe('encoded data (tok-4)', () => {
  const uuLine = 'M' + "8V%T(&-O;G1E;G0@9V]E<R!H97)E+\"!A;F0@=&AE(&5N9\"!O9B!T:&4@;&EN" ;
  it('removes uuencoded lines, also when old encoders wrote spaces in them', () => {
    expect(uuLine.length).toBe(61);
    expect(cleanText(`Here is the file:\nbegin 666 x.bmp\n${uuLine}\nM0DTV5P< #8$ H ( , %@" ! @8V%T(&-O;G1E;G0@9V]E<R!H97)E+"!A;F0\nend`)).toBe(
      'Here is the file: begin 666 x.bmp ; ; end',
    );
  });
  it('tells encoded runs from words, names and compounds', () => {
    expect(isEncodedRun("MAX>'AX>'AX>'AX>'AX>'AX>'AX")).toBe(true);
    expect(isEncodedRun('iQCVAgUBK9LNwHcOv5qNr1VjAQEvGgP+MoMZ4nOdg')).toBe(true);
    for (const word of ['vision-language-action-models-for-robots', 'Qwen2.5-VL-72B-Instruct', 'ABSTRACT-INTERPRETATION-BASED', 'Привет-мир-и-все-остальные-слова', 'comp.os.ms-windows.misc']) {
      expect(isEncodedRun(word)).toBe(false);
    }
  });
});

describe('tokenizeCorpus: surface forms and short words (tok-4)', () => {
  it("keys come from wink's normal form, display forms from the text as written", () => {
    const c = tokenizeCorpus([{ title: '', text: 'The Vice President studied the colour of the behaviour of birds.' }]);
    expect(c.terms).toContain('vise'); // wink's American spelling of 'vice'
    expect(displayOf(c, 'vise')).toBe('vice');
    expect(displayOf(c, 'color')).toBe('colour');
    expect(displayOf(c, 'behavior')).toBe('behaviour');
  });
  it('keeps two-character words (letters, or a digit then a letter) and drops filler', () => {
    const c = tokenizeCorpus([{ title: '', text: 'AI and RL for 3D scenes in the UK; Mr Smith saw p3 and v6 at 5 pm.' }]);
    expect(stream(c, 0)).toBe('ai | rl | 3d scene | uk | smith saw');
  });
  it('records which written form each token has (variants, most frequent first)', () => {
    const c = tokenizeCorpus([{ title: '', text: 'United States. The United States. A state. States' }]);
    const state = c.terms.indexOf('state');
    expect(c.variants![state]).toEqual(['states', 'state']);
    const forms = Array.from(c.tokenIds, (t, k) => (t < 0 ? '|' : c.variants![t]![c.tokenVariants![k]!]));
    expect(forms.join(' ')).toBe('united states | united states | state | states');
  });
  it('variants and token variants do not depend on chunking', () => {
    const docs = Array.from({ length: 30 }, (_, i) => ({ title: '', text: ['Models and a model.', 'The MODELS', 'Studies; a study.'][i % 3]! }));
    const whole = tokenizeCorpus(docs);
    const chunked = mergeChunks([tokenizeChunk(docs.slice(0, 4)), tokenizeChunk(docs.slice(4, 17)), tokenizeChunk(docs.slice(17))]);
    expect(chunked.variants).toEqual(whole.variants);
    expect(Array.from(chunked.tokenVariants!)).toEqual(Array.from(whole.tokenVariants!));
  });
  it('calendar words are stop words', () => {
    const c = tokenizeCorpus([{ title: '', text: 'The fiscal year ending June 30 and Monday.' }]);
    expect(stream(c, 0)).toBe('fiscal year');
  });
});
