/**
 * `npm run bench:checkout [-- --seconds N --concurrency N --rounds N]`: the checkout path's throughput through HTTP
 * on one machine, beside the same run's P2P figure (issue 11). The switch runs as `npm run serve` starts it (its own
 * process, a fresh data dir, HISAAB_WORKERS passed on); the wallets and the shop run in this process. Three phases,
 * taking turns in `--rounds` slices (so that other load on a shared machine weighs on each alike):
 *
 *   1. P2P: `POST /v1/transfers` in the REQUEST ring of load wallets (the switch asks the payee wallet over HTTP
 *      before it commits): transfers committed per second;
 *   2. sessions: `POST /v1/checkout/sessions` by the shop: sessions created per second;
 *   3. paid checkouts: the whole path per checkout, each step over HTTP: the shop opens a session, the customer's
 *      number goes into the pay page's form, the switch sends a request to pay to the customer's wallet, the wallet
 *      approves at once by paying the merchant (a P2M transfer with the session id, credited through the acquiring
 *      wallet), and the checkout counts once the shop has received and verified its `checkout.session.completed`.
 *
 * The driver is Node, not k6: a checkout ends when a webhook arrives at the shop, which k6 cannot wait for. The P2P
 * figure is taken by the same driver with the same concurrency, so the two are compared like for like (and are
 * lower than k6's own P2P figure in `npm run bench:http`, since the driver shares the machine's cores). Prints a
 * table, writes the figures to load-tests/results/<ISO date>-checkout.json, and prints the summary as one JSON
 * object on the last line. The target (checkout within 0.5× of P2P) is reported as met or missed, never a failure.
 * With `--profile 1` the switch runs under `node --cpu-prof` and the table of where its time went (cpu-profile.ts)
 * covers the paid checkouts' slices alone; the profiler's cost weighs on every phase alike.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { firstSigningSecret, OperatorClient } from '../simulators/operator-client';
import { MerchantShop } from '../simulators/merchant/merchant-shop';
import { WalletSimulator } from '../simulators/wallet/wallet-simulator';
import { breakdownOf, breakdownTable, cpuProfileSchema, type CpuProfile, type ProfileBreakdown, type SampleWindow } from './cpu-profile';
import { repositoryRoot } from './node-service';
import { loadOperatorKey, spawnedSwitch, startLoadNetwork } from './load-network';
import { parseFlags, resultsDirectory, say, workersFromEnvironment, writeResultFile } from './load-runner';
import { transferRequest, transferSucceeded, type LoadPair } from './transfer-request';
import { metricValues } from './switch-sampler';

/** The paid checkout's target: at least half of the same run's P2P transfers per second. */
const checkoutToP2pTargetRatio = 0.5;
/** How long one checkout may take, session to verified webhook, before it counts as failed. */
const checkoutTimeoutMs = 30_000;
const requestTimeoutMs = 35_000;
const payerMsisdn = '923190000001';

type PhaseFigures = {
  /** Operations that succeeded, per second of the phase. */
  perSecond: number;
  succeeded: number;
  failed: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** The first few failures, as text, to tell what went wrong. */
  failures: string[];
  /**
   * CPU time of this process (the driver, the simulated wallets and the shop) per operation that succeeded: on one
   * machine the parties' own HTTP work competes with the switch's for the same cores.
   */
  driverCpuMsPerOperation: number;
  /**
   * The switch's own CPU time per operation that succeeded (its process_cpu_seconds_total before and after each
   * slice), or null with several worker processes (each answers /metrics for itself). CPU time is what the other load
   * on the machine moves least: a process waiting for a core is not charged, while a profile's busy time is.
   */
  switchProcessCpuMsPerOperation: number | null;
  /** Events the switch appended to its log per operation that succeeded (its log head before and after each slice). */
  eventsPerOperation: number | null;
};

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2), {
    seconds: { description: 'per phase', min: 1, max: 300, fallback: 10 },
    concurrency: { description: 'operations in flight at once, in every phase', min: 1, max: 256, fallback: 32 },
    rounds: { description: 'slices each phase is cut into, the phases taking turns', min: 1, max: 60, fallback: 5 },
    profile: {
      description: '1: run the switch under --cpu-prof and print where its time goes in the paid checkouts',
      min: 0,
      max: 1,
      fallback: 0,
    },
  });
  const workers = workersFromEnvironment(process.env);
  say(`Node driver (k6 cannot wait for a webhook); ${workers} worker process(es); ${cpus().length} CPUs; Node ${process.version}`);
  const workDirectory = mkdtempSync(join(tmpdir(), 'hisaab-bench-checkout-'));
  const closers: (() => Promise<void>)[] = [];
  const profileDirectory = join(workDirectory, 'cpu-profiles');
  let profileBreakdown: ProfileBreakdown | null = null;
  try {
    if (flags.profile === 1) mkdirSync(profileDirectory);
    const network = await startLoadNetwork({
      walletCount: 3,
      launcher: spawnedSwitch({
        logFile: join(workDirectory, 'switch.log'),
        environment: { HISAAB_WORKERS: String(workers) },
        nodeFlags: flags.profile === 1 ? ['--cpu-prof', `--cpu-prof-dir=${profileDirectory}`] : [],
      }),
    });
    let networkClosed = false;
    closers.push(async () => {
      if (networkClosed) return;
      networkClosed = true;
      await network.close();
    });
    const checkout = await startCheckoutParties(network.switchUrl, closers);
    say(`switch at ${network.switchUrl}; ${flags.concurrency} in flight, ${flags.seconds} s per phase in ${flags.rounds} turns`);

    const pairs = network.seed.pairs;
    const p2pTransfer = async (index: number): Promise<void> => {
      const pair = pairs[index % pairs.length] as LoadPair;
      const request = transferRequest(network.switchUrl, pair, randomUUID());
      const response = await fetch(request.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      const text = await response.text();
      if (!transferSucceeded(response.status, text)) throw new Error(`${response.status} ${text.slice(0, 200)}`);
    };
    const sessionCreation = async (): Promise<void> => {
      await checkout.shop.createSession({ amount: '1500.00', orderId: `S-${randomUUID()}` });
    };
    const paidCheckout = async (): Promise<void> => {
      const session = await checkout.shop.createSession({ amount: '1500.00', orderId: `C-${randomUUID()}` });
      const form = await fetch(`${network.switchUrl}/pay/${session.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ msisdn: payerMsisdn }).toString(),
        redirect: 'manual',
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      await form.text();
      if (form.status !== 303) throw new Error(`the pay page answered ${form.status}`);
      await checkout.shop.waitForObjectEvent('checkout.session.completed', session.id, checkoutTimeoutMs);
    };
    // The phases take turns in short slices, so that whatever else loads the machine meanwhile weighs on each alike.
    const tallies = { p2p: new PhaseTally(), sessions: new PhaseTally(), paid: new PhaseTally() };
    const sliceSeconds = flags.seconds / flags.rounds;
    const switchCpu = workers === 1 ? () => switchCounters(network.switchUrl) : null;
    for (let round = 1; round <= flags.rounds; round += 1) {
      await runSlice(tallies.p2p, sliceSeconds, flags.concurrency, p2pTransfer, switchCpu);
      await runSlice(tallies.sessions, sliceSeconds, flags.concurrency, sessionCreation, switchCpu);
      await runSlice(tallies.paid, sliceSeconds, flags.concurrency, paidCheckout, switchCpu);
      say(
        `  turn ${round}/${flags.rounds}: P2P ${tallies.p2p.lastPerSecond.toFixed(1)}/s, sessions ${tallies.sessions.lastPerSecond.toFixed(1)}/s, paid checkouts ${tallies.paid.lastPerSecond.toFixed(1)}/s`,
      );
    }
    let switchCpuMsPerOperation: Record<keyof typeof tallies, number> | null = null;
    if (flags.profile === 1) {
      // The profiles are written when the switch's processes exit.
      networkClosed = true;
      await network.close();
      const profiles = savedProfiles(profileDirectory);
      profileBreakdown = breakdownOf(profiles, tallies.paid.windows, repositoryRoot);
      say('where the switch spent its time during the paid checkouts (all its processes summed):');
      say(breakdownTable(profileBreakdown));
      // Busy time per operation does not depend on how fast the machine's other load let the phase go.
      const perOperation = (tally: PhaseTally): number =>
        tally.latencies.length === 0 ? 0 : round(breakdownOf(profiles, tally.windows, repositoryRoot).busyMs / tally.latencies.length, 2);
      switchCpuMsPerOperation = {
        p2p: perOperation(tallies.p2p),
        sessions: perOperation(tallies.sessions),
        paid: perOperation(tallies.paid),
      };
      say(
        `switch busy ms per operation: P2P ${switchCpuMsPerOperation.p2p}, session ${switchCpuMsPerOperation.sessions}, paid checkout ${switchCpuMsPerOperation.paid} (${round(switchCpuMsPerOperation.paid / switchCpuMsPerOperation.p2p, 2)} P2Ps)`,
      );
    }
    const p2p = tallies.p2p.figures();
    const sessions = tallies.sessions.figures();
    const paid = tallies.paid.figures();

    const ratio = p2p.perSecond === 0 ? 0 : paid.perSecond / p2p.perSecond;
    if (
      p2p.switchProcessCpuMsPerOperation !== null &&
      paid.switchProcessCpuMsPerOperation !== null &&
      p2p.switchProcessCpuMsPerOperation > 0
    ) {
      say(
        `switch CPU ms per operation: P2P ${p2p.switchProcessCpuMsPerOperation.toFixed(2)}, session ${sessions.switchProcessCpuMsPerOperation?.toFixed(2) ?? '-'}, paid checkout ${paid.switchProcessCpuMsPerOperation.toFixed(2)} (${round(paid.switchProcessCpuMsPerOperation / p2p.switchProcessCpuMsPerOperation, 2)} P2Ps)`,
      );
    }
    const summary = {
      driver: 'node',
      seconds: flags.seconds,
      concurrency: flags.concurrency,
      rounds: flags.rounds,
      workers,
      p2pPerSecond: round(p2p.perSecond),
      sessionsPerSecond: round(sessions.perSecond),
      paidCheckoutsPerSecond: round(paid.perSecond),
      checkoutToP2p: round(ratio, 3),
      targetMet: ratio >= checkoutToP2pTargetRatio,
      webhooksRejected: checkout.shop.rejectedWebhooks,
      switchCpuMsPerP2p: p2p.switchProcessCpuMsPerOperation === null ? null : round(p2p.switchProcessCpuMsPerOperation, 2),
      switchCpuMsPerPaidCheckout: paid.switchProcessCpuMsPerOperation === null ? null : round(paid.switchProcessCpuMsPerOperation, 2),
    };
    const recordedAt = new Date().toISOString();
    say(table({ 'P2P transfers': p2p, 'sessions created': sessions, 'paid checkouts': paid }));
    say(
      `paid checkouts / P2P = ${ratio.toFixed(2)} (target ≥ ${checkoutToP2pTargetRatio}: ${summary.targetMet ? 'met' : 'missed'}); webhooks the shop could not verify: ${checkout.shop.rejectedWebhooks}`,
    );
    const result = {
      recordedAt,
      command: `npm run bench:checkout -- --seconds ${flags.seconds} --concurrency ${flags.concurrency} --rounds ${flags.rounds} --profile ${flags.profile}`,
      node: process.version,
      cpus: cpus().length,
      workers,
      figures: { p2p, sessions, paid },
      ...(profileBreakdown === null
        ? {}
        : {
            paidCheckoutProfile: profileBreakdown,
            switchCpuMsPerOperation,
            // The slices' windows, to read the kept profiles again for one phase alone.
            phaseWindows: { p2p: tallies.p2p.windows, sessions: tallies.sessions.windows, paid: tallies.paid.windows },
          }),
      summary,
    };
    say(`figures written to ${writeResultFile(recordedAt, '-checkout.json', `${JSON.stringify(result, null, 2)}\n`)}`);
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    rmSync(workDirectory, { recursive: true, force: true });
  }
}

/** The switch's profiles, also kept under load-tests/results/. */
function savedProfiles(profileDirectory: string): CpuProfile[] {
  const files = readdirSync(profileDirectory).filter((name) => name.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`the switch wrote no .cpuprofile into ${profileDirectory}`);
  // Kept for Chrome's DevTools (ignored by git: megabytes each).
  mkdirSync(resultsDirectory, { recursive: true });
  const stamp = new Date()
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');
  files.forEach((name, index) =>
    copyFileSync(join(profileDirectory, name), join(resultsDirectory, `${stamp}-checkout-${index}.cpuprofile`)),
  );
  return files.map((name) => cpuProfileSchema.parse(JSON.parse(readFileSync(join(profileDirectory, name), 'utf8')) as unknown));
}

/**
 * The checkout's parties beside the load ring: an acquiring wallet holding the merchant's settlement account, a
 * payer wallet whose customer approves every request to pay at once, and the shop with its merchant key.
 */
async function startCheckoutParties(switchUrl: string, closers: (() => Promise<void>)[]): Promise<{ shop: MerchantShop }> {
  const operator = new OperatorClient(switchUrl, loadOperatorKey);
  const balanceMinor = 100_000_000_000n;
  const acquirer = new WalletSimulator({
    participantId: 'BENCH_ACQ',
    accounts: [{ walletNumber: 'BACQ000001', msisdn: '923190000009', name: 'Bench Shop', balanceMinor: 0n }],
    receivedMax: 100,
  });
  const payer = new WalletSimulator({
    participantId: 'BENCH_PAY',
    accounts: [{ walletNumber: 'BPAY000001', msisdn: payerMsisdn, name: 'Bench Customer', balanceMinor }],
    receivedMax: 100,
    requestToPay: { approveDelayMs: 0, declineNumbers: [] },
  });
  for (const [simulator, bankCode, walletNumber, msisdn] of [
    [acquirer, 'BACQ', 'BACQ000001', '923190000009'],
    [payer, 'BPAY', 'BPAY000001', payerMsisdn],
  ] as const) {
    await simulator.start();
    closers.push(() => simulator.close());
    await operator.onboard({
      id: simulator.participantId,
      name: simulator.participantId,
      type: 'WALLET',
      bankCode,
      netDebitCap: '1000000000.00',
      endpoints: simulator.endpoints,
    });
    const key = await operator.issueKey(simulator.participantId);
    simulator.setSigningSecret(firstSigningSecret(simulator.participantId, key));
    simulator.connectToSwitch(switchUrl, key.key);
    await operator.recordFunds(simulator.participantId, '1000000000.00', `${simulator.participantId}-opening`);
    await operator.registerAlias(key.key, {
      type: 'MSISDN',
      value: msisdn,
      account: { type: 'WALLET', value: walletNumber },
      name: 'Bench',
    });
  }
  const merchant = (await operator.post(
    '/v1/merchants',
    {
      id: 'BENCH_SHOP',
      name: 'Bench Shop',
      mcc: '5411',
      city: 'Karachi',
      acquirer: 'BENCH_ACQ',
      settlementAccount: { type: 'WALLET', value: 'BACQ000001' },
      webhookUrl: 'http://127.0.0.1:9/webhooks',
      fees: { mdrPercent: '1.50', interchangePercent: '0.50', switchFee: '1.00' },
    },
    201,
  )) as { apiKey: string; webhookSecret: string };
  const shop = new MerchantShop({ switchUrl, apiKey: merchant.apiKey, webhookSecrets: [merchant.webhookSecret] });
  await shop.start();
  closers.push(() => shop.close());
  await operator.patch('/v1/merchants/BENCH_SHOP', { webhookUrl: shop.webhookUrl });
  return { shop };
}

/** What one phase did over all its slices. */
class PhaseTally {
  readonly latencies: number[] = [];
  readonly failures: string[] = [];
  failed = 0;
  elapsedSeconds = 0;
  cpuMicros = 0;
  /** The switch's CPU seconds and the events it appended over the slices; null when they are not measured. */
  switchCpuSeconds: number | null = null;
  eventsAppended: number | null = null;
  lastPerSecond = 0;
  /** When each slice ran, on the monotonic clock the switch's profiles use. */
  readonly windows: SampleWindow[] = [];

  figures(): PhaseFigures {
    const sorted = [...this.latencies].sort((left, right) => left - right);
    return {
      perSecond: this.elapsedSeconds === 0 ? 0 : sorted.length / this.elapsedSeconds,
      succeeded: sorted.length,
      failed: this.failed,
      latencyMs: { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? 0 },
      failures: this.failures,
      driverCpuMsPerOperation: sorted.length === 0 ? 0 : this.cpuMicros / 1000 / sorted.length,
      switchProcessCpuMsPerOperation:
        this.switchCpuSeconds === null || sorted.length === 0 ? null : (this.switchCpuSeconds * 1000) / sorted.length,
      eventsPerOperation: this.eventsAppended === null || sorted.length === 0 ? null : this.eventsAppended / sorted.length,
    };
  }
}

/** Runs `operation` with `concurrency` in flight for `seconds`; what started before the end is waited for and counted. */
async function runSlice(
  tally: PhaseTally,
  seconds: number,
  concurrency: number,
  operation: (index: number) => Promise<void>,
  switchCpu: (() => Promise<SwitchCounters>) | null,
): Promise<void> {
  const switchCpuBefore = switchCpu === null ? null : await switchCpu();
  const succeededBefore = tally.latencies.length;
  let started = 0;
  const cpuBefore = process.cpuUsage();
  const fromMicroseconds = Number(process.hrtime.bigint() / 1000n);
  const startedAt = performance.now();
  const endAt = startedAt + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < endAt) {
      const index = started;
      started += 1;
      const operationStartedAt = performance.now();
      try {
        await operation(index);
        tally.latencies.push(performance.now() - operationStartedAt);
      } catch (error) {
        tally.failed += 1;
        if (tally.failures.length < 5) tally.failures.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  tally.windows.push({ fromMicroseconds, toMicroseconds: Number(process.hrtime.bigint() / 1000n) });
  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  tally.elapsedSeconds += elapsedSeconds;
  tally.cpuMicros += cpu.user + cpu.system;
  tally.lastPerSecond = (tally.latencies.length - succeededBefore) / elapsedSeconds;
  if (switchCpu !== null && switchCpuBefore !== null) {
    const after = await switchCpu();
    tally.switchCpuSeconds = (tally.switchCpuSeconds ?? 0) + after.cpuSeconds - switchCpuBefore.cpuSeconds;
    tally.eventsAppended = (tally.eventsAppended ?? 0) + after.logHead - switchCpuBefore.logHead;
  }
}

type SwitchCounters = { cpuSeconds: number; logHead: number };

/**
 * From the switch's /metrics: its CPU seconds so far, user and system (prom-client's process_cpu_seconds_total), and
 * its log's head position (events appended so far).
 */
async function switchCounters(switchUrl: string): Promise<SwitchCounters> {
  const response = await fetch(`${switchUrl}/metrics`, { signal: AbortSignal.timeout(requestTimeoutMs) });
  const text = await response.text();
  const cpu = metricValues(text, 'process_cpu_seconds_total')[0];
  const head = metricValues(text, 'hisaab_event_log_head_position')[0];
  if (response.status !== 200 || cpu === undefined || head === undefined)
    throw new Error(
      `the switch's /metrics answered ${response.status} without process_cpu_seconds_total and hisaab_event_log_head_position`,
    );
  return { cpuSeconds: cpu.value, logHead: head.value };
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? 0;
}

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function table(phases: Record<string, PhaseFigures>): string {
  const header = `${'path'.padEnd(18)} ${'per second'.padStart(10)} ${'p50 ms'.padStart(9)} ${'p95 ms'.padStart(9)} ${'p99 ms'.padStart(9)} ${'failed'.padStart(7)} ${'driver CPU ms/op'.padStart(17)} ${'switch CPU ms/op'.padStart(17)} ${'events/op'.padStart(10)}`;
  const rows = Object.entries(phases).map(
    ([label, figures]) =>
      `${label.padEnd(18)} ${figures.perSecond.toFixed(1).padStart(10)} ${figures.latencyMs.p50.toFixed(1).padStart(9)} ${figures.latencyMs.p95.toFixed(1).padStart(9)} ${figures.latencyMs.p99.toFixed(1).padStart(9)} ${String(figures.failed).padStart(7)} ${figures.driverCpuMsPerOperation.toFixed(2).padStart(17)} ${(figures.switchProcessCpuMsPerOperation?.toFixed(2) ?? '-').padStart(17)} ${(figures.eventsPerOperation?.toFixed(2) ?? '-').padStart(10)}`,
  );
  return [header, ...rows].join('\n');
}

main().then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    process.stderr.write(`bench:checkout failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
