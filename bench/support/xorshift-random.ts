/**
 * A deterministic pseudo-random sequence in [0, 1) (xorshift32), so that every run of a bench draws the same payers,
 * payees and amounts: bench:ledger and bench:ledger-allocation draw from it alike.
 */
export function xorshiftRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}
