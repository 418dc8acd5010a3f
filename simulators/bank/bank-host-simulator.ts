import type { TlsOptions } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { assert } from '../../core/assert';
import { Iso8583Client, type Iso8583ClientOptions } from '../../adapters/iso8583/client';
import type { ConnectionLimits } from '../../adapters/iso8583/connection';
import { silentLogger, type Iso8583Logger } from '../../adapters/iso8583/logger';
import {
  amountMinorFromField,
  buildReversalAdvice,
  buildTransferRequest,
  currencyFromField,
  FUNDS_TRANSFER_PROCESSING_CODE,
  isApproved,
  originalDataElementsOf,
  retrievalReferenceNumber,
  transferIdFor,
  transmissionTimestamps,
  type Iso8583Currency,
} from '../../adapters/iso8583/mapping';
import type { Iso8583Message } from '../../adapters/iso8583/message';
import { Iso8583Server } from '../../adapters/iso8583/server';
import { BankAccounts } from './bank-accounts';
import { checkBehaviour, normalBehaviour, type BankHostBehaviour } from './bank-host-behaviour';
import { FaultyBankHandler, type BankFaultMixSetting } from './bank-faults';
import { BankHostLedger, type BankHostLedgerStatistics, type BookedChargebackCredit } from './bank-host-ledger';

/**
 * A bank host speaking the switch's ISO 8583 profile, for tests and the demo. It listens like a real bank
 * host (the switch connects, signs on and sends 0200 credits, 0220 advices and 0420 reversals), and it
 * originates like one: it connects to the switch's ISO port, signs on with its DE32, sends its customers'
 * transfers as 0200 and, when one goes unanswered, repeats a reversal until the switch acknowledges it.
 */

export type BankHostSimulatorOptions = {
  /** This bank's DE32. */
  institutionId: string;
  /** DE41 on the transfers it originates. */
  terminalId?: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Customer accounts and their opening balances in minor units. */
  accounts?: Iterable<readonly [string, bigint]>;
  /** The institutions (DE32) allowed to sign on here; anyone when not given. */
  acceptedInstitutionIds?: readonly string[];
  now?: () => Date;
  logger?: Iso8583Logger;
  connectionLimits?: Partial<ConnectionLimits>;
  /** Serve over TLS (a bank host the switch reaches with `endpoints.tls`): the certificate, key, and any client CA. */
  tls?: TlsOptions;
};

export type OriginatedTransfer = {
  readonly payerAccount: string;
  /** DE103: the payee's IBAN or MSISDN alias. */
  readonly payee: string;
  readonly amountMinor: bigint;
  readonly currency?: Iso8583Currency;
  /** How long to wait for the 0210 before giving up and reversing. */
  readonly timeoutMs: number;
};

export type OriginatedTransferResult =
  | {
      readonly status: 'approved';
      readonly transferId: string;
      readonly request: Iso8583Message;
      readonly responseCode: string;
      readonly authorizationCode: string | null;
    }
  | { readonly status: 'declined'; readonly transferId: string; readonly request: Iso8583Message; readonly responseCode: string }
  | { readonly status: 'reversed'; readonly transferId: string; readonly request: Iso8583Message; readonly reversalAttempts: number }
  /** No answer and the reversal is not acknowledged yet: the payer's money stays held until it is. */
  | { readonly status: 'unresolved'; readonly transferId: string; readonly request: Iso8583Message; readonly reversalAttempts: number }
  | { readonly status: 'not_sent'; readonly reason: string }
  | { readonly status: 'refused'; readonly reason: 'unknown_payer_account' | 'insufficient_funds' };

export type ReversalOptions = {
  /** Per attempt. */
  timeoutMs: number;
  attemptsMax: number;
  retryDelayMs: number;
  /**
   * DE37 of the reversal. Banks differ: some repeat the original's RRN, others give the reversal its own. The
   * switch finds the original by DE90 either way. Default: the original's.
   */
  retrievalReferenceNumber: 'original' | 'new';
};

export type ReversalResult = { readonly acknowledged: boolean; readonly attempts: number; readonly responseCode: string | null };

const defaultReversalOptions: ReversalOptions = {
  timeoutMs: 2_000,
  attemptsMax: 10,
  retryDelayMs: 200,
  retrievalReferenceNumber: 'original',
};
const PAUSES_MAX = 10_000;

export class BankHostSimulator {
  readonly institutionId: string;
  readonly terminalId: string;
  readonly accounts = new BankAccounts();
  private readonly ledger: BankHostLedger;
  private readonly handler: FaultyBankHandler;
  private readonly server: Iso8583Server;
  private readonly now: () => Date;
  private readonly logger: Iso8583Logger;
  private readonly connectionLimits: Partial<ConnectionLimits> | undefined;
  private behaviour: BankHostBehaviour = { ...normalBehaviour };
  private readonly pauses = new Map<NodeJS.Timeout, () => void>();
  private switchClient: Iso8583Client | null = null;
  private listeningPort: number | null = null;

  constructor(options: BankHostSimulatorOptions) {
    assert(/^[0-9]{1,11}$/.test(options.institutionId), 'an institution id (DE32) is 1 to 11 digits');
    this.institutionId = options.institutionId;
    this.terminalId = options.terminalId ?? `BK${options.institutionId.slice(-6).padStart(6, '0')}`;
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger ?? silentLogger();
    this.connectionLimits = options.connectionLimits;
    for (const [account, balanceMinor] of options.accounts ?? []) this.accounts.open(account, balanceMinor);
    this.ledger = new BankHostLedger(
      this.accounts,
      () => this.behaviour,
      (delayMs) => this.pause(delayMs),
    );
    this.handler = new FaultyBankHandler(this.ledger, {
      disconnect: (connectionId) => this.server.disconnect(connectionId),
      sendFrameBody: (connectionId, body) => this.server.sendFrameBody(connectionId, body),
      pause: (delayMs) => this.pause(delayMs),
    });
    const accepted = options.acceptedInstitutionIds === undefined ? null : new Set(options.acceptedInstitutionIds);
    this.server = new Iso8583Server({
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      authorizeInstitution: (_peerAddress, institutionId) =>
        accepted === null || accepted.has(institutionId) ? `institution-${institutionId}` : null,
      handler: this.handler,
      acceptConnection: () => !this.behaviour.refuseConnections,
      logger: this.logger,
      ...(options.connectionLimits === undefined ? {} : { connectionLimits: options.connectionLimits }),
      ...(options.tls === undefined ? {} : { tls: options.tls }),
    });
  }

  async start(): Promise<AddressInfo> {
    const address = await this.server.listen();
    this.listeningPort = address.port;
    return address;
  }

  get port(): number {
    assert(this.listeningPort !== null, 'the simulator is started before its port is read');
    return this.listeningPort;
  }

  async close(): Promise<void> {
    for (const [timer, release] of this.pauses) {
      clearTimeout(timer);
      release();
    }
    this.pauses.clear();
    await this.switchClient?.stop();
    this.switchClient = null;
    await this.server.close();
  }

  configure(change: Partial<BankHostBehaviour>): void {
    const next = { ...this.behaviour, ...change };
    checkBehaviour(next);
    this.behaviour = next;
  }

  /**
   * Draws a fault for every financial message the switch sends from now on (issue 14's payee faults: slow past
   * the deadline, a decline, a dropped connection, a garbage frame, 96), each on its share; null heals the bank.
   */
  setFaultMix(setting: BankFaultMixSetting | null): void {
    if (setting !== null) checkBehaviour({ ...normalBehaviour, delayMs: setting.slowDelayMs });
    this.handler.setFaultMix(setting);
  }

  /** How many messages drew each fault under the current fault mix ('none': served normally). */
  faultCounts(): Record<string, number> {
    return this.handler.faultCounts();
  }

  /** Closes every connection the switch has open here; the switch is expected to reconnect. */
  dropConnections(): void {
    this.server.disconnectAll();
  }

  statistics(): BankHostLedgerStatistics & { connections: number } {
    return { ...this.ledger.statistics(), connections: this.server.connectionCount };
  }

  /** The disputes' chargeback credits this bank booked to its customers, one per dispute. */
  chargebackCredits(): BookedChargebackCredit[] {
    return this.ledger.bookedChargebackCredits();
  }

  /** Connects to the switch's ISO port and signs on; resolves whether that happened within the time given. */
  async connectToSwitch(target: {
    host: string;
    port: number;
    readyTimeoutMs?: number;
    client?: Partial<Iso8583ClientOptions>;
  }): Promise<boolean> {
    assert(this.switchClient === null, 'the simulator holds one connection to the switch');
    this.switchClient = new Iso8583Client({
      host: target.host,
      port: target.port,
      institutionId: this.institutionId,
      terminalId: this.terminalId,
      now: this.now,
      logger: this.logger,
      reconnectDelayMinMs: 50,
      reconnectDelayMaxMs: 2_000,
      ...(this.connectionLimits === undefined ? {} : { connectionLimits: this.connectionLimits }),
      ...target.client,
    });
    this.switchClient.start();
    return this.switchClient.waitUntilReady(target.readyTimeoutMs ?? 5_000);
  }

  /**
   * A customer of this bank pays someone through the switch. The payer is debited first, as a bank does;
   * a decline gives the money back, and so does a timeout once the switch acknowledges the reversal.
   */
  async sendTransfer(transfer: OriginatedTransfer, reversal: Partial<ReversalOptions> = {}): Promise<OriginatedTransferResult> {
    const client = this.connectedClient();
    if (!this.accounts.has(transfer.payerAccount)) return { status: 'refused', reason: 'unknown_payer_account' };
    // Built before the debit: a transfer the profile cannot carry (a payee DE103 cannot hold) throws and moves nothing.
    const request = this.transferRequest(client, transfer);
    if (!this.accounts.debit(transfer.payerAccount, transfer.amountMinor)) return { status: 'refused', reason: 'insufficient_funds' };
    const transferId = transferIdFor({
      acquirerInstitutionId: this.institutionId,
      retrievalReferenceNumber: request.fields[37] ?? '',
      systemTraceAuditNumber: request.fields[11] ?? '',
      transmissionDateTime: request.fields[7] ?? '',
    });
    const outcome = await client.exchange(request, { timeoutMs: transfer.timeoutMs });
    switch (outcome.kind) {
      case 'not_sent':
        this.accounts.credit(transfer.payerAccount, transfer.amountMinor);
        return { status: 'not_sent', reason: outcome.reason };
      case 'response': {
        const responseCode = outcome.response.fields[39] ?? '';
        if (isApproved(responseCode))
          return { status: 'approved', transferId, request, responseCode, authorizationCode: outcome.response.fields[38] ?? null };
        this.accounts.credit(transfer.payerAccount, transfer.amountMinor);
        return { status: 'declined', transferId, request, responseCode };
      }
      case 'timeout': {
        const result = await this.sendReversal(request, reversal);
        if (!result.acknowledged) return { status: 'unresolved', transferId, request, reversalAttempts: result.attempts };
        this.accounts.credit(transfer.payerAccount, transfer.amountMinor);
        return { status: 'reversed', transferId, request, reversalAttempts: result.attempts };
      }
    }
  }

  /**
   * Sends a 0420 for the original, then 0421 repeats, until a 0430 with 00 arrives or the attempts run out. Any
   * other answer (96: the switch cannot act yet) has reversed nothing, so the reversal is repeated like silence.
   */
  async sendReversal(original: Iso8583Message, options: Partial<ReversalOptions> = {}): Promise<ReversalResult> {
    const client = this.connectedClient();
    const settings = { ...defaultReversalOptions, ...options };
    assert(settings.attemptsMax >= 1 && settings.attemptsMax <= 1_000, 'reversal attempts are 1 to 1000');
    let lastResponseCode: string | null = null;
    for (let attempt = 1; attempt <= settings.attemptsMax; attempt++) {
      const now = this.now();
      const timestamps = transmissionTimestamps(now);
      const stan = client.allocateStan(this.terminalId, '0420');
      const advice = buildReversalAdvice(
        {
          systemTraceAuditNumber: stan,
          transmissionDateTime: timestamps.transmissionDateTime,
          acquirerInstitutionId: this.institutionId,
          // DE90 names the transfer being reversed; DE37 is the original's or the reversal's own, as banks differ.
          retrievalReferenceNumber:
            settings.retrievalReferenceNumber === 'original' ? (original.fields[37] ?? '') : retrievalReferenceNumber(now, stan),
          terminalId: this.terminalId,
          processingCode: original.fields[3] ?? FUNDS_TRANSFER_PROCESSING_CODE,
          amountMinor: amountMinorFromField(original.fields[4]) ?? 0n,
          currency: currencyFromField(original.fields[49]) ?? 'PKR',
          original: originalDataElementsOf(original),
          payerAccount: original.fields[102],
          payeeAccount: original.fields[103],
        },
        { repeat: attempt > 1 },
      );
      const outcome = await client.exchange(advice, { timeoutMs: settings.timeoutMs });
      if (outcome.kind === 'response') {
        const responseCode = outcome.response.fields[39];
        lastResponseCode = responseCode ?? null;
        if (isApproved(responseCode)) return { acknowledged: true, attempts: attempt, responseCode: lastResponseCode };
      }
      if (attempt < settings.attemptsMax) await this.pause(settings.retryDelayMs);
    }
    return { acknowledged: false, attempts: settings.attemptsMax, responseCode: lastResponseCode };
  }

  private transferRequest(client: Iso8583Client, transfer: OriginatedTransfer): Iso8583Message {
    const now = this.now();
    const timestamps = transmissionTimestamps(now);
    const stan = client.allocateStan(this.terminalId, '0200');
    return buildTransferRequest({
      systemTraceAuditNumber: stan,
      transmissionDateTime: timestamps.transmissionDateTime,
      localTime: timestamps.localTime,
      localDate: timestamps.localDate,
      acquirerInstitutionId: this.institutionId,
      retrievalReferenceNumber: retrievalReferenceNumber(now, stan),
      terminalId: this.terminalId,
      processingCode: FUNDS_TRANSFER_PROCESSING_CODE,
      amountMinor: transfer.amountMinor,
      currency: transfer.currency ?? 'PKR',
      payerAccount: transfer.payerAccount,
      payeeAccount: transfer.payee,
    });
  }

  private connectedClient(): Iso8583Client {
    assert(this.switchClient !== null, 'connectToSwitch comes before originating transfers');
    return this.switchClient;
  }

  /** A wait that close() cuts short, so a slow simulator never holds a test or the demo open. */
  private pause(delayMs: number): Promise<void> {
    // Past the bound a flood is answered at once rather than remembered: being slow is a test aid, not a queue.
    if (delayMs <= 0 || this.pauses.size >= PAUSES_MAX) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.pauses.delete(timer);
        resolve();
      }, delayMs);
      this.pauses.set(timer, resolve);
    });
  }
}
