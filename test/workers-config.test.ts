// How many threads the shared worker pool uses: the config's `workers`, else the environment,
// else one per core; a bad value is the user's error (exit 2), not a crash.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../pipeline/config.ts';
import { ConfigError } from '../pipeline/errors.ts';
import { workerThreads } from '../pipeline/workers/shared-pool.ts';

describe('worker thread count', () => {
  it('takes the config first, then TOPIC_TRENDS_WORKERS, then the cores', () => {
    expect(workerThreads({ TOPIC_TRENDS_WORKERS: '2' }, 3)).toBe(3);
    expect(workerThreads({ TOPIC_TRENDS_WORKERS: '2' })).toBe(2);
    expect(workerThreads({})).toBe(availableParallelism());
  });

  it('refuses a bad environment value as a config error naming it', () => {
    expect(() => workerThreads({ TOPIC_TRENDS_WORKERS: 'two' })).toThrow(ConfigError);
    expect(() => workerThreads({ TOPIC_TRENDS_WORKERS: '0' })).toThrow(/TOPIC_TRENDS_WORKERS/);
  });

  it('validates the config key', () => {
    expect(resolveConfig({ workers: 1 }).workers).toBe(1);
    expect(resolveConfig({}).workers).toBeUndefined();
    expect(() => resolveConfig({ workers: 0 })).toThrow(/workers/);
  });
});
