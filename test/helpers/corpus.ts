// A small, seeded, real-looking corpus of research abstracts written for the tests (never taken
// from ../shared). Five subjects with their own vocabulary, dates spread over several months, so
// the whole pipeline (TF-IDF with min_df, PCA, k-means, monthly trends) has something to find.

import { createRandom } from '../../analysis/random.ts';
import type { Random } from '../../analysis/types.ts';

export interface CorpusRecord {
  id: string;
  title: string;
  abstract: string;
  date: string; // YYYY-MM-DD
  url?: string;
  label?: string;
}

interface Subject {
  name: string;
  nouns: string[];
  verbs: string[];
  adjectives: string[];
}

const SUBJECTS: Subject[] = [
  {
    name: 'vision',
    nouns: ['image segmentation', 'object detection', 'convolutional backbone', 'pixel labels', 'video frames', 'depth estimation', 'camera pose', 'point clouds', 'scene reconstruction', 'visual features'],
    verbs: ['segments', 'detects', 'reconstructs', 'renders', 'tracks'],
    adjectives: ['dense', 'monocular', 'occluded', 'high-resolution', 'multi-view'],
  },
  {
    name: 'language',
    nouns: ['language models', 'instruction tuning', 'token embeddings', 'machine translation', 'question answering', 'retrieval augmentation', 'prompt templates', 'reasoning chains', 'dialogue agents', 'text summarization'],
    verbs: ['generates', 'translates', 'retrieves', 'summarizes', 'answers'],
    adjectives: ['multilingual', 'long-context', 'instruction-following', 'factual', 'conversational'],
  },
  {
    name: 'robotics',
    nouns: ['robot manipulation', 'motion planning', 'grasping policies', 'legged locomotion', 'tactile sensing', 'trajectory optimization', 'control loops', 'simulation transfer', 'reward shaping', 'navigation maps'],
    verbs: ['grasps', 'navigates', 'plans', 'controls', 'balances'],
    adjectives: ['dexterous', 'autonomous', 'closed-loop', 'sim-to-real', 'compliant'],
  },
  {
    name: 'security',
    nouns: ['malware detection', 'intrusion alerts', 'cryptographic protocols', 'side channels', 'access control', 'vulnerability reports', 'fuzzing campaigns', 'privacy leakage', 'differential privacy', 'threat models'],
    verbs: ['encrypts', 'authenticates', 'exploits', 'audits', 'mitigates'],
    adjectives: ['adversarial', 'zero-day', 'encrypted', 'privacy-preserving', 'tamper-proof'],
  },
  {
    name: 'systems',
    nouns: ['distributed databases', 'query optimization', 'cache eviction', 'storage engines', 'transaction logs', 'scheduler queues', 'network throughput', 'memory allocation', 'compiler passes', 'cluster scheduling'],
    verbs: ['schedules', 'replicates', 'compiles', 'partitions', 'indexes'],
    adjectives: ['low-latency', 'fault-tolerant', 'scalable', 'concurrent', 'persistent'],
  },
];

const OPENERS = ['We study', 'This work examines', 'We introduce a framework for', 'Recent progress in', 'We revisit', 'A central challenge is'];
const CONNECT = ['Our experiments on', 'Evaluations across', 'Ablations of', 'Benchmarks for'];
const CLOSERS = ['improve accuracy by a wide margin', 'reduce cost substantially', 'remain robust under distribution shift', 'scale to large deployments'];

function pick<T>(random: Random, xs: readonly T[]): T {
  return xs[Math.floor(random() * xs.length)]!;
}

function sentence(random: Random, s: Subject): string {
  return `${pick(random, OPENERS)} ${pick(random, s.adjectives)} ${pick(random, s.nouns)} that ${pick(random, s.verbs)} ${pick(random, s.nouns)} with ${pick(random, s.adjectives)} ${pick(random, s.nouns)}.`;
}

/** `n` records, ids `p00000`…, dated over `months` months from 2024-01. Same seed → same records. */
export function makeCorpus(n: number, seed = 1, months = 6): CorpusRecord[] {
  const random = createRandom(seed);
  const out: CorpusRecord[] = [];
  for (let i = 0; i < n; i++) {
    const s = SUBJECTS[i % SUBJECTS.length]!;
    const parts = [sentence(random, s), sentence(random, s), `${pick(random, CONNECT)} ${pick(random, s.nouns)} and ${pick(random, s.nouns)} ${pick(random, CLOSERS)}.`];
    const month = 1 + Math.floor(random() * months);
    const day = 1 + Math.floor(random() * 28);
    out.push({
      id: `p${String(i).padStart(5, '0')}`,
      title: `${pick(random, s.adjectives)} ${pick(random, s.nouns)} for ${pick(random, s.nouns)}`.replace(/^./, (c) => c.toUpperCase()),
      abstract: parts.join(' '),
      date: `2024-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      url: `https://example.org/papers/p${i}`,
      label: s.name,
    });
  }
  return out;
}

/** JSON Lines text of records (generic format: id, title, abstract, date, url, label). */
export function toJsonl(records: readonly object[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

/** Fisher–Yates with a seeded generator. */
export function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const random = createRandom(seed);
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
