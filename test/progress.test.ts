import { describe, expect, it } from 'vitest';
import { createLogger } from '../pipeline/log.ts';
import { createProgress, formatProgressLine, type ProgressStream } from '../pipeline/progress.ts';

/** A stream that records what was written; isTTY as given. */
function fakeStream(isTTY: boolean, columns?: number): ProgressStream & { out: string } {
  const s = { isTTY, columns, out: '', write(chunk: string) { s.out += chunk; return true; } };
  return s;
}

const CONTROL = /[\r\x1b]/;

describe('progress line', () => {
  it('formats a bar with a total and a counter without one', () => {
    expect(formatProgressLine('tokenize', 12.34, 30_000, 75_000)).toBe('tokenize     12.3 s  [########------------]  40%  30,000/75,000');
    expect(formatProgressLine('ingest', 3, 12_000)).toBe('ingest        3.0 s  12,000');
    expect(formatProgressLine('reduce', 0.04)).toBe('reduce        0.0 s');
    // Past the total (a stage that guessed low) the bar stays full rather than overflowing.
    expect(formatProgressLine('x', 1, 12, 10)).toContain('[####################] 100%');
  });

  it('is off (undefined) for a stream that is not a TTY, and for TERM=dumb', () => {
    expect(createProgress({ stream: fakeStream(false), env: {} })).toBeUndefined();
    expect(createProgress({ stream: { write: () => true }, env: {} })).toBeUndefined();
    expect(createProgress({ stream: fakeStream(true), env: { TERM: 'dumb' } })).toBeUndefined();
    expect(createProgress({ stream: fakeStream(true), env: { TERM: 'xterm' } })).toBeDefined();
  });

  it('draws in place on a TTY: erase-line + text, throttled updates, erased at the end', () => {
    const stream = fakeStream(true);
    let t = 0;
    const p = createProgress({ stream, env: {}, now: () => t, minIntervalMs: 100, tickMs: 0 })!;
    p.begin('ingest');
    expect(stream.out).toBe('\r\x1b[2Kingest        0.0 s');
    t = 50;
    p.update(1000); // within 100 ms of the last draw: not drawn
    expect(stream.out).toBe('\r\x1b[2Kingest        0.0 s');
    t = 1500;
    p.update(2000, 4000);
    expect(stream.out.endsWith('\r\x1b[2Kingest        1.5 s  [##########----------]  50%  2,000/4,000')).toBe(true);
    p.end('ingest', 'done');
    expect(stream.out.endsWith('\r\x1b[2K')).toBe(true);
    // After the end nothing is drawn until the next stage begins.
    const before = stream.out;
    p.update(5);
    expect(stream.out).toBe(before);
  });

  it('log lines go above the live line, which is drawn again below them', () => {
    const stream = fakeStream(true);
    let t = 0;
    const progress = createProgress({ stream, env: {}, now: () => t, tickMs: 0 })!;
    const log = createLogger({ progress });
    progress.begin('tokenize');
    t = 2000;
    log.info('tokenize: 10 papers');
    expect(stream.out).toBe('\r\x1b[2Ktokenize      0.0 s' + '\r\x1b[2K' + 'tokenize: 10 papers\n' + '\r\x1b[2Ktokenize      2.0 s');
    progress.end('tokenize', 'done');
    // Between stages a log line is just a line.
    stream.out = '';
    log.info('published');
    expect(stream.out).toBe('published\n');
  });

  it('cuts the line to the terminal width so it never wraps', () => {
    const stream = fakeStream(true, 20);
    const p = createProgress({ stream, env: {}, now: () => 0, tickMs: 0 })!;
    p.begin('vectorize');
    p.update(1, 100_000);
    for (const part of stream.out.split('\r\x1b[2K')) expect(part.length).toBeLessThanOrEqual(19);
  });

  it('the elapsed clock ticks while a stage waits, and the timer stops at the end', async () => {
    const stream = fakeStream(true);
    const p = createProgress({ stream, env: {}, tickMs: 5 })!;
    p.begin('report');
    await new Promise((r) => setTimeout(r, 40));
    const draws = stream.out.split('\r\x1b[2K').length;
    expect(draws).toBeGreaterThan(2);
    p.end('report', 'done');
    const after = stream.out;
    await new Promise((r) => setTimeout(r, 30));
    expect(stream.out).toBe(after);
  });

  it('with json, the logger ignores the progress line (machine output stays clean)', () => {
    const stream = fakeStream(true);
    const lines: string[] = [];
    const progress = createProgress({ stream, env: {}, tickMs: 0 })!;
    const log = createLogger({ json: true, progress, write: (l) => lines.push(l) });
    log.info('hello');
    expect(lines).toHaveLength(1);
    expect(CONTROL.test(lines[0]!)).toBe(false);
    expect(stream.out).toBe('');
  });

  it('checks its options', () => {
    expect(() => createProgress({ stream: fakeStream(true), env: {}, minIntervalMs: -1 })).toThrow(/minIntervalMs/);
    expect(() => createProgress({ stream: fakeStream(true), env: {}, tickMs: Number.NaN })).toThrow(/tickMs/);
  });
});
