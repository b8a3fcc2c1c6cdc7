// The report of the default corpus (what `npm start` publishes), opened in Debian chromium from
// file:// with every request blocked: it must draw every chart, log no error, send nothing, and
// its search box must filter the topic table. A screenshot is left for people to look at.
// Skipped without chromium.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../pipeline/config.ts';
import { silentLogger } from '../pipeline/log.ts';
import { runPipeline } from '../pipeline/runner.ts';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = 'out/screenshots/default-report.png';

describe.skipIf(!existsSync(CHROMIUM))('the default-corpus report in chromium', () => {
  let dir: string;
  let browser: Browser;
  let page: Page;
  let labels: string[] = [];
  let liveCharts = 0;
  const consoleErrors: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-browser-default-'));
    const result = await runPipeline(resolveConfig({ out: dir, cluster: { k: 16 } }), { logger: silentLogger });
    const html = readFileSync(result.reportPath!, 'utf8');
    liveCharts = (html.match(/<figure data-chart=/g) ?? []).length;
    const clusters = JSON.parse(readFileSync(join(result.runDir!, 'clusters.json'), 'utf8')) as { clusters: { label: string }[] };
    labels = clusters.clusters.map((c) => c.label);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      requests.push(url);
      return route.abort();
    });
    await page.goto(`file://${result.reportPath}`);
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
