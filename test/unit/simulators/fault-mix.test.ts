import { evenShares, FaultMix } from '../../../simulators/fault-mix';

describe('a seeded fault mix', () => {
  const faults = ['slow', 'decline', 'drop', 'garbage', 'error'] as const;

  it('gives each fault about its share of requests, and serves the rest normally', () => {
    const mix = new FaultMix(evenShares(faults, 0.1), 14);
    for (let draw = 0; draw < 20_000; draw++) mix.draw();
    const counts = mix.counts();
    for (const fault of faults) {
      expect(counts[fault]).toBeGreaterThan(1_800);
      expect(counts[fault]).toBeLessThan(2_200);
    }
    expect(counts['none']).toBeGreaterThan(9_600);
    expect(counts['none']).toBeLessThan(10_400);
  });

  it('draws the same sequence from the same seed, and another from another seed', () => {
    const sequence = (seed: number): (string | null)[] => {
      const mix = new FaultMix(evenShares(faults, 0.1), seed);
      return Array.from({ length: 200 }, () => mix.draw());
    };
    expect(sequence(7)).toEqual(sequence(7));
    expect(sequence(7)).not.toEqual(sequence(8));
  });

  it('faults every request at 20 % each of five, none at 0 %', () => {
    const full = new FaultMix(evenShares(faults, 0.2), 1);
    const none = new FaultMix(evenShares(faults, 0), 1);
    for (let draw = 0; draw < 1_000; draw++) {
      expect(full.draw()).not.toBeNull();
      expect(none.draw()).toBeNull();
    }
  });

  it('refuses shares that add up to more than every request, or a share outside 0 to 1', () => {
    expect(() => new FaultMix(evenShares(faults, 0.25), 1)).toThrow(/add up to at most 1/);
    expect(() => new FaultMix({ slow: -0.1 }, 1)).toThrow(/share of slow is 0 to 1/);
  });
});
