#!/usr/bin/env node
// Compiles the pipeline to plain JavaScript in dist/ (git-ignored): one bundle for the CLI and one
// for the worker threads, npm packages left as imports.
//
// Why: running the TypeScript sources through tsx costs about a second of start-up per process on
// this machine (every module goes through tsx's loader hooks, which on Node 20 run in a separate
// thread), and again in every worker thread; a run starts the worker pool twice. The bundles load
// without a loader. Tests and development run the sources through tsx; `npm start` and
// bin/topic-trends.mjs build first when a source is newer than dist/ (esbuild, ~0.2 s), so dist/
// never runs stale code.
//
// Usage: node scripts/build.mjs [--if-stale]
import { mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the bundles go. One level below the root: dist/cli.mjs finds ../package.json. */
export const DIST = join(root, 'dist');
const ENTRIES = { cli: 'pipeline/cli.ts', worker: 'analysis/parallel/worker.ts' };

function newestSourceMs() {
  let newest = Math.max(statSync(join(root, 'package.json')).mtimeMs, statSync(fileURLToPath(import.meta.url)).mtimeMs);
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') || e.name.endsWith('.mjs')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const dir of ['pipeline', 'analysis', 'reports']) walk(join(root, dir));
  return newest;
}

function oldestBundleMs() {
  try {
    return Math.min(...Object.keys(ENTRIES).map((name) => statSync(join(DIST, `${name}.mjs`)).mtimeMs));
  } catch {
    return -Infinity; // not built yet
  }
}

/** Whether dist/ is missing or older than a source. */
export function isStale() {
  return oldestBundleMs() <= newestSourceMs();
}

/** Builds dist/. Each file is written beside its target and renamed over it, so a process starting meanwhile never loads half a bundle. */
export async function build() {
  const { build: esbuild } = await import('esbuild');
  const result = await esbuild({
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, src]) => [name, join(root, src)])),
    outdir: DIST,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external', // npm packages load from node_modules as they are
    sourcemap: 'linked', // `node --enable-source-maps` names the .ts lines in stack traces
    logLevel: 'warning',
    write: false,
  });
  mkdirSync(DIST, { recursive: true });
  // Maps first, bundles last: a bundle's mtime then marks a complete build (isStale).
  const files = [...result.outputFiles].sort((a, b) => Number(a.path.endsWith('.mjs')) - Number(b.path.endsWith('.mjs')));
  for (const f of files) {
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
  }
}

/** Builds when stale; returns whether it built. */
export async function ensureBuilt() {
  if (!isStale()) return false;
  await build();
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--if-stale')) await ensureBuilt();
  else await build();
}
