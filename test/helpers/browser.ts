// Opening a report in Debian's chromium (never a downloaded browser) with every request that is
// not the file itself blocked and recorded, and console errors collected.
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export interface OpenedReport {
  browser: Browser;
  page: Page;
  consoleErrors: string[];
  blocked: string[]; // URLs the page tried to load from anywhere but file:
}

export async function openReport(file: string): Promise<OpenedReport> {
  const consoleErrors: string[] = [];
  const blocked: string[] = [];
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
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
  return { browser, page, consoleErrors, blocked };
}
