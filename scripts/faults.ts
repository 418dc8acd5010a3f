/**
 * `npm run faults [-- --transfers N --seed S --fault-percent P --deadline-ms MS --concurrency C]`: issue 14's
 * payee-fault campaign (scripts/payee-faults/campaign.ts), on loopback only, stopping by itself. Writes
 * test-results/faults-<time>.json and the switch's output beside it, prints one summary line, and exits 0 when no
 * promise was broken, 1 when one was (the JSON lists them), 2 on bad usage.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repositoryRoot } from '../load-tests/node-service';
import { runPayeeFaultsCampaign, summaryLine } from './payee-faults/campaign';
import { CampaignUsageError, parseCampaignArguments, type CampaignOptions } from './payee-faults/campaign-options';

async function main(): Promise<number> {
  let options: CampaignOptions;
  try {
    options = parseCampaignArguments(process.argv.slice(2), Math.floor(Math.random() * 2_147_483_647));
  } catch (error) {
    if (!(error instanceof CampaignUsageError)) throw error;
    console.error(
      `usage: npm run faults -- [--transfers N] [--seed S] [--fault-percent P] [--deadline-ms MS] [--concurrency C]: ${error.message}`,
    );
    return 2;
  }
  const resultsDirectory = join(repositoryRoot, 'test-results');
  mkdirSync(resultsDirectory, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const resultFile = join(resultsDirectory, `faults-${stamp}.json`);
  const result = await runPayeeFaultsCampaign(options, join(resultsDirectory, `faults-${stamp}.switch.log`));
  writeFileSync(resultFile, `${JSON.stringify(result, null, 2)}\n`);
  console.log(summaryLine(result, relative(process.cwd(), resultFile)));
  return result.violationCount === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`faults: the campaign could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
