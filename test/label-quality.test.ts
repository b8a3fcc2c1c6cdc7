// Label quality end to end (tokenizer → TF-IDF → PCA → k-means → c-TF-IDF labels), the checks
// issue 4 asks for: no label repeated; no label word that is a stop word or a stem fragment (a
// word the raw text never contains); phrases shown as they are written. On a fixture written
// here, and on samples of the real corpora in ../shared when they are present.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { classTfidf } from '../analysis/ctfidf.ts';
import { fitKMeans, normalizeRowsL2 } from '../analysis/kmeans.ts';
import { describeTopics, type TopicDescriptions } from '../analysis/labels.ts';
import { fitPca } from '../analysis/pca.ts';
import { createRandom } from '../analysis/random.ts';
import { STOP_WORDS } from '../analysis/text/stopwords.ts';
import { tokenizeCorpus, type DocText } from '../analysis/text/tokenizer.ts';
import { defaultTfidfOptions, fitTfidf } from '../analysis/tfidf.ts';
import { columnTotals } from '../analysis/column-totals.ts';
import { sublinearCounts } from '../pipeline/stages/describe.ts';

const SHARED = join(import.meta.dirname, '..', '..', 'shared', 'data');
const NEWSGROUPS = join(SHARED, '20newsgroups-bydate.jsonl.gz');
const ARXIV = join(SHARED, 'arxiv-cs-daily.jsonl.gz');

/** Words as ../shared/eval/score.py reads raw text. */
const WORD = /[a-z0-9]+(?:[-'][a-z0-9]+)*/g;

function rawWords(doc: DocText): string[] {
  return `${doc.title} ${doc.text}`.toLowerCase().match(WORD) ?? [];
}

/** The pipeline's describe step on `docs`, with k topics. */
function describeDocs(docs: DocText[], k: number, seed = 1): TopicDescriptions {
  const corpus = tokenizeCorpus(docs);
  const tfidf = fitTfidf(corpus, defaultTfidfOptions(docs.length));
  const d = Math.min(50, tfidf.matrix.cols - 1, docs.length - 1);
  const pca = fitPca(tfidf.matrix, { nComponents: d, seed });
  const points = normalizeRowsL2(pca.scores, docs.length, d);
  const fit = fitKMeans(points, docs.length, d, { k, nInit: 3, seed });
  const ctf = classTfidf(sublinearCounts(tfidf.counts), fit.labels, k);
  return describeTopics({
    weights: ctf.weights,
    vocabulary: tfidf.vocabulary,
    display: tfidf.display,
    df: tfidf.df,
    k,
    sizes: fit.sizes,
    termCounts: columnTotals(tfidf.counts),
  });
}

/** The words of a label ('a b · c' → a, b, c). */
function labelWords(label: string): string[] {
  return label
    .replace(/ \(\d+\)$/, '')
    .split(' · ')
    .flatMap((part) => part.split(' '));
}

/** Failures of the label checks, as readable strings (empty = all good). */
function labelProblems(docs: DocText[], described: TopicDescriptions): string[] {
  const problems: string[] = [];
  const vocabulary = new Set<string>();
  const phrases = new Set<string>();
  const texts: string[] = [];
  for (const doc of docs) {
    const words = rawWords(doc);
    for (const w of words) vocabulary.add(w);
    texts.push(` ${words.join(' ')} `);
  }
  const seen = new Set<string>();
  for (const label of described.labels) {
    if (seen.has(label.toLowerCase())) problems.push(`repeated label '${label}'`);
    seen.add(label.toLowerCase());
    for (const w of labelWords(label)) {
      if (STOP_WORDS.has(w)) problems.push(`stop word '${w}' in label '${label}'`);
    }
  }
  for (const terms of described.topTerms) {
    for (const t of terms.slice(0, 10)) {
      for (const w of t.term.split(' ')) if (!vocabulary.has(w)) problems.push(`'${w}' (in '${t.term}') never occurs in the text`);
      if (t.term.includes(' ')) phrases.add(t.term);
    }
  }
  for (const phrase of phrases) {
    if (!texts.some((x) => x.includes(` ${phrase} `))) problems.push(`phrase '${phrase}' is not written that way in the text`);
  }
  return problems;
}

/** A fixture: four subjects whose phrases are written with capitals, plurals and British spelling. */
function fixture(n: number, seed: number): DocText[] {
  const random = createRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const subjects = [
    ['The Vice President met the United States Senate about the budget', 'Vice President Adams and the United States Congress', 'the Senate votes on the federal budget and taxes'],
    ['Large language models (LLMs) answer questions', 'we fine-tune large language models on dialogue', 'LLMs follow instructions after instruction tuning'],
    ['remote sensing images of crops from satellites', 'satellite imagery and remote sensing of forests', 'crop yield maps from remote sensing data'],
    ['the colour of the behaviour of honey bees', 'honey bees forage for nectar and pollen', 'pollination by honey bees in orchards'],
  ];
  return Array.from({ length: n }, (_, i) => {
    const s = subjects[i % subjects.length]!;
    return { title: pick(s), text: `${pick(s)}. ${pick(s)}. ${pick(s)}.` };
  });
}

describe('label quality on a fixture', () => {
  const docs = fixture(240, 7);
  const described = describeDocs(docs, 4);

  it('passes the label checks', () => {
    expect(labelProblems(docs, described)).toEqual([]);
  });

  it('shows phrases as written and keeps their parts and acronyms out of the list', () => {
    const all = described.topTerms.flatMap((ts) => ts.map((t) => t.term));
    expect(all).toContain('united states'); // not 'united state'
    expect(all).toContain('vice president'); // not wink's 'vise'
    expect(all).toContain('large language models'); // the bigram 'large language', extended
    expect(all).toContain('remote sensing');
    for (const dup of ['remote', 'sensing', 'llms', 'vise']) expect(all).not.toContain(dup);
  });

  it('the checks can fail', () => {
    const broken: TopicDescriptions = {
      labels: ['bees · honey', 'bees · honey', 'vise · the'],
      topTerms: [[{ term: 'vise president', weight: 1, key: 'vise president' }], [], []],
    };
    const problems = labelProblems(docs, broken);
    expect(problems).toContain("repeated label 'bees · honey'");
    expect(problems).toContain("stop word 'the' in label 'vise · the'");
    expect(problems).toContain("'vise' (in 'vise president') never occurs in the text");
    expect(problems).toContain("phrase 'vise president' is not written that way in the text");
  });
});

/** Every `stride`-th document of a corpus file (spread over all its classes). */
function sample(path: string, stride: number): DocText[] {
  const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n');
  const docs: DocText[] = [];
  for (let i = 0; i < lines.length; i += stride) {
    if (!lines[i]) continue;
    const r = JSON.parse(lines[i]!) as { title?: string; text?: string };
    docs.push({ title: r.title ?? '', text: r.text ?? '' });
  }
  return docs;
}

describe.skipIf(!existsSync(NEWSGROUPS))('label quality on 20 Newsgroups (every 6th post, k = 20)', () => {
  it('passes the label checks', () => {
    const docs = sample(NEWSGROUPS, 6);
    expect(labelProblems(docs, describeDocs(docs, 20))).toEqual([]);
  }, 300_000);
});

describe.skipIf(!existsSync(ARXIV))('label quality on arXiv (every 25th abstract, k = 30)', () => {
  it('passes the label checks', () => {
    const docs = sample(ARXIV, 25);
    expect(labelProblems(docs, describeDocs(docs, 30))).toEqual([]);
  }, 300_000);
});
