// The report in a real browser (Debian chromium via playwright-core): every live chart draws,
// nothing leaves the page, no console errors (a CSP violation would be one), the search box
// filters the topic table, picking a topic (row click, Enter, legend click) highlights it in
// every chart, map points carry title tooltips, and none of the planted scripts (titles,
// abstracts' terms, labels, old labels in the lineage) runs. Skipped without chromium.

import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCharts } from '../reports/charts.ts';
import { renderReportHtml } from '../reports/html.ts';
import { makeReportModel } from './fixtures/report-model.ts';
import { CHROMIUM, openReport } from './helpers/browser.ts';


describe.skipIf(!existsSync(CHROMIUM))('report in chromium', () => {
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[] = [];
  let blocked: string[] = [];
  let liveCharts = 0;

  beforeAll(async () => {
    const model = makeReportModel();
    const charts = await buildCharts(model, { topN: 3 });
    const html = renderReportHtml(model, charts, { topN: 3 });
    liveCharts = (html.match(/<figure data-chart=/g) ?? []).length;
    const dir = mkdtempSync(join(tmpdir(), 'report-'));
    const file = join(dir, 'index.html');
    writeFileSync(file, html);
    const opened = await openReport(file);
    ({ browser, page } = opened);
    consoleErrors = opened.consoleErrors;
    blocked = opened.blocked;
    await page.waitForFunction((n) => document.querySelectorAll('figure.drawn').length >= n, liveCharts, { timeout: 30_000 });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('draws every live chart with marks', async () => {
    expect(liveCharts).toBe(6);
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
    expect(sizes.length).toBe(liveCharts);
    for (const w of sizes) expect(w).toBeGreaterThan(0);
  });

  it('makes no request and logs no error', () => {
    expect(blocked).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('runs none of the planted scripts', async () => {
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.locator('a[href^="javascript:"], a[href^="data:"]').count()).toBe(0);
    expect(await page.locator('section.topic script, #changes script, #topic-table script').count()).toBe(0);
  });

  /** Opacity of each map point of a topic, as drawn (vega writes it as an attribute). */
  async function mapOpacities(): Promise<number[]> {
    return page.$$eval('figure[data-chart="map"] .live svg .role-mark path', (paths) => paths.map((p) => Number(p.getAttribute('opacity') ?? '1')));
  }

  it('picks a topic from the table (click and keyboard) and highlights it across the charts', async () => {
    const before = await mapOpacities();
    expect(new Set(before)).toEqual(new Set([0.75]));
    const row = page.locator('#topic-table tbody tr[data-topic="12"]');
    await row.locator('td').nth(1).click();
    expect(await row.getAttribute('aria-selected')).toBe('true');
    expect(await page.textContent('#focus-name')).toBe('Image & video diffusion');
    expect(await page.isVisible('#focus-bar')).toBe(true);
    await page.waitForFunction(() => document.querySelectorAll('figure[data-chart="map"] .live svg .role-mark path[opacity="0.06"]').length > 0);
    const after = await mapOpacities();
    expect(after.filter((o) => o === 0.75)).toHaveLength(6); // topic 12's six points
    expect(after.filter((o) => o === 0.06)).toHaveLength(after.length - 6);
    expect(await page.getAttribute('#topic-12', 'class')).toContain('picked');
    // the share chart fades the other series too
    const shareOpacities = await page.$$eval('figure[data-chart="share-area"] .live svg .role-mark path', (ps) => ps.map((p) => p.getAttribute('opacity')));
    expect(shareOpacities).toContain('0.2');
    // Escape clears; Enter on a focused row picks
    await page.keyboard.press('Escape');
    expect(await page.isVisible('#focus-bar')).toBe(false);
    await page.locator('#topic-table tbody tr[data-topic="10"]').focus();
    await page.keyboard.press('Enter');
    expect(await page.textContent('#focus-name')).toBe('language models');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    expect(await page.textContent('#focus-name')).toBe('reinforcement learning');
    await page.click('#focus-clear');
    expect(await page.isVisible('#focus-bar')).toBe(false);
    await page.waitForFunction(() => document.querySelectorAll('figure[data-chart="map"] .live svg .role-mark path[opacity="0.06"]').length === 0);
  });

  it('picks a topic from a chart legend', async () => {
    const label = page.locator('figure[data-chart="map"] .live svg .role-legend-label text', { hasText: 'reinforcement learning' });
    await label.click({ force: true });
    expect(await page.textContent('#focus-name')).toBe('reinforcement learning');
    await page.keyboard.press('Escape');
  });

  it('shows paper titles as map tooltips', async () => {
    const point = page.locator('figure[data-chart="map"] .live svg .role-mark path').first();
    await point.hover({ force: true });
    const title = await page.waitForFunction(() => document.querySelector('figure[data-chart="map"] .live')?.getAttribute('title') ?? '');
    expect(String(await title.jsonValue())).toMatch(/^Paper: /);
  });

  it('filters and sorts the topic table', async () => {
    const visible = () => page.$$eval('#topic-table tbody tr', (rows) => (rows as HTMLTableRowElement[]).filter((r) => !r.hidden).map((r) => r.cells[0]!.querySelector('a')!.textContent!.trim()));
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
