/**
 * `npm run load:transfers [-- --seconds N --vus N --wallets N]`: the switch under k6 load, measured against a
 * ceiling in the same run.
 *
 *   1. Starts the real switch as `npm run serve` does (its own process, HISAAB_WORKERS passed on, SQLite in a
 *      temp dir, loopback ports) with simulated wallets in this process, onboarded with high caps, and runs
 *      transfers.k6.js against it: N seconds of `POST /v1/transfers` to REQUEST-mode payees from bounded virtual
 *      users, each answer checked for 201 COMMITTED.
 *   2. Stops the switch, starts the reference server (a bare express route answering a fixed 201 body, as many
 *      worker processes as the switch) and runs the same script against it for the same time.
 *   3. Prints requests/s, p50/p95/p99 latency and error rate of both and the ratio switch / reference, writes
 *      them to load-tests/results/<ISO date>.json, and prints them as one JSON object on the last line.
 *
 * k6 comes from `npm run load:install`. Everything is bounded (load-runner.ts). The exit code is 1 when a k6
 * threshold of the switch's run did not hold (the figures are still written), 2 on a failure.
 */
import type { LoadFigures } from './k6-summary';
import { transfersScriptPath } from './k6-process';
import { loadWalletCountMax, loadWalletCountMin } from './load-network';
import { figuresHeader, figuresRow, machine, parseFlags, runLoadCommand, say, writeResultFile } from './load-runner';

runLoadCommand('load:transfers', async (run) => {
  const options = parseFlags(process.argv.slice(2), {
    seconds: { description: 'per target', min: 1, max: 300, fallback: 20 },
    vus: { description: 'virtual users', min: 1, max: 256, fallback: 32 },
    wallets: { description: 'wallets in the ring', min: loadWalletCountMin, max: loadWalletCountMax, fallback: loadWalletCountMax },
  });
  say(`${options.vus} virtual users for ${options.seconds} s per target`);
  const network = await run.startNetwork({ withAdviceWallets: false, walletCount: options.wallets });
  let switchFigures: LoadFigures;
  try {
    say(`switch at ${network.switchUrl} with ${network.seed.pairs.length} wallets paying each other in a ring`);
    switchFigures = await run.measure({
      label: 'switch',
      scriptPath: transfersScriptPath,
      seed: network.seed,
      vus: options.vus,
      durationSeconds: options.seconds,
    });
  } finally {
    await network.close();
  }
  const reference = await run.startReference();
  let referenceFigures: LoadFigures;
  try {
    say(`reference server at ${reference.url}`);
    referenceFigures = await run.measure({
      label: 'reference',
      scriptPath: transfersScriptPath,
      seed: { ...network.seed, baseUrl: reference.url },
      vus: options.vus,
      durationSeconds: options.seconds,
    });
  } finally {
    await reference.close();
  }
  if (referenceFigures.requestsPerSecond <= 0) throw new Error('the reference server answered nothing: no ratio can be computed');
  const ratio = Math.round((switchFigures.requestsPerSecond / referenceFigures.requestsPerSecond) * 1000) / 1000;
  const result = {
    recordedAt: new Date().toISOString(),
    command: `npm run load:transfers -- --seconds ${options.seconds} --vus ${options.vus} --wallets ${options.wallets}`,
    ...machine(run.k6Version, run.workers),
    durationSeconds: options.seconds,
    vus: options.vus,
    wallets: options.wallets,
    switch: switchFigures,
    reference: referenceFigures,
    ratio: { requestsPerSecond: ratio },
  };
  say(figuresHeader);
  say(figuresRow('switch', switchFigures));
  say(figuresRow('reference', referenceFigures));
  say(`ratio switch / reference requests/s: ${ratio.toFixed(3)}`);
  say(`figures written to ${writeResultFile(result.recordedAt, '.json', `${JSON.stringify(result, null, 2)}\n`)}`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return switchFigures.thresholdsFailed.length === 0 ? 0 : 1;
});
