import { randomUUID } from 'node:crypto';
import { formatAmount } from '../../core/money';
import type { Acknowledgements } from './acknowledgements';
import { chaosAccounts, type ChaosNetwork } from './chaos-network';

/**
 * The mixed load a crash-loop campaign keeps on the switch until the kill: wallet P2P payments to a REQUEST
 * wallet, an ADVICE wallet and two banks' IBANs (ISO 8583 out: a 0200 credit request, a 0220 advice), a bank's 0200s (ISO 8583 in), batches, checkouts paid
 * through the pay page and partly refunded, disputes the payee accepts (a chargeback), and settlement closes.
 * Every 2xx answer (or 39=00) goes into the acknowledgements; an error is the kill, and the worker tries again.
 */
export type LoadMixSettings = {
  switchUrl: string;
  operatorKey: string;
  network: ChaosNetwork;
  acknowledgements: Acknowledgements;
  random: () => number;
  /** Names the cycle's idempotency keys and orders, so that two cycles never share one. */
  cycle: number;
  /** Whether this cycle closes and settles a settlement window under the load. */
  closesWindow: boolean;
};

const requestTimeoutMs = 15_000;
const batchSize = 4;
const pauseBetweenMs = 20;
/** A worker that will not stop within this after the kill is reported, not waited for forever. */
export const stopTimeoutMs = 45_000;

export class LoadMix {
  private stopped = false;
  private readonly workers: Promise<void>[] = [];
  private sequence = 0;
  private windowClose: Promise<void> = Promise.resolve();

  constructor(private readonly settings: LoadMixSettings) {}

  start(): void {
    const { network } = this.settings;
    const payees = [
      { type: 'MSISDN', value: chaosAccounts.raviPayee.msisdn },
      { type: 'MSISDN', value: chaosAccounts.khyberPayee.msisdn },
      { type: 'IBAN', value: chaosAccounts.indusPayee },
      { type: 'IBAN', value: chaosAccounts.chenabPayee },
    ];
    for (const payee of payees)
      this.loop(() => network.margalla.sendTransfer({ from: chaosAccounts.margallaPayer.walletNumber, payee, amount: this.amount() }));
    this.loop(() => this.bankTransfer());
    this.loop(() => this.batch());
    this.loop(() => this.checkout());
    this.loop(() => this.dispute());
    if (this.settings.closesWindow) {
      this.windowClose = this.closeWindow();
      this.workers.push(this.windowClose);
    }
  }

  /** Resolves once this cycle's window close and settle were answered or failed (at once when it closes none). */
  windowCloseFinished(): Promise<void> {
    return this.windowClose;
  }

  /** Stops every worker after its current step; resolves false when some did not stop in time. */
  async stop(): Promise<boolean> {
    this.stopped = true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), stopTimeoutMs)));
    const finished = Promise.all(this.workers).then(() => true);
    const result = await Promise.race([finished, timedOut]);
    clearTimeout(timer);
    return result;
  }

  private loop(step: () => Promise<unknown>): void {
    this.workers.push(
      (async () => {
        while (!this.stopped) {
          try {
            await step();
          } catch {
            // The switch died under this step (or refused it): nothing was acknowledged; the next step tries again.
          }
          await pause(pauseBetweenMs);
        }
      })(),
    );
  }

  private amount(): string {
    return formatAmount(100n + BigInt(Math.floor(this.settings.random() * 49_900)), 'PKR');
  }

  private nextName(kind: string): string {
    this.sequence += 1;
    return `${kind}-${this.settings.cycle}-${this.sequence}`;
  }

  /** A bank customer pays a wallet customer with a 0200; approved (39=00) is acknowledged and must be COMMITTED. */
  private async bankTransfer(): Promise<void> {
    const amountMinor = 100n + BigInt(Math.floor(this.settings.random() * 49_900));
    const result = await this.settings.network.indus.sendTransfer(
      { payerAccount: chaosAccounts.indusPayer, payee: chaosAccounts.raviPayee.msisdn, amountMinor, timeoutMs: 5_000 },
      { attemptsMax: 5, timeoutMs: 1_000, retryDelayMs: 500 },
    );
    if (result.status === 'approved')
      this.settings.acknowledgements.recordTransfer({
        payerParticipant: 'INDUS',
        id: result.transferId,
        state: 'COMMITTED',
        via: 'iso8583',
      });
    if (result.status === 'not_sent') await pause(200);
  }

  private async batch(): Promise<void> {
    const payees = [chaosAccounts.raviPayee.msisdn, chaosAccounts.khyberPayee.msisdn];
    const transfers = Array.from({ length: batchSize }, (_, index) => ({
      id: randomUUID(),
      payer: { type: 'WALLET', value: chaosAccounts.margallaPayer.walletNumber },
      payee: { type: 'MSISDN', value: payees[index % payees.length]! },
      amount: this.amount(),
      currency: 'PKR',
      purpose: 'P2P',
    }));
    const response = await fetch(`${this.settings.switchUrl}/v1/transfers/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.settings.network.keys.margalla}`, 'content-type': 'application/json' },
      body: JSON.stringify({ transfers }),
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    const body = (await response.json()) as { results?: { outcome: string; id: string | null; state?: string }[] };
    if (response.status !== 200 || body.results === undefined) return;
    for (const result of body.results)
      if (
        result.outcome === 'TRANSFER' &&
        result.id !== null &&
        (result.state === 'COMMITTED' || result.state === 'ABORTED' || result.state === 'IN_FLIGHT')
      )
        this.settings.acknowledgements.recordTransfer({ payerParticipant: 'MARGALLA', id: result.id, state: result.state, via: 'batch' });
  }

  /** A shop opens a session, the customer pays it on the pay page (RAVI's customer approves), the shop refunds half. */
  private async checkout(): Promise<void> {
    const { shop } = this.settings.network;
    const session = await shop.createSession({ amount: this.amount(), orderId: this.nextName('order') });
    this.settings.acknowledgements.recordSession(session.id);
    const msisdn = chaosAccounts.raviShopper.msisdn;
    await fetch(`${this.settings.switchUrl}/pay/${session.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ msisdn: `0${msisdn.slice(2)}` }).toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    const deadline = Date.now() + 5_000;
    while (!this.stopped && Date.now() < deadline) {
      const seen = await shop.getSession(session.id);
      if (seen.status === 'COMPLETED') {
        const refund = await shop.refund(
          { sessionId: session.id, amount: halfOf(seen.amount), reason: 'half returned' },
          `refund-${session.id}`,
        );
        this.settings.acknowledgements.refunds.push({ id: refund.id, sessionId: session.id, status: refund.status });
        return;
      }
      if (seen.status !== 'OPEN') return;
      await pause(100);
    }
  }

  /** The paying wallet claims WRONG_AMOUNT on one of its committed payments to RAVI, and RAVI accepts: a chargeback. */
  private async dispute(): Promise<void> {
    await pause(500);
    const { margalla, ravi } = this.settings.network;
    const disputed = new Set(this.settings.acknowledgements.disputes.map((dispute) => dispute.transferId));
    const candidates = margalla
      .sentTransfers()
      .filter((sent) => sent.outcome === 'COMMITTED' && sent.payee.value === chaosAccounts.raviPayee.msisdn && !disputed.has(sent.id));
    const chosen = candidates[Math.floor(this.settings.random() * candidates.length)];
    if (chosen === undefined) return;
    const claim = { transferId: chosen.id, category: 'WRONG_AMOUNT', amount: '1.00', description: 'charged one rupee too much' };
    const opened = await margalla.openDispute(claim, `dispute-${chosen.id}`);
    if (opened.kind !== 'dispute') return;
    const record = { id: opened.dispute.id, transferId: chosen.id, accepted: false };
    this.settings.acknowledgements.disputes.push(record);
    const answered = await ravi.answerDispute(opened.dispute.id, { action: 'ACCEPT', note: 'the customer is right' });
    record.accepted = answered.kind === 'dispute';
  }

  /** The operator closes the open window at a random moment of the load, and records its RTGS settlement. */
  private async closeWindow(): Promise<void> {
    await pause(Math.floor(this.settings.random() * 1_500));
    if (this.stopped) return;
    try {
      const closed = (await this.operatorPost('/v1/settlement/windows/close', { currency: 'PKR' }, `close-${this.settings.cycle}`)) as {
        closed: { id: string };
      } | null;
      if (closed === null) return;
      this.settings.acknowledgements.closedWindows.push(closed.closed.id);
      const settled = await this.operatorPost(
        `/v1/settlement/windows/${closed.closed.id}/settle`,
        { reference: `RTGS-${closed.closed.id}` },
        `settle-${closed.closed.id}`,
      );
      if (settled !== null) this.settings.acknowledgements.settledWindows.push(closed.closed.id);
    } catch {
      // Killed in the middle: the check finds the window closed or open, never half closed.
    }
  }

  private async operatorPost(path: string, body: unknown, idempotencyKey: string): Promise<unknown> {
    const response = await fetch(`${this.settings.switchUrl}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${this.settings.operatorKey}`,
        'content-type': 'application/json',
        'idempotency-key': idempotencyKey,
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    return response.status === 200 ? await response.json() : null;
  }
}

/** Half of an amount, rounded down to the minor unit (at least 0.01). */
function halfOf(amount: string): string {
  const minor = BigInt(amount.replace('.', ''));
  return formatAmount(minor / 2n > 0n ? minor / 2n : 1n, 'PKR');
}

function pause(delayMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, delayMs));
}
