import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { InboundOrder } from './foreign-buyers';

const quoteSchema = z.looseObject({ id: z.string(), provider: z.string(), rate: z.string(), toAmount: z.string(), expiresAt: z.string() });
const paymentSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  amount: z.string(),
  currency: z.string(),
  retained: z.looseObject({ amount: z.string(), currency: z.string() }),
  converted: z.looseObject({ fromAmount: z.string(), toAmount: z.string(), rate: z.string(), provider: z.string() }),
  purposeCode: z.string(),
  invoiceNumber: z.string().nullable(),
});
const errorSchema = z.looseObject({ error: z.looseObject({ code: z.string(), message: z.string() }) });

export type FxQuote = z.infer<typeof quoteSchema>;
export type InboundPayment = z.infer<typeof paymentSchema>;

/**
 * How one payment ended: completed (201, or 200 for a replay of one the switch already had), refused with a code (a
 * 4xx: per the contract nothing was recorded), or unknown after every attempt (no answer, or 5xx/429 each time).
 */
export type PaymentOutcome =
  | { kind: 'completed'; payment: InboundPayment; attempts: number }
  | { kind: 'refused'; httpStatus: number; code: string; message: string; attempts: number }
  | { kind: 'unknown'; detail: string; attempts: number };

export type RetryPolicy = {
  /** Attempts per request, the first included. */
  attemptsMax: number;
  /** The pause before the second attempt; it doubles, up to `pauseMaxMs`. */
  pauseMs: number;
  pauseMaxMs: number;
  /** Per attempt. */
  timeoutMs: number;
};

export const defaultRetryPolicy: RetryPolicy = { attemptsMax: 4, pauseMs: 200, pauseMaxMs: 2_000, timeoutMs: 15_000 };

/** The longest Retry-After the simulator honours; a longer one is cut to this (a simulator should not stall). */
const retryAfterMaxMs = 5_000;
const responseBytesMax = 1024 * 1024;

type Attempt = { kind: 'answer'; status: number; body: unknown; retryAfterMs: number | null } | { kind: 'no-answer'; detail: string };

/**
 * An in-bound PSP's client of the switch, as a foreign acquirer would write one: it asks for a quote, then pays the
 * merchant by a payment id of its own. A request without a clear answer (no answer, 5xx, 429) is sent again, the
 * same body under the same id (and the same Idempotency-Key for a quote), a bounded number of times, so a retry
 * never pays twice. An expired quote is replaced once and the payment sent again under its id (nothing was recorded).
 */
export class InboundPspClient {
  constructor(
    private readonly options: { switchUrl: string; apiKey: string; retry?: RetryPolicy; onRetry?: (what: string, attempt: number) => void },
  ) {}

  private get retry(): RetryPolicy {
    return this.options.retry ?? defaultRetryPolicy;
  }

  async quote(
    from: string,
    fromAmount: string,
  ): Promise<{ kind: 'quote'; quote: FxQuote } | Exclude<PaymentOutcome, { kind: 'completed' }>> {
    const idempotencyKey = randomUUID();
    const answer = await this.send('POST', '/v1/fx/quotes', { from, to: 'PKR', fromAmount }, idempotencyKey);
    if (answer.kind === 'unknown') return answer;
    if (answer.status === 201) return { kind: 'quote', quote: quoteSchema.parse(answer.body) };
    return refusal(answer.status, answer.body, answer.attempts);
  }

  /** Quotes and pays one order for the merchant, under a fresh payment id. */
  async payOrder(merchantId: string, order: InboundOrder): Promise<PaymentOutcome & { paymentId: string }> {
    const paymentId = randomUUID();
    let quoted = await this.quote(order.buyer.currency, order.amount);
    for (let quotes = 1; ; quotes += 1) {
      if (quoted.kind !== 'quote') return { ...quoted, paymentId };
      const outcome = await this.pay(paymentBody(paymentId, merchantId, order, quoted.quote.id));
      if (outcome.kind === 'refused' && outcome.code === 'FX_QUOTE_EXPIRED' && quotes < 2) {
        quoted = await this.quote(order.buyer.currency, order.amount);
        continue;
      }
      return { ...outcome, paymentId };
    }
  }

  async pay(body: Record<string, unknown>): Promise<PaymentOutcome> {
    const answer = await this.send('POST', '/v1/inbound/payments', body, null);
    if (answer.kind === 'unknown') return answer;
    if (answer.status === 201 || answer.status === 200) {
      return { kind: 'completed', payment: paymentSchema.parse(answer.body), attempts: answer.attempts };
    }
    return refusal(answer.status, answer.body, answer.attempts);
  }

  /** Sends until a clear answer (2xx or a 4xx other than 429) or the attempts run out. */
  private async send(
    method: string,
    path: string,
    body: unknown,
    idempotencyKey: string | null,
  ): Promise<{ kind: 'answer'; status: number; body: unknown; attempts: number } | { kind: 'unknown'; detail: string; attempts: number }> {
    let pauseMs = this.retry.pauseMs;
    let detail = 'no attempt';
    for (let attempt = 1; attempt <= this.retry.attemptsMax; attempt += 1) {
      const answer = await this.attempt(method, path, body, idempotencyKey);
      if (answer.kind === 'answer' && answer.status !== 429 && answer.status < 500) {
        return { kind: 'answer', status: answer.status, body: answer.body, attempts: attempt };
      }
      detail = answer.kind === 'answer' ? `HTTP ${answer.status}` : answer.detail;
      if (attempt === this.retry.attemptsMax) break;
      this.options.onRetry?.(`${method} ${path}: ${detail}`, attempt);
      const waitMs = answer.kind === 'answer' && answer.retryAfterMs !== null ? Math.min(answer.retryAfterMs, retryAfterMaxMs) : pauseMs;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      pauseMs = Math.min(pauseMs * 2, this.retry.pauseMaxMs);
    }
    return { kind: 'unknown', detail, attempts: this.retry.attemptsMax };
  }

  private async attempt(method: string, path: string, body: unknown, idempotencyKey: string | null): Promise<Attempt> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.apiKey}`, 'content-type': 'application/json' };
    if (idempotencyKey !== null) headers['idempotency-key'] = idempotencyKey;
    try {
      const response = await fetch(new URL(path, this.options.switchUrl), {
        method,
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.retry.timeoutMs),
      });
      const text = await response.text();
      if (text.length > responseBytesMax) return { kind: 'no-answer', detail: `an answer over ${responseBytesMax} bytes` };
      const retryAfterSeconds = Number(response.headers.get('retry-after') ?? 'NaN');
      return {
        kind: 'answer',
        status: response.status,
        body: parseJson(text),
        retryAfterMs: Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0 ? retryAfterSeconds * 1000 : null,
      };
    } catch (error) {
      return { kind: 'no-answer', detail: error instanceof Error ? error.message : String(error) };
    }
  }
}

/** The body of `POST /v1/inbound/payments` for an order (issue 17's contract). */
export function paymentBody(paymentId: string, merchantId: string, order: InboundOrder, quoteId: string | null): Record<string, unknown> {
  const { buyer } = order;
  return {
    id: paymentId,
    merchantId,
    amount: order.amount,
    currency: buyer.currency,
    ...(quoteId === null ? {} : { quoteId }),
    purposeCode: order.purposeCode,
    payer: { type: buyer.type, name: buyer.name, country: buyer.country, ...(buyer.taxId === null ? {} : { taxId: buyer.taxId }) },
    invoiceNumber: order.invoiceNumber,
    description: order.description,
  };
}

function refusal(httpStatus: number, body: unknown, attempts: number): Extract<PaymentOutcome, { kind: 'refused' }> {
  const parsed = errorSchema.safeParse(body);
  return parsed.success
    ? { kind: 'refused', httpStatus, code: parsed.data.error.code, message: parsed.data.error.message, attempts }
    : { kind: 'refused', httpStatus, code: `HTTP_${httpStatus}`, message: 'an answer without an error body', attempts };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
