// Hostile text end to end (issue 8, part 5): titles, abstracts, ids, labels and urls crafted to
// run script in an editor's browser or a formula in their spreadsheet go through the whole
// pipeline. index.html must carry them only as text (no extra markup from papers), links only to
// http(s), CSV cells starting with = + - @ tab or CR neutralised, every JSON export valid UTF-8
// JSON whatever the Unicode. A benign run of the same shape is the baseline for the markup count.

import { readdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../pipeline/config.ts';
import { silentLogger } from '../pipeline/log.ts';
import { runPipeline } from '../pipeline/runner.ts';
import { makeCorpus } from './helpers/corpus.ts';

const N = 300;

/** Payloads; the marker XSS<n> lets a test find each one in the output. */
const TITLE_PAYLOADS = [
  '<script>alert("XSS1")</script>',
  '"><img src=x onerror=alert("XSS2")>',
  '</script><script>alert("XSS3")</script>',
  "'><svg/onload=alert('XSS4')>",
  '<a href="javascript:alert(\'XSS5\')">click</a>',
  '<!-- XSS6 --><iframe src="https://evil.example/XSS6"></iframe>',
  '<style>body{display:none}</style>XSS7',
  '=HYPERLINK("https://evil.example/XSS8","click")',
  '+cmd|\' /C calc\'!A0 XSS9',
  '-1+1 XSS10',
  '@SUM(1+1)*cmd XSS11',
  '\t=1+1 XSS12',
  '\r=1+1 XSS13',
  'line\u2028separator\u2029paragraph XSS14',
  '\u202Egnp.exe XSS15 RTL override',
  '{{constructor.constructor("alert(1)")()}} XSS16',
];
const URL_PAYLOADS = ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', '//evil.example/x', 'https://example.org/ok?q="><script>alert(1)</script>'];
const FORMULA = /^[=+\-@\t\r]/;

interface Exports {
  dir: string;
  html: string;
}

async function runCorpus(root: string, name: string, hostile: boolean): Promise<Exports> {
  const records = makeCorpus(N, 21);
  const lines = records.map((r, i) => {
    if (!hostile) return JSON.stringify(r);
    const p = TITLE_PAYLOADS[i % TITLE_PAYLOADS.length]!;
    const rec: Record<string, unknown> = {
      ...r,
      // The payload leads the title (so a CSV cell starts with it) and sits inside the abstract.
      title: i % 2 === 0 ? `${p} ${r.title}` : `${r.title} ${p}`,
      abstract: `${r.abstract} ${p} <b onmouseover="alert('XSS17')">bold</b> &lt;script&gt; &#60;script&#62;`,
      url: URL_PAYLOADS[i % URL_PAYLOADS.length],
      label: i % 5 === 0 ? '<script>alert("XSS18")</script>' : r.label,
    };
    if (i % 50 === 7) rec.id = `=cmd|XSS19-${i}`;
    if (i % 50 === 9) rec.id = `<b>XSS20-${i}</b>`;
    const json = JSON.stringify(rec);
    // Lone surrogates only exist as JSON escapes in a file; write some that way.
    return i % 10 === 3 ? json.replace('"title":"', '"title":"\\ud800 lone \\udc00 ') : json;
  });
  const input = join(root, `${name}.jsonl`);
  writeFileSync(input, lines.join('\n') + '\n');
  const out = join(root, `out-${name}`);
  const r = await runPipeline(resolveConfig({ input: [input], out, seed: 3, cluster: { k: 4, nInit: 2 }, pca: { nComponents: 10 } }), { logger: silentLogger, runId: name });
  return { dir: r.runDir!, html: readFileSync(r.reportPath!, 'utf8') };
}

/** The page with the bodies of its script elements removed: what the browser parses as markup. */
function markupOnly(html: string): string {
  return html.replace(/(<script\b[^>]*>)[\s\S]*?(<\/script>)/gi, '$1$2');
}

/** Occurrences of an opening tag (`<name` followed by space, '/' or '>'), case-insensitive. */
function countTags(html: string, name: string): number {
  return (html.match(new RegExp(`<${name}[\\s/>]`, 'gi')) ?? []).length;
}

describe('hostile paper text through the whole pipeline', () => {
  let root: string;
  let hostile: Exports;
  let benign: Exports;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'tt-hostile-'));
    benign = await runCorpus(root, 'benign', false);
    hostile = await runCorpus(root, 'hostile', true);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('the hostile text reaches the report (escaped), so the checks below are not vacuous', () => {
    const assignments = readFileSync(join(hostile.dir, 'assignments.csv'), 'utf8');
    expect(assignments).toMatch(/XSS1\b/);
    // Some representative titles carry a payload: it must be there as text.
    expect(hostile.html).toMatch(/&lt;script&gt;alert\(&quot;XSS1&quot;\)|&lt;script&gt;alert\(&#34;XSS1|\\u003cscript\\u003ealert\(\\"XSS1/);
  });

  it('index.html has no markup from papers: tag counts equal the benign report\'s', () => {
    // Elements that run, load or restyle: exactly as many as the benign report has.
    for (const tag of ['script', 'iframe', 'style', 'object', 'embed', 'link', 'meta', 'base', 'form', 'frame', 'template']) {
      expect(countTags(hostile.html, tag), `<${tag}`).toBe(countTags(benign.html, tag));
    }
    // Elements the report uses in amounts that depend on the content: never more than benign.
    // (Fewer links: the hostile urls were dropped at ingest, the benign ones are kept.)
    for (const tag of ['img', 'svg', 'a', 'b', 'i', 'div', 'p']) {
      expect(countTags(hostile.html, tag), `<${tag}`).toBeLessThanOrEqual(countTags(benign.html, tag));
    }
    expect(countTags(hostile.html, 'a')).toBeLessThan(countTags(benign.html, 'a'));
    for (const raw of ['<script>alert(', '<img src=x', '<svg/onload', '<iframe src="https://evil', 'onmouseover="alert', '<b>XSS20']) {
      expect(hostile.html.includes(raw), raw).toBe(false);
    }
    // An event-handler attribute in a tag would be markup from a paper.
    expect(markupOnly(hostile.html)).not.toMatch(/<[a-z][^<>]*\son(error|load|mouseover)\s*=/i);
  });

  it('links go only to http(s) (or within the page)', () => {
    // Attributes only exist inside tags; escaped paper text ('&lt;a href=...') is not a tag.
    const markup = (markupOnly(hostile.html).match(/<[a-zA-Z][^<>]*>/g) ?? []).join('\n');
    const hrefs = [...markup.matchAll(/\shref\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/gi)].map((m) => m[2] ?? m[3] ?? m[4] ?? '');
    for (const href of hrefs) expect(href, href).toMatch(/^(https?:\/\/|#)/i);
    expect(hrefs.length).toBeGreaterThan(0);
    expect(markup).not.toMatch(/href\s*=\s*["']?\s*(javascript|vbscript|data):/i);
    const srcs = [...markup.matchAll(/\ssrc\s*=\s*"([^"]*)"/gi)].map((m) => m[1]!);
    for (const src of srcs) expect(src, src.slice(0, 40)).toMatch(/^data:image\/svg\+xml[,;]/);
  });

  it('the JSON blocks inside index.html parse, and no string in them closes the script element', () => {
    const blocks = [...hostile.html.matchAll(/<script type="application\/json"[^>]*>([\s\S]*?)<\/script>/gi)].map((m) => m[1]!);
    for (const b of blocks) expect(() => JSON.parse(b)).not.toThrow();
  });

  it('CSV cells that would run as a formula are neutralised in every CSV export', () => {
    for (const name of ['assignments.csv', 'clusters.csv', 'trends.csv']) {
      const rows = parse(readFileSync(join(hostile.dir, name), 'utf8'), { relax_column_count: false }) as string[][];
      expect(rows.length, name).toBeGreaterThan(1);
      for (const row of rows) {
        for (const cell of row) {
          // A trigger character is fine only in a plain number written as a number (a negative score).
          if (FORMULA.test(cell)) expect(cell, `${name}: ${JSON.stringify(cell)}`).toMatch(/^-\d+(\.\d+)?(e-?\d+)?$/);
        }
      }
    }
    const titles = (parse(readFileSync(join(hostile.dir, 'assignments.csv'), 'utf8'), { columns: true }) as { id: string; title: string }[]);
    const neutral = titles.filter((r) => r.title.startsWith("'=") || r.title.startsWith("'+") || r.title.startsWith("'-") || r.title.startsWith("'@"));
    expect(neutral.length).toBeGreaterThan(0);
    expect(titles.some((r) => r.id.startsWith("'=cmd|XSS19"))).toBe(true);
  });

  it('every JSON export is valid UTF-8 and valid JSON, whatever the Unicode (lone surrogates, U+2028)', () => {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const files = ['clusters.json', 'manifest.json', ...(existsSync(join(hostile.dir, 'lineage.json')) ? ['lineage.json'] : [])];
    for (const f of readdirSync(join(hostile.dir, 'charts'))) if (f.endsWith('.json')) files.push(join('charts', f));
    for (const f of files) {
      const text = decoder.decode(readFileSync(join(hostile.dir, f)));
      expect(() => JSON.parse(text), f).not.toThrow();
    }
    for (const f of ['rejects.jsonl', 'duplicates.jsonl']) {
      const text = decoder.decode(readFileSync(join(hostile.dir, f)));
      for (const line of text.split('\n').filter(Boolean)) expect(() => JSON.parse(line), f).not.toThrow();
    }
    for (const f of ['index.html', 'assignments.csv', 'clusters.csv']) {
      const text = decoder.decode(readFileSync(join(hostile.dir, f)));
      expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    }
  });

  it('hostile urls were dropped, not linked; every paper kept', () => {
    const rows = parse(readFileSync(join(hostile.dir, 'assignments.csv'), 'utf8'), { columns: true }) as unknown[];
    expect(rows).toHaveLength(N);
    const tags = (markupOnly(hostile.html).match(/<[a-zA-Z][^<>]*>/g) ?? []).join('\n');
    expect(tags).not.toMatch(/href\s*=\s*["']?[^"'\s>]*evil\.example/i);
  });
});
