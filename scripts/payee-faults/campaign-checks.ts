import type { CreditRecord } from '../../simulators/wallet/credit-book';
import type { SentTransfer } from './campaign-traffic';
import type { LoggedTransfer, SwitchLog } from './switch-log';

/** One broken promise the campaign found, with what it was about. */
export type Violation = { rule: ViolationRule; subject: string; detail: string };

export type ViolationRule =
  /** A transfer still in flight after the campaign. */
  | 'NOT_FINAL'
  /** A transfer final later than its deadline plus 1 s (or, cut by the restart, later than the restart plus 1 s). */
  | 'LATE'
  /** An answer the client got (a state, an approval) that the log does not bear out. */
  | 'ACKNOWLEDGED_LOST'
  /** A request that never got a final answer, or got one a valid request should not get. */
  | 'UNANSWERED'
  /** A reversal or an advice not delivered (pending or abandoned) once the payees healed. */
  | 'NOT_DELIVERED'
  /** A transfer that needed a reversal or an advice with none queued for it. */
  | 'NOT_QUEUED'
  /** A payee's (or the originating bank's) books differ from the switch's. */
  | 'BOOKS_DIFFER'
  /** `npm run verify` found a broken ledger invariant. */
  | 'LEDGER_INVARIANT';

/** When the switch was down: transfers caught by it are held to the restart's bound instead of their deadline. */
export type RestartWindow = { killedAt: number; readyAt: number };

/** Past its deadline a transfer has this long to be final (issue 14). */
export const finalGraceMs = 1_000;

/** The latest a transfer may be final: deadline + 1 s, or, when the kill caught it unfinished, the restart + 1 s if later. */
export function finalBoundMs(transfer: LoggedTransfer, payeeDeadlineMs: number, restart: RestartWindow | null): number {
  const deadlineAtMs = transfer.createdAtMs + payeeDeadlineMs;
  return (restart !== null && caughtByKill(transfer, restart) ? Math.max(deadlineAtMs, restart.readyAt) : deadlineAtMs) + finalGraceMs;
}

/** Created before the kill and not final by then: only the restarted switch could finish it. */
export function caughtByKill(transfer: LoggedTransfer, restart: RestartWindow): boolean {
  return transfer.createdAtMs < restart.killedAt && (transfer.completedAtMs === null || transfer.completedAtMs >= restart.killedAt);
}

export function checkFinalInTime(log: SwitchLog, payeeDeadlineMs: number, restart: RestartWindow | null): Violation[] {
  const violations: Violation[] = [];
  for (const transfer of log.transfers.values()) {
    if (transfer.state === 'IN_FLIGHT' || transfer.completedAtMs === null) {
      violations.push({ rule: 'NOT_FINAL', subject: transfer.transferId, detail: 'still IN_FLIGHT after the campaign' });
      continue;
    }
    const boundMs = finalBoundMs(transfer, payeeDeadlineMs, restart);
    if (transfer.completedAtMs > boundMs)
      violations.push({
        rule: 'LATE',
        subject: transfer.transferId,
        detail: `${transfer.state} ${transfer.completedAtMs - transfer.createdAtMs} ms after creation, ${transfer.completedAtMs - boundMs} ms past its bound`,
      });
  }
  return violations;
}

/** Every answer a client got stands in the log: a committed payment is committed, an approval was not undone. */
export function checkAcknowledged(sent: readonly SentTransfer[], log: SwitchLog): Violation[] {
  const violations: Violation[] = [];
  for (const transfer of sent) {
    const subject = transfer.transferId ?? `${transfer.kind} never sent`;
    const logged = transfer.transferId === null ? undefined : log.transfers.get(transfer.transferId);
    if (transfer.outcome === 'NO_ANSWER' || transfer.outcome === 'ISO unresolved') {
      violations.push({ rule: 'UNANSWERED', subject, detail: `${transfer.outcome} after ${transfer.attempts} attempts` });
      continue;
    }
    if (transfer.outcome.startsWith('HTTP ') && !/^HTTP 20[01]$/.test(transfer.outcome)) {
      violations.push({ rule: 'UNANSWERED', subject, detail: `a valid transfer answered ${transfer.outcome}` });
      continue;
    }
    if (transfer.answeredState === null) continue;
    const loggedState = logged === undefined ? 'absent' : logged.reversed ? 'COMMITTED then reversed' : logged.state;
    // A bank's decline may come before anything is recorded (the switch refused the 0200 itself): absent is fine.
    const declinedUnrecorded = transfer.outcome.startsWith('ISO declined') && logged === undefined;
    if (loggedState !== transfer.answeredState && !declinedUnrecorded)
      violations.push({
        rule: 'ACKNOWLEDGED_LOST',
        subject,
        detail: `answered ${transfer.answeredState} (${transfer.outcome}), the log has ${loggedState}`,
      });
  }
  return violations;
}

/** Every reversal and advice the log queued was delivered; every transfer that needed one has one. */
export function checkDeliveries(log: SwitchLog): Violation[] {
  const violations: Violation[] = [];
  const queued = new Set<string>();
  for (const delivery of log.deliveries.values()) {
    if (delivery.transferId !== null) queued.add(`${delivery.kind}:${delivery.transferId}`);
    if (delivery.state !== 'DELIVERED')
      violations.push({
        rule: 'NOT_DELIVERED',
        subject: delivery.deliveryId,
        detail: `${delivery.state} to ${delivery.destination} over ${delivery.channel} after ${delivery.failedAttempts} failed attempts`,
      });
  }
  for (const transfer of log.transfers.values()) {
    const needsReversal = (transfer.state === 'ABORTED' && transfer.reversalQueued) || transfer.reversed;
    if (needsReversal && !queued.has(`REVERSAL:${transfer.transferId}`))
      violations.push({ rule: 'NOT_QUEUED', subject: transfer.transferId, detail: 'needs a reversal, none was queued' });
    if (transfer.state === 'COMMITTED' && transfer.creditMode === 'ADVICE' && !queued.has(`CREDIT_ADVICE:${transfer.transferId}`))
      violations.push({ rule: 'NOT_QUEUED', subject: transfer.transferId, detail: 'a committed ADVICE transfer, no advice was queued' });
  }
  return violations;
}

/** What a payee must hold for a transfer once everything is delivered: its amount if it stands, else nothing. */
export function creditDueMinor(transfer: LoggedTransfer): bigint {
  return transfer.state === 'COMMITTED' && !transfer.reversed ? transfer.amountMinor : 0n;
}

export type BooksComparison = { payee: string; switchMinor: string; payeeMinor: string; equal: boolean };

/** A wallet's books against the log, transfer by transfer (its records are keyed by the switch's transfer id). */
export function compareWalletBooks(
  participantId: string,
  records: readonly CreditRecord[],
  balanceDeltaMinor: bigint,
  log: SwitchLog,
): { comparison: BooksComparison; violations: Violation[] } {
  const violations: Violation[] = [];
  const recordsById = new Map(records.map((record) => [record.transferId, record]));
  let dueMinor = 0n;
  for (const transfer of log.transfers.values()) {
    if (transfer.payeeParticipant !== participantId) continue;
    const due = creditDueMinor(transfer);
    dueMinor += due;
    const record = recordsById.get(transfer.transferId);
    const held = record?.state === 'CREDITED' ? record.amountMinor : 0n;
    if (held !== due)
      violations.push({
        rule: 'BOOKS_DIFFER',
        subject: transfer.transferId,
        detail: `${participantId} holds ${held} minor (${record?.state ?? 'no record'}), the switch ${transfer.state}${transfer.reversed ? ' reversed' : ''} owes ${due}`,
      });
  }
  for (const record of records)
    if (!log.transfers.has(record.transferId) && record.state === 'CREDITED')
      violations.push({
        rule: 'BOOKS_DIFFER',
        subject: record.transferId,
        detail: `${participantId} credited a transfer the switch never recorded`,
      });
  return { comparison: booksComparison(participantId, dueMinor, balanceDeltaMinor, violations), violations };
}

/** A bank's books against the log in sum (its records are keyed by ISO 8583 identifiers, not the transfer id). */
export function compareBankBooks(
  participantId: string,
  balanceDeltaMinor: bigint,
  creditsStanding: number,
  log: SwitchLog,
): { comparison: BooksComparison; violations: Violation[] } {
  const owed = [...log.transfers.values()].filter(
    (transfer) => transfer.payeeParticipant === participantId && creditDueMinor(transfer) > 0n,
  );
  const dueMinor = owed.reduce((sum, transfer) => sum + transfer.amountMinor, 0n);
  const violations: Violation[] = [];
  if (creditsStanding !== owed.length)
    violations.push({
      rule: 'BOOKS_DIFFER',
      subject: participantId,
      detail: `${participantId} holds ${creditsStanding} credits, the switch committed ${owed.length}`,
    });
  return { comparison: booksComparison(participantId, dueMinor, balanceDeltaMinor, violations), violations };
}

/** The originating bank's payer account against the transfers it sent that the switch committed. */
export function compareOriginatorBooks(
  participantId: string,
  balanceDeltaMinor: bigint,
  log: SwitchLog,
): { comparison: BooksComparison; violations: Violation[] } {
  let paidMinor = 0n;
  for (const transfer of log.transfers.values()) if (transfer.payerParticipant === participantId) paidMinor += creditDueMinor(transfer);
  const violations: Violation[] = [];
  return { comparison: booksComparison(`${participantId} (payer)`, -paidMinor, balanceDeltaMinor, violations), violations };
}

function booksComparison(payee: string, switchMinor: bigint, payeeMinor: bigint, violations: Violation[]): BooksComparison {
  const equal = switchMinor === payeeMinor;
  if (!equal)
    violations.push({
      rule: 'BOOKS_DIFFER',
      subject: payee,
      detail: `the switch says ${switchMinor} minor moved, the books ${payeeMinor}`,
    });
  return { payee, switchMinor: String(switchMinor), payeeMinor: String(payeeMinor), equal };
}
