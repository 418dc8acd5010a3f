/**
 * `npm run bench:http [-- --seconds N --vus N --batch-size N --batch-vus N --lookup-rate N]`: the issue's one
 * benchmark, one run, one machine. In order:
 *
 *   1. the bare express reference (reference-main.ts) with as many worker processes as the switch (HISAAB_WORKERS)
 *      under transfers.k6.js: the HTTP stack's ceiling here, now;
 *   2. the switch as `npm run serve` starts it, on a fresh data dir, with a REQUEST ring and an ADVICE ring of
 *      simulated wallets; then k6 against it:
 *      - `POST /v1/transfers` to REQUEST payees (the switch asks the wallet over HTTP before it commits);
 *      - `GET /v1/transfers/{id}` at a constant arrival rate (5,000/s) of transfers committed just before;
 *      - `POST /v1/transfers` to ADVICE payees (committed at once, the wallet told afterwards);
 *      - `POST /v1/transfers/batch` of 1,000 transfers to ADVICE payees.
 *      The writes that leave work behind (advices still to deliver) come last, so that their backlog does not
 *      weigh on the REQUEST and read figures, and the batch waits for the ADVICE run's advices to be delivered
 *      (the outbox refuses more than its pending maximum, 10,000: OUTBOX_FULL).
 *
 * Prints a table, writes everything to load-tests/results/<ISO date>.json, and prints the summary as one JSON
 * object on the last line. The issue's targets are reported as met or missed, never a failure: figures are not a
 * test. The exit code is 1 when a k6 threshold failed (errors: the run measured something else), 2 on a failure.
 */
import { benchSummary, benchTable, failedThresholds, type BenchFigures, type BenchSettings } from './bench-result';
import { batchScriptPath, transferByIdScriptPath, transfersScriptPath } from './k6-process';
import type { LoadFigures } from './k6-summary';
import { machine, parseFlags, runLoadCommand, say, waitForQuietOutbox, writeResultFile } from './load-runner';

/** Transfers the lookup scenario reads, committed before it starts. */
const lookupTransfers = 64;

runLoadCommand('bench:http', async (run) => {
  const flags = parseFlags(process.argv.slice(2), {
    seconds: { description: 'per scenario', min: 1, max: 300, fallback: 20 },
    vus: { description: 'virtual users of the single-transfer scenarios', min: 1, max: 256, fallback: 32 },
    'batch-size': { description: 'transfers per batch', min: 1, max: 8_190, fallback: 1_000 },
    'batch-vus': { description: 'virtual users posting batches', min: 1, max: 64, fallback: 4 },
    'lookup-rate': { description: 'GETs per second asked', min: 1, max: 20_000, fallback: 5_000 },
  });
  const settings: BenchSettings = {
    durationSeconds: flags.seconds,
    vus: flags.vus,
    batchSize: flags['batch-size'],
    batchVus: flags['batch-vus'],
    lookupRate: flags['lookup-rate'],
  };
  const seconds = settings.durationSeconds;

  const reference = await run.startReference();
  let referenceFigures: LoadFigures;
  try {
    say(`reference server at ${reference.url}`);
    // The reference ignores the body; any seed shape does. Its key and parties are never looked at.
    referenceFigures = await run.measure({
      label: 'reference',
      scriptPath: transfersScriptPath,
      seed: {
        baseUrl: reference.url,
        pairs: [
          { participantKey: 'reference', payer: { type: 'WALLET', value: 'REF0000001' }, payee: { type: 'MSISDN', value: '923100000000' } },
        ],
      },
      vus: settings.vus,
      durationSeconds: seconds,
    });
  } finally {
    await reference.close();
  }

  const network = await run.startNetwork({ withAdviceWallets: true });
  let figures: BenchFigures;
  try {
    const adviceSeed = network.adviceSeed;
    if (adviceSeed === null) throw new Error('the network was started without its ADVICE wallets');
    say(
      `switch at ${network.switchUrl}: a REQUEST ring of ${network.seed.pairs.length} wallets, an ADVICE ring of ${adviceSeed.pairs.length}`,
    );
    const request = await run.measure({
      label: 'request',
      scriptPath: transfersScriptPath,
      seed: network.seed,
      vus: settings.vus,
      durationSeconds: seconds,
    });
    const lookupFile = await run.writeLookupFile(network.seed, lookupTransfers);
    const lookup = await run.measure({
      label: 'lookup',
      scriptPath: transferByIdScriptPath,
      vus: 256,
      durationSeconds: seconds,
      environment: { HISAAB_LOAD_LOOKUP_FILE: lookupFile, HISAAB_LOAD_RATE: String(settings.lookupRate) },
    });
    const advice = await run.measure({
      label: 'advice',
      scriptPath: transfersScriptPath,
      seed: adviceSeed,
      vus: settings.vus,
      durationSeconds: seconds,
    });
    const drained = await waitForQuietOutbox(network.switchUrl, run.signal);
    say(
      `  the advice outbox ${drained.quiet ? 'drained' : 'was still delivering'} after ${(drained.waitedMs / 1000).toFixed(1)} s (${drained.delivered} deliveries meanwhile)`,
    );
    const batch = await run.measure({
      label: 'batch',
      scriptPath: batchScriptPath,
      seed: adviceSeed,
      vus: settings.batchVus,
      durationSeconds: seconds,
      environment: { HISAAB_LOAD_BATCH_SIZE: String(settings.batchSize) },
    });
    figures = { reference: referenceFigures, advice, request, batch, lookup };
  } finally {
    await network.close();
  }

  const summary = benchSummary(figures);
  const recordedAt = new Date().toISOString();
  const result = {
    recordedAt,
    command: `npm run bench:http -- --seconds ${seconds} --vus ${settings.vus} --batch-size ${settings.batchSize} --batch-vus ${settings.batchVus} --lookup-rate ${settings.lookupRate}`,
    ...machine(run.k6Version, run.workers),
    settings,
    figures,
    summary,
  };
  say(benchTable(figures, summary, settings));
  const failed = failedThresholds(figures);
  if (failed.length > 0) say(`k6 thresholds failed: ${failed.join('; ')}`);
  say(`figures written to ${writeResultFile(recordedAt, '.json', `${JSON.stringify(result, null, 2)}\n`)}`);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return failed.length === 0 ? 0 : 1;
});
