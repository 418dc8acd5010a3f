import { chaosDefaults, parseChaosOptions } from '../../../scripts/chaos/chaos-options';

const fixedSeed = (): number => 7;

describe('npm run chaos arguments', () => {
  it('takes --kills and --seed, in both spellings, and draws a seed when none is given', () => {
    expect(parseChaosOptions(['--kills', '5', '--seed', '42'], fixedSeed)).toEqual({ ...chaosDefaults, kills: 5, seed: 42 });
    expect(parseChaosOptions(['--kills=3'], fixedSeed)).toEqual({ ...chaosDefaults, kills: 3, seed: 7 });
    expect(parseChaosOptions([], fixedSeed)).toEqual({ ...chaosDefaults, kills: 100, seed: 7 });
  });

  it.each([
    [['--kills', '0'], '--kills takes a whole number from 1 to 10000, not 0'],
    [['--kills', '10001'], '--kills takes a whole number from 1 to 10000, not 10001'],
    [['--kills', '2.5'], '--kills takes a whole number from 1 to 10000, not "2.5"'],
    [['--kills'], '--kills needs a value'],
    [['--seed', '--kills', '3'], '--seed needs a value'],
    [['--seed', '-1'], '--seed takes a whole number from 0 to 4294967295, not "-1"'],
    [['--speed', '3'], 'unknown argument --speed'],
  ])('refuses %j with a sentence', (argv, message) => {
    expect(() => parseChaosOptions(argv, fixedSeed)).toThrow(message);
  });
});
