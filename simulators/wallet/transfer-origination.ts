import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { assert } from '../../core/assert';
import { isDomainError } from '../../core/errors';
import { parseAmount } from '../../core/money';
import type { CustomerAccounts } from './customer-accounts';
import { SwitchClient, type SwitchAnswer, type SwitchClientOptions, type TransferRequestBody } from './switch-client';

export type SendTransferInput = {
  /** The paying customer's wallet number. */
  from: string;
  payee: { type: string; value: string };
  amount: string;
  /** A uuid; a fresh one when absent. */
  id?: string;
  purpose?: string;
  note?: string;
  /** The checkout session a P2M transfer pays (from a request to pay). */
  checkoutSessionId?: string;
};

/**
 * How a sent transfer ended for the customer:
 * - `COMMITTED`: the switch committed it; the customer stays debited;
 * - `ABORTED`: the switch aborted it (with `abortReason`); the customer is refunded;
 * - `REFUSED`: the switch refused the request (a 4xx, `errorCode`) and recorded nothing; refunded;
 * - `DECLINED`: the wallet itself declined (unknown customer, bad amount, insufficient funds); nothing sent;
 * - `UNKNOWN`: no clear answer even after retries; the money stays held until `reconcileTransfer`.
 */
export type SentTransfer = {
  id: string;
  from: string;
  payee: { type: string; value: string };
  amount: string;
  outcome: 'COMMITTED' | 'ABORTED' | 'REFUSED' | 'DECLINED' | 'UNKNOWN';
  abortReason: string | null;
  errorCode: string | null;
  httpStatus: number | null;
  latencyMs: number;
};

type SentRecord = SentTransfer & { amountMinor: bigint; held: boolean };

const sendAttemptsMax = 3;
const retryPauseMs = 100;
const sentRememberedMax = 100_000;

/** The wallet's outgoing side: debit first, send, then keep or refund by what the switch answered. */
export class TransferOrigination {
  private client: SwitchClient | null = null;
  private readonly records = new Map<string, SentRecord>();

  constructor(
    private readonly accounts: CustomerAccounts,
    private readonly currency: string,
  ) {}

  connect(options: SwitchClientOptions): void {
    this.client = new SwitchClient(options);
  }

  /** Declines a request to pay on the customer's behalf; true when the switch took it. */
  async declineRequestToPay(rtpId: string, reason: string): Promise<boolean> {
    const client = this.client;
    assert(client !== null, 'the wallet simulator is connected to a switch before it answers requests to pay');
    return (await client.declineRequestToPay(rtpId, reason)) === 200;
  }

  /** The client of the switch this wallet is connected to (disputes use it as transfers do). */
  switchClient(): SwitchClient {
    assert(this.client !== null, 'the wallet simulator is connected to a switch before it calls it');
    return this.client;
  }

  sent(): SentTransfer[] {
    return [...this.records.values()].map(publicView);
  }

  async send(input: SendTransferInput): Promise<SentTransfer> {
    const client = this.client;
    assert(client !== null, 'the wallet simulator is connected to a switch before it sends transfers');
    const started = performance.now();
    const record: SentRecord = {
      id: input.id ?? randomUUID(),
      from: input.from,
      payee: input.payee,
      amount: input.amount,
      outcome: 'UNKNOWN',
      abortReason: null,
      errorCode: null,
      httpStatus: null,
      latencyMs: 0,
      amountMinor: 0n,
      held: false,
    };
    const declined = this.debit(record);
    if (declined !== null) return this.finish(record, { outcome: 'DECLINED', errorCode: declined }, started);
    const body: TransferRequestBody = {
      id: record.id,
      payer: { type: 'WALLET', value: input.from, name: this.accounts.get(input.from).name },
      payee: input.payee,
      amount: input.amount,
      currency: this.currency,
      purpose: input.purpose ?? 'P2P',
      ...(input.note === undefined ? {} : { note: input.note }),
      ...(input.checkoutSessionId === undefined ? {} : { checkoutSessionId: input.checkoutSessionId }),
    };
    let answer: SwitchAnswer = { kind: 'no-answer', detail: 'not sent' };
    for (let attempt = 1; attempt <= sendAttemptsMax; attempt += 1) {
      // The same id and body again: the switch answers with the transfer it has, or records it now.
      answer = await client.postTransfer(body);
      if (answer.kind !== 'no-answer') break;
      if (attempt < sendAttemptsMax) await pause(retryPauseMs * attempt);
    }
    this.settle(record, answer);
    return this.finish(record, {}, started);
  }

  async reconcile(transferId: string): Promise<SentTransfer> {
    const record = this.records.get(transferId);
    assert(record !== undefined, `transfer ${transferId} was not sent by this wallet`);
    assert(this.client !== null, 'the wallet simulator is connected to a switch');
    if (record.outcome === 'UNKNOWN') this.settle(record, await this.client.getTransfer(transferId));
    return publicView(record);
  }

  /** Takes the amount from the customer; returns why not when it cannot. */
  private debit(record: SentRecord): string | null {
    try {
      record.amountMinor = parseAmount(record.amount, this.currency);
    } catch (error) {
      if (isDomainError(error)) return error.code;
      throw error;
    }
    if (!this.accounts.has(record.from)) return 'ACCOUNT_NOT_FOUND';
    if (this.accounts.get(record.from).balanceMinor < record.amountMinor) return 'INSUFFICIENT_FUNDS';
    this.accounts.adjust(record.from, -record.amountMinor);
    record.held = true;
    return null;
  }

  private settle(record: SentRecord, answer: SwitchAnswer): void {
    if (answer.kind === 'no-answer') return;
    record.httpStatus = answer.httpStatus;
    if (answer.kind === 'refused') {
      // A 404 on a reconciliation means the switch never recorded the transfer: as good as refused.
      record.outcome = 'REFUSED';
      record.errorCode = answer.code;
      this.refund(record);
      return;
    }
    const state = answer.transfer.state;
    if (state === 'COMMITTED') {
      record.outcome = 'COMMITTED';
      record.held = false;
    } else if (state === 'ABORTED') {
      record.outcome = 'ABORTED';
      record.abortReason = answer.transfer.abortReason ?? null;
      this.refund(record);
    }
  }

  private refund(record: SentRecord): void {
    if (!record.held) return;
    record.held = false;
    this.accounts.adjust(record.from, record.amountMinor);
  }

  private finish(record: SentRecord, changes: Partial<SentRecord>, startedMs: number): SentTransfer {
    Object.assign(record, changes);
    record.latencyMs = Math.round((performance.now() - startedMs) * 1000) / 1000;
    if (this.records.size >= sentRememberedMax) {
      const oldest = this.records.keys().next();
      if (oldest.done !== true) this.records.delete(oldest.value);
    }
    this.records.set(record.id, record);
    return publicView(record);
  }
}

function publicView(record: SentRecord): SentTransfer {
  const { amountMinor: _amountMinor, held: _held, ...view } = record;
  return { ...view, payee: { ...view.payee } };
}

function pause(delayMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, delayMs));
}
