import type { ReadableStream } from 'node:stream/web';
import { z } from 'zod';
import type { TransferRequest } from '../../core/transfers/transfer-request';

/** The body of `POST /v1/transfers` (issue 4's fixed contract), as the switch itself types it. */
export type TransferRequestBody = TransferRequest;

const transferSchema = z.looseObject({
  id: z.string(),
  state: z.string(),
  abortReason: z.string().nullable().optional(),
});
const errorSchema = z.looseObject({ error: z.looseObject({ code: z.string(), message: z.string().optional() }) });

export type SwitchTransfer = z.infer<typeof transferSchema>;

/**
 * What the switch said:
 * - `transfer`: it answered with the transfer (201 new, 200 the same id again);
 * - `refused`: a 4xx with an error: per the contract nothing was recorded (bad input, unknown payee, a key problem);
 * - `no-answer`: no answer, a 5xx or an unreadable one: the transfer may or may not exist; ask again by id.
 */
export type SwitchAnswer =
  | { kind: 'transfer'; httpStatus: number; transfer: SwitchTransfer }
  | { kind: 'refused'; httpStatus: number; code: string; message: string }
  | { kind: 'no-answer'; detail: string };

/** The body of `POST /v1/disputes` (issue 12's fixed contract). */
export type DisputeClaimBody = {
  transferId: string;
  category: string;
  amount: string;
  description: string;
  evidence?: { type: string; reference: string; sha256?: string }[];
};
export type DisputeResponseBody = { action: 'ACCEPT' | 'CONTEST' | 'CREDIT_CONFIRMED'; note: string };

const disputeSchema = z.looseObject({
  id: z.string(),
  state: z.string(),
  outcome: z.string().nullable(),
  merchantId: z.string().nullable().optional(),
  respondBy: z.string().nullable(),
  chargebackTransferId: z.string().nullable(),
});
export type SwitchDispute = z.infer<typeof disputeSchema>;

/** As SwitchAnswer, for disputes: the dispute, a refusal (nothing recorded), or no clear answer (ask again). */
export type DisputeAnswer =
  | { kind: 'dispute'; httpStatus: number; dispute: SwitchDispute }
  | { kind: 'refused'; httpStatus: number; code: string; message: string }
  | { kind: 'no-answer'; detail: string };

export type SwitchClientOptions = {
  switchUrl: string;
  participantKey: string;
  /** Per request. The switch waits up to 10 s for a payee, so this is longer by default. Default 30 s. */
  deadlineMs?: number;
};

const responseBytesMax = 1024 * 1024;

/** A participant's client of the switch's REST API, as a wallet provider would write one. */
export class SwitchClient {
  private readonly deadlineMs: number;

  constructor(private readonly options: SwitchClientOptions) {
    this.deadlineMs = options.deadlineMs ?? 30_000;
  }

  postTransfer(body: TransferRequestBody): Promise<SwitchAnswer> {
    return this.call('POST', '/v1/transfers', JSON.stringify(body));
  }

  /** Tells the switch the customer declined a request to pay (issue 11); the HTTP status, or null without an answer. */
  async declineRequestToPay(rtpId: string, reason: string): Promise<number | null> {
    try {
      const response = await fetch(new URL(`/v1/request-to-pay/${encodeURIComponent(rtpId)}/decline`, this.options.switchUrl), {
        method: 'POST',
        headers: { authorization: `Bearer ${this.options.participantKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason }),
        signal: AbortSignal.timeout(this.deadlineMs),
      });
      await readBounded(response, responseBytesMax);
      return response.status;
    } catch {
      return null;
    }
  }

  getTransfer(transferId: string): Promise<SwitchAnswer> {
    return this.call('GET', `/v1/transfers/${encodeURIComponent(transferId)}`, undefined);
  }

  /** Opens a dispute for a customer (issue 12); the key makes a retry after no answer the same dispute. */
  async openDispute(body: DisputeClaimBody, idempotencyKey: string): Promise<DisputeAnswer> {
    return this.callForDispute('POST', '/v1/disputes', JSON.stringify(body), { 'idempotency-key': idempotencyKey });
  }

  /** Answers a dispute in which this wallet is the respondent (the payee's provider). */
  async respondToDispute(disputeId: string, body: DisputeResponseBody): Promise<DisputeAnswer> {
    return this.callForDispute('POST', `/v1/disputes/${encodeURIComponent(disputeId)}/respond`, JSON.stringify(body), {});
  }

  private async callForDispute(
    method: string,
    path: string,
    body: string | undefined,
    headers: Record<string, string>,
  ): Promise<DisputeAnswer> {
    const fetched = await this.fetchText(method, path, body, headers);
    if ('detail' in fetched) return { kind: 'no-answer', detail: fetched.detail };
    let json: unknown;
    try {
      json = JSON.parse(fetched.text);
    } catch {
      return { kind: 'no-answer', detail: `HTTP ${fetched.status} with a body that is not JSON` };
    }
    const dispute = disputeSchema.safeParse(json);
    if ((fetched.status === 200 || fetched.status === 201) && dispute.success)
      return { kind: 'dispute', httpStatus: fetched.status, dispute: dispute.data };
    const error = errorSchema.safeParse(json);
    if (fetched.status >= 400 && fetched.status < 500 && error.success) {
      return { kind: 'refused', httpStatus: fetched.status, code: error.data.error.code, message: error.data.error.message ?? '' };
    }
    return { kind: 'no-answer', detail: `HTTP ${fetched.status}` };
  }

  private async fetchText(
    method: string,
    path: string,
    body: string | undefined,
    headers: Record<string, string>,
  ): Promise<{ status: number; text: string } | { detail: string }> {
    try {
      const response = await fetch(new URL(path, this.options.switchUrl), {
        method,
        headers: {
          authorization: `Bearer ${this.options.participantKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(this.deadlineMs),
      });
      return { status: response.status, text: await readBounded(response, responseBytesMax) };
    } catch (error) {
      return { detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
  }

  private async call(method: string, path: string, body: string | undefined): Promise<SwitchAnswer> {
    const fetched = await this.fetchText(method, path, body, {});
    if ('detail' in fetched) return { kind: 'no-answer', detail: fetched.detail };
    return classify(fetched.status, fetched.text);
  }
}

function classify(status: number, text: string): SwitchAnswer {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'no-answer', detail: `HTTP ${status} with a body that is not JSON` };
  }
  if (status === 200 || status === 201) {
    const transfer = transferSchema.safeParse(json);
    if (transfer.success) return { kind: 'transfer', httpStatus: status, transfer: transfer.data };
    return { kind: 'no-answer', detail: `HTTP ${status} without a transfer in the body` };
  }
  const error = errorSchema.safeParse(json);
  if (status >= 400 && status < 500 && error.success) {
    return { kind: 'refused', httpStatus: status, code: error.data.error.code, message: error.data.error.message ?? '' };
  }
  return { kind: 'no-answer', detail: `HTTP ${status}${error.success ? ` ${error.data.error.code}` : ''}` };
}

async function readBounded(response: Response, bytesMax: number): Promise<string> {
  if (response.body === null) return '';
  // fetch's body is a stream of bytes; Node's types leave its chunk type as any.
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > bytesMax) {
      await reader.cancel();
      throw new Error(`the switch's answer is larger than ${bytesMax} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
