// Three subjects of 12 words each, for pipeline tests that need a few dozen papers fast: paper i
// takes `words` of its subject's words (subject i mod 3), picked by its number, so that no word
// is in every paper.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const THREE_TOPICS = [
  'graph neural network message passing node edge embedding spectral convolution pooling readout',
  'protein folding structure prediction residue contact sequence alignment domain enzyme binding',
  'language model reasoning benchmark prompt token instruction tuning decoding answer chain',
].map((t) => t.split(' '));

export function threeTopicText(i: number, words = 6): string {
  return Array.from({ length: words }, (_, j) => THREE_TOPICS[i % 3]![(i * 7 + j * 5) % 12]).join(' ');
}

/**
 * `n` papers of threeTopicText over six months of 2025 as `<dir>/night.jsonl` (ids p0…, titles
 * "Paper i"); returns its path.
 */
export function writeThreeTopicNight(dir: string, n = 60): string {
  const input = join(dir, 'night.jsonl');
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ id: `p${i}`, title: `Paper ${i}`, text: threeTopicText(i), date: `2025-0${1 + (i % 6)}-10` }));
  writeFileSync(input, lines.join('\n') + '\n');
  return input;
}
