import { SqliteEventStore } from '../../adapters/eventstore-sqlite/sqlite-event-store';
import { join } from 'node:path';
import { parseAmount } from '../../core/money';
import { ledgersInStore, verifyLedger } from '../../core/ledger/ledger-verification';
import type { AcknowledgedRefund, AcknowledgedTransfer, Acknowledgements } from './acknowledgements';
import type { ChaosNetwork } from './chaos-network';
import type { ReadModelRebuild } from './read-model-comparison';
import { checkReceivers, type Chargeback, type ReceiverFindings } from './receiver-checks';
import type { SwitchRecords, SwitchTransfer } from './switch-records';

/** What the checks after one restart found. Every list of violations is empty when the switch kept its promises. */
export type CheckResult = {
  acknowledged: number;
  transfers: number;
  missing: string[];
  duplicated: string[];
  nonFinal: string[];
  /** From the restart until the switch held no transfer in flight. */
  finalAfterMs: number;
  verify: string[];
  readModels: string[];
  receivers: string[];
  books: string[];
  /** Sessions, refunds, disputes and windows acknowledged but not found as acknowledged. */
  gateway: string[];
  /** What the load had done by this check, so that a clean result is seen to cover every kind. */
  mix: LoadMixCounts;
};

export type LoadMixCounts = {
  byVia: Record<string, number>;
  sessionsCompleted: number;
  refundsSucceeded: number;
  chargebacks: number;
  windowsClosed: number;
  windowsSettled: number;
  reversedTransfers: number;
  /** 0220 advices the bank hosts received (CHENAB is paid by advice), repeats included. */
  bankAdvices: number;
  /** Repeated deliveries the shop and the bank host recognised and did not apply twice. */
  repeatsDeduplicated: number;
};

export type CheckContext = {
  network: ChaosNetwork;
  records: SwitchRecords;
  acknowledgements: Acknowledgements;
  dataDir: string;
  rebuild: ReadModelRebuild;
  restartedAtMs: number;
  /** Payee deadline plus recovery: every transfer is final within this after the restart. */
  finalWithinMs: number;
  /** How long the outbox may take to bring every receiver up to date. */
  deliveryWaitMs: number;
};

const pollPauseMs = 250;
const shownMax = 20;

export async function runChecks(context: CheckContext): Promise<CheckResult> {
  const { finalAfterMs, inFlightAtBound } = await finalTransfers(context);
  const settled = await settledRecords(context);
  const { transfers, acknowledged, gateway, receivers } = settled;
  const nonFinal = notFinalByBound(inFlightAtBound, transfers);
  const { missing, duplicated } = compareAcknowledged(acknowledged, transfers);
  const verify = await verifyLedgers(context.dataDir);
  const store = new SqliteEventStore(join(context.dataDir, 'hisaab.db'), { readOnly: true });
  let readModels: string[];
  try {
    const comparison = await context.rebuild.compare(store, context.dataDir);
    readModels = comparison.differences;
  } finally {
    await store.close();
  }
  return {
    acknowledged: acknowledged.length,
    transfers: transfers.length,
    missing: missing.slice(0, shownMax),
    duplicated: duplicated.slice(0, shownMax),
    nonFinal: nonFinal.slice(0, shownMax),
    finalAfterMs,
    verify,
    readModels: readModels.slice(0, shownMax),
    receivers: receivers.receiverViolations,
    books: receivers.bookViolations,
    gateway: gateway.violations.slice(0, shownMax),
    mix: {
      byVia: countBy(acknowledged.map((answer) => answer.via)),
      sessionsCompleted: gateway.facts.completedSessions.size,
      refundsSucceeded: gateway.facts.succeededRefunds.size,
      chargebacks: gateway.facts.chargebacks.length,
      windowsClosed: context.acknowledgements.closedWindows.length,
      windowsSettled: context.acknowledgements.settledWindows.length,
      reversedTransfers: transfers.filter((transfer) => transfer.reversed).length,
      bankAdvices: context.network.banks.reduce((sum, bank) => sum + bank.simulator.statistics().advicesReceived, 0),
      repeatsDeduplicated:
        context.network.shop.duplicateWebhooks +
        context.network.banks.reduce((sum, bank) => sum + bank.simulator.statistics().repeatsAnswered, 0),
    },
  };
}

/**
 * Reads the switch, the gateway's records and the receivers again and again until they agree, or until the
 * delivery bound has passed (then what it found last is the finding). The world does not stand still after a
 * restart even with the load stopped: the outbox delivers reversals, advices and webhooks, and a request to pay
 * sent before the kill may be approved by its customer now, paying a session after the transfers were read.
 */
async function settledRecords(context: CheckContext): Promise<{
  transfers: SwitchTransfer[];
  acknowledged: AcknowledgedTransfer[];
  gateway: { violations: string[]; facts: GatewayFacts };
  receivers: ReceiverFindings;
}> {
  const deadline = Date.now() + context.deliveryWaitMs;
  for (;;) {
    const transfers = await context.records.transfers();
    const acknowledged = context.acknowledgements.transfers(context.network.wallets);
    const gateway = await checkGateway(context, transfers);
    const { facts } = gateway;
    const receivers = await checkReceivers(
      context.network,
      context.records,
      transfers,
      facts.chargebacks,
      facts.completedSessions,
      facts.succeededRefunds,
    );
    const agreed =
      gateway.violations.length === 0 &&
      receivers.receiverViolations.length === 0 &&
      receivers.bookViolations.length === 0 &&
      transfers.every((transfer) => transfer.state !== 'IN_FLIGHT');
    if (agreed || Date.now() >= deadline) return { transfers, acknowledged, gateway, receivers };
    await pause(pollPauseMs);
  }
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/**
 * Reads every transfer until none is IN_FLIGHT, or until the bound has passed; returns when that was and the
 * transfers still in flight then (none when every transfer was final in time).
 */
async function finalTransfers(context: CheckContext): Promise<{ finalAfterMs: number; inFlightAtBound: SwitchTransfer[] }> {
  const deadline = context.restartedAtMs + context.finalWithinMs;
  for (;;) {
    const transfers = await context.records.transfers();
    const inFlight = transfers.filter((transfer) => transfer.state === 'IN_FLIGHT');
    if (inFlight.length === 0 || Date.now() >= deadline)
      return { finalAfterMs: Date.now() - context.restartedAtMs, inFlightAtBound: inFlight };
    await pause(pollPauseMs);
  }
}

/**
 * The transfers that broke "final within the payee deadline plus recovery": those still in flight when that bound
 * passed, even if the later wait for deliveries saw them finish (late is not final in time), and any still in flight
 * at the very end.
 */
export function notFinalByBound(inFlightAtBound: readonly SwitchTransfer[], transfersAtEnd: readonly SwitchTransfer[]): string[] {
  const late = new Map<string, string>();
  for (const transfer of inFlightAtBound) {
    const key = `${transfer.payerParticipant}/${transfer.id}`;
    late.set(key, `${key} was still IN_FLIGHT when the payee deadline plus recovery had passed`);
  }
  for (const transfer of transfersAtEnd) {
    const key = `${transfer.payerParticipant}/${transfer.id}`;
    if (transfer.state === 'IN_FLIGHT') late.set(key, `${key} still IN_FLIGHT`);
  }
  return [...late.values()];
}

function compareAcknowledged(
  acknowledged: readonly AcknowledgedTransfer[],
  transfers: readonly SwitchTransfer[],
): { missing: string[]; duplicated: string[] } {
  const byPayerId = new Map<string, SwitchTransfer[]>();
  const bySwitchId = new Map<string, number>();
  for (const transfer of transfers) {
    const key = `${transfer.payerParticipant}/${transfer.id}`;
    byPayerId.set(key, [...(byPayerId.get(key) ?? []), transfer]);
    bySwitchId.set(transfer.switchTransferId, (bySwitchId.get(transfer.switchTransferId) ?? 0) + 1);
  }
  const missing: string[] = [];
  for (const answer of acknowledged) {
    const found = byPayerId.get(`${answer.payerParticipant}/${answer.id}`)?.[0];
    if (found === undefined)
      missing.push(`${answer.payerParticipant}/${answer.id} (${answer.via}, acknowledged ${answer.state}) is missing`);
    else if (answer.state !== 'IN_FLIGHT' && found.state !== answer.state)
      missing.push(`${answer.payerParticipant}/${answer.id} (${answer.via}) was acknowledged ${answer.state} and is now ${found.state}`);
  }
  const duplicated = [
    ...[...byPayerId].filter(([, found]) => found.length > 1).map(([key, found]) => `${key} recorded ${found.length} times`),
    ...[...bySwitchId].filter(([, count]) => count > 1).map(([id, count]) => `switch transfer ${id} recorded ${count} times`),
  ];
  return { missing, duplicated };
}

type GatewayFacts = {
  completedSessions: Set<string>;
  succeededRefunds: Set<string>;
  chargebacks: Chargeback[];
};

/**
 * Every acknowledged session, refund, dispute and closed window is there as acknowledged; a session is paid at
 * most once (as many committed P2M payments as completed sessions); an accepted dispute has its chargeback.
 */
async function checkGateway(
  context: CheckContext,
  transfers: readonly SwitchTransfer[],
): Promise<{ violations: string[]; facts: GatewayFacts }> {
  const { acknowledgements, records } = context;
  const violations: string[] = [];
  const completedSessions = new Set<string>();
  for (const sessionId of acknowledgements.sessions) {
    const session = (await records.get(`/v1/checkout/sessions/${sessionId}`)) as { status: string } | null;
    if (session === null) violations.push(`checkout session ${sessionId} was acknowledged and is missing`);
    else if (session.status === 'COMPLETED') completedSessions.add(sessionId);
  }
  const payments = transfers.filter((transfer) => transfer.purpose === 'P2M' && transfer.state === 'COMMITTED');
  if (payments.length !== completedSessions.size)
    violations.push(`${payments.length} committed checkout payments for ${completedSessions.size} completed sessions`);
  const succeededRefunds = new Set<string>();
  for (const refund of acknowledgements.refunds) {
    const found = (await records.get(`/v1/refunds/${refund.id}`)) as { status: string } | null;
    const broken = refundAsAcknowledged(refund, found);
    if (broken !== null) violations.push(broken);
    if (found?.status === 'SUCCEEDED') succeededRefunds.add(refund.id);
  }
  const chargebacks: Chargeback[] = [];
  for (const dispute of acknowledgements.disputes) {
    const found = (await records.get(`/v1/disputes/${dispute.id}`)) as {
      state: string;
      outcome: string | null;
      claimant: string;
      amount: string;
      currency: string;
      chargebackTransferId: string | null;
    } | null;
    if (found === null) violations.push(`dispute ${dispute.id} was acknowledged and is missing`);
    else if (dispute.accepted && (found.state !== 'RESOLVED' || found.outcome !== 'CLAIMANT' || found.chargebackTransferId === null))
      violations.push(`dispute ${dispute.id} was accepted and is ${found.state} ${found.outcome ?? ''} without a chargeback`);
    if (found?.chargebackTransferId != null)
      chargebacks.push({
        transferId: found.chargebackTransferId,
        claimant: found.claimant,
        amountMinor: parseAmount(found.amount, found.currency),
      });
  }
  const settledWindows = new Set(acknowledgements.settledWindows);
  for (const windowId of acknowledgements.closedWindows) {
    const report = (await records.get(`/v1/settlement/windows/${windowId}/report`)) as { state: string; netSumZero: boolean } | null;
    const broken = windowAsAcknowledged(windowId, settledWindows.has(windowId), report);
    if (broken !== null) violations.push(broken);
  }
  return { violations, facts: { completedSessions, succeededRefunds, chargebacks } };
}

/** What is wrong with a refund as the switch now holds it, against its acknowledged answer; null when nothing is. */
export function refundAsAcknowledged(refund: AcknowledgedRefund, found: { status: string } | null): string | null {
  if (found === null) return `refund ${refund.id} was acknowledged and is missing`;
  if (refund.status !== 'PENDING' && found.status !== refund.status)
    return `refund ${refund.id} was acknowledged ${refund.status} and is now ${found.status}`;
  return null;
}

/**
 * What is wrong with a window's report against what the operator was answered: a closed window is CLOSED or
 * SETTLED (never open again), a settled one SETTLED, and its nets sum to zero. Null when nothing is.
 */
export function windowAsAcknowledged(
  windowId: string,
  settleAcknowledged: boolean,
  report: { state: string; netSumZero: boolean } | null,
): string | null {
  if (report === null) return `settlement window ${windowId} was closed and has no report`;
  if (settleAcknowledged && report.state !== 'SETTLED') return `settlement window ${windowId} was settled and is now ${report.state}`;
  if (report.state !== 'CLOSED' && report.state !== 'SETTLED') return `settlement window ${windowId} was closed and is now ${report.state}`;
  if (!report.netSumZero) return `settlement window ${windowId}: its nets do not sum to zero`;
  return null;
}

/** `npm run verify`'s own invariants (the same functions), on a read-only view of the running switch's log. */
async function verifyLedgers(dataDir: string): Promise<string[]> {
  const store = new SqliteEventStore(join(dataDir, 'hisaab.db'), { readOnly: true });
  try {
    const violations: string[] = [];
    for (const ledger of await ledgersInStore(store))
      violations.push(...(await verifyLedger(store, ledger)).violations.map((text) => `ledger-${ledger}: ${text}`));
    return violations;
  } finally {
    await store.close();
  }
}

function pause(delayMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, delayMs));
}
