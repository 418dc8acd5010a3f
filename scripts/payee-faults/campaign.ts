import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { bankFaults } from '../../simulators/bank/bank-faults';
import { evenShares } from '../../simulators/fault-mix';
import { seededRandom } from '../../simulators/seeded-random';
import { walletFaults } from '../../simulators/wallet/wallet-modes';
import { repositoryRoot } from '../../load-tests/node-service';
import {
  checkAcknowledged,
  checkDeliveries,
  caughtByKill,
  checkFinalInTime,
  compareBankBooks,
  compareOriginatorBooks,
  compareWalletBooks,
  finalBoundMs,
  type BooksComparison,
  type Violation,
} from './campaign-checks';
import { openingBalanceMinor, startCampaignNetwork, type CampaignNetwork } from './campaign-network';
import type { CampaignOptions } from './campaign-options';
import { planTraffic, runTraffic, type SentTransfer } from './campaign-traffic';
import { readSwitchLog, type SwitchLog } from './switch-log';

/**
 * Issue 14 item 2, payee faults: payees (two wallets over HTTP, two bank hosts over ISO 8583) each slow past the
 * deadline, declining, dropping the connection, answering garbage and answering 5xx (96) on `faultPercent` of
 * the messages they get, while transfers flow both ways and the switch is SIGKILLed and restarted once in the
 * middle. Then the payees heal, and the campaign checks the promises: every transfer final by its deadline plus
 * 1 s, every acknowledged answer standing, every reversal and advice delivered, each payee's books equal to the
 * switch's (each credit once, whatever the repeats), and the ledger's invariants.
 */
export type CampaignResult = {
  options: CampaignOptions;
  startedAt: string;
  durationMs: number;
  transfers: {
    sent: number;
    inLog: number;
    committed: number;
    aborted: number;
    reversedAfterCommit: number;
    byKind: Record<string, Record<string, number>>;
  };
  restart: { afterSent: number; downMs: number; caughtInFlight: number } | null;
  /**
   * `slowestMs`: the longest from creation to final among transfers the kill did not catch (bound: the deadline
   * + 1 s); `slowestAfterRestartMs`: how long after the restarted switch served the last caught one was final.
   */
  finality: { boundMs: number; slowestMs: number; slowestAfterRestartMs: number | null; late: number };
  deliveries: { reversals: number; advices: number; delivered: number; failedAttempts: number; settledMs: number };
  faultsDrawn: Record<string, Record<string, number>>;
  repeatsDeduplicated: number;
  books: BooksComparison[];
  ledgerVerified: boolean;
  violationCount: number;
  /** The first ones; `violationCount` has them all. */
  violations: Violation[];
};

/** After healing, how long the outboxes get to deliver everything (their backoff is capped at 30 s). */
const settleTimeoutMs = 120_000;
const settlePollMs = 500;
const violationsReportedMax = 100;

export async function runPayeeFaultsCampaign(options: CampaignOptions, logFile: string): Promise<CampaignResult> {
  const startedAtMs = Date.now();
  const network = await startCampaignNetwork(options.payeeDeadlineMs, logFile);
  try {
    setFaults(network, options);
    const plan = planTraffic(options.transfers, seededRandom(options.seed));
    const traffic = await runTraffic(network, plan, options.concurrency, options.payeeDeadlineMs);
    const faultsDrawn = faultCounts(network);
    healPayees(network);
    const settleStartedMs = Date.now();
    await waitUntilSettled(network.dataDir);
    const settledMs = Date.now() - settleStartedMs;
    await network.stopSwitch();
    const log = await readSwitchLog(network.dataDir);
    const ledgerVerified = await verifyLedger(network.dataDir);
    return judge({
      options,
      startedAtMs,
      network,
      sent: traffic.sent,
      restart: traffic.restart,
      log,
      faultsDrawn,
      settledMs,
      ledgerVerified,
    });
  } finally {
    await network.close();
  }
}

function setFaults(network: CampaignNetwork, options: CampaignOptions): void {
  const share = options.faultPercent / 100;
  // A second past the deadline: the switch has given up by the time the answer comes.
  const slowDelayMs = options.payeeDeadlineMs + 1_000;
  network.requestWallet.simulator.setFaultMix({ shares: evenShares(walletFaults, share), seed: options.seed + 1, slowDelayMs });
  network.adviceWallet.simulator.setFaultMix({ shares: evenShares(walletFaults, share), seed: options.seed + 2, slowDelayMs });
  network.requestBank.simulator.setFaultMix({ shares: evenShares(bankFaults, share), seed: options.seed + 3, slowDelayMs });
  network.adviceBank.simulator.setFaultMix({ shares: evenShares(bankFaults, share), seed: options.seed + 4, slowDelayMs });
}

function healPayees(network: CampaignNetwork): void {
  network.requestWallet.simulator.setFaultMix(null);
  network.adviceWallet.simulator.setFaultMix(null);
  network.requestBank.simulator.setFaultMix(null);
  network.adviceBank.simulator.setFaultMix(null);
}

function faultCounts(network: CampaignNetwork): Record<string, Record<string, number>> {
  return {
    [network.requestWallet.id]: network.requestWallet.simulator.faultCounts(),
    [network.adviceWallet.id]: network.adviceWallet.simulator.faultCounts(),
    [network.requestBank.id]: network.requestBank.simulator.faultCounts(),
    [network.adviceBank.id]: network.adviceBank.simulator.faultCounts(),
  };
}

/** Polls the log until no transfer is in flight and no delivery is pending (or the time is up: the checks say what is left). */
async function waitUntilSettled(dataDir: string): Promise<void> {
  const deadline = Date.now() + settleTimeoutMs;
  while (Date.now() < deadline) {
    const log = await readSwitchLog(dataDir);
    const inFlight = [...log.transfers.values()].some((transfer) => transfer.state === 'IN_FLIGHT');
    const pending = [...log.deliveries.values()].some((delivery) => delivery.state === 'PENDING');
    if (!inFlight && !pending) return;
    await new Promise((resolve) => setTimeout(resolve, settlePollMs));
  }
}

/** `npm run verify` on the data dir: true when every ledger invariant holds. */
function verifyLedger(dataDir: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(
      join(repositoryRoot, 'node_modules', '.bin', 'tsx'),
      ['scripts/verify.ts', '--data-dir', dataDir],
      { cwd: repositoryRoot, timeout: 120_000 },
      (error) => resolve(error === null),
    );
  });
}

type Judged = {
  options: CampaignOptions;
  startedAtMs: number;
  network: CampaignNetwork;
  sent: SentTransfer[];
  restart: { killedAt: number; readyAt: number; afterSent: number } | null;
  log: SwitchLog;
  faultsDrawn: Record<string, Record<string, number>>;
  settledMs: number;
  ledgerVerified: boolean;
};

function judge(input: Judged): CampaignResult {
  const { options, network, log, restart } = input;
  const violations: Violation[] = [
    ...checkFinalInTime(log, options.payeeDeadlineMs, restart),
    ...checkAcknowledged(input.sent, log),
    ...checkDeliveries(log),
  ];
  const books = compareBooks(network, log, violations);
  if (!input.ledgerVerified) violations.push({ rule: 'LEDGER_INVARIANT', subject: network.dataDir, detail: 'npm run verify failed' });
  const transfers = [...log.transfers.values()];
  const deliveries = [...log.deliveries.values()];
  const caught = transfers.filter((transfer) => restart !== null && caughtByKill(transfer, restart));
  const completionMs = transfers
    .filter((transfer) => !caught.includes(transfer))
    .map((transfer) => (transfer.completedAtMs ?? Number.MAX_SAFE_INTEGER) - transfer.createdAtMs);
  const afterRestartMs = caught.map((transfer) => (transfer.completedAtMs ?? Number.MAX_SAFE_INTEGER) - (restart?.readyAt ?? 0));
  const pastBoundMs = transfers.map(
    (transfer) => (transfer.completedAtMs ?? Number.MAX_SAFE_INTEGER) - finalBoundMs(transfer, options.payeeDeadlineMs, restart),
  );
  return {
    options,
    startedAt: new Date(input.startedAtMs).toISOString(),
    durationMs: Date.now() - input.startedAtMs,
    transfers: {
      sent: input.sent.length,
      inLog: transfers.length,
      committed: transfers.filter((transfer) => transfer.state === 'COMMITTED').length,
      aborted: transfers.filter((transfer) => transfer.state === 'ABORTED').length,
      reversedAfterCommit: transfers.filter((transfer) => transfer.reversed).length,
      byKind: outcomesByKind(input.sent),
    },
    restart:
      restart === null
        ? null
        : {
            afterSent: restart.afterSent,
            downMs: restart.readyAt - restart.killedAt,
            caughtInFlight: caught.length,
          },
    finality: {
      boundMs: options.payeeDeadlineMs + 1_000,
      slowestMs: Math.max(0, ...completionMs),
      slowestAfterRestartMs: afterRestartMs.length === 0 ? null : Math.max(...afterRestartMs),
      late: pastBoundMs.filter((value) => value > 0).length,
    },
    deliveries: {
      reversals: deliveries.filter((delivery) => delivery.kind === 'REVERSAL').length,
      advices: deliveries.filter((delivery) => delivery.kind === 'CREDIT_ADVICE').length,
      delivered: deliveries.filter((delivery) => delivery.state === 'DELIVERED').length,
      failedAttempts: deliveries.reduce((sum, delivery) => sum + delivery.failedAttempts, 0),
      settledMs: input.settledMs,
    },
    faultsDrawn: input.faultsDrawn,
    repeatsDeduplicated: repeatsDeduplicated(network),
    books,
    ledgerVerified: input.ledgerVerified,
    violationCount: violations.length,
    violations: violations.slice(0, violationsReportedMax),
  };
}

function compareBooks(network: CampaignNetwork, log: SwitchLog, violations: Violation[]): BooksComparison[] {
  const comparisons: BooksComparison[] = [];
  const add = (result: { comparison: BooksComparison; violations: Violation[] }): void => {
    comparisons.push(result.comparison);
    violations.push(...result.violations);
  };
  for (const wallet of [network.requestWallet, network.adviceWallet]) {
    const delta = wallet.simulator.balanceOf(wallet.walletNumber) - openingBalanceMinor;
    add(compareWalletBooks(wallet.id, wallet.simulator.creditRecords(), delta, log));
  }
  for (const bank of [network.requestBank, network.adviceBank]) {
    const delta = (bank.simulator.accounts.balanceOf(bank.payeeAccount) ?? 0n) - openingBalanceMinor;
    const statistics = bank.simulator.statistics();
    add(compareBankBooks(bank.id, delta, statistics.creditsApplied - statistics.reversalsApplied, log));
  }
  const originator = network.requestBank;
  add(
    compareOriginatorBooks(
      originator.id,
      (originator.simulator.accounts.balanceOf(originator.payerAccount) ?? 0n) - openingBalanceMinor,
      log,
    ),
  );
  return comparisons;
}

function repeatsDeduplicated(network: CampaignNetwork): number {
  const walletRepeats = [network.requestWallet, network.adviceWallet]
    .flatMap((wallet) => wallet.simulator.creditRecords())
    .reduce((sum, record) => sum + record.duplicates, 0);
  return (
    walletRepeats + network.requestBank.simulator.statistics().repeatsAnswered + network.adviceBank.simulator.statistics().repeatsAnswered
  );
}

function outcomesByKind(sent: readonly SentTransfer[]): Record<string, Record<string, number>> {
  const table: Record<string, Record<string, number>> = {};
  for (const transfer of sent) {
    const row = (table[transfer.kind] ??= {});
    const key = transfer.answeredState ?? transfer.outcome;
    row[key] = (row[key] ?? 0) + 1;
  }
  return table;
}

function signed(value: number): string {
  return value > 0 ? `+${value}` : String(value);
}

/** The one line the campaign prints. */
export function summaryLine(result: CampaignResult, resultFile: string): string {
  const { transfers, finality, deliveries, restart, options } = result;
  const booksEqual = result.books.filter((books) => books.equal).length;
  return [
    `faults: ${result.violationCount === 0 ? 'PASS' : 'FAIL'} seed ${options.seed}, ${options.faultPercent} % each of 5 faults per payee`,
    `${transfers.sent} transfers sent (${transfers.inLog} in the log: ${transfers.committed} committed, ${transfers.aborted} aborted)`,
    restart === null
      ? 'no restart'
      : `SIGKILL after ${restart.afterSent}, back in ${restart.downMs} ms, ${restart.caughtInFlight} caught in flight`,
    `final by deadline+1s: ${transfers.inLog - finality.late}/${transfers.inLog} (slowest ${finality.slowestMs} ms, deadline ${options.payeeDeadlineMs} ms` +
      `${finality.slowestAfterRestartMs === null ? '' : `; the caught ones final by ${signed(finality.slowestAfterRestartMs)} ms from the restart serving`})`,
    `reversals ${deliveries.reversals} + advices ${deliveries.advices}: ${deliveries.delivered} delivered, all within ${deliveries.settledMs} ms of the heal (${deliveries.failedAttempts} failed attempts, ${result.repeatsDeduplicated} repeats deduplicated)`,
    `books equal ${booksEqual}/${result.books.length}, ledger ${result.ledgerVerified ? 'verified' : 'BROKEN'}`,
    `violations ${result.violationCount} → ${resultFile}`,
  ].join('; ');
}
