// `topic-trends labels export / import` through the CLI entry point, on a small corpus written
// here (three unmistakable subjects), and the editor's names in the next run's exports.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../analysis/random.ts';
import { runCli } from './helpers/cli.ts';
import { parseLabelFile } from '../pipeline/labels.ts';
import { openStore } from '../pipeline/store/store.ts';


const SUBJECTS: Record<string, string[]> = {
  astronomy: ['galaxy', 'telescope', 'stellar', 'planet', 'orbit', 'comet', 'nebula', 'redshift', 'supernova', 'asteroid'],
  cooking: ['recipe', 'oven', 'flour', 'butter', 'garlic', 'simmer', 'sauce', 'pastry', 'roast', 'kitchen'],
  football: ['goal', 'striker', 'referee', 'penalty', 'midfield', 'league', 'stadium', 'coach', 'tackle', 'match'],
};

/** 40 papers per subject, each a seeded pick of its subject's words. */
function writeCorpus(file: string, seed: number, from = 0): void {
  const random = createRandom(seed);
  const lines: string[] = [];
  for (const [subject, words] of Object.entries(SUBJECTS)) {
    for (let i = from; i < from + 40; i++) {
      const text = Array.from({ length: 30 }, () => words[Math.floor(random() * words.length)]).join(' ');
      lines.push(JSON.stringify({ id: `${subject}-${String(i).padStart(3, '0')}`, title: '', text: `${text}.`, date: `2025-0${1 + (i % 6)}-1${i % 10}` }));
    }
  }
  writeFileSync(file, lines.join('\n') + '\n');
}

type Row = Record<string, string>;
function csvRows(text: string): Row[] {
  const [head, ...lines] = text.trim().split('\r\n');
  const cols = head!.split(',');
  // The test corpus has no commas or quotes in its cells.
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));
}

describe('labels export / import', () => {
  let dir: string;
  let out: string;
  let config: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-labels-'));
    out = join(dir, 'out');
    config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ cluster: { k: 3 }, pca: { nComponents: 5 }, tfidf: { minDf: 1, bigrams: false } }));
    writeCorpus(join(dir, 'night-1.jsonl'), 1);
    const r = await runCli(['run', '--input', join(dir, 'night-1.jsonl'), '--out', out, '--config', config, '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exports the topics as CSV with the documented columns', async () => {
    const r = await runCli(['labels', 'export', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\r\n')[0]).toBe('topic_id,label,editor_label,top_terms,size,share,growth,needs_review,review_reason');
    const rows = csvRows(r.stdout);
    expect(rows.map((x) => Number(x.topic_id)).sort()).toEqual([0, 1, 2]);
    for (const row of rows) {
      expect(Number(row.size)).toBe(40);
      expect(row.editor_label).toBe('');
      expect(row.needs_review).toBe('false');
      const subject = Object.entries(SUBJECTS).find(([, words]) => words.some((w) => row.top_terms!.includes(w)))![0];
      expect(SUBJECTS[subject]!.some((w) => row.label!.includes(w))).toBe(true);
    }
  });

  it('exports JSON to a file with --file, format from the extension', async () => {
    const file = join(dir, 'labels.json');
    const r = await runCli(['labels', 'export', '--config', config, '--out', out, '--file', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { run: string; labels: { topic_id: number; editor_label: string; needs_review: boolean }[] };
    expect(doc.labels).toHaveLength(3);
    expect(doc.labels[0]).toMatchObject({ editor_label: '', needs_review: false });
  });

  it('refuses unknown topic ids with exit 2, listing them, and applies nothing', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'topic_id,editor_label\r\n0,Stars\r\n7,Nope\r\n9,Nope either\r\n');
    const r = await runCli(['labels', 'import', file, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown topic ids 7, 9/);
    const store = openStore(join(out, 'archive.sqlite'));
    expect(store.editorLabels().size).toBe(0);
    store.close();
  });

  it('refuses a file without an editor_label column, and a duplicated id', async () => {
    const a = join(dir, 'nocol.csv');
    writeFileSync(a, 'topic_id,name\r\n0,Stars\r\n');
    expect((await runCli(['labels', 'import', a, '--out', out])).stderr).toMatch(/no editor_label column/);
    const b = join(dir, 'dup.json');
    writeFileSync(b, JSON.stringify([{ topic_id: 1, editor_label: 'x' }, { topic_id: 1, editor_label: 'y' }]));
    const r = await runCli(['labels', 'import', b, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/topic 1 is listed twice/);
  });

  it('imports an edited export; the names show in the next run, formula-looking names survive the round trip', async () => {
    const exported = csvRows((await runCli(['labels', 'export', '--out', out])).stdout);
    const name = (row: Row) => (row.top_terms!.includes('galaxy') || row.top_terms!.includes('telescope') ? 'Astronomy' : row.top_terms!.includes('oven') || row.top_terms!.includes('flour') ? '=Cooking' : 'Football');
    const edited = ['topic_id,label,editor_label,needs_review', ...exported.map((row) => `${row.topic_id},${row.label},${name(row)},false`)].join('\r\n');
    const file = join(dir, 'edited.csv');
    writeFileSync(file, edited);
    const r = await runCli(['labels', 'import', file, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/3 set, 0 cleared, 0 confirmed, 0 unchanged/);

    // Export again, then import that export untouched: nothing changes.
    const again = (await runCli(['labels', 'export', '--out', out])).stdout;
    expect(again).toContain(",'=Cooking,"); // guarded against spreadsheet formulas
    expect(parseLabelFile(again, 'x.csv').map((x) => x.editorLabel).sort()).toEqual(['=Cooking', 'Astronomy', 'Football']);
    writeFileSync(file, again);
    expect((await runCli(['labels', 'import', file, '--out', out])).stdout).toMatch(/0 set, 0 cleared, 0 confirmed, 3 unchanged/);

    // Night 2: more papers of the same subjects; the names follow their topics.
    writeCorpus(join(dir, 'night-2.jsonl'), 2, 40);
    const run = await runCli(['run', '--input', join(dir, 'night-2.jsonl'), '--out', out, '--config', config, '--quiet']);
    expect(run.code).toBe(0);
    const latest = join(out, 'latest');
    const clusters = (JSON.parse(readFileSync(join(latest, 'clusters.json'), 'utf8')) as { clusters: { id: number; editor_label?: string; top_terms: { term: string }[] }[] }).clusters;
    for (const c of clusters) {
      const terms = c.top_terms.map((t) => t.term).join(' ');
      const expected = terms.includes('galaxy') ? 'Astronomy' : terms.includes('oven') ? '=Cooking' : 'Football';
      expect(c.editor_label).toBe(expected);
    }
    const assignments = readFileSync(join(latest, 'assignments.csv'), 'utf8');
    expect(assignments).toMatch(/\r\nastronomy-041,\d+,Astronomy,/);
    expect(readFileSync(join(latest, 'index.html'), 'utf8')).toContain('Astronomy');
    const lineage = JSON.parse(readFileSync(join(latest, 'lineage.json'), 'utf8')) as { lineage: { status: string; label: string }[]; died: unknown[] };
    expect(lineage.lineage.map((e) => e.status)).toEqual(['continued', 'continued', 'continued']);
    expect(lineage.lineage.map((e) => e.label).sort()).toEqual(['=Cooking', 'Astronomy', 'Football']);
    expect(lineage.died).toEqual([]);
  }, 120_000);

  it('clears a name with an empty editor_label, and confirms a flagged one with needs_review false', async () => {
    const store = openStore(join(out, 'archive.sqlite'));
    const ids = [...store.editorLabels().keys()];
    const current = store.editorLabels().get(ids[0]!)!.label;
    store.flagEditorLabel(ids[0]!, 'drifted');
    store.close();
    const file = join(dir, 'clear.json');
    writeFileSync(file, JSON.stringify({ labels: [{ topic_id: ids[0], editor_label: current, needs_review: false }, { topic_id: ids[1], editor_label: '' }] }));
    const r = await runCli(['labels', 'import', file, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/0 set, 1 cleared, 1 confirmed, 0 unchanged/);
    const s3 = openStore(join(out, 'archive.sqlite'));
    expect(s3.editorLabels().get(ids[0]!)?.needsReview).toBe(false);
    expect(s3.editorLabels().has(ids[1]!)).toBe(false);
    s3.close();
  });

  it('says there is no archive rather than creating one', async () => {
    const empty = join(dir, 'nothing-here');
    const r = await runCli(['labels', 'export', '--out', empty]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no archive at/);
    expect(existsSync(join(empty, 'archive.sqlite'))).toBe(false);
  });
});
