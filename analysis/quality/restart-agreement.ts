import { adjustedRandIndex } from './agreement.ts';

/**
 * Mean adjusted Rand index over all pairs of k-means restarts: 1 when every restart finds the
 * same partition, near 0 when the partition is an accident of the seed. NaN with < 2 restarts.
 */
export function restartAgreement(restarts: readonly Int32Array[]): number {
  let sum = 0;
  let pairs = 0;
  for (let a = 0; a < restarts.length; a++) {
    for (let b = a + 1; b < restarts.length; b++) {
      sum += adjustedRandIndex(restarts[a]!, restarts[b]!);
      pairs++;
    }
  }
  return pairs ? sum / pairs : NaN;
}
