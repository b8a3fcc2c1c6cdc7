#!/usr/bin/env node
// Compiles the pipeline to plain JavaScript in dist/ (git-ignored): one bundle for the CLI and one
// for the worker threads, npm packages left as imports but for a few pure-JavaScript ones
// (BUNDLED_PACKAGES).
//
// Why: running the TypeScript sources through tsx costs about a second of start-up per process on
// this machine (every module goes through tsx's loader hooks, which on Node 20 run in a separate
// thread), and again in every worker thread; a run starts the worker pool twice. The bundles load
// without a loader. Tests and development run the sources through tsx; `npm start` and
// bin/topic-trends.mjs build first when a source is newer than dist/ (esbuild, ~0.2 s), so dist/
// never runs stale code.
//
// A third bundle holds vega and vega-lite (their ~40 modules in one file): importing them took
// ~0.3 s of the report's critical path, one file ~0.1 s (reports/chart-render.mjs loads it). It
// depends on the installed versions only, which its name carries (vegaBundleName, the report's
// rule), so it is built once per pair of versions, and a stale one is never loaded. It is
// CommonJS so that the report can load it through V8's code cache (loadCachedBundle).
//
// Usage: node scripts/build.mjs [--if-stale]
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vegaBundleName, writeAtomic } from '../reports/chart-render.mjs';

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

/** Builds the vega bundle into `dir` (default dist/) unless it is there; returns its path. */
export async function buildVegaBundle(dir = DIST) {
  const path = join(dir, vegaBundleName());
  if (existsSync(path)) return path;
  const { build: esbuild } = await import('esbuild');
  const result = await esbuild({
    stdin: { contents: "export * as vega from 'vega';\nexport * as vegaLite from 'vega-lite';\n", resolveDir: root, sourcefile: 'vega-bundle.mjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    plugins: [withoutCanvas],
    logLevel: 'error',
    write: false,
  });
  mkdirSync(dir, { recursive: true });
  writeAtomic(path, result.outputFiles[0].contents);
  // Bundles of versions no longer installed (and those built as ES modules before), and their code caches.
  for (const f of readdirSync(dir)) {
    if (/^vega-.+-lite-.+\.(mjs|cjs)(\..+\.v8cache)?$/.test(f) && !join(dir, f).startsWith(path)) rmSync(join(dir, f), { force: true });
  }
  return path;
}

/**
 * vega-canvas as it is without the optional 'canvas' package: no canvas, no image. Its node build
 * tries `await import('canvas')` at its top level, which a CommonJS bundle cannot hold; 'canvas'
 * is none of our dependencies, and without it vega-canvas answers null to both (vega then
 * estimates text widths from font size), which is what the stub answers. (With 'canvas'
 * installed, the packages would measure text and the bundle would not: test/vega-bundle.test.ts
 * compares the two.)
 */
const withoutCanvas = {
  name: 'without-canvas',
  setup(b) {
    b.onResolve({ filter: /^vega-canvas$/ }, () => ({ path: 'vega-canvas', namespace: 'without-canvas' }));
    b.onLoad({ filter: /.*/, namespace: 'without-canvas' }, () => ({ contents: 'export function canvas() { return null; }\nexport function image() { return null; }\n', loader: 'js' }));
  },
};

/**
 * npm packages compiled into the bundles; every other package loads from node_modules as it is
 * (native addons such as better-sqlite3, wink's model, vega, the test references). Importing
 * these at start-up cost ~0.1 s of every run (zod alone is ~60 modules, each resolved and
 * linked by node's ESM loader): dist/cli.mjs loaded in 225-295 ms with them external, 120-175 ms
 * with them inside (5 runs each, alternating).
 */
const BUNDLED_PACKAGES = ['zod', 'ml-matrix', 'ml-pca', 'csv-parse'];

/** An esbuild plugin: bare imports stay external unless of `packages`, or made inside node_modules (their own dependencies). */
function bundleOnly(packages) {
  const bundled = new Set(packages);
  const packageOf = (path) => path.split('/').slice(0, path.startsWith('@') ? 2 : 1).join('/');
  return {
    name: 'bundle-only',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (bundled.has(packageOf(args.path)) || args.importer.includes('/node_modules/')) return undefined;
        return { path: args.path, external: true };
      });
    },
  };
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
    plugins: [bundleOnly(BUNDLED_PACKAGES)],
    sourcemap: 'linked', // `node --enable-source-maps` names the .ts lines in stack traces
    logLevel: 'warning',
    write: false,
  });
  mkdirSync(DIST, { recursive: true });
  // Maps first, bundles last: a bundle's mtime then marks a complete build (isStale).
  const files = [...result.outputFiles].sort((a, b) => Number(a.path.endsWith('.mjs')) - Number(b.path.endsWith('.mjs')));
  for (const f of files) writeAtomic(f.path, f.contents);
  await vegaBundleIfPossible();
}

/**
 * The vega bundle, or a warning: it only makes the report start faster (without it the report
 * loads the packages), so a failure to build it (a read-only dist/, a vega esbuild cannot bundle)
 * must not stop a run.
 */
async function vegaBundleIfPossible() {
  try {
    await buildVegaBundle();
  } catch (e) {
    process.emitWarning(`topic-trends: could not bundle vega (${e instanceof Error ? e.message : String(e)}); the report loads the packages instead`);
  }
}

/** Builds when stale (or the vega bundle for the installed versions is missing); returns whether it built. */
export async function ensureBuilt() {
  if (!isStale()) {
    if (existsSync(join(DIST, vegaBundleName()))) return false;
    await vegaBundleIfPossible();
    return true;
  }
  await build();
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--if-stale')) await ensureBuilt();
  else await build();
}
