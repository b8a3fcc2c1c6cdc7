// The node flags of pipeline/node-flags.ts reach node on every documented way of starting the
// pipeline: npx (the shebang of bin/topic-trends.mjs) and npm start / npm run topic-trends
// (package.json). The benchmark imports the list itself. compiled-build.test.ts checks that a run
// started through the shebang records them in its manifest.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_FLAGS } from '../pipeline/node-flags.ts';
import { REPO } from './helpers/cli.ts';

describe('node flags', () => {
  const flags = NODE_FLAGS.join(' ');

  it('are all V8 or node options', () => {
    expect(NODE_FLAGS.length).toBeGreaterThan(0);
    for (const f of NODE_FLAGS) expect(f).toMatch(/^--[a-z][a-z0-9-]*(=\S+)?$/);
  });

  it('are in the shebang of bin/topic-trends.mjs', () => {
    const first = readFileSync(join(REPO, 'bin/topic-trends.mjs'), 'utf8').split('\n')[0];
    expect(first).toBe(`#!/usr/bin/env -S node ${flags}`);
  });

  it('are in the package.json scripts that start the pipeline', () => {
    const scripts = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toBe(`node ${flags} bin/topic-trends.mjs run`);
    expect(scripts['topic-trends']).toBe(`node ${flags} bin/topic-trends.mjs`);
  });
});
