import {
  checkAcknowledged,
  checkDeliveries,
  checkFinalInTime,
  compareBankBooks,
  compareWalletBooks,
  finalBoundMs,
} from '../../../scripts/payee-faults/campaign-checks';
import type { SentTransfer } from '../../../scripts/payee-faults/campaign-traffic';
import type { LoggedDelivery, LoggedTransfer, SwitchLog } from '../../../scripts/payee-faults/switch-log';

/** The campaign's judgements on known logs: each broken promise is caught, and a kept one is not flagged. */
const deadlineMs = 2_000;

function transfer(id: string, overrides: Partial<LoggedTransfer> = {}): LoggedTransfer {
  return {
    transferId: id,
    payeeParticipant: 'WALLET_REQ',
    payerParticipant: 'PAYER',
    amountMinor: 1_000n,
    creditMode: 'REQUEST',
    createdAtMs: 10_000,
    state: 'COMMITTED',
    abortReason: null,
    reversalQueued: false,
    reversed: false,
    completedAtMs: 10_500,
    ...overrides,
  };
}

function delivery(kind: string, transferId: string, state: LoggedDelivery['state'] = 'DELIVERED'): LoggedDelivery {
  return {
    deliveryId: `${kind}:${transferId}`,
    kind,
    destination: 'WALLET_REQ',
    channel: 'wallet-http',
    transferId,
    failedAttempts: 0,
    state,
  };
}

function logOf(transfers: LoggedTransfer[], deliveries: LoggedDelivery[] = []): SwitchLog {
  return {
    transfers: new Map(transfers.map((entry) => [entry.transferId, entry])),
    deliveries: new Map(deliveries.map((entry) => [entry.deliveryId, entry])),
  };
}

describe('payee-fault campaign checks', () => {
  it('holds a transfer to its deadline + 1 s, or to the restart + 1 s when the kill caught it unfinished', () => {
    const restart = { killedAt: 11_000, readyAt: 20_000 };
    expect(finalBoundMs(transfer('a'), deadlineMs, restart)).toBe(13_000);
    expect(finalBoundMs(transfer('b', { completedAtMs: 19_000 }), deadlineMs, restart)).toBe(21_000);
    const violations = checkFinalInTime(
      logOf([
        transfer('in-time', { completedAtMs: 13_000 }),
        transfer('late', { completedAtMs: 13_001, createdAtMs: 10_000 }),
        transfer('open', { state: 'IN_FLIGHT', completedAtMs: null }),
      ]),
      deadlineMs,
      null,
    );
    expect(violations.map((violation) => [violation.rule, violation.subject])).toEqual([
      ['LATE', 'late'],
      ['NOT_FINAL', 'open'],
    ]);
  });

  it('flags an answer the log does not bear out, and a request never answered', () => {
    const sent = (transferId: string, answeredState: string | null, outcome: string): SentTransfer => ({
      kind: 'WALLET_REQUEST',
      transferId,
      amountMinor: 1_000n,
      sentAt: 0,
      answeredAt: 1,
      outcome,
      answeredState,
      attempts: 1,
    });
    const log = logOf([transfer('kept'), transfer('flipped', { state: 'ABORTED' })]);
    const violations = checkAcknowledged(
      [
        sent('kept', 'COMMITTED', 'HTTP 201'),
        sent('flipped', 'COMMITTED', 'HTTP 201'),
        sent('lost', 'COMMITTED', 'HTTP 201'),
        sent('silent', null, 'NO_ANSWER'),
      ],
      log,
    );
    expect(violations.map((violation) => [violation.rule, violation.subject])).toEqual([
      ['ACKNOWLEDGED_LOST', 'flipped'],
      ['ACKNOWLEDGED_LOST', 'lost'],
      ['UNANSWERED', 'silent'],
    ]);
  });

  it('flags a reversal or advice not delivered, and one never queued', () => {
    const log = logOf(
      [
        transfer('timed-out', { state: 'ABORTED', reversalQueued: true }),
        transfer('advised', { creditMode: 'ADVICE' }),
        transfer('unadvised', { creditMode: 'ADVICE' }),
      ],
      [delivery('REVERSAL', 'timed-out', 'PENDING'), delivery('CREDIT_ADVICE', 'advised')],
    );
    expect(checkDeliveries(log).map((violation) => [violation.rule, violation.subject])).toEqual([
      ['NOT_DELIVERED', 'REVERSAL:timed-out'],
      ['NOT_QUEUED', 'unadvised'],
    ]);
  });

  it('flags a wallet that kept a credit for an aborted transfer, or lacks one for a committed one, and bank books that differ in sum', () => {
    const log = logOf([transfer('committed'), transfer('aborted', { state: 'ABORTED', reversalQueued: true })]);
    const record = (transferId: string, state: 'CREDITED' | 'REVERSED') => ({
      transferId,
      walletNumber: 'W1',
      amountMinor: 1_000n,
      state,
      answer: { status: 'ACCEPTED' as const },
      duplicates: 0,
    });
    const equal = compareWalletBooks('WALLET_REQ', [record('committed', 'CREDITED'), record('aborted', 'REVERSED')], 1_000n, log);
    expect(equal.violations).toEqual([]);
    expect(equal.comparison.equal).toBe(true);
    const kept = compareWalletBooks('WALLET_REQ', [record('committed', 'CREDITED'), record('aborted', 'CREDITED')], 2_000n, log);
    expect(kept.violations.map((violation) => violation.subject)).toEqual(['aborted', 'WALLET_REQ']);
    const missing = compareWalletBooks('WALLET_REQ', [], 0n, log);
    expect(missing.violations.map((violation) => violation.subject)).toEqual(['committed', 'WALLET_REQ']);
    expect(compareBankBooks('WALLET_REQ', 1_000n, 1, log).violations).toEqual([]);
    expect(compareBankBooks('WALLET_REQ', 2_000n, 2, log).violations).toHaveLength(2);
  });
});
