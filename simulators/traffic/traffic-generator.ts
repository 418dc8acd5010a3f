import { performance } from 'node:perf_hooks';
import { assert } from '../../core/assert';
import { formatAmount } from '../../core/money';
import type { SentTransfer } from '../wallet/transfer-origination';
import type { WalletSimulator } from '../wallet/wallet-simulator';
import { summarize, type TrafficSummary } from './traffic-summary';

/** Someone a transfer can be sent to, as the payer would name them, and the participant that serves them. */
export type TrafficPayee = { type: string; value: string; participantId: string };

export type TrafficOptions = {
  /** Wallets whose customers send; each must be connected to the switch. */
  senders: readonly WalletSimulator[];
  payees: readonly TrafficPayee[];
  /** Stop after this many transfers... */
  countMax: number;
  /** ...or after this long, whichever comes first. Transfers in flight at the end are awaited. */
  durationMs: number;
  /** Transfers in flight at once. */
  concurrency: number;
  amountMinorMin: bigint;
  amountMinorMax: bigint;
  /** Returns [0, 1); injected so a run can be repeated exactly. */
  random?: () => number;
  /** Sees each result as it comes (progress output). */
  onResult?: (result: SentTransfer) => void;
};

export const trafficLimits = { countMax: 1_000_000, durationMsMax: 3_600_000, concurrencyMax: 512 } as const;

/**
 * Drives mixed P2P traffic through the switch's `POST /v1/transfers` (issue 4): random customers of the sending
 * wallets pay random payees random amounts, `concurrency` at a time, until the count or the duration runs out.
 */
export async function runTraffic(options: TrafficOptions): Promise<{ summary: TrafficSummary; results: SentTransfer[] }> {
  checkOptions(options);
  const random = options.random ?? Math.random;
  const results: SentTransfer[] = [];
  const startedMs = performance.now();
  let issued = 0;
  const worker = async (): Promise<void> => {
    while (issued < options.countMax && performance.now() - startedMs < options.durationMs) {
      issued += 1;
      const result = await sendOne(options, random);
      results.push(result);
      options.onResult?.(result);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  return { summary: summarize(results, performance.now() - startedMs), results };
}

function sendOne(options: TrafficOptions, random: () => number): Promise<SentTransfer> {
  const sender = pick(options.senders, random);
  const customer = pick(sender.accounts.list(), random);
  // A payee at the sender's own participant is an on-us payment, which the switch does not carry.
  const candidates = options.payees.filter((payee) => payee.participantId !== sender.participantId);
  const payee = pick(candidates.length > 0 ? candidates : options.payees, random);
  const span = options.amountMinorMax - options.amountMinorMin;
  // The span is checked to fit a double exactly, so this draws every amount in the range with equal chance.
  const amountMinor = options.amountMinorMin + BigInt(Math.floor(random() * (Number(span) + 1)));
  return sender.sendTransfer({
    from: customer.walletNumber,
    payee: { type: payee.type, value: payee.value },
    amount: formatAmount(amountMinor, sender.currency),
    purpose: 'P2P',
  });
}

function pick<Item>(items: readonly Item[], random: () => number): Item {
  const item = items[Math.floor(random() * items.length)];
  assert(item !== undefined, 'there is something to pick from');
  return item;
}

function checkOptions(options: TrafficOptions): void {
  assert(
    options.senders.length > 0 && options.senders.every((sender) => sender.accounts.list().length > 0),
    'every sending wallet has customers',
  );
  assert(options.payees.length > 0, 'there is at least one payee');
  assert(
    Number.isSafeInteger(options.countMax) && options.countMax >= 1 && options.countMax <= trafficLimits.countMax,
    `countMax is 1 to ${trafficLimits.countMax}`,
  );
  assert(
    Number.isSafeInteger(options.durationMs) && options.durationMs >= 1 && options.durationMs <= trafficLimits.durationMsMax,
    `durationMs is 1 to ${trafficLimits.durationMsMax}`,
  );
  assert(
    Number.isSafeInteger(options.concurrency) && options.concurrency >= 1 && options.concurrency <= trafficLimits.concurrencyMax,
    `concurrency is 1 to ${trafficLimits.concurrencyMax}`,
  );
  assert(options.amountMinorMin >= 1n && options.amountMinorMin <= options.amountMinorMax, 'the amount range is positive and not empty');
  assert(options.amountMinorMax - options.amountMinorMin <= BigInt(Number.MAX_SAFE_INTEGER), 'the amount range fits a double exactly');
}
