import { performance } from 'node:perf_hooks';
import { Iso8583Client } from '../../adapters/iso8583/client';
import { buildTransferRequest, transmissionTimestamps } from '../../adapters/iso8583/mapping';
import { packMessage, unpackMessage } from '../../adapters/iso8583/packager';
import { BankHostSimulator } from './bank-host-simulator';

/**
 * Measures the ISO 8583 channel on this machine: packing and unpacking a 0200 in process, and 0200/0210
 * round trips over loopback TCP to the bank simulator with many requests in flight.
 * Run: `node_modules/.bin/tsx simulators/bank/round-trip-bench.ts [requests] [concurrency]`.
 */
const PAYEE = 'PK36SCBL0000001123456702';

async function main(): Promise<void> {
  const requests = Number(process.argv[2] ?? '20000');
  const concurrency = Number(process.argv[3] ?? '256');
  const simulator = new BankHostSimulator({
    institutionId: '600001',
    accounts: [[PAYEE, 0n]],
    connectionLimits: { inFlightMax: concurrency },
  });
  await simulator.start();
  const client = new Iso8583Client({
    host: '127.0.0.1',
    port: simulator.port,
    institutionId: '999999',
    terminalId: 'HISAAB01',
    pendingMax: concurrency,
  });
  client.start();
  if (!(await client.waitUntilReady(5_000))) throw new Error('the client did not sign on');

  const request = (stan: string) =>
    buildTransferRequest({
      systemTraceAuditNumber: stan,
      ...transmissionTimestamps(new Date()),
      acquirerInstitutionId: '999999',
      retrievalReferenceNumber: `53321${stan}0`,
      terminalId: 'HISAAB01',
      processingCode: '400000',
      amountMinor: 100n,
      currency: 'PKR',
      payerAccount: '923001234567',
      payeeAccount: PAYEE,
    });

  const codecRounds = 50_000;
  const sample = request('000001');
  const codecStarted = performance.now();
  for (let round = 0; round < codecRounds; round++) unpackMessage(packMessage(sample));
  const codecSeconds = (performance.now() - codecStarted) / 1_000;

  let next = 0;
  const latenciesMs: number[] = [];
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < requests) {
      next += 1;
      const sentAt = performance.now();
      const outcome = await client.exchange(request(client.allocateStan('HISAAB01')), { timeoutMs: 10_000 });
      if (outcome.kind !== 'response' || outcome.response.fields[39] !== '00') throw new Error(`unexpected outcome ${outcome.kind}`);
      latenciesMs.push(performance.now() - sentAt);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1_000;
  latenciesMs.sort((left, right) => left - right);
  const percentile = (fraction: number): number =>
    Number((latenciesMs[Math.min(latenciesMs.length - 1, Math.floor(fraction * latenciesMs.length))] ?? 0).toFixed(2));
  process.stdout.write(
    `${JSON.stringify({
      packAndUnpackPerSecond: Math.round(codecRounds / codecSeconds),
      roundTrips: latenciesMs.length,
      concurrency,
      roundTripsPerSecond: Math.round(latenciesMs.length / seconds),
      latencyMs: { p50: percentile(0.5), p99: percentile(0.99) },
      creditedMinor: String(simulator.accounts.balanceOf(PAYEE)),
    })}\n`,
  );
  await client.stop();
  await simulator.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
