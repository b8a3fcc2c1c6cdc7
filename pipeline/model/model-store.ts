// The topic model of the last full fit, kept between nights in <out>/model/ so that most nights
// fold their papers into it instead of refitting (issue 6): vocabulary + display forms + idf
// (vectorize), PCA mean + components (reduce), cluster centroids (cluster), and what it was
// fitted on (paper ids, the newest paper's date, a hash of the config that shaped it).
//
// Layout: meta.json (small: what the refit policy reads every night), fit-ids.txt (one paper id
// a line), arrays/ (pipeline/artifacts.ts format: raw typed-array buffers). The folder lives
// beside runs/ and stages/, so publishing a run folder never touches it. It is replaced whole:
// written to a temporary sibling, then swapped in by two renames; a crash between them leaves
// no model, and the next night simply refits.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ArtifactWriter } from '../artifact-writer.ts';
import { loadArtifact } from '../artifacts.ts';

/** Bump when the layout or the meaning of a field changes: an older model is then ignored (refit). */
export const MODEL_FORMAT_VERSION = 1;

export interface ModelMeta {
  formatVersion: number;
  /** Content identity (hash of the config hash, fit ids and arrays): part of the fold-in stages' cache keys. */
  id: string;
  /** modelConfigHash() of the config the model was fitted with. */
  configHash: string;
  /** Run that fitted it. */
  fittedInRun: string;
  /** Newest paper date of the fit window ('YYYY-MM-DD'): the model's age is counted from it. */
  fitDate: string;
  /** Papers it was fitted on (the length of fit-ids.txt). */
  fitPapers: number;
  k: number;
  d: number;
  /** Vocabulary size (columns). */
  cols: number;
  /** Share of the fit window's centred TF-IDF variance the components keep (Σ explained variance ratio). */
  capturedShare: number;
  /** Inertia per paper of the fitted clustering (L2-normalised PCA scores). */
  inertiaPerPaper: number;
  explainedVariance: number[];
  explainedVarianceRatio: number[];
  solver?: 'exact' | 'randomized';
}

export interface ModelArrays {
  vocabulary: string[];
  display: string[];
  /** Document frequency of each column in the fit window. */
  df: Int32Array;
  idf: Float64Array;
  /** PCA column means (length cols). */
  mean: Float64Array;
  /** d × cols, row-major. */
  components: Float64Array;
  /** k × d, in the space of L2-normalised PCA scores. */
  centroids: Float32Array;
}

/**
 * A stored model as a fold-in stage reads it: its meta and the arrays it asked for (the fit ids,
 * 1M lines at 1M papers, only on request: readFitIds).
 */
export interface StoredModel<K extends keyof ModelArrays = keyof ModelArrays> {
  meta: ModelMeta;
  arrays: Pick<ModelArrays, K>;
}

/** <out>/model */
export function modelDir(out: string): string {
  return join(resolve(out), 'model');
}

/** The content id of a model (everything that shapes a fold-in). */
export function modelId(meta: Omit<ModelMeta, 'id'>, fitIds: readonly string[], arrays: ModelArrays): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ ...meta, id: undefined }));
  h.update(fitIds.join('\n'));
  h.update(arrays.vocabulary.join('\n'));
  for (const a of [arrays.idf, arrays.mean, arrays.components, arrays.centroids]) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return h.digest('hex').slice(0, 32);
}

/**
 * Writes the model, replacing the stored one; resolves with its meta (the id filled in) once it is
 * on disk. The arrays are written by libuv's thread pool (ArtifactWriter) and must not change
 * until then: written with writeFileSync they held the main thread ~0.15 s on arXiv at the end of
 * the cluster stage, with the second core idle.
 */
export async function saveModel(dir: string, meta: Omit<ModelMeta, 'id' | 'formatVersion'>, fitIds: readonly string[], arrays: ModelArrays): Promise<ModelMeta> {
  const full: ModelMeta = { ...meta, formatVersion: MODEL_FORMAT_VERSION, id: '' };
  full.id = modelId(full, fitIds, arrays);
  const tmp = `${dir}.tmp-${process.pid}`;
  const old = `${dir}.old-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  // meta.json last: a folder with meta.json is complete.
  const after = [
    { path: join(tmp, 'fit-ids.txt'), text: fitIds.join('\n') },
    { path: join(tmp, 'meta.json'), text: JSON.stringify(full, null, 2) + '\n' },
  ];
  await new ArtifactWriter().save(join(tmp, 'arrays'), arrays, after);
  rmSync(old, { recursive: true, force: true });
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(tmp, dir);
  rmSync(old, { recursive: true, force: true });
  return full;
}

/** The stored model's meta, or undefined when there is none (or it is unreadable / of another format). */
export function readModelMeta(dir: string): ModelMeta | undefined {
  try {
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as ModelMeta;
    return meta.formatVersion === MODEL_FORMAT_VERSION && typeof meta.id === 'string' ? meta : undefined;
  } catch {
    return undefined;
  }
}

/** The ids of the papers the stored model was fitted on. */
export function readFitIds(dir: string): string[] {
  const text = readFileSync(join(dir, 'fit-ids.txt'), 'utf8');
  return text.length ? text.split('\n') : [];
}

/**
 * The model's meta and the arrays `parts` names (all by default: at 1M papers the components
 * alone are 160 MB, which the stage that needs only the centroids does not read);
 * `expectedId` guards against a model replaced between the stage that chose to fold in and the
 * one that reads it (e.g. --from reduce after a later refit). The arrays are shared with the
 * next load of the same model in this process (see lastLoaded): callers must not change them.
 */
export function loadModel<K extends keyof ModelArrays = keyof ModelArrays>(dir: string, expectedId?: string, parts?: readonly K[]): StoredModel<K> {
  const meta = readModelMeta(dir);
  if (!meta) throw new Error(`no stored model in ${dir}`);
  if (expectedId !== undefined && meta.id !== expectedId) {
    throw new Error(`the stored model in ${dir} is ${meta.id}, not ${expectedId} that vectorize folded into: re-run from vectorize (--from vectorize)`);
  }
  const arraysDir = join(dir, 'arrays');
  const key = loadedKey(arraysDir, meta.id);
  const wanted = parts ?? MODEL_ARRAYS;
  const have: Partial<ModelArrays> = lastLoaded !== undefined && key !== undefined && lastLoaded.key === key ? lastLoaded.arrays : {};
  const missing = wanted.filter((part) => have[part] === undefined);
  const read = missing.length > 0 ? loadArtifact<Partial<ModelArrays>>(arraysDir, { only: missing }) : {};
  const arrays: Partial<ModelArrays> = {};
  for (const part of wanted) {
    const array = have[part] ?? read[part];
    if (array === undefined) throw new Error(`the stored model in ${dir} has no ${part}`);
    (arrays as Record<string, unknown>)[part] = array;
  }
  lastLoaded = key === undefined ? undefined : { key, arrays };
  return { meta, arrays: arrays as Pick<ModelArrays, K> };
}

const MODEL_ARRAYS: readonly (keyof ModelArrays)[] = ['vocabulary', 'display', 'df', 'idf', 'mean', 'components', 'centroids'];

// A fold-in night's stages load the same model one after the other: vectorize (with the
// components, for the new papers' captured share), then reduce (the mean and components), then
// cluster (the centroids). At 1M papers the components are 160 MB, read twice a night. The
// arrays of the last load are kept, and a load of the same model (its content id and the arrays
// folder's identity: saveModel replaces the folder) takes what it asks for from them; only what
// it asked for is kept after it, so cluster's load lets the components go.
let lastLoaded: { key: string; arrays: Partial<ModelArrays> } | undefined;

/** Lets the arrays of the last load go (a night that loaded the model and then refits: no later stage loads it). */
export function forgetLoadedModel(): void {
  lastLoaded = undefined;
}

function loadedKey(arraysDir: string, id: string): string | undefined {
  const file = fileIdentity(join(arraysDir, 'value.json'));
  return file === undefined ? undefined : `${arraysDir}\0${id}\0${file}`; // no arrays: loadArtifact says so
}

/**
 * Which file is at `path` now (device, inode, size, modification time), or undefined when there
 * is none: what the model's in-process memos (here, night-plan.ts) key on besides its content id,
 * since saveModel replaces the folder and a hand edit changes the file.
 */
export function fileIdentity(path: string): string | undefined {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch {
    return undefined;
  }
}
