// The report in a real browser (Debian chromium via playwright-core): every live chart draws,
// nothing leaves the page, no console errors (a CSP violation would be one), the search box
// filters the topic table, and none of the planted scripts runs. Skipped without chromium.

import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCharts } from '../reports/charts.ts';
import { renderReportHtml } from '../reports/html.ts';
import { makeReportModel } from './fixtures/report-model.ts';

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('report in chromium', () => {
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  const blocked: string[] = [];
  let liveCharts = 0;

  beforeAll(async () => {
    const model = makeReportModel();
    const charts = await buildCharts(model, { topN: 3 });
    const html = renderReportHtml(model, charts, { topN: 3 });
    liveCharts = (html.match(/<figure data-chart=/g) ?? []).length;
    const dir = mkdtempSync(join(tmpdir(), 'report-'));
    const file = join(dir, 'index.html');
    writeFileSync(file, html);
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
      blocked.push(url);
      return route.abort();
    });
    await page.goto(`file://${file}`);
    await page.waitForFunction((n) => document.querySelectorAll('figure.drawn').length >= n, liveCharts, { timeout: 30_000 });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('draws every live chart with marks', async () => {
    expect(liveCharts).toBeGreaterThanOrEqual(7);
    const marks = await page.$$eval('figure[data-chart]', (figures) =>
      figures.map((f) => ({
        name: f.getAttribute('data-chart'),
        drawn: f.classList.contains('drawn'),
        marks: f.querySelectorAll('.live svg .role-mark > *').length,
      })),
    );
    expect(marks).toHaveLength(liveCharts);
    for (const m of marks) {
      expect(m.drawn, m.name ?? '').toBe(true);
      expect(m.marks, m.name ?? '').toBeGreaterThan(0);
    }
  });

  it('loads every static SVG fallback (data: images)', async () => {
    const sizes = await page.$$eval('figure .static img', (imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth));
    expect(sizes.length).toBeGreaterThan(liveCharts);
    for (const w of sizes) expect(w).toBeGreaterThan(0);
  });

  it('makes no request and logs no error', () => {
    expect(blocked).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('runs none of the planted scripts', async () => {
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
  });

  it('filters and sorts the topic table', async () => {
    const visible = () => page.$$eval('#topic-table tbody tr', (rows) => (rows as HTMLTableRowElement[]).filter((r) => !r.hidden).map((r) => r.cells[0]!.textContent!.trim()));
    expect(await visible()).toHaveLength(5);
    await page.fill('#topic-search', 'reward');
    expect(await visible()).toEqual(['reinforcement learning']);
    expect(await page.textContent('#topic-count')).toBe('1 of 5 topics');
    await page.fill('#topic-search', '');
    expect(await visible()).toHaveLength(5);
    await page.click('#topic-table thead th:nth-child(2) button'); // papers, ascending
    expect((await visible())[0]).toBe('speech recognition');
    await page.click('#topic-table thead th:nth-child(2) button'); // descending
    expect((await visible())[0]).toBe('language models');
  });

  it('writes a screenshot', async () => {
    mkdirSync('out/screenshots', { recursive: true });
    await page.screenshot({ path: 'out/screenshots/report.png', fullPage: true });
    expect(existsSync('out/screenshots/report.png')).toBe(true);
  });
});
