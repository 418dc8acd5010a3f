/**
 * `npm run bench:sealing-http [-- --seconds N --vus N]`: what sealing personal data (issue 15.4) costs a payment over
 * HTTP. In one run, on one machine, two fresh switches in this process (startSwitch), each with an ADVICE ring of
 * simulated wallets, under the same k6 scenario (`POST /v1/transfers` to ADVICE payees, committed at once):
 *
 *   1. with sealing as it always runs (payer number and name, payee number and account sealed per subject on
 *      append, opened on read);
 *   2. with sealing off, through startSwitch's benchmark-only option (no setting can turn it off in production).
 *
 * Prints both figures and the ratio sealed / unsealed, and the summary as one JSON object on the last line. Figures
 * are not a test: the exit code is 1 only when a k6 threshold failed (errors: the run measured something else).
 */
import { loadConfig } from '../api/config';
import { createLogger } from '../api/logger';
import { startSwitch } from '../api/switch';
import type { LoadFigures } from './k6-summary';
import { startLoadNetwork, type SwitchLauncher } from './load-network';
import { figuresHeader, figuresRow, parseFlags, runLoadCommand, say } from './load-runner';
import { transfersScriptPath } from './k6-process';

function inProcessSwitch(sealing: boolean): SwitchLauncher {
  return async (environment) => {
    const running = await startSwitch({
      config: loadConfig({ ...environment, HISAAB_PORT: '0' }),
      logger: createLogger('warn', process.stderr),
      personalDataSealingForBenchmark: sealing,
    });
    return { url: running.url, close: () => running.close() };
  };
}

runLoadCommand(
  'bench:sealing-http',
  async (run) => {
    const flags = parseFlags(process.argv.slice(2), {
      seconds: { description: 'per side', min: 1, max: 300, fallback: 20 },
      vus: { description: 'virtual users', min: 1, max: 256, fallback: 32 },
    });
    const figures: Record<'sealed' | 'unsealed', LoadFigures | null> = { sealed: null, unsealed: null };
    for (const side of ['sealed', 'unsealed'] as const) {
      const network = await startLoadNetwork({ walletCount: 2, withAdviceWallets: true, launcher: inProcessSwitch(side === 'sealed') });
      try {
        const seed = network.adviceSeed;
        if (seed === null) throw new Error('the network was started without its ADVICE wallets');
        say(`${side}: switch at ${network.switchUrl}, ADVICE ring of ${seed.pairs.length}`);
        figures[side] = await run.measure({
          label: `advice-${side}`,
          scriptPath: transfersScriptPath,
          seed,
          vus: flags.vus,
          durationSeconds: flags.seconds,
        });
      } finally {
        await network.close();
      }
    }
    const { sealed, unsealed } = figures;
    if (sealed === null || unsealed === null) throw new Error('both sides were measured');
    const summary = {
      command: `npm run bench:sealing-http -- --seconds ${flags.seconds} --vus ${flags.vus}`,
      sealedTransfersPerSecond: sealed.requestsPerSecond,
      unsealedTransfersPerSecond: unsealed.requestsPerSecond,
      ratio: Math.round((sealed.requestsPerSecond / unsealed.requestsPerSecond) * 1000) / 1000,
      errorRates: { sealed: sealed.errorRate, unsealed: unsealed.errorRate },
    };
    say(figuresHeader);
    say(figuresRow('ADVICE, sealed', sealed));
    say(figuresRow('ADVICE, unsealed', unsealed));
    say(`sealed / unsealed: ${summary.ratio}`);
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return sealed.thresholdsFailed.length + unsealed.thresholdsFailed.length === 0 ? 0 : 1;
  },
  { workers: 1 },
);
