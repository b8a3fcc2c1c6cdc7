// Tonight's plan for vectorize, reduce and cluster: refit or fold in, and why. Gathered from the
// stored model's meta and fit ids and tonight's window, then decided by refit-policy.ts. The
// plan (not the model's bulk) is what the stages' cache keys carry.
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { modelConfigHash } from './model-config.ts';
import { fileIdentity, modelDir, readFitIds, readModelMeta, type ModelMeta } from './model-store.ts';
import { decideNight, type NightDecision, type RefitPolicy } from './refit-policy.ts';
import { indexIn } from './sorted-ids.ts';

export interface NightPlan extends NightDecision {
  /** The stored model folded into (null on a refit). */
  modelId: string | null;
  added: number;
  dropped: number;
  /** Papers of the stored model's fit (0: none). */
  fitPapers: number;
  /** With a fold-in: the new papers' captured share over the fit's (see fold-in-quality.ts). */
  capturedRatio?: number;
}

export function refitPolicy(c: Config): RefitPolicy {
  return { ...c.model };
}

/** Rows (indices into windowIds) of the window papers the model was not fitted on. */
export function newRows(windowIds: readonly string[], fitIds: readonly string[]): Int32Array {
  const at = indexIn(windowIds, fitIds);
  const out: number[] = [];
  for (let i = 0; i < at.length; i++) if (at[i]! < 0) out.push(i);
  return Int32Array.from(out);
}

export function planNight(config: Config, windowIds: readonly string[], newestDate: string | undefined): NightPlanResult {
  const dir = modelDir(config.out);
  const meta = readModelMeta(dir);
  const memo = meta ? memoKey(config, dir, meta, newestDate) : undefined;
  if (memo !== undefined && lastPlan !== undefined && lastPlan.key === memo && sameIds(lastPlan.windowIds, windowIds)) {
    return { ...lastPlan.result, newRows: lastPlan.result.newRows.slice() };
  }
  const fitIds = meta ? safeFitIds(dir) : undefined;
  const rows = fitIds ? newRows(windowIds, fitIds) : new Int32Array(0);
  const added = fitIds ? rows.length : windowIds.length;
  const dropped = fitIds ? fitIds.length - (windowIds.length - added) : 0;
  const decision = decideNight(refitPolicy(config), {
    model: meta && fitIds ? { configHash: meta.configHash, fitPapers: meta.fitPapers, fitDate: meta.fitDate } : undefined,
    configHash: modelConfigHash(config),
    added,
    dropped,
    newestDate,
  });
  const plan: NightPlan = Object.freeze({ ...decision, modelId: decision.mode === 'fold-in' ? meta!.id : null, added, dropped, fitPapers: meta?.fitPapers ?? 0 });
  const result = { plan, meta, newRows: rows };
  lastPlan = memo === undefined ? undefined : { key: memo, windowIds, result: { ...result, newRows: rows.slice() } };
  return result;
}

export interface NightPlanResult {
  plan: Readonly<NightPlan>;
  meta?: ModelMeta;
  newRows: Int32Array;
}

// vectorize plans the night twice: for its cache key (externalInputs, before the runner knows
// whether the stage runs) and in its run. At 1M papers a plan reads 1M fit ids and matches them
// with the window's (~0.4 s); the second call is answered from the first when nothing it depends
// on changed: the stored model (its content id, and the fit-ids file's identity, in case the file
// was replaced by hand), the refit policy and model configuration, the newest date and the window.
let lastPlan: { key: string; windowIds: readonly string[]; result: NightPlanResult } | undefined;

function memoKey(config: Config, dir: string, meta: ModelMeta, newestDate: string | undefined): string | undefined {
  const file = fileIdentity(join(dir, 'fit-ids.txt'));
  if (file === undefined) return undefined; // no fit ids: planNight refits, cheaply
  return JSON.stringify([dir, meta.id, file, refitPolicy(config), modelConfigHash(config), newestDate ?? null]);
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Whether tonight can fold in as far as the config and the stored model's meta tell, without its
 * fit ids (1M of them at 1M papers): a stored model of this configuration, incremental nights on,
 * no refit forced. False means planNight will refit; true that it may fold in (the window's
 * changes and the model's age are not looked at).
 */
export function foldInPossible(config: Config): boolean {
  const policy = refitPolicy(config);
  if (policy.refit || !policy.incremental) return false;
  const meta = readModelMeta(modelDir(config.out));
  return meta !== undefined && meta.configHash === modelConfigHash(config);
}

function safeFitIds(dir: string): string[] | undefined {
  try {
    return readFitIds(dir);
  } catch {
    return undefined; // a model without its fit set cannot be checked: refit
  }
}

/** Newest date of a list of papers ('YYYY-MM-DD' compares as text). */
export function newestDate(papers: readonly { date: string }[]): string | undefined {
  let best: string | undefined;
  for (const p of papers) if (best === undefined || p.date > best) best = p.date;
  return best;
}
