// Calibrates the thresholds of analysis/topic-matching.ts on real text (../shared/data; skipped
// when absent). Known classes stand in for topics so that the right answer is known:
//
//   refit   each class's top-25 c-TF-IDF terms from two disjoint random halves of the corpus:
//           cosine of the same class (should continue) vs the best other class (must not).
//   split   two related classes fitted as one topic in run A and apart in run B: cosine of each
//           child to the parent (a split link), then matchTopics end to end A → B (expect one
//           'continued' + one 'split') and B → A (expect one 'merged' with both ids in from).
//
// Run: npx tsx bench/topic-matching-thresholds.ts
// The tokenizer here is deliberately crude (letters only, a short stop list, no stemming, no MMR):
// real term lists are cleaner, so these cosines are, if anything, pessimistic.

import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createRandom } from '../analysis/random.ts';
import { matchTopics, termCosine, termVector, type TopicSignature } from '../analysis/topic-matching.ts';

const DATA = new URL('../../shared/data/', import.meta.url).pathname;
const STOP = new Set(
  ('the and for that with this are was were from have has had not but all can will one our their which been ' +
    'also into more such than its they these other only over then when what there where who how use used using ' +
    'based show shows propose proposed paper approach method methods results result new two may would could should ' +
    'does did any some each most many much very well both between while through about after before under however ' +
    'you your his her him she them out just like get got know think don people said say time way make even good ' +
    'write writes article edu com subject lines organization university')
    .split(' '),
);

interface Doc {
  label: string;
  words: string[];
}

function load(file: string, minPerClass: number, maxClasses: number): Doc[] {
  const lines = gunzipSync(readFileSync(DATA + file)).toString('utf8').split('\n');
  const docs: Doc[] = [];
  for (const line of lines) {
    if (!line) continue;
    const r = JSON.parse(line) as { title: string; text: string; label?: string };
    if (!r.label) continue;
    const words = `${r.title} ${r.text.slice(0, 4000)}`.toLowerCase().match(/[a-z]{3,}/g) ?? [];
    docs.push({ label: r.label, words: words.filter((w) => !STOP.has(w)) });
  }
  const counts = new Map<string, number>();
  for (const d of docs) counts.set(d.label, (counts.get(d.label) ?? 0) + 1);
  const keep = new Set(
    [...counts].filter(([, n]) => n >= minPerClass).sort((a, b) => b[1] - a[1]).slice(0, maxClasses).map(([l]) => l),
  );
  return docs.filter((d) => keep.has(d.label));
}

/** Top-25 c-TF-IDF terms per group: W(t, c) = tf(t, c) · log(1 + A / f_t). */
function topTerms(docs: Doc[], groupOf: (d: Doc) => string): Map<string, TopicSignature['terms'] & { size?: number }> {
  const tf = new Map<string, Map<string, number>>();
  const total = new Map<string, number>();
  const sizes = new Map<string, number>();
  for (const d of docs) {
    const g = groupOf(d);
    let m = tf.get(g);
    if (!m) tf.set(g, (m = new Map()));
    sizes.set(g, (sizes.get(g) ?? 0) + 1);
    for (const w of d.words) {
      m.set(w, (m.get(w) ?? 0) + 1);
      total.set(w, (total.get(w) ?? 0) + 1);
    }
  }
  let words = 0;
  for (const n of total.values()) words += n;
  const A = words / tf.size;
  const out = new Map<string, TopicSignature['terms']>();
  for (const [g, m] of tf) {
    const scored = [...m].map(([t, n]) => ({ term: t, weight: n * Math.log(1 + A / total.get(t)!) }));
    scored.sort((a, b) => b.weight - a.weight || (a.term < b.term ? -1 : 1));
    out.set(g, scored.slice(0, 25));
  }
  return out;
}

function quantiles(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(2);
  return `min ${q(0)}  p10 ${q(0.1)}  median ${q(0.5)}  p90 ${q(0.9)}  max ${q(0.999)}`;
}

function refit(name: string, docs: Doc[]): void {
  const random = createRandom(7);
  const half = docs.map(() => random() < 0.5);
  const a = topTerms(docs.filter((_, i) => half[i]), (d) => d.label);
  const b = topTerms(docs.filter((_, i) => !half[i]), (d) => d.label);
  const same: number[] = [];
  const other: number[] = [];
  for (const [g, terms] of a) {
    const va = termVector(terms);
    let best = 0;
    for (const [h, terms2] of b) {
      const s = termCosine(va, termVector(terms2));
      if (h === g) same.push(s);
      else best = Math.max(best, s);
    }
    other.push(best);
  }
  console.log(`${name} refit on disjoint halves (${a.size} classes)`);
  console.log(`  same class        ${quantiles(same)}`);
  console.log(`  best other class  ${quantiles(other)}`);
}

function split(name: string, docs: Doc[], x: string, y: string): void {
  const merged = (d: Doc) => (d.label === x || d.label === y ? `${x}+${y}` : d.label);
  const runA = topTerms(docs, merged);
  const runB = topTerms(docs, (d) => d.label);
  const parent = termVector(runA.get(`${x}+${y}`)!);
  const sx = termCosine(parent, termVector(runB.get(x)!));
  const sy = termCosine(parent, termVector(runB.get(y)!));
  const sxy = termCosine(termVector(runB.get(x)!), termVector(runB.get(y)!));
  // End to end: run A's groups get stable ids 0.., run B's groups are clusters 0..
  const sizeOf = (groupOf: (d: Doc) => string) => {
    const m = new Map<string, number>();
    for (const d of docs) m.set(groupOf(d), (m.get(groupOf(d)) ?? 0) + 1);
    return m;
  };
  const sizeA = sizeOf(merged);
  const sizeB = sizeOf((d) => d.label);
  const namesA = [...runA.keys()].sort();
  const namesB = [...runB.keys()].sort();
  const sigA = namesA.map((g, i) => ({ id: i, terms: runA.get(g)!, size: sizeA.get(g)! }));
  const sigB = namesB.map((g, i) => ({ id: i, terms: runB.get(g)!, size: sizeB.get(g)! }));
  const forward = matchTopics(sigA, sigB, { nextId: sigA.length });
  const backward = matchTopics(sigB, sigA, { nextId: sigB.length });
  const tally = (r: ReturnType<typeof matchTopics>) => {
    const c: Record<string, number> = {};
    for (const e of r.lineage) c[e.status] = (c[e.status] ?? 0) + 1;
    return `${JSON.stringify(c)} died ${r.died.length}`;
  };
  console.log(`${name} split ${x} | ${y}: child→parent ${sx.toFixed(2)}, ${sy.toFixed(2)}; sibling ${sxy.toFixed(2)}`);
  console.log(`  A→B (split expected): ${tally(forward)}`);
  console.log(`  B→A (merge expected): ${tally(backward)}`);
}

const ng = '20newsgroups-bydate.jsonl.gz';
const ax = 'arxiv-cs-daily.jsonl.gz';
if (!existsSync(DATA + ng) || !existsSync(DATA + ax)) {
  console.log(`skipped: ${DATA} not found`);
} else {
  const news = load(ng, 100, 20);
  refit('20newsgroups', news);
  split('20newsgroups', news, 'rec.sport.baseball', 'rec.sport.hockey');
  split('20newsgroups', news, 'comp.sys.ibm.pc.hardware', 'comp.sys.mac.hardware');
  split('20newsgroups', news, 'talk.politics.guns', 'talk.politics.mideast');
  split('20newsgroups', news, 'sci.space', 'rec.autos');
  const arxiv = load(ax, 150, 12);
  refit('arxiv-cs', arxiv);
  split('arxiv-cs', arxiv, 'cs.CV', 'eess.IV');
  split('arxiv-cs', arxiv, 'cs.CL', 'cs.AI');
  split('arxiv-cs', arxiv, 'cs.IT', 'cs.GT');
}
