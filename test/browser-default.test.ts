// The report of the default corpus (what `npm start` publishes), opened in Debian chromium from
// file:// with every request blocked: it must draw every chart, log no error, send nothing, and
// its search box must filter the topic table. A screenshot is left for people to look at.
// Skipped without chromium.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../pipeline/config.ts';
import { silentLogger } from '../pipeline/log.ts';
import { runPipeline } from '../pipeline/runner.ts';
import { CHROMIUM, openReport } from './helpers/browser.ts';

const SCREENSHOT = 'out/screenshots/default-report.png';

describe.skipIf(!existsSync(CHROMIUM))('the default-corpus report in chromium', () => {
  let dir: string;
  let browser: Browser;
  let page: Page;
  let labels: string[] = [];
  let liveCharts = 0;
  let consoleErrors: string[] = [];
  let requests: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-browser-default-'));
    const result = await runPipeline(resolveConfig({ out: dir, cluster: { k: 16 } }), { logger: silentLogger });
    const html = readFileSync(result.reportPath!, 'utf8');
    liveCharts = (html.match(/<figure data-chart=/g) ?? []).length;
    const clusters = JSON.parse(readFileSync(join(result.runDir!, 'clusters.json'), 'utf8')) as { clusters: { label: string }[] };
    labels = clusters.clusters.map((c) => c.label);

    const opened = await openReport(result.reportPath!);
    ({ browser, page } = opened);
    consoleErrors = opened.consoleErrors;
    requests = opened.blocked;
    await page.waitForFunction((n) => document.querySelectorAll('figure.drawn').length >= n, liveCharts, { timeout: 60_000 });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('draws every live chart with marks', async () => {
    expect(liveCharts).toBeGreaterThanOrEqual(4);
    const charts = await page.$$eval('figure[data-chart]', (figures) =>
      figures.map((f) => ({ name: f.getAttribute('data-chart'), marks: f.querySelectorAll('.live svg .role-mark > *').length })),
    );
    for (const c of charts) expect(c.marks, c.name ?? '').toBeGreaterThan(0);
  });

  it('sends no request and logs no error', () => {
    expect(requests).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('lists every topic, and the search box filters the table', async () => {
    const visible = () =>
      page.$$eval('#topic-table tbody tr', (rows) => (rows as HTMLTableRowElement[]).filter((r) => !r.hidden).map((r) => r.cells[0]!.textContent!.trim()));
    const all = await visible();
    expect(all).toHaveLength(labels.length);
    for (const label of labels) expect(all.some((cell) => cell.includes(label))).toBe(true);
    const word = labels[0]!.split(' · ')[0]!;
    await page.fill('#topic-search', word);
    const filtered = await visible();
    expect(filtered.length).toBeGreaterThanOrEqual(1);
    expect(filtered.length).toBeLessThan(labels.length);
    await page.fill('#topic-search', '');
    expect(await visible()).toHaveLength(labels.length);
  });

  it('writes a screenshot', async () => {
    mkdirSync('out/screenshots', { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });
});
