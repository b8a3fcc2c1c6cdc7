// Units resolved without wink (analysis/text/simple-units.ts) against wink itself: for each unit,
// the fast tokenizer's stream must equal the reference's (wink per document) for a document made
// of the unit between two plain words, so the boundaries a unit opens and closes with count too.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cleanText } from '../analysis/text/clean.ts';
import { loadSotuAddresses } from '../pipeline/ingest/sotu.ts';
import { tokenizeChunkReference } from '../analysis/text/reference-tokenizer.ts';
import { isWrapped, type LexiconLookup, type PreservedAffixes, preservedAffixSets, SHAPE_BOUNDARY, SHAPE_HYPHENATED, SHAPE_LEAD, SHAPE_TRAIL, SHAPE_WINK, SHAPE_WORD, unitShape } from '../analysis/text/simple-units.ts';
import { type DocText, tokenizeChunk } from '../analysis/text/tokenizer.ts';
import { lexiconLookup, nlp, winkTokens } from '../analysis/text/wink.ts';

const lookup = (): LexiconLookup => (nlp().readDoc('') as unknown as { isLexeme: LexiconLookup }).isLexeme;

/** Units whose shape is not SHAPE_WINK, as documents "qqfirst <unit> qqlast". */
function docsOf(units: Iterable<string>): { units: string[]; docs: DocText[] } {
  const look = lookup();
  const kept = [...units].filter((u) => unitShape(u, look) !== SHAPE_WINK);
  return { units: kept, docs: kept.map((u) => ({ title: '', text: `qqfirst ${u} qqlast` })) };
}

/** Units whose fast stream differs from the reference's (the whole chunks must agree too). */
function mismatches(units: string[], docs: DocText[]): string[] {
  const fast = tokenizeChunk(docs);
  const ref = tokenizeChunkReference(docs);
  const bad: string[] = [];
  for (let d = 0; d < docs.length; d++) {
    const a = fast.tokenSurfaces.subarray(fast.docOffsets[d]!, fast.docOffsets[d + 1]!);
    const b = ref.tokenSurfaces.subarray(ref.docOffsets[d]!, ref.docOffsets[d + 1]!);
    if (a.join() !== b.join()) bad.push(units[d]!);
  }
  if (bad.length === 0) expect(fast).toEqual(ref); // same local ids: units recorded in the same order
  return bad;
}

const TRICKY = [
  'model', 'Model', 'LLMs', 'Colour', 'Colours,', 'Through', 'Aesthetics:', 'cannot', 'cannot,', 'Cannot.', 'gonna.', "can't",
  'model,', 'model.', 'model;', 'model:', 'model)', 'model),', 'model).', 'model);', 'model]', 'model!', 'model?', 'model"', 'model/',
  'a.', 'a,', 'a)', 'a),', 'I.', 'e.g.', 'e.g.,', 'i.e.', 'U.S.', 'Fig.', 'fig.', 'vs.', 'al.', 'al.,', 'etc.', 'etc.,', 'Dr.', 'Mr.', 'No.', 'Inc.',
  '(i)', '(a)', '(i),', '(ii)', '(LLMs)', '(LLMs),', '(LLMs).', '(LLMs);', '(LLMs):', '(LLMs)!', '(model', '(a', '[BERT', '[BERT]', '[BERT],',
  '(model,', '(model;', '(cannot)', '(cannot),', '(e.g.', 'LLM\'s.', "LLM's", 'non-IID,', 'non-IID', '3D,', '3D', 'USD,', 'USD', '(USD)',
  'AUD.', 'GBP;', 'Am.', 'pm.', 'am,', 'PM),', 'Jan.', 'Sept.', 'St.', 'Ph.D.', 'PhD,', 'the,', 'The.', 'and/', 'http:', 'www.',
  // hyphenated: preserved affixes (co-, -wise, ...), contractions and lexemes as parts, brackets, currency codes, emoticons
  'large-scale', 'Large-Scale', 'state-of-the-art', 'co-training', 'Co-Training', 'pair-wise', 'anti-aliasing,', 'e-mail', 'e-mail,',
  'x-ray', 'X-Ray)', 'cannot-do', 'gonna-be', 'non-IID', 'self-supervised;', 'vision-language:', '(vision-language', '(vision-language)',
  '(vision-language),', '[plug-and-play]', 'end-to-end),', 'end-to-end).', 'end-to-end.', 'real-time):', 'real-time);', 'USD-based',
  // letterless: numbers, symbols, emoticons
  '2024', '4.64', '(1)', '(1),', '40%', '--', '1,000', '&', '#1', '$4.95', ':-)', '...', '12/05/2020', '-5.2', '+', '1990s', '3:45', '<>',
  // leading punctuation (SHAPE_LEAD): quoted mail, quotes, brackets before a unit wink reads alone
  '>that', '>That', '>>Now', '>>>to', ">that's", '>Yes.', '>model,', '>large-scale', '>3D', '>e.g.', '>a.', '>a', '>I', '>:-)', '>(', '>--',
  '"What', '"weak', '"(model', '"model,', '"model"', '"e.g.', '"a', '"Hmmm...', '""What', '"USD', '"cannot', '(LLMs).', '(e.g.,', '(a', '(a.',
  '[a]', '[e.g.', '*not*', '*bold', '**bold**', '`Well...', '`quoted\'', '*', '(3DMM)', '(i.e.', '[1]-[3]', '>>', '>',
  // letters and digits, starting with a letter (one word to wink unless a regex of its recursive tokenizer finds something inside)
  'ResNet34', 'ResNet34,', 'ResNet34.', 'ResNet34).', '(GPT4)', '(GPT4),', 'GPT4)', 'YOLOv10s', 'ResNet50s', 'a1990s', 'top1st', 'v4th', 'GPT4pm',
  'x2am', 'h2hours', 'Qwen2-VL', 'GPT-4o', 'Covid-19,', '(Covid-19)', 'F1-macro', 'ResNet-50.', 'x86-64', 'a-1', 'GPT-4pm', 'v-10s', 'UCF-CC-50,', 'Co-3D', 'MP3', 'mp3', 'T2I.', 'USD100', 'abcUSD1', 'h264;', '[X11]', 'N1s', 'e2e).', 'x86', 'X11R5', 'A1', 'a1.',
  // trailing punctuation runs (SHAPE_TRAIL)
  'atheism".', 'fact",', 'works...', 'works....', 'exist?"', 'no!!!', 'Qwen2-VL,', 'GPT-4o.', 'etc.,', 'Inc.)', 'M.,', 'Jr.,', 'cannot,', 'Cannot?',
  'cannot).', 'state-of-the-art.', 'large-scale...', 'x86?)', 'a--b,', 'ab-,', 'model".)', 'e.g.,', 'U.S.,', 'atheism?"),',
  'GBP-USD', 'pre-USD', 'fooUSDbar-baz', 'myGBP-rate', 'INRs-x', 'INR-rate,', 'Qwen-VL,', 'one-to-one', 'well-known', 'long-term', 'a-b', 'A-B-C', 'constructor-based', 'toString-free',
];

describe('units resolved without wink', () => {
  it('have the shapes the rules give (known answers)', () => {
    const look = lookup();
    expect(unitShape('LLMs', look)).toBe(SHAPE_WORD);
    expect(unitShape('model', look)).toBe(SHAPE_WINK); // a lexeme: its normal and type come from the lexicon
    expect(unitShape('Colour', look)).toBe(SHAPE_WINK); // its lower case is a lexeme ('color')
    expect(isWrapped(unitShape('model,', look))).toBe(true);
    expect(isWrapped(unitShape('(LLMs),', look))).toBe(true);
    expect(isWrapped(unitShape('(i)', look))).toBe(true);
    expect(unitShape('cannot,', look)).toBe(SHAPE_WINK); // a contraction: expanded alone, not before a comma
    expect(unitShape('a.', look)).toBe(SHAPE_WINK); // wink keeps it one token
    expect(unitShape('e.g.', look)).toBe(SHAPE_WINK);
    expect(isWrapped(unitShape('(LLMs).', look))).toBe(false); // no dot after a bracket (wink's LPanyRP), so not wrapped…
    expect(unitShape('(LLMs).', look)).toBe(SHAPE_LEAD); // … but '(' then the core "LLMs)." as alone
    expect(unitShape('>that', look)).toBe(SHAPE_LEAD);
    expect(unitShape('>>>Now', look)).toBe(SHAPE_LEAD);
    expect(unitShape('"What', look)).toBe(SHAPE_LEAD);
    expect(unitShape(">that's", look)).toBe(SHAPE_WINK); // wink does not expand the contraction after '>'
    expect(unitShape('"Hmmm...', look)).toBe(SHAPE_WINK);
    expect(unitShape('""What', look)).toBe(SHAPE_WINK);
    expect(unitShape('large-scale', look)).toBe(SHAPE_HYPHENATED);
    expect(isWrapped(unitShape('large-scale,', look))).toBe(true);
    expect(unitShape('large-scale.', look)).toBe(SHAPE_TRAIL); // wink's word regex keeps the dot, which the stream cuts off again: the same items
    expect(isWrapped(unitShape('real-time):', look))).toBe(false); // "):" is an emoticon to wink, not two punctuation tokens…
    expect(unitShape('real-time):', look)).toBe(SHAPE_TRAIL); // … and a boundary all the same
    expect(unitShape('USD-based', look)).toBe(SHAPE_WINK); // the currency regex splits USD off
    expect(unitShape('4.64', look)).toBe(SHAPE_BOUNDARY);
    expect(unitShape('(1),', look)).toBe(SHAPE_BOUNDARY);
    expect(unitShape('1st', look)).toBe(SHAPE_WINK);
    expect(unitShape('ResNet34', look)).toBe(SHAPE_WORD);
    expect(isWrapped(unitShape('(GPT4),', look))).toBe(true);
    expect(unitShape('YOLOv10s', look)).toBe(SHAPE_WINK); // '10s' is a decade to wink
    expect(unitShape('Qwen2-VL', look)).toBe(SHAPE_WORD); // one word to wink: it has a digit
    expect(unitShape('atheism".', look)).toBe(SHAPE_TRAIL);
    expect(isWrapped(unitShape('Qwen2-VL,', look))).toBe(true);
    expect(unitShape('Qwen2-VL".', look)).toBe(SHAPE_TRAIL);
    expect(unitShape('etc.,', look)).toBe(SHAPE_WINK); // 'etc.' is an abbreviation to wink
    expect(unitShape('cannot).', look)).toBe(SHAPE_WINK);
  });

  it('rest on a model whose letterless lexemes have letterless normal forms (SHAPE_BOUNDARY)', () => {
    const require = createRequire(import.meta.url);
    const model = require('wink-eng-lite-web-model/dist/languages/cur/models/eng-core-web-model.json') as { features: { lexeme: { list: string[] } } };
    const letterless = model.features.lexeme.list.filter((w) => w !== '' && !/\p{L}/u.test(w));
    expect(letterless.length).toBeGreaterThan(100);
    expect(letterless.filter((w) => winkTokens(w).normals.some((n) => /\p{L}/u.test(n)))).toEqual([]);
  });

  it('read the lexicon as wink does (lexiconLookup, preservedAffixSets)', () => {
    const require0 = createRequire(import.meta.url);
    const look = lookup();
    const fast = lexiconLookup();
    const words = [...TRICKY, ...TRICKY.map((u) => u.toLowerCase()), 'the', 'The', 'color', 'colour', 'gonna', 'constructor', 'toString', '__proto__', 'hasOwnProperty', 'qqnoword', ''];
    for (const w of words) {
      const want = look(w);
      const got = fast(w);
      expect(got === null, w).toBe(want == null);
      if (want != null) expect(got!.length, w).toBe(want.length);
    }
    expect(fast('cannot')!.length).toBeGreaterThan(1); // a contraction keeps its expansions
    // Every lexeme of the model is found (the filter in front of the Map never answers null for one).
    const lexicon = (require0('wink-eng-lite-web-model/dist/languages/cur/models/eng-core-web-model.json') as { features: { lexeme: { list: string[] } } }).features.lexeme.list;
    let lexemes = 0;
    for (const w of lexicon) {
      if (look(w) == null) continue;
      lexemes++;
      if (fast(w) === null) expect({ w, found: null }).toEqual({ w, found: 'a lexeme' });
    }
    expect(lexemes).toBeGreaterThan(50_000);
    const require = createRequire(import.meta.url);
    const { preserve } = require('wink-eng-lite-web-model/dist/languages/cur/models/eng-core-web-model.json') as { preserve: PreservedAffixes };
    const sets = preservedAffixSets(preserve);
    for (const part of ['co', 'anti', 'wise', 'constructor', 'toString', '__proto__', 'large', 'scale', 'qq', '']) {
      expect(sets.prefix.has(part), part).toBe(Boolean(preserve.prefix[part]));
      expect(sets.suffix.has(part), part).toBe(Boolean(preserve.suffix[part]));
    }
    expect(sets.prefix.size).toBeGreaterThan(100);
  });

  it('tokenize as wink does on hand-written tricky units', () => {
    const { units, docs } = docsOf(TRICKY);
    expect(units.length).toBeGreaterThan(40);
    expect(mismatches(units, docs)).toEqual([]);
  });
});

describe('units resolved without wink: every distinct unit of the State of the Union addresses (installed with npm)', () => {
  it('tokenizes as wink does', () => {
    const distinct = new Set<string>();
    for (const a of loadSotuAddresses()) for (const u of cleanText(a.text, 1e9).split(' ')) if (u) distinct.add(u);
    const { units, docs } = docsOf(distinct);
    expect(units.length).toBeGreaterThan(distinct.size / 2);
    expect(mismatches(units, docs)).toEqual([]);
  }, 300_000);
});

const DATA = '../shared/data';
for (const name of ['arxiv-cs-daily', '20newsgroups-bydate']) {
  const path = `${DATA}/${name}.jsonl.gz`;
  describe.skipIf(!existsSync(path))(`units resolved without wink: every distinct unit of ${name}`, () => {
    it('tokenizes as wink does', () => {
      const distinct = new Set<string>();
      for (const line of gunzipSync(readFileSync(path)).toString('utf8').split('\n')) {
        if (!line) continue;
        const r = JSON.parse(line) as { title?: string; text?: string };
        for (const t of [r.title ?? '', r.text ?? '']) for (const u of cleanText(t, 20000).split(' ')) if (u) distinct.add(u);
      }
      const { units, docs } = docsOf(distinct);
      console.log(`${name}: ${units.length} of ${distinct.size} distinct units resolved without wink`);
      expect(units.length).toBeGreaterThan(distinct.size / 5);
      expect(mismatches(units, docs)).toEqual([]);
    }, 300_000);
  });
}
