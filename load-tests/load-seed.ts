import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { loopbackBaseUrlPattern } from './transfer-request';

/** Pairs one seed may hold; transfers.k6.js refuses more. */
export const loadSeedPairsMax = 64;

const party = z.strictObject({
  type: z.enum(['WALLET', 'MSISDN', 'CNIC', 'IBAN']),
  value: z.string().min(1).max(64),
  name: z.string().min(1).max(140).optional(),
});

/**
 * What the k6 script reads (HISAAB_LOAD_SEED_FILE): the target and, per pair, the payer participant's key, the
 * payer and the payee. The same file shape serves the switch and the reference server.
 */
export const loadSeedSchema = z.strictObject({
  baseUrl: z.string().regex(loopbackBaseUrlPattern, 'the load test runs only against http://127.0.0.1:<port>'),
  pairs: z
    .array(z.strictObject({ participantKey: z.string().min(1).max(256), payer: party, payee: party }))
    .min(1, 'a seed holds at least one payer/payee pair')
    .max(loadSeedPairsMax, `a seed holds at most ${loadSeedPairsMax} pairs`),
});

export type LoadSeed = z.infer<typeof loadSeedSchema>;

/** Writes the seed for k6, readable by its owner only (it holds participant keys), replacing it whole. */
export function writeLoadSeed(path: string, seed: LoadSeed): void {
  const checked = loadSeedSchema.parse(seed);
  const temporaryPath = `${path}.tmp`;
  writeFileSync(temporaryPath, `${JSON.stringify(checked)}\n`, { mode: 0o600 });
  chmodSync(temporaryPath, 0o600);
  renameSync(temporaryPath, path);
}

export function readLoadSeed(path: string): LoadSeed {
  return loadSeedSchema.parse(JSON.parse(readFileSync(path, 'utf8')) as unknown);
}
