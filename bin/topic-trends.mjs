#!/usr/bin/env -S node --max-semi-space-size=32
// Installed entry point: runs the compiled pipeline (dist/, see scripts/build.mjs), building it
// first when a source is newer, so plain node starts it without a TypeScript loader.
import { ensureBuilt } from '../scripts/build.mjs';

await ensureBuilt();
const { main } = await import('../dist/cli.mjs');
process.exitCode = await main(process.argv.slice(2));
