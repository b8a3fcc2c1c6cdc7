// The V8 flags topic-trends runs with. They must be given on node's command line (the main
// thread's heap is sized when node starts), so they are written out in three places that a test
// keeps equal to this list: the shebang of bin/topic-trends.mjs (npx topic-trends), package.json's
// start and topic-trends scripts (npm start), and the benchmark's command line (bench/systems.ts
// reads this list). Worker threads inherit them.
//
// --max-semi-space-size=32 (MB; node 20's default is 16): a young generation twice as large.
// Ingest and tokenize allocate many short-lived strings and small arrays while holding on to
// ~100 MB of live data, and with the default semi-space a scavenge ran every few milliseconds,
// copying survivors each time. Measured on arXiv (74,728 abstracts, k = 30), alternated with the
// default, 3 runs each: wall −0.8 s (−4 to −6 %), user CPU −1.2 s, peak RSS +40 MB (within this
// machine's noise). 64 MB was no faster and used ~100 MB more.
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];
