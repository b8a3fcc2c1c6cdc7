// Benchmark of the trends stage's period vocabulary (analysis/period-terms.ts) on a synthetic
// count matrix: one thread against the worker pool, alternating (the pooled run first on odd
// rounds), with a check that both give the same answer. Prints figures; asserts nothing.
//
//   npx tsx bench/period-terms.ts --docs 1000000 --terms 400000 --per-doc 80 --periods 12 --k 50 --rounds 6

import { parseArgs } from 'node:util';
import { WorkerPool } from '../analysis/parallel/pool.ts';
import { periodTopTerms } from '../analysis/period-terms.ts';
import { createRandom } from '../analysis/random.ts';
import { wholeNumber } from './bench.ts';

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '1000000' },
    terms: { type: 'string', default: '400000' },
    'per-doc': { type: 'string', default: '80' },
    periods: { type: 'string', default: '12' },
    k: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '6' },
  },
});
const nDocs = wholeNumber('--docs', values.docs, 1);
const V = wholeNumber('--terms', values.terms, 1);
const perDoc = Math.min(V, wholeNumber('--per-doc', values['per-doc'], 1));
const nPeriods = wholeNumber('--periods', values.periods, 1);
const k = wholeNumber('--k', values.k, 1);
const rounds = wholeNumber('--rounds', values.rounds, 1);

// Rows of distinct terms drawn with a heavy head (term id ~ V · u³), counts 1–3, periods in row order.
const random = createRandom(3);
const indptr = new Int32Array(nDocs + 1);
const indices = new Int32Array(nDocs * perDoc);
const data = new Float32Array(nDocs * perDoc);
const row = new Set<number>();
for (let i = 0, at = 0; i < nDocs; i++) {
  row.clear();
  while (row.size < perDoc) row.add(Math.floor(random() ** 3 * V));
  for (const t of [...row].sort((a, b) => a - b)) {
    indices[at] = t;
    data[at++] = 1 + Math.floor(random() * 3);
  }
  indptr[i + 1] = at;
}
const counts = { rows: nDocs, cols: V, indptr, indices, data };
const labels = Int32Array.from({ length: nDocs }, () => Math.floor(random() * k));
const periodIndex = Int32Array.from({ length: nDocs }, (_, i) => Math.floor((i * nPeriods) / nDocs));
const display = Array.from({ length: V }, (_, t) => `t${t}`);
console.log(`${nDocs} rows × ${perDoc} of ${V} terms, ${nPeriods} periods, k = ${k}`);

const pool = await WorkerPool.start({ threads: 2 });
try {
  const time = (fn: () => string[][][]): { ms: number; out: string[][][] } => {
    const t0 = performance.now();
    const out = fn();
    return { ms: performance.now() - t0, out };
  };
  for (let r = 0; r < rounds; r++) {
    const serial = () => time(() => periodTopTerms(counts, labels, periodIndex, k, nPeriods, display, 5));
    const pooled = () => time(() => periodTopTerms(counts, labels, periodIndex, k, nPeriods, display, 5, pool));
    const [a, b] = r % 2 === 0 ? [serial(), pooled()] : [pooled(), serial()];
    const [s, p] = r % 2 === 0 ? [a, b] : [b, a];
    const same = JSON.stringify(s.out) === JSON.stringify(p.out);
    console.log(`round ${r + 1} (${r % 2 === 0 ? 'one thread first' : 'pool first'}): one thread ${s.ms.toFixed(0)} ms, pool of ${pool.threads} ${p.ms.toFixed(0)} ms${same ? '' : ', DIFFERENT ANSWERS'}`);
  }
} finally {
  await pool.close();
}
