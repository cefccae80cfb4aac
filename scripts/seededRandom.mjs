// mulberry32, for the scripts (server/src/model/batching.ts's seededRandom is the same generator for the TypeScript
// code): the same seed gives the same numbers, so an augmented file or a sample is reproduced exactly.
/** Numbers in [0, 1) from a 32-bit seed. */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
