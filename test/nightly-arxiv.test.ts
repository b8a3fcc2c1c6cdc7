// A measurement, not part of the suite: the 74,728-abstract arXiv corpus of ../shared replayed
// as a cron job would see it. Night 0 loads everything before the last eleven weeks; nights 1–10
// add one week each; a last night adds ~300 papers (the first of the final week). It prints per
// night: papers added, id persistence, and seconds per stage. Runs only when asked:
//   NIGHTLY_ARXIV=1 npx vitest run test/nightly-arxiv.test.ts
// (optionally NIGHTLY_ARXIV_OUT=/path/result.json). Takes ~15 minutes on 2 cores.
import { loadArtifact } from '../pipeline/artifacts.ts';
import type { ClusterOutput } from '../pipeline/stages/cluster.ts';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../pipeline/config.ts';
import { silentLogger } from '../pipeline/log.ts';
import { runPipeline } from '../pipeline/runner.ts';

const CORPUS = fileURLToPath(new URL('../../shared/data/arxiv-cs-daily.jsonl.gz', import.meta.url));
const WEEK_MS = 7 * 86_400_000;

interface Row {
  id: string;
  date: string;
  line: string;
}

async function readRows(): Promise<Row[]> {
  const rows: Row[] = [];
  const lines = createInterface({ input: createReadStream(CORPUS).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as { id: string; date: string };
    rows.push({ id: r.id, date: r.date.slice(0, 10), line });
  }
  return rows.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.id < b.id ? -1 : 1));
}

describe.skipIf(!existsSync(CORPUS) || !process.env.NIGHTLY_ARXIV)('nightly replay on the arXiv corpus (measurement)', () => {
  it('replays a bulk load, ten weekly nights and a ~300-paper night', async () => {
    const rows = await readRows();
    const last = Date.parse(rows[rows.length - 1]!.date);
    const cut = (weeksBack: number) => new Date(last - weeksBack * WEEK_MS).toISOString().slice(0, 10);
    const nights: { name: string; rows: Row[] }[] = [{ name: 'bulk', rows: rows.filter((r) => r.date <= cut(11)) }];
    for (let w = 10; w >= 1; w--) nights.push({ name: `week-${11 - w}`, rows: rows.filter((r) => r.date > cut(w + 1) && r.date <= cut(w)) });
    nights.push({ name: 'small', rows: rows.filter((r) => r.date > cut(1)).slice(0, 300) });

    const dir = mkdtempSync(join(tmpdir(), 'tt-arxiv-nightly-'));
    const results: unknown[] = [];
    try {
      for (const night of nights) {
        const file = join(dir, `${night.name}.jsonl`);
        writeFileSync(file, night.rows.map((r) => r.line).join('\n') + '\n');
        const config = resolveConfig({ input: [file], out: join(dir, 'out'), seed: 42 });
        const started = performance.now();
        const run = await runPipeline(config, { logger: silentLogger, runId: night.name });
        const wall = (performance.now() - started) / 1000;
        const lineage = JSON.parse(readFileSync(join(run.runDir!, 'lineage.json'), 'utf8')) as { lineage: { status: string }[]; died: unknown[] };
        const kept = lineage.lineage.filter((e) => e.status === 'continued' || e.status === 'merged').length / lineage.lineage.length;
        const stages = Object.fromEntries(run.manifest.stages.map((s) => [s.stage, s.skipped ? 'skip' : Math.round(s.seconds * 10) / 10]));
        // Refit or fold-in (incremental nights), from the cluster artifact.
        const model = loadArtifact<ClusterOutput>(join(dir, 'out', 'stages', 'cluster')).night;
        const r = { night: night.name, added: run.manifest.archive?.inserted, window: run.manifest.archive?.window, persistence: Math.round(kept * 1000) / 1000, topics: run.manifest.topics, model: model && { mode: model.mode, reason: model.reason, capturedRatio: model.capturedRatio }, wallSeconds: Math.round(wall * 10) / 10, stages };
        results.push(r);
        console.log(JSON.stringify(r));
        expect(run.runDir).toBeDefined();
      }
      if (process.env.NIGHTLY_ARXIV_OUT) writeFileSync(process.env.NIGHTLY_ARXIV_OUT, JSON.stringify(results, null, 2) + '\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 3_600_000);
});
