// Draws the report's charts (Vega-Lite → Vega → SVG) on worker threads, so the ~40 renders
// (10–150 ms each in vega) run beside the main thread's own work (report model, exports) and
// in small heaps: on the main thread, with the pipeline's large heap, every collection is a big one.
//
// The calling thread compiles (vega-lite; a family of charts such as the per-topic trends once:
// chart-families.ts) and hands each compiled chart to a worker at once; the workers only draw
// (vega). A ChartRenderer is started before the specs exist: the workers import vega, and the
// calling thread vega-lite (prepare()), while the model is built. With no workers
// everything happens in the calling thread (the same code, chart-render.mjs). A worker that cannot
// start or dies leaves its charts to the calling thread: a chart never goes missing for lack of
// threads.
//
// Output does not depend on the thread count: each chart's SVG is a function of its spec alone
// (see renderCompiled in chart-render.mjs).

import { Worker } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';
import { compileCharts } from './chart-families.ts';
import { compactSvg } from './svg-compact.ts';

/** A chart drawn: the compiled Vega spec (JSON text), vega-lite's warnings, the compacted SVG. */
export interface ChartDrawing {
  /** The Vega spec vega-lite made, as JSON text; undefined when the spec did not compile. */
  compiled?: string;
  warnings: string[];
  /** Compacted SVG (svg-compact.ts); '' when the chart did not render. */
  svg: string;
  /** Why it has no SVG. */
  error?: string;
}

interface RawDrawing {
  compiled: string;
  warnings: string[];
  svg: string;
  error?: string;
}

/** What chart-render.mjs exports (it is plain JavaScript, loaded by URL: see its header). */
interface ChartRenderModule {
  PROTOCOL: number;
  loadVegaLite(): Promise<unknown>;
  compileWith(vegaLite: unknown, spec: TopLevelSpec): { compiled: string; warnings: string[] };
  compileChart(spec: TopLevelSpec): Promise<{ compiled: string; warnings: string[] }>;
  renderCompiled(compiled: string): Promise<string>;
  renderCompiledMany(compiled: string[]): Promise<{ results: ({ svg: string } | { error: string })[]; parsesShared: number }>;
  /** Absent from a chart-render.mjs older than the bundle that loads it. */
  saveVegaCodeCache?(): boolean;
}

type WorkerReply = { index: number; svg: string } | { index: number; failure: string } | { done: true };

// reports/*.ts and dist/cli.mjs both sit one level below the root (see chart-render.mjs).
// WORKER_ROLE and PROTOCOL are chart-render.mjs's own: a worker started with both serves charts.
const WORKER_ROLE = 'topic-trends-chart-render';
const PROTOCOL = 2;
const MODULE_URL = new URL('../reports/chart-render.mjs', import.meta.url);

let inThread: Promise<ChartRenderModule> | undefined;

/** chart-render.mjs in the calling thread (it imports vega and vega-lite on first use). */
export function chartRenderModule(): Promise<ChartRenderModule> {
  inThread ??= (import(MODULE_URL.href) as Promise<ChartRenderModule>).then((m) => {
    if (m.PROTOCOL !== PROTOCOL) throw new Error(`${MODULE_URL.pathname} speaks protocol ${m.PROTOCOL}, this build ${PROTOCOL}: rebuild dist/ (node scripts/build.mjs)`);
    return m;
  });
  return inThread;
}

function drawing(raw: RawDrawing): ChartDrawing {
  return { compiled: raw.compiled, warnings: raw.warnings, svg: raw.svg ? compactSvg(raw.svg) : '', ...(raw.error ? { error: raw.error } : {}) };
}

function failed(error: string): ChartDrawing {
  return { warnings: [], svg: '', error };
}

/** A render worker, and whether it has exited (a worker that failed to load vega exits at once). */
interface RenderWorker {
  worker: Worker;
  exited: boolean;
}

export class ChartRenderer {
  private readonly workers: RenderWorker[];
  private used = false;
  private closed = false;
  private compiler?: { module: ChartRenderModule; vegaLite: unknown };

  private constructor(workers: RenderWorker[]) {
    this.workers = workers;
  }

  /**
   * Starts `workers` render workers (0: draw() works in the calling thread). Returns at once;
   * the workers load vega meanwhile.
   */
  static start(workers: number): ChartRenderer {
    const started: RenderWorker[] = [];
    for (let i = 0; i < workers; i++) {
      try {
        const entry: RenderWorker = { worker: new Worker(MODULE_URL, { workerData: { role: WORKER_ROLE, protocol: PROTOCOL } }), exited: false };
        // An error before draw() (vega failed to load) must not become an uncaught 'error' event.
        entry.worker.on('error', () => {});
        entry.worker.once('exit', () => {
          entry.exited = true;
        });
        started.push(entry);
      } catch {
        // drawn in the calling thread instead
      }
    }
    return new ChartRenderer(started);
  }

  /** Render workers running (0: charts are drawn in the calling thread). */
  get threads(): number {
    return this.workers.filter((w) => !w.exited).length;
  }

  /**
   * Loads vega-lite in the calling thread. After it, draw() compiles every chart and hands it to
   * a worker before it first yields, so the workers draw while the caller goes on with other work.
   */
  async prepare(): Promise<void> {
    if (this.compiler) return;
    const module = await chartRenderModule();
    this.compiler = { module, vegaLite: await module.loadVegaLite() };
  }

  /**
   * Draws every spec; results in spec order. Calls `onDrawn` as each chart arrives. One call per
   * renderer: the workers end when it is done.
   */
  async draw(specs: TopLevelSpec[], onDrawn?: (index: number, chart: ChartDrawing) => void): Promise<ChartDrawing[]> {
    if (this.used) throw new Error('ChartRenderer.draw: a renderer draws one set of charts');
    this.used = true;
    const results: (ChartDrawing | undefined)[] = new Array(specs.length);
    const settle = (index: number, chart: ChartDrawing) => {
      results[index] = chart;
      onDrawn?.(index, chart);
    };
    try {
      const live = this.workers.filter((w) => !w.exited);
      if (live.length > 0) {
        if (!this.compiler) await this.prepare();
        const { module, vegaLite } = this.compiler!;
        const compiled: ({ compiled: string; warnings: string[] } | undefined)[] = new Array(specs.length);
        const replies = live.map((w) =>
          collectReplies(w, (index, reply) => {
            const c = compiled[index]!;
            settle(index, 'svg' in reply ? drawing({ ...c, svg: reply.svg }) : drawing({ ...c, svg: '', error: reply.failure }));
          }),
        );
        // Synchronous from here to the first await: every chart is compiled and handed on.
        const outcomes = compileCharts(specs, (spec) => module.compileWith(vegaLite, spec));
        for (let i = 0; i < specs.length; i++) {
          const r = outcomes[i]!;
          if ('error' in r) {
            settle(i, failed(r.error));
            continue;
          }
          compiled[i] = r;
          const w = live[i % live.length]!;
          if (!w.exited) w.worker.postMessage({ index: i, compiled: compiled[i]!.compiled });
        }
        for (const w of live) if (!w.exited) w.worker.postMessage({ end: true });
        await Promise.all(replies);
        // A worker that died left its charts: drawn here from their compiled spec.
        for (let i = 0; i < specs.length; i++) {
          const c = compiled[i];
          if (results[i] || !c) continue;
          settle(i, this.closed ? failed('the chart renderer was closed') : await drawCompiledHere(module, c));
        }
      } else {
        await this.drawHere(specs, settle);
      }
    } finally {
      await this.close();
    }
    // The next run loads the code this one compiled (a first run after a build writes it).
    this.compiler?.module.saveVegaCodeCache?.();
    return results as ChartDrawing[];
  }

  /**
   * Every chart in the calling thread: all compiled first, then drawn by renderCompiledMany, which
   * parses the spec of a family of charts (the per-topic trends) once.
   */
  private async drawHere(specs: TopLevelSpec[], settle: (index: number, chart: ChartDrawing) => void): Promise<void> {
    if (!this.compiler) await this.prepare();
    const { module, vegaLite } = this.compiler!;
    const compiled: { index: number; compiled: string; warnings: string[] }[] = [];
    compileCharts(specs, (spec) => module.compileWith(vegaLite, spec)).forEach((r, i) => {
      if ('error' in r) settle(i, failed(r.error));
      else compiled.push({ index: i, ...r });
    });
    if (this.closed) {
      for (const c of compiled) settle(c.index, failed('the chart renderer was closed'));
      return;
    }
    const { results } = await module.renderCompiledMany(compiled.map((c) => c.compiled));
    compiled.forEach((c, k) => {
      const r = results[k]!;
      settle(c.index, drawing({ compiled: c.compiled, warnings: c.warnings, svg: 'svg' in r ? r.svg : '', ...('error' in r ? { error: r.error } : {}) }));
    });
  }

  /** Ends the workers (also when draw() was never called). */
  async close(): Promise<void> {
    this.closed = true;
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
}

async function drawCompiledHere(module: ChartRenderModule, c: { compiled: string; warnings: string[] }): Promise<ChartDrawing> {
  try {
    return drawing({ ...c, svg: await module.renderCompiled(c.compiled) });
  } catch (e) {
    return drawing({ ...c, svg: '', error: e instanceof Error ? e.message : String(e) });
  }
}

/** Resolves when the worker has drawn everything sent before {end}, or has died. */
function collectReplies(entry: RenderWorker, onReply: (index: number, reply: { svg: string } | { failure: string }) => void): Promise<void> {
  const { worker } = entry;
  return new Promise((resolve) => {
    const finish = () => {
      worker.off('message', onMessage);
      worker.off('error', finish);
      worker.off('exit', finish);
      resolve();
    };
    const onMessage = (reply: WorkerReply) => {
      if ('done' in reply) finish();
      else onReply(reply.index, reply);
    };
    worker.on('message', onMessage);
    worker.on('error', finish);
    worker.on('exit', finish);
    if (entry.exited) finish();
  });
}
