// A fixed amount of work timed before each benchmark round, so that a round's figures can be read
// against how fast the machine was at that moment. On the shared build machine a loop of
// arithmetic took the same time from run to run (1.92–1.96 s over 6 runs of a longer version of
// the loops below) while random reads and writes over a table larger than the CPU caches took
// 2.66–4.03 s: memory is shared with whatever else the host runs. Both pipelines are largely bound
// by memory (hash lookups, sparse products), so a round whose memory probe was slow is a slow round
// for both systems, and a ratio taken within a round is fairer than one between rounds.

/** Milliseconds of each probe: `aluMs` for arithmetic only, `memoryMs` for random access beyond the caches. */
export interface NoiseProbe {
  aluMs: number;
  memoryMs: number;
}

/** Slots of the random-access table: 64 MiB of Int32, twice the largest L3 of our machines. */
const MEMORY_SLOTS = 1 << 24;
const MEMORY_STEPS = 1 << 24;
const ALU_STEPS = 100_000_000;

/** Times the two probes (~1.5 s together on the build machine). */
export function probeMachine(): NoiseProbe {
  let t = performance.now();
  let x = 1;
  for (let i = 0; i < ALU_STEPS; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
  const aluMs = performance.now() - t;
  const table = new Int32Array(MEMORY_SLOTS);
  t = performance.now();
  // A multiplicative hash of the step visits the slots in an order the prefetcher cannot follow
  // (x, the arithmetic's result, keeps that loop from being dropped).
  for (let i = 0; i < MEMORY_STEPS; i++) table[Math.imul(i, -1640531535) & (MEMORY_SLOTS - 1)]! += i ^ x;
  const memoryMs = performance.now() - t;
  return { aluMs: Math.round(aluMs), memoryMs: Math.round(memoryMs) };
}

/** "memory 2.66–4.03 s, arithmetic 1.92–1.96 s": the spread of the probes over a benchmark's rounds. */
export function formatProbes(probes: readonly NoiseProbe[]): string {
  if (probes.length === 0) return 'machine probe: not run';
  const range = (values: number[]): string => {
    const lo = Math.min(...values) / 1000;
    const hi = Math.max(...values) / 1000;
    return lo === hi ? `${lo.toFixed(2)} s` : `${lo.toFixed(2)}–${hi.toFixed(2)} s`;
  };
  return `machine probe before each round (fixed work; slower = a slower machine at that moment): memory ${range(probes.map((p) => p.memoryMs))}, arithmetic ${range(probes.map((p) => p.aluMs))}`;
}
