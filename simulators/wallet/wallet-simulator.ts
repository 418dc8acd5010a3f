import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { assert } from '../../core/assert';
import { payeeMessageKinds, type PayeeMessageKind } from '../../core/payee-port';
import { switchJwsChecker, type SwitchJwsChecker } from '../switch-jws-check';
import { signaturesPerHeaderMax, signatureToleranceSecondsDefault } from '../../core/signing';
import { CreditBook, type CreditRecord } from './credit-book';
import type { DisputeAnswer, DisputeClaimBody, DisputeResponseBody } from './switch-client';
import { CustomerAccounts, type CustomerAccount } from './customer-accounts';
import { TransferOrigination, type SendTransferInput, type SentTransfer } from './transfer-origination';
import { handleWalletRequest, type ReceivedMessage } from './wallet-receiver';
import { handleRequestToPay, type ReceivedRequestToPay, type RequestToPayBehaviour } from './request-to-pay-answerer';
import { FaultMix } from '../fault-mix';
import {
  normalModes,
  slowDelayMsMax,
  walletModeOf,
  type ModeTable,
  type WalletFault,
  type WalletFaultMixSetting,
  type WalletMode,
} from './wallet-modes';

export type WalletSimulatorOptions = {
  /** The participant id the switch knows this wallet by (`MARGALLA`). */
  participantId: string;
  accounts: readonly CustomerAccount[];
  /**
   * The participant's signing secret (from its first key, or `POST /v1/participants/{id}/signing-secrets`);
   * settable later. A message is accepted when any v1 value of its signature matches any of these.
   */
  signingSecret?: string;
  /** Several secrets at once, as while the wallet takes a rotated secret; joins `signingSecret`. */
  signingSecrets?: readonly string[];
  currency?: string;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  now?: () => Date;
  signatureToleranceSeconds?: number;
  /** Where and with which key it sends transfers; settable later with `connectToSwitch`. */
  switchUrl?: string;
  participantKey?: string;
  /** Messages remembered for `received()`; the oldest are forgotten past this. Default 10 000. */
  receivedMax?: number;
  /** How customers answer requests to pay (POST /rtp); default: approve after 200 ms, decline none. */
  requestToPay?: RequestToPayBehaviour;
};

/** The longest a simulated customer takes to approve a request to pay. */
const requestToPayDelayMsMax = 60_000;
const requestsToPayRememberedMax = 1_000;

/**
 * A wallet provider, simulated (issue 4): an HTTP server with customer accounts that answers the switch's
 * signed credit requests, advices and reversals (deduplicated by transferId), that can be told to misbehave,
 * and that sends its customers' transfers to the switch.
 */
export class WalletSimulator {
  readonly participantId: string;
  readonly currency: string;
  readonly accounts: CustomerAccounts;
  private readonly book: CreditBook;
  private readonly modes: ModeTable = normalModes();
  private readonly now: () => Date;
  private readonly host: string;
  private readonly receivedMax: number;
  private readonly receivedMessages: ReceivedMessage[] = [];
  private readonly pendingAnswers = new Set<NodeJS.Timeout>();
  private readonly origination: TransferOrigination;
  private signingSecrets: string[];
  private requestToPayBehaviour: RequestToPayBehaviour;
  private readonly requestsToPay: ReceivedRequestToPay[] = [];
  private server: http.Server | null = null;
  private switchJws: SwitchJwsChecker | null = null;
  private port: number;
  private faultMix: { mix: FaultMix<WalletFault>; slowDelayMs: number } | null = null;

  constructor(private readonly options: WalletSimulatorOptions) {
    this.participantId = options.participantId;
    this.currency = options.currency ?? 'PKR';
    this.accounts = new CustomerAccounts(options.accounts);
    this.book = new CreditBook(this.accounts, this.currency);
    this.now = options.now ?? (() => new Date());
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 0;
    this.receivedMax = options.receivedMax ?? 10_000;
    this.signingSecrets = [...(options.signingSecret === undefined ? [] : [options.signingSecret]), ...(options.signingSecrets ?? [])];
    assert(this.signingSecrets.length <= signaturesPerHeaderMax, `a wallet holds at most ${signaturesPerHeaderMax} signing secrets`);
    this.origination = new TransferOrigination(this.accounts, this.currency);
    this.requestToPayBehaviour = options.requestToPay ?? { approveDelayMs: 200, declineNumbers: [] };
    if (options.switchUrl !== undefined && options.participantKey !== undefined)
      this.connectToSwitch(options.switchUrl, options.participantKey);
  }

  /** Starts listening; resolves with the base URL. */
  async start(): Promise<string> {
    await this.acceptConnections();
    return this.url;
  }

  get url(): string {
    assert(this.port !== 0, 'the wallet simulator has been started');
    return `http://${this.host}:${this.port}`;
  }

  /** What to register with the switch as this participant's endpoints. */
  get endpoints(): { creditUrl: string; reversalUrl: string; rtpUrl: string } {
    return { creditUrl: `${this.url}/credit`, reversalUrl: `${this.url}/reversal`, rtpUrl: `${this.url}/rtp` };
  }

  /** How customers answer requests to pay from now on: approve (pay) after a delay, or decline these numbers. */
  setRequestToPayBehaviour(behaviour: RequestToPayBehaviour): void {
    assert(
      Number.isSafeInteger(behaviour.approveDelayMs) && behaviour.approveDelayMs >= 0 && behaviour.approveDelayMs <= requestToPayDelayMsMax,
      `an approval delay is 0 to ${requestToPayDelayMsMax} ms`,
    );
    this.requestToPayBehaviour = { approveDelayMs: behaviour.approveDelayMs, declineNumbers: [...behaviour.declineNumbers] };
  }

  /** Requests to pay received (oldest first, the latest 1 000). */
  receivedRequestsToPay(): readonly ReceivedRequestToPay[] {
    return [...this.requestsToPay];
  }

  /** Verifies with this secret alone from now on. */
  setSigningSecret(secret: string): void {
    this.setSigningSecrets([secret]);
  }

  /** Verifies with these secrets from now on (a message is valid when it matches any of them). */
  setSigningSecrets(secrets: readonly string[]): void {
    assert(
      secrets.every((secret) => secret.length > 0),
      'a signing secret is not empty',
    );
    assert(secrets.length <= signaturesPerHeaderMax, `a wallet holds at most ${signaturesPerHeaderMax} signing secrets`);
    this.signingSecrets = [...secrets];
  }

  /** Takes a rotated secret beside the ones it holds, as a receiver does during the switch's overlap. */
  addSigningSecret(secret: string): void {
    this.setSigningSecrets([...this.signingSecrets, secret]);
  }

  connectToSwitch(switchUrl: string, participantKey: string, deadlineMs?: number): void {
    this.origination.connect({ switchUrl, participantKey, ...(deadlineMs === undefined ? {} : { deadlineMs }) });
  }

  /** Sets how the wallet answers the given kinds of message (all three when none are named). */
  setMode(mode: WalletMode, kinds: readonly PayeeMessageKind[] = payeeMessageKinds): void {
    if (mode.mode === 'slow')
      assert(
        Number.isSafeInteger(mode.delayMs) && mode.delayMs >= 0 && mode.delayMs <= slowDelayMsMax,
        `a slow delay is 0 to ${slowDelayMsMax} ms`,
      );
    if (mode.mode === 'error')
      assert(Number.isSafeInteger(mode.status) && mode.status >= 400 && mode.status <= 599, 'an error status is 4xx or 5xx');
    for (const kind of kinds) this.modes[kind] = mode;
  }

  /**
   * Draws a fault for every message from now on (issue 14's payee faults), each on its share of messages, in
   * place of the mode table; null heals the wallet (the mode table serves again).
   */
  setFaultMix(setting: WalletFaultMixSetting | null): void {
    if (setting === null) {
      this.faultMix = null;
      return;
    }
    assert(
      Number.isSafeInteger(setting.slowDelayMs) && setting.slowDelayMs >= 0 && setting.slowDelayMs <= slowDelayMsMax,
      `a slow delay is 0 to ${slowDelayMsMax} ms`,
    );
    this.faultMix = { mix: new FaultMix(setting.shares, setting.seed), slowDelayMs: setting.slowDelayMs };
  }

  /** How many messages drew each fault under the current fault mix ('none': served normally); empty without one. */
  faultCounts(): Record<string, number> {
    return this.faultMix?.mix.counts() ?? {};
  }

  /** Every transfer this wallet has a record of, as its books hold it. */
  creditRecords(): CreditRecord[] {
    return this.book.records();
  }

  /** Stops listening and drops open connections: the switch's next connection is refused. */
  async refuseConnections(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    this.server = null;
    for (const timer of this.pendingAnswers) clearTimeout(timer);
    this.pendingAnswers.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  /** Listens again (on the same port once it has one). */
  async acceptConnections(): Promise<void> {
    if (this.server !== null) return;
    const server = http.createServer((request, response) => {
      const isRequestToPay = request.method === 'POST' && (request.url ?? '').split('?')[0] === '/rtp';
      const handled = isRequestToPay
        ? handleRequestToPay(this.receiverContext(), this.requestToPayActions(), request, response)
        : handleWalletRequest(this.receiverContext(), request, response);
      handled.catch(() => request.socket.destroy());
    });
    server.requestTimeout = 30_000;
    server.headersTimeout = 10_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async close(): Promise<void> {
    await this.refuseConnections();
  }

  /**
   * From now on checks the switch's own signature (Hisaab-JWS) on every message against the switch's JWKS
   * (`<switch>/.well-known/jwks.json`), and refuses a message whose signature is missing or does not verify.
   */
  setSwitchJwks(jwksUrl: string): void {
    this.switchJws = switchJwsChecker(jwksUrl);
  }

  /** Every message received (oldest first, up to the configured number). */
  received(kind?: PayeeMessageKind): readonly ReceivedMessage[] {
    return kind === undefined ? [...this.receivedMessages] : this.receivedMessages.filter((message) => message.kind === kind);
  }

  creditRecord(transferId: string): CreditRecord | undefined {
    return this.book.record(transferId);
  }

  balanceOf(walletNumber: string): bigint {
    return this.accounts.get(walletNumber).balanceMinor;
  }

  /** Sends a customer's transfer to the switch: debits the customer first, refunds when it is not committed. */
  sendTransfer(input: SendTransferInput): Promise<SentTransfer> {
    return this.origination.send(input);
  }

  /** Asks the switch about a transfer whose outcome was unknown, and settles the customer's held money. */
  reconcileTransfer(transferId: string): Promise<SentTransfer> {
    return this.origination.reconcile(transferId);
  }

  /** Opens a dispute for a customer on a transfer this wallet sent (issue 12). */
  openDispute(claim: DisputeClaimBody, idempotencyKey: string = randomUUID()): Promise<DisputeAnswer> {
    return this.origination.switchClient().openDispute(claim, idempotencyKey);
  }

  /** Answers a dispute against this wallet as the payee's provider: ACCEPT, CONTEST or CREDIT_CONFIRMED. */
  answerDispute(disputeId: string, answer: DisputeResponseBody): Promise<DisputeAnswer> {
    return this.origination.switchClient().respondToDispute(disputeId, answer);
  }

  sentTransfers(): readonly SentTransfer[] {
    return this.origination.sent();
  }

  /** A customer approving pays the merchant from their wallet: a P2M transfer carrying the session id. */
  private requestToPayActions() {
    return {
      behaviour: () => this.requestToPayBehaviour,
      walletOf: (msisdn: string) => this.accounts.find('MSISDN', msisdn)?.walletNumber ?? null,
      pay: (request: ReceivedRequestToPay, walletNumber: string) =>
        this.origination.send({
          from: walletNumber,
          payee: { type: 'MERCHANT', value: request.merchant.id },
          amount: request.amount,
          purpose: 'P2M',
          checkoutSessionId: request.checkoutSessionId,
        }),
      decline: (request: ReceivedRequestToPay) =>
        this.origination.declineRequestToPay(request.rtpId, 'the customer declined in the wallet app'),
      record: (request: ReceivedRequestToPay) => {
        if (this.requestsToPay.length >= requestsToPayRememberedMax) this.requestsToPay.shift();
        this.requestsToPay.push(request);
      },
    };
  }

  private receiverContext() {
    return {
      book: this.book,
      modes: this.modes,
      drawFault: () => {
        const faultMix = this.faultMix;
        const fault = faultMix?.mix.draw() ?? null;
        return faultMix === null || fault === null ? null : { fault, mode: walletModeOf(fault, faultMix.slowDelayMs) };
      },
      signingSecrets: this.signingSecrets,
      now: this.now,
      signatureToleranceSeconds: this.options.signatureToleranceSeconds ?? signatureToleranceSecondsDefault,
      switchJws: () => this.switchJws,
      record: (message: ReceivedMessage) => {
        if (this.receivedMessages.length >= this.receivedMax) this.receivedMessages.shift();
        this.receivedMessages.push(message);
      },
      later: (delayMs: number, answer: () => void) => {
        const timer = setTimeout(() => {
          this.pendingAnswers.delete(timer);
          answer();
        }, delayMs);
        this.pendingAnswers.add(timer);
      },
    };
  }
}
