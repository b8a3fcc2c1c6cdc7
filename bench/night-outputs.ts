// Whether the nights bench:night measured published the same files: a change meant to make a
// night faster must not change what it publishes, and every round runs the same night from a
// copy of the same state, so any difference is a finding (a change of output, or a night that
// is not deterministic). Digests of the published files are taken after each night, before its
// copy is deleted; the line under the table says which agree.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The published files compared: the data an editor takes away (the page and lineage.json carry run ids and times). */
export const COMPARED_OUTPUTS = ['assignments.csv', 'clusters.json', 'clusters.csv', 'trends.csv'] as const;

/** sha256 of each compared file of the run published in `outDir` (its `latest` folder); a missing file is left out. */
export function outputDigests(outDir: string): Record<string, string> {
  const digests: Record<string, string> = {};
  for (const file of COMPARED_OUTPUTS) {
    const path = join(outDir, 'latest', file);
    if (existsSync(path)) digests[file] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return digests;
}

/** What outputsLine reads of a measured night. */
export interface NightOutputs {
  kind: string;
  round: number;
  ok: boolean;
  outputs?: Record<string, string>;
}

/** The files whose digests differ between two runs (a file only one of them published counts as differing). */
export function differingFiles(a: Record<string, string>, b: Record<string, string>): string[] {
  return COMPARED_OUTPUTS.filter((f) => a[f] !== b[f]);
}

/**
 * One line on the nights' outputs: whether each kind's nights agree across rounds (with its first
 * successful night), and whether the baseline's agree with this build's round by round.
 * Undefined when no night has digests.
 */
export function outputsLine(rows: readonly NightOutputs[]): string | undefined {
  const measured = rows.filter((r) => r.ok && r.outputs !== undefined && r.kind !== 'archive');
  if (measured.length === 0) return undefined;
  const parts: string[] = [];
  for (const kind of [...new Set(measured.map((r) => r.kind))]) {
    const of = measured.filter((r) => r.kind === kind);
    const off = of.slice(1).filter((r) => differingFiles(of[0]!.outputs!, r.outputs!).length > 0);
    parts.push(
      of.length < 2
        ? `${kind}: one night`
        : off.length === 0
          ? `${kind} nights identical over ${of.length} rounds`
          : `${kind} nights DIFFER from round ${of[0]!.round}'s in round(s) ${off.map((r) => r.round).join(', ')} (${differingFiles(of[0]!.outputs!, off[0]!.outputs!).join(', ')})`,
    );
  }
  const night = new Map(measured.filter((r) => r.kind === 'night').map((r) => [r.round, r]));
  const pairs = measured.filter((r) => r.kind === 'baseline' && night.has(r.round)).map((b) => ({ round: b.round, files: differingFiles(night.get(b.round)!.outputs!, b.outputs!) }));
  if (pairs.length > 0) {
    const off = pairs.filter((p) => p.files.length > 0);
    parts.push(
      off.length === 0
        ? `baseline identical to this build in all ${pairs.length} rounds`
        : `baseline DIFFERS from this build in round(s) ${off.map((p) => p.round).join(', ')} (${off[0]!.files.join(', ')})`,
    );
  }
  return `outputs (${COMPARED_OUTPUTS.join(', ')}): ${parts.join('; ')}`;
}
