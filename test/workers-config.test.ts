// How many threads the shared worker pool uses: the config's `workers`, else the environment,
// else one per core; a bad value is the user's error (exit 2), not a crash.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../pipeline/config.ts';
import { ConfigError } from '../pipeline/errors.ts';
import { renewSharedWorkerPool, retireSharedWorkerPool, sharedWorkerPool, sharedWorkerPoolStarted, sharedWorkerPoolWarm, workerThreads } from '../pipeline/workers/shared-pool.ts';

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

describe('retiring the shared pool', () => {
  it('terminates its workers and the next request starts a fresh pool; without a pool it does nothing', async () => {
    await retireSharedWorkerPool(); // none started yet: a no-op
    expect(sharedWorkerPoolStarted()).toBe(false);
    const first = await sharedWorkerPool(2);
    expect(first.threads).toBe(2);
    expect(await sharedWorkerPool(2)).toBe(first);
    await retireSharedWorkerPool();
    expect(() => first.run('echo', { value: 1 })).toThrow(/after close/);
    const second = await sharedWorkerPool(2);
    expect(second).not.toBe(first);
    expect(second.run('echo', { value: 1 })).toEqual([{ value: 1, part: 0, parts: 2 }, { value: 1, part: 1, parts: 2 }]);
    await retireSharedWorkerPool();
  }, 60_000);

  it('renewing closes the pool and has the next one starting before anyone asks for it', async () => {
    const first = await sharedWorkerPool(2);
    await renewSharedWorkerPool(2);
    expect(() => first.run('echo', { value: 1 })).toThrow(/after close/);
    expect(sharedWorkerPoolStarted()).toBe(true);
    const second = await sharedWorkerPool(2);
    expect(second).not.toBe(first);
    expect(second.run('echo', { value: 2 })).toEqual([{ value: 2, part: 0, parts: 2 }, { value: 2, part: 1, parts: 2 }]);
    await retireSharedWorkerPool();
  }, 60_000);

  it('renewing starts the next pool before the old one has closed, so a caller need not wait for the close', async () => {
    const first = await sharedWorkerPool(2);
    const closed = renewSharedWorkerPool(2);
    expect(sharedWorkerPoolStarted()).toBe(true); // started in the call itself, not after the close
    const second = sharedWorkerPool(2);
    await closed;
    expect(await second).not.toBe(first);
    expect(() => first.run('echo', { value: 1 })).toThrow(/after close/);
    expect((await second).run('echo', { value: 3 })).toEqual([{ value: 3, part: 0, parts: 2 }, { value: 3, part: 1, parts: 2 }]);
    await retireSharedWorkerPool();
  }, 60_000);

  it('knows what its pool was warmed with: the first request decides, a renewed pool is cold', async () => {
    expect(sharedWorkerPoolWarm()).toEqual([]);
    const warmed = await sharedWorkerPool(2, ['tokenizer']);
    expect(sharedWorkerPoolWarm()).toEqual(['tokenizer']);
    expect(warmed.run<{ wink: boolean }>('loaded', null)[1]).toEqual({ wink: true });
    expect(await sharedWorkerPool(2)).toBe(warmed); // a later request gets the same pool, as it is
    expect(sharedWorkerPoolWarm()).toEqual(['tokenizer']);
    await renewSharedWorkerPool(2);
    expect(sharedWorkerPoolWarm()).toEqual([]);
    expect((await sharedWorkerPool(2)).run<{ wink: boolean }>('loaded', null)[1]).toEqual({ wink: false });
    await retireSharedWorkerPool();
    expect(sharedWorkerPoolWarm()).toEqual([]);
  }, 60_000);
});
