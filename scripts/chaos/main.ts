/**
 * `npm run chaos -- --kills 100 [--seed S]`: the crash loop of issue 14 (scripts/chaos/chaos-campaign.ts). Prints
 * the seed first (`--seed` replays the same kill moments and load choices), a line per kill, and one summary line;
 * writes test-results/chaos-<time>.json; exits 1 on any violation, 2 on bad usage. Loopback only.
 */
import { randomInt } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChaosCampaign, summaryLine } from './chaos-campaign';
import { chaosUsage, parseChaosOptions, type ChaosOptions } from './chaos-options';

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<number> {
  let options: ChaosOptions;
  try {
    options = parseChaosOptions(process.argv.slice(2), () => randomInt(0, 2 ** 32 - 1));
  } catch (error) {
    process.stderr.write(`chaos: ${(error as Error).message}\n${chaosUsage}\n`);
    return 2;
  }
  say(`chaos: seed ${options.seed} (npm run chaos -- --kills ${options.kills} --seed ${options.seed} replays it)`);
  const result = await runChaosCampaign(options, say);
  const directory = join(__dirname, '..', '..', 'test-results');
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `chaos-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  for (const violation of result.violations.slice(0, 20)) say(`violation: ${violation}`);
  if (result.dataDir !== null) say(`chaos: the data dir is kept for inspection: ${result.dataDir}`);
  if (result.mix !== null) say(`chaos: the load's mix: ${JSON.stringify(result.mix)}`);
  say(summaryLine(result));
  say(`chaos: result written to ${file}`);
  return result.violations.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`chaos failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
