// The script text the report inlines: the vega runtime and vega-interpreter (the CSP-safe
// expression evaluator, so the page needs no 'unsafe-eval'). Nothing else runs in the report:
// specs are compiled to Vega in Node, so vega-lite and vega-embed stay out of the page.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The installed package's folder (its exports map hides package.json, so walk up from the entry). */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the folder of package ${name}`);
    dir = parent;
  }
}

/** Inline scripts must not contain anything that ends the script element early. */
function checkInlineable(name: string, source: string): string {
  if (/<\/script|<!--/i.test(source)) throw new Error(`${name} cannot be inlined: it contains "</script" or "<!--"`);
  return source;
}

let cached: { vega: string; interpreter: string } | undefined;

/**
 * vega.min.js (UMD: defines the global `vega`) and vega-interpreter rewritten from its ES module
 * build into a classic script that takes its three vega-util imports from the global `vega` and
 * sets `vega.expressionInterpreter`. Read once per process.
 */
export function vegaRuntimeScripts(): { vega: string; interpreter: string } {
  if (cached) return cached;
  const vega = readFileSync(join(packageDir('vega'), 'build', 'vega.min.js'), 'utf8');
  const esm = readFileSync(join(packageDir('vega-interpreter'), 'build', 'vega-interpreter.js'), 'utf8');
  const importLine = "import { ascending, isString, DisallowedObjectProperties } from 'vega-util';";
  const exportLine = 'export { expression as expressionInterpreter };';
  if (!esm.includes(importLine) || !esm.includes(exportLine)) {
    throw new Error('vega-interpreter build changed shape: update reports/html-runtime.ts');
  }
  const body = esm
    .replace(importLine, 'const { ascending, isString, DisallowedObjectProperties } = vega;')
    .replace(exportLine, 'vega.expressionInterpreter = expression;')
    .replace(/\/\/# sourceMappingURL=.*$/m, '');
  cached = {
    vega: checkInlineable('vega', vega.replace(/\/\/# sourceMappingURL=.*$/m, '')),
    interpreter: checkInlineable('vega-interpreter', `(function () {\n'use strict';\n${body}\n})();`),
  };
  return cached;
}
