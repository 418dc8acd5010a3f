import { parseAmount } from '../../core/money';

/**
 * What the switch says it holds, read through its operator API as any operator would: every transfer, the
 * merchant's webhook events, a session, a refund, a dispute, a settlement report. Pages are followed to the end,
 * with a bound on how many.
 */
export type SwitchTransfer = {
  id: string;
  switchTransferId: string;
  state: 'COMMITTED' | 'ABORTED' | 'IN_FLIGHT';
  payerParticipant: string;
  payeeParticipant: string;
  payee: { type: string; value: string };
  amountMinor: bigint;
  purpose: string;
  reversed: boolean;
};

const requestTimeoutMs = 30_000;
const pagesMax = 10_000;
const getAttemptsMax = 3;
const retryPauseMs = 500;

export class SwitchRecords {
  constructor(
    private readonly switchUrl: string,
    private readonly operatorKey: string,
  ) {}

  /** The JSON body of a GET answered 200, or null on 404; anything else throws with the answer. */
  async get(path: string): Promise<unknown> {
    const response = await this.fetchWithRetry(path);
    if (response.status === 404) return null;
    const text = await response.text();
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as unknown;
  }

  /**
   * A GET tried again after a network error: a keep-alive connection the server closes just as a request goes out
   * fails that request, and that says nothing about the switch. A switch that is down fails every try.
   */
  private async fetchWithRetry(path: string): Promise<Response> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await fetch(`${this.switchUrl}${path}`, {
          headers: { authorization: `Bearer ${this.operatorKey}` },
          signal: AbortSignal.timeout(requestTimeoutMs),
        });
      } catch (error) {
        if (attempt >= getAttemptsMax) throw error;
        await new Promise((resolve) => setTimeout(resolve, retryPauseMs));
      }
    }
  }

  async transfers(): Promise<SwitchTransfer[]> {
    const all: SwitchTransfer[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < pagesMax; page += 1) {
      const path = `/v1/transfers?limit=500${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
      const body = (await this.get(path)) as {
        transfers: (Omit<SwitchTransfer, 'amountMinor'> & { amount: string; currency: string })[];
        nextCursor: string | null;
      };
      for (const transfer of body.transfers)
        all.push({
          id: transfer.id,
          switchTransferId: transfer.switchTransferId,
          state: transfer.state,
          payerParticipant: transfer.payerParticipant,
          payeeParticipant: transfer.payeeParticipant,
          payee: transfer.payee,
          amountMinor: parseAmount(transfer.amount, transfer.currency),
          purpose: transfer.purpose,
          reversed: transfer.reversed,
        });
      cursor = body.nextCursor;
      if (cursor === null) return all;
    }
    throw new Error(`more than ${pagesMax} pages of transfers`);
  }

  /** The ids and types of every webhook event the switch holds for a merchant. */
  async webhookEvents(merchantId: string): Promise<{ id: string; type: string; deliveryStatus: string }[]> {
    const all: { id: string; type: string; deliveryStatus: string }[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < pagesMax; page += 1) {
      const path = `/v1/merchants/${merchantId}/events?limit=100${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
      const body = (await this.get(path)) as { events: { id: string; type: string; deliveryStatus: string }[]; nextCursor: string | null };
      all.push(...body.events);
      cursor = body.nextCursor;
      if (cursor === null) return all;
    }
    throw new Error(`more than ${pagesMax} pages of webhook events`);
  }
}
