// Vega-Lite → Vega compilation and headless SVG rendering: the only code that loads vega and
// vega-lite. It runs in whichever thread loads it: the report's render workers draw (see
// chart-renderer.ts), the main thread compiles, and draws too when there are no workers.
//
// Why plain JavaScript: this file is also a worker entry, and it must load the same way from the
// sources, under vitest and from the dist/ bundle. A .ts worker would need tsx registered in its
// own thread (~0.5–1 s start-up per worker, see analysis/parallel/pool.ts); the bundle has no
// separate module for it. Every caller finds it at '../reports/chart-render.mjs' relative to its
// own module (reports/*.ts and dist/cli.mjs both sit one level below the root).
//
// Why lazily: importing vega and vega-lite costs ~0.3 s of CPU, which every process (`--help`,
// `labels`, a `--stage` run) paid at start-up when the report modules imported them statically.

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';
import { isMainThread, parentPort, threadId, workerData } from 'node:worker_threads';

/** The role a worker is started with (workerData.role), so importing this file never starts a loop by accident. */
export const WORKER_ROLE = 'topic-trends-chart-render';

/**
 * Version of the messages between chart-renderer.ts and this file. dist/cli.mjs bundles the
 * former but loads this file from the sources, so a stale bundle could meet a newer file: a
 * worker started for another version refuses to serve (the caller then draws in its own thread,
 * and chartRenderModule() refuses too) instead of waiting for messages it cannot read.
 */
export const PROTOCOL = 2;

/** @type {Promise<typeof import('vega')> | undefined} */
let vegaModule;
/** @type {Promise<typeof import('vega-lite')> | undefined} */
let vegaLiteModule;
/** @type {Promise<{ vega: typeof import('vega'), vegaLite: typeof import('vega-lite') } | undefined> | undefined} */
let bundleModule;
/** @type {CachedBundle | undefined} */
let loadedBundle;

/** The installed version of an npm package, from its package.json (vega does not export it). */
function installedVersion(/** @type {string} */ name) {
  const main = createRequire(import.meta.url).resolve(name);
  const dir = main.slice(0, main.lastIndexOf(`node_modules/${name}/`) + `node_modules/${name}/`.length);
  return JSON.parse(readFileSync(`${dir}package.json`, 'utf8')).version;
}

/**
 * The file name of vega and vega-lite bundled into one file for the installed versions (the
 * build writes it: scripts/build.mjs imports this). A version the name does not carry is never
 * loaded, so the bundle cannot be stale.
 */
export function vegaBundleName() {
  return `vega-${installedVersion('vega')}-lite-${installedVersion('vega-lite')}.cjs`;
}

/**
 * Where the build puts the vega bundle (vegaBundleName) in `dist`. Loading the packages module by
 * module cost ~0.3 s of the report's critical path, the bundle ~0.1 s. The same code either way.
 */
export function vegaBundleUrl(dist = new URL('../dist/', import.meta.url)) {
  return new URL(vegaBundleName(), dist);
}

/** The bundle of the installed versions when it is built (else undefined: the packages are imported). */
function loadBundle() {
  bundleModule ??= (async () => {
    try {
      const path = fileURLToPath(vegaBundleUrl());
      if (!existsSync(path)) return undefined;
      loadedBundle = loadCachedBundle(path);
      return /** @type {{ vega: typeof import('vega'), vegaLite: typeof import('vega-lite') }} */ (loadedBundle.exports);
    } catch {
      return undefined; // no bundle to be had: the packages
    }
  })();
  return bundleModule;
}

/**
 * Writes the code cache of the vega bundle this thread loaded, when it came without a usable one
 * (see loadCachedBundle); call it once the report's charts are drawn, so that the cache holds the
 * code they ran. Returns whether it wrote one.
 */
export function saveVegaCodeCache() {
  return loadedBundle !== undefined && !loadedBundle.cacheAccepted && loadedBundle.saveCache();
}

/**
 * @typedef {{ exports: unknown, cacheAccepted: boolean, saveCache(): boolean }} CachedBundle
 */

/**
 * Runs a CommonJS bundle (the vega bundle) through V8's code cache: the compiled code of the
 * functions a run used, kept beside the bundle, instead of compiling them again. Loading vega and
 * drawing a first chart took ~230 ms of CPU compiling, ~110 ms from the cache (a throwaway script,
 * 3 fresh processes each). The cache is named after a hash of the bundle's text (V8 checks only
 * its length, its own version and its flags: a rebuilt bundle of the same length must not meet the
 * old cache), and V8 rejects one made by another version or with other flags: then the code is
 * compiled as without, and saveCache() writes a new one (the flags: see the comment inside).
 * `cacheAccepted`: whether the code came from the cache. saveCache() writes the cache (atomically;
 * a read-only folder is no error) and removes the bundle's other caches.
 * @param {string} path
 * @returns {CachedBundle}
 */
export function loadCachedBundle(path) {
  const source = readFileSync(path, 'utf8');
  const digest = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const cachePath = `${path}.${digest}.v8cache`;
  /** @type {Buffer | undefined} */
  let cachedData;
  try {
    cachedData = readFileSync(cachePath);
  } catch {
    cachedData = undefined;
  }
  // V8 takes a cache only when its flags hash as they did when the cache was made, and a run sets
  // --expose-gc once a worker pool collects garbage (analysis/parallel/collect.ts): before the
  // report in a pooled run, never in a one-thread run, so each kind rejected the other's cache
  // and wrote its own. Set here, it is the same for every load (it only lets new contexts call gc()).
  setFlagsFromString('--expose-gc');
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: path, cachedData });
  const cacheAccepted = cachedData !== undefined && script.cachedDataRejected === false;
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(path), module, path, dirname(path));
  return {
    exports: module.exports,
    cacheAccepted,
    saveCache() {
      try {
        writeAtomic(cachePath, script.createCachedData());
        const prefix = `${basename(path)}.`;
        for (const f of readdirSync(dirname(path))) {
          if (f.startsWith(prefix) && f.endsWith('.v8cache') && join(dirname(path), f) !== cachePath) rmSync(join(dirname(path), f), { force: true });
        }
        return true;
      } catch {
        return false;
      }
    },
  };
}

/**
 * Writes `contents` beside `path` and renames it over it: a reader (another process, another
 * thread) never sees half a file. The build writes its bundles this way too (scripts/build.mjs).
 * @param {string} path
 * @param {string | Uint8Array} contents
 */
export function writeAtomic(path, contents) {
  const tmp = `${path}.${process.pid}-${threadId}.tmp`;
  try {
    writeFileSync(tmp, contents);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** vega, imported once per thread (the render workers need only this one). */
export function loadVega() {
  vegaModule ??= loadBundle().then((b) => b?.vega ?? import('vega'));
  return vegaModule;
}

/** vega-lite, imported once per thread. */
export function loadVegaLite() {
  vegaLiteModule ??= loadBundle().then((b) => b?.vegaLite ?? import('vega-lite'));
  return vegaLiteModule;
}

/**
 * Compiles a Vega-Lite spec with the vega-lite module given (see loadVegaLite); every warning
 * vega-lite logs is collected (a warning means a chart that silently drops an encoding). Returns
 * the Vega spec as JSON text: each user parses its own copy (vega's parser may annotate what it
 * reads, the page adds legend interactivity). Synchronous, so a caller can compile a batch and
 * hand each chart to a worker before it yields.
 * @returns {{ compiled: string, warnings: string[] }}
 */
export function compileWith(vegaLite, spec) {
  /** @type {string[]} */
  const warnings = [];
  let level = 2;
  const logger = {
    level(value) {
      if (value === undefined) return level;
      level = value;
      return logger;
    },
    error(...args) {
      warnings.push(`error: ${args.map(String).join(' ')}`);
      return logger;
    },
    warn(...args) {
      warnings.push(args.map(String).join(' '));
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  const { spec: vega } = vegaLite.compile(spec, { logger });
  return { compiled: JSON.stringify(vega), warnings };
}

/** compileWith, loading vega-lite first. */
export async function compileChart(spec) {
  return compileWith(await loadVegaLite(), spec);
}

/**
 * Renders a compiled Vega spec (JSON text) to vega's SVG text (not yet compacted). Vega runs
 * headless with renderer 'none' and no loader access: our specs carry their data inline, so
 * nothing is fetched, and without the optional 'canvas' package vega estimates text widths from
 * font size. Rejects when the spec tries to load anything (vega would only log the failure and
 * draw an empty chart): a chart that needs the network is a bug.
 *
 * vega numbers gradients and clip paths from counters global to the thread (gradient_0, clip1):
 * they are reset before every chart, so a chart's SVG depends on its spec alone, not on which
 * thread drew it, what it drew before, or how many reports the process made.
 * @returns {Promise<string>}
 */
export async function renderCompiled(compiled) {
  return renderCompiledWith(await loadVega(), compiled);
}

/**
 * renderCompiled with the vega module given (the bundle's or the package's: see loadVega).
 * @param {typeof import('vega')} vega
 * @param {string} compiled
 * @returns {Promise<string>}
 */
export async function renderCompiledWith(vega, compiled) {
  /** @type {string[]} */
  const refused = [];
  vega.resetSVGDefIds();
  const view = new vega.View(vega.parse(JSON.parse(compiled)), { renderer: 'none', loader: refusingLoader(vega, refused), logLevel: vega.None });
  try {
    const svg = await view.toSVG();
    if (refused.length > 0) throw new Error(`report charts must not load anything (asked for ${refused.join(', ')})`);
    return svg;
  } finally {
    view.finalize();
  }
}

// Names of the signals a chart family's template reads its members' values from.
const FAMILY = '__family_';

/**
 * A compiled spec as a template its family shares: the spec with the parts that vary from chart
 * to chart (the title text, the description, inline data values, literal scale domains and
 * ranges) turned into signals and named data set per chart, and those parts. Charts whose
 * templates are equal (the key) differ only in those parts, so vega parses their spec once.
 * Undefined (the chart is drawn alone) when the spec has gradients (vega numbers them as it
 * creates them: kept out to be safe) or inline data with a format (view.data() takes tuples as
 * they are, unparsed).
 * @returns {{ key: string, template: object, signals: [string, unknown][], data: [string, unknown[]][], description: unknown } | undefined}
 */
function familyTemplate(compiled) {
  if (compiled.includes('gradient')) return undefined;
  const spec = JSON.parse(compiled);
  /** @type {[string, unknown][]} */
  const signals = [];
  /** @type {[string, unknown[]][]} */
  const data = [];
  const template = { ...spec };
  let formatted = false;
  if (template.title && typeof template.title === 'object' && typeof template.title.text === 'string') {
    signals.push([`${FAMILY}title`, template.title.text]);
    template.title = { ...template.title, text: { signal: `${FAMILY}title` } };
  }
  const description = template.description;
  template.description = '';
  if (Array.isArray(template.data)) {
    template.data = template.data.map((d) => {
      if (!Array.isArray(d.values)) return d;
      if (d.format !== undefined) formatted = true;
      data.push([d.name, d.values]);
      const { values, ...rest } = d;
      return rest;
    });
  }
  if (formatted) return undefined;
  if (Array.isArray(template.scales)) {
    template.scales = template.scales.map((s) => {
      const out = { ...s };
      for (const [prop, tag] of [['domain', 'd'], ['range', 'r']]) {
        if (!Array.isArray(s[prop]) || !s[prop].every(isPrimitive)) continue;
        const name = `${FAMILY}${tag}_${s.name}`;
        signals.push([name, s[prop]]);
        out[prop] = { signal: name };
      }
      return out;
    });
  }
  const own = template.signals ?? [];
  // The key leaves the values out (they are this chart's); the template starts with them.
  const key = JSON.stringify({ ...template, signals: [...own, ...signals.map(([name]) => ({ name }))] });
  template.signals = [...own, ...signals.map(([name, value]) => ({ name, value }))];
  return { key, template, signals, data, description };
}

function isPrimitive(v) {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** A vega loader that refuses every load, recording what was asked for (see renderCompiled). */
function refusingLoader(vega, refused) {
  const loader = vega.loader();
  loader.load = async (uri) => {
    refused.push(uri);
    throw new Error(`report charts must not load anything (asked for ${uri})`);
  };
  return loader;
}

/**
 * renderCompiled for many charts, in order, each SVG the same as renderCompiled's (tested). Charts
 * of one family (familyTemplate: the per-topic trend charts, which differ only in title, data and
 * colours) share one parse of their spec, ~5 ms a chart when cold; each still gets a View of its
 * own. A chart without a family, or that fails through its family's parse, is drawn alone.
 * `parsesShared` counts the charts drawn from a parse made for an earlier one.
 * @returns {Promise<{ results: ({ svg: string } | { error: string })[], parsesShared: number }>}
 */
export async function renderCompiledMany(compiledList) {
  const vega = await loadVega();
  const parts = compiledList.map(familyTemplate);
  /** @type {Map<string, number>} */
  const members = new Map();
  for (const p of parts) if (p) members.set(p.key, (members.get(p.key) ?? 0) + 1);
  /** @type {Map<string, unknown>} the parsed template of each family drawn so far (null: it did not parse) */
  const runtimes = new Map();
  const results = [];
  let parsesShared = 0;
  for (let i = 0; i < compiledList.length; i++) {
    const p = parts[i];
    let svg;
    if (p && members.get(p.key) > 1) {
      const parsed = runtimes.has(p.key);
      svg = await drawFromTemplate(vega, p, runtimes);
      if (svg !== undefined && parsed) parsesShared++;
    }
    try {
      results.push({ svg: svg ?? (await renderCompiled(compiledList[i])) });
    } catch (e) {
      results.push({ error: e instanceof Error ? e.message : String(e) });
    }
  }
  return { results, parsesShared };
}

/**
 * One chart of a family through its parsed template (parsed on first use, kept in `runtimes`), in
 * a View of its own (a reused View keeps the items whose key survives a change, such as an axis
 * tick at the same value, in their old place, so its SVG could list them in another order than a
 * fresh View does). Undefined when that fails: the caller draws the chart alone.
 */
async function drawFromTemplate(vega, parts, runtimes) {
  /** @type {string[]} */
  const refused = [];
  try {
    if (!runtimes.has(parts.key)) {
      let runtime = null;
      try {
        runtime = vega.parse(parts.template);
      } finally {
        runtimes.set(parts.key, runtime);
      }
    }
    const runtime = runtimes.get(parts.key);
    if (runtime === null) return undefined;
    vega.resetSVGDefIds();
    const view = new vega.View(runtime, { renderer: 'none', loader: refusingLoader(vega, refused), logLevel: vega.None });
    try {
      for (const [name, value] of parts.signals) view.signal(name, value);
      for (const [name, values] of parts.data) view.data(name, values);
      view.description(parts.description);
      const svg = await view.toSVG();
      return refused.length === 0 ? svg : undefined;
    } finally {
      view.finalize();
    }
  } catch {
    return undefined;
  }
}

/**
 * Worker loop: the calling thread compiles each chart and posts {index, compiled}; the worker
 * draws them one at a time, in arrival order, and replies {index, svg} or {index, failure}; after
 * {end: true} it replies {done: true} once everything before it is drawn. Compiling stays with
 * the calling thread, which has time to spare while the workers draw: a worker then needs only
 * vega, and starts drawing while later charts are still being compiled.
 */
function serve() {
  const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
  void loadVega(); // start loading while the calling thread builds and compiles the specs
  let queue = Promise.resolve();
  port.on('message', (/** @type {{ index: number, compiled: string } | { end: true }} */ job) => {
    queue = queue.then(async () => {
      if ('end' in job) {
        port.postMessage({ done: true });
        return;
      }
      try {
        port.postMessage({ index: job.index, svg: await renderCompiled(job.compiled) });
      } catch (e) {
        port.postMessage({ index: job.index, failure: e instanceof Error ? e.message : String(e) });
      }
    });
  });
}

if (!isMainThread && workerData?.role === WORKER_ROLE) {
  if (workerData.protocol !== PROTOCOL) {
    throw new Error(`chart-render.mjs speaks protocol ${PROTOCOL}, its caller ${workerData.protocol}: rebuild dist/ (node scripts/build.mjs)`);
  }
  serve();
}
