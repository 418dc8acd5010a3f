import { parseArgs } from 'node:util';
import { z } from 'zod';

/** What one payee-fault campaign runs (issue 14 item 2); `npm run faults -- --transfers N --seed S --fault-percent P`. */
export type CampaignOptions = {
  /** Transfers sent in all, over HTTP and ISO 8583 together. */
  transfers: number;
  /** Seeds the traffic's plan and every payee's fault mix: the same seed sends the same transfers and draws alike. */
  seed: number;
  /** Each of the five faults hits this percentage of the messages a payee receives. */
  faultPercent: number;
  /** The switch's payee deadline (HISAAB_PAYEE_DEADLINE_MS); slow payees answer a second after it. */
  payeeDeadlineMs: number;
  /** Transfers in flight at once. */
  concurrency: number;
};

export const campaignLimits = {
  transfersMax: 100_000,
  /** Five faults each on this share at most fill every request: past that the shares would not add up. */
  faultPercentMax: 20,
  payeeDeadlineMsMin: 500,
  payeeDeadlineMsMax: 10_000,
  concurrencyMax: 64,
} as const;

export const campaignDefaults: Omit<CampaignOptions, 'seed'> = {
  transfers: 1_000,
  faultPercent: 10,
  payeeDeadlineMs: 2_000,
  concurrency: 8,
};

export class CampaignUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CampaignUsageError';
  }
}

const wholeNumber = (name: string, minimum: number, maximum: number) =>
  z
    .string()
    .regex(/^[0-9]{1,9}$/, `${name} is a whole number`)
    .transform(Number)
    .refine((value) => value >= minimum && value <= maximum, `${name} is ${minimum} to ${maximum}`);

const percent = z
  .string()
  .regex(/^[0-9]{1,2}(\.[0-9]{1,2})?$/, '--fault-percent is a percentage such as 10 or 2.5')
  .transform(Number)
  .refine((value) => value <= campaignLimits.faultPercentMax, `--fault-percent is 0 to ${campaignLimits.faultPercentMax}`);

/** Reads the command line; a bad flag throws CampaignUsageError naming it. `randomSeed` is used when --seed is absent. */
export function parseCampaignArguments(argv: readonly string[], randomSeed: number): CampaignOptions {
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        transfers: { type: 'string' },
        seed: { type: 'string' },
        'fault-percent': { type: 'string' },
        'deadline-ms': { type: 'string' },
        concurrency: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new CampaignUsageError((error as Error).message);
  }
  const read = <T>(flag: string, schema: z.ZodType<T, string>, fallback: T): T => {
    const text = values[flag];
    if (text === undefined) return fallback;
    const parsed = schema.safeParse(text);
    // Each schema's messages name the flag already.
    if (!parsed.success) throw new CampaignUsageError(parsed.error.issues.map((issue) => issue.message).join('; '));
    return parsed.data;
  };
  return {
    transfers: read('transfers', wholeNumber('--transfers', 1, campaignLimits.transfersMax), campaignDefaults.transfers),
    seed: read('seed', wholeNumber('--seed', 0, 2_147_483_647), randomSeed),
    faultPercent: read('fault-percent', percent, campaignDefaults.faultPercent),
    payeeDeadlineMs: read(
      'deadline-ms',
      wholeNumber('--deadline-ms', campaignLimits.payeeDeadlineMsMin, campaignLimits.payeeDeadlineMsMax),
      campaignDefaults.payeeDeadlineMs,
    ),
    concurrency: read('concurrency', wholeNumber('--concurrency', 1, campaignLimits.concurrencyMax), campaignDefaults.concurrency),
  };
}
