import { assert } from '../core/assert';
import { seededRandom } from './seeded-random';

/**
 * A seeded, probabilistic mix of faults for a simulated payee (issue 14): each request draws at most one fault,
 * each fault with its own share of requests (0.1 is 10 %), the rest served normally. The same seed draws the same
 * sequence, so a campaign that found a violation can be run again the same way.
 */
export type FaultShares<Fault extends string> = Readonly<Record<Fault, number>>;

export class FaultMix<Fault extends string> {
  private readonly random: () => number;
  private readonly cumulative: readonly (readonly [Fault, number])[];
  private readonly drawnCounts = new Map<Fault | 'none', number>();

  constructor(shares: FaultShares<Fault>, seed: number) {
    assert(Number.isSafeInteger(seed), 'a fault mix seed is a whole number');
    let total = 0;
    const cumulative: [Fault, number][] = [];
    for (const [fault, share] of Object.entries(shares) as [Fault, number][]) {
      assert(Number.isFinite(share) && share >= 0 && share <= 1, `the share of ${fault} is 0 to 1, got ${share}`);
      total += share;
      cumulative.push([fault, total]);
    }
    // A rounding error of the sum (5 × 0.2) must not refuse a mix that faults every request.
    assert(total <= 1 + 1e-9, `the faults' shares add up to at most 1, got ${total}`);
    this.cumulative = cumulative;
    this.random = seededRandom(seed);
  }

  /** The fault for the next request, or null to serve it normally. */
  draw(): Fault | null {
    const value = this.random();
    const found = this.cumulative.find(([, upTo]) => value < upTo);
    const fault = found === undefined ? null : found[0];
    this.drawnCounts.set(fault ?? 'none', (this.drawnCounts.get(fault ?? 'none') ?? 0) + 1);
    return fault;
  }

  /** How many requests drew each fault so far ('none': served normally). */
  counts(): Record<string, number> {
    return Object.fromEntries(this.drawnCounts);
  }
}

/** The same share for every fault of a list: the campaign's `--fault-percent`. */
export function evenShares<Fault extends string>(faults: readonly Fault[], share: number): FaultShares<Fault> {
  return Object.fromEntries(faults.map((fault) => [fault, share])) as Record<Fault, number>;
}
