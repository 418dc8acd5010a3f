/** What one crash-loop campaign does: how many kills, from which seed, and how long the checks may wait. */
export type ChaosOptions = {
  kills: number;
  seed: number;
  /** The switch's payee deadline (HISAAB_PAYEE_DEADLINE_MS): every transfer is final within it plus recovery. */
  payeeDeadlineMs: number;
  /** How long after a restart the switch may take to finish what the kill left in flight. */
  recoveryMs: number;
  /** How long receivers may wait for the outbox to deliver reversals, advices and webhooks after a restart. */
  deliveryWaitMs: number;
  /** A kill comes at a random moment in [killAfterMinMs, killAfterMaxMs] after the load starts. */
  killAfterMinMs: number;
  killAfterMaxMs: number;
};

export const chaosLimits = { killsMax: 10_000, killAfterMsMax: 60_000 } as const;

export const chaosDefaults: Omit<ChaosOptions, 'seed'> = {
  kills: 100,
  payeeDeadlineMs: 2_000,
  recoveryMs: 30_000,
  deliveryWaitMs: 30_000,
  killAfterMinMs: 300,
  killAfterMaxMs: 3_000,
};

export const chaosUsage = 'usage: npm run chaos -- [--kills N (1 to 10000, default 100)] [--seed S (a whole number; random when absent)]';

/** Parses `--kills N` and `--seed S` (also `--kills=N`); throws an Error with a sentence on anything else. */
export function parseChaosOptions(argv: readonly string[], randomSeed: () => number): ChaosOptions {
  const values = new Map<string, string>();
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]!;
    const [name, inline] = argument.split('=', 2) as [string, string | undefined];
    if (name !== '--kills' && name !== '--seed') throw new Error(`unknown argument ${argument}`);
    const value = inline ?? argv[index + 1];
    if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
    if (inline === undefined) index += 1;
    values.set(name, value);
  }
  const kills = wholeNumber(values.get('--kills') ?? String(chaosDefaults.kills), '--kills', 1, chaosLimits.killsMax);
  const seedText = values.get('--seed');
  const seed = seedText === undefined ? randomSeed() : wholeNumber(seedText, '--seed', 0, 2 ** 32 - 1);
  return { ...chaosDefaults, kills, seed };
}

function wholeNumber(text: string, name: string, minimum: number, maximum: number): number {
  if (!/^[0-9]{1,10}$/.test(text)) throw new Error(`${name} takes a whole number from ${minimum} to ${maximum}, not "${text}"`);
  const value = Number(text);
  if (value < minimum || value > maximum) throw new Error(`${name} takes a whole number from ${minimum} to ${maximum}, not ${value}`);
  return value;
}
