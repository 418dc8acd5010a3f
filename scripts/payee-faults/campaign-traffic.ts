import { randomUUID } from 'node:crypto';
import { formatAmount } from '../../core/money';
import { payerScopedTransferId } from '../../core/transfers/transfer-id';
import type { CampaignNetwork } from './campaign-network';

/**
 * The campaign's traffic: transfers of five kinds, planned from the seed (kind and amount), sent a few at a time.
 * Over HTTP the payer wallet pays the two wallets and the two banks (`POST /v1/transfers`); over ISO 8583 the
 * REQUEST bank's customer pays the REQUEST wallet's (0200 in, and 0420 when the 0210 does not come). A POST that
 * gets no answer (the switch was killed, or is starting) is sent again with the same id until one comes: the
 * client's retry that must neither lose nor double a payment.
 */
export const transferKinds = ['WALLET_REQUEST', 'WALLET_ADVICE', 'BANK_REQUEST', 'BANK_ADVICE', 'BANK_ORIGINATED'] as const;
export type TransferKind = (typeof transferKinds)[number];

/** The traffic's mix, in parts of 100. */
const kindWeights: Readonly<Record<TransferKind, number>> = {
  WALLET_REQUEST: 30,
  WALLET_ADVICE: 20,
  BANK_REQUEST: 20,
  BANK_ADVICE: 15,
  BANK_ORIGINATED: 15,
};

export type SentTransfer = {
  kind: TransferKind;
  /** The switch's transfer id (what the log and the payees know it by); null for an ISO 8583 transfer never sent. */
  transferId: string | null;
  amountMinor: bigint;
  sentAt: number;
  /** When the final answer came (the one recorded below), or null when none ever came. */
  answeredAt: number | null;
  /** HTTP: the status and state of the final answer; ISO 8583: the originating bank's result. */
  outcome: string;
  /** The transfer's state as the answer gave it (COMMITTED, ABORTED), null when the answer gave none. */
  answeredState: string | null;
  attempts: number;
};

const postTimeoutMs = 30_000;
/** A POST without an answer is sent again this many times at most, this far apart: long enough for a restart. */
const postAttemptsMax = 120;
const postRetryDelayMs = 500;
/** The originating bank repeats its 0420 this many times, as banks do, until the switch acknowledges it. */
const reversalAttemptsMax = 60;
const reversalRetryDelayMs = 1_000;
const reversalTimeoutMs = 2_000;

export type TrafficPlan = readonly { kind: TransferKind; amountMinor: bigint }[];

/** Kinds and amounts (1.00 to 500.00 PKR) drawn from `random`, so that a seed replays the same traffic. */
export function planTraffic(transfers: number, random: () => number): TrafficPlan {
  const plan: { kind: TransferKind; amountMinor: bigint }[] = [];
  for (let index = 0; index < transfers; index++) {
    let draw = random() * 100;
    const kind = transferKinds.find((candidate) => (draw -= kindWeights[candidate]) < 0) ?? 'WALLET_REQUEST';
    plan.push({ kind, amountMinor: 100n + BigInt(Math.floor(random() * 49_901)) });
  }
  return plan;
}

export type TrafficRun = { sent: SentTransfer[]; restart: { killedAt: number; readyAt: number; afterSent: number } | null };

/**
 * Sends the plan `concurrency` at a time. Once half of it has been started, the switch is SIGKILLed and started
 * again while the rest keeps coming (`restart`); senders whose requests fail meanwhile retry.
 */
export async function runTraffic(
  network: CampaignNetwork,
  plan: TrafficPlan,
  concurrency: number,
  payeeDeadlineMs: number,
): Promise<TrafficRun> {
  const sent: SentTransfer[] = [];
  let next = 0;
  let restart: TrafficRun['restart'] = null;
  // Holds the one restart once it began: the workers go on sending while it runs.
  const restarting: Promise<void>[] = [];
  const worker = async (): Promise<void> => {
    while (next < plan.length) {
      const entry = plan[next];
      next += 1;
      if (entry === undefined) break;
      if (restarting.length === 0 && next >= Math.ceil(plan.length / 2)) {
        const afterSent = next;
        restarting.push(
          network.killAndRestart().then((times) => {
            restart = { ...times, afterSent };
          }),
        );
      }
      sent.push(await sendOne(network, entry.kind, entry.amountMinor, payeeDeadlineMs));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await Promise.all(restarting);
  return { sent, restart };
}

function sendOne(network: CampaignNetwork, kind: TransferKind, amountMinor: bigint, payeeDeadlineMs: number): Promise<SentTransfer> {
  switch (kind) {
    case 'WALLET_REQUEST':
      return post(network, kind, amountMinor, { type: 'MSISDN', value: network.requestWallet.msisdn });
    case 'WALLET_ADVICE':
      return post(network, kind, amountMinor, { type: 'MSISDN', value: network.adviceWallet.msisdn });
    case 'BANK_REQUEST':
      return post(network, kind, amountMinor, { type: 'IBAN', value: network.requestBank.payeeAccount });
    case 'BANK_ADVICE':
      return post(network, kind, amountMinor, { type: 'IBAN', value: network.adviceBank.payeeAccount });
    case 'BANK_ORIGINATED':
      return originate(network, amountMinor, payeeDeadlineMs);
  }
}

async function post(
  network: CampaignNetwork,
  kind: TransferKind,
  amountMinor: bigint,
  payee: { type: string; value: string },
): Promise<SentTransfer> {
  const clientId = randomUUID();
  const body = JSON.stringify({
    id: clientId,
    payer: { type: 'WALLET', value: network.payer.walletNumber },
    payee,
    amount: formatAmount(amountMinor, 'PKR'),
    currency: 'PKR',
    purpose: 'P2P',
  });
  const sentAt = Date.now();
  for (let attempt = 1; attempt <= postAttemptsMax; attempt++) {
    const answer = await postOnce(network.switchUrl, network.payer.key, body);
    // No answer, the switch busy or the original still in flight elsewhere: the same request again, later.
    const retry = answer === null || answer.status === 503 || answer.code === 'TRANSFER_IN_FLIGHT';
    if (!retry || attempt === postAttemptsMax) {
      return {
        kind,
        transferId: answer?.switchTransferId ?? payerScopedTransferId(network.payer.id, clientId),
        amountMinor,
        sentAt,
        answeredAt: answer === null ? null : Date.now(),
        outcome: answer === null ? 'NO_ANSWER' : `HTTP ${answer.status}${answer.code === null ? '' : ` ${answer.code}`}`,
        answeredState: answer?.state ?? null,
        attempts: attempt,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, postRetryDelayMs));
  }
  throw new Error('unreachable: the last attempt returns');
}

type PostAnswer = { status: number; state: string | null; code: string | null; switchTransferId: string | null };

async function postOnce(switchUrl: string, key: string, body: string): Promise<PostAnswer | null> {
  try {
    const response = await fetch(`${switchUrl}/v1/transfers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(postTimeoutMs),
    });
    const answer = (await response.json()) as { state?: string; switchTransferId?: string; error?: { code?: string } };
    return {
      status: response.status,
      state: answer.state ?? null,
      code: answer.error?.code ?? null,
      switchTransferId: answer.switchTransferId ?? null,
    };
  } catch {
    // Refused, reset or timed out: the switch is down or was killed while answering; nothing was acknowledged.
    return null;
  }
}

async function originate(network: CampaignNetwork, amountMinor: bigint, payeeDeadlineMs: number): Promise<SentTransfer> {
  const bank = network.requestBank;
  const sentAt = Date.now();
  const result = await bank.simulator.sendTransfer(
    // The bank waits past the switch's deadline for a REQUEST payee, then gives up with a 0420.
    { payerAccount: bank.payerAccount, payee: network.requestWallet.msisdn, amountMinor, timeoutMs: payeeDeadlineMs + 3_000 },
    { attemptsMax: reversalAttemptsMax, retryDelayMs: reversalRetryDelayMs, timeoutMs: reversalTimeoutMs },
  );
  const answeredAt = Date.now();
  const base = { kind: 'BANK_ORIGINATED' as const, amountMinor, sentAt, answeredAt, attempts: 1 };
  switch (result.status) {
    case 'approved':
      return { ...base, transferId: result.transferId, outcome: 'ISO approved', answeredState: 'COMMITTED' };
    case 'declined':
      return { ...base, transferId: result.transferId, outcome: `ISO declined ${result.responseCode}`, answeredState: 'ABORTED' };
    case 'reversed':
    case 'unresolved':
      return {
        ...base,
        transferId: result.transferId,
        outcome: `ISO ${result.status}`,
        answeredState: null,
        attempts: result.reversalAttempts,
      };
    case 'not_sent':
    case 'refused':
      return { ...base, transferId: null, outcome: `ISO ${result.status} ${result.reason}`, answeredState: null };
  }
}
