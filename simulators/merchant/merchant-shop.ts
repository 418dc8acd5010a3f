import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { signatureToleranceSecondsDefault, verifyWebhookSignature } from './webhook-signature';

/** A webhook body is well under this (the switch caps an event at 32 KiB); more is refused unread. */
const webhookBytesMax = 64 * 1024;
/** Verified events remembered, oldest forgotten first: a shop that runs for days keeps its memory bounded. */
const eventsRememberedMax = 10_000;
/** How long one call to the switch may take before the shop gives up on it. */
const switchRequestTimeoutMs = 15_000;

export type MerchantShopOptions = {
  /** The switch's base URL, e.g. http://127.0.0.1:8080. */
  switchUrl: string;
  /** The merchant's API key (`POST /v1/merchants` answered it once). */
  apiKey: string;
  /** The merchant's webhook secrets: the current one, and the previous one during a rotation's 24 h. */
  webhookSecrets: readonly string[];
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The shop's clock, against which a signature's `t` is checked. */
  now?: () => Date;
  toleranceSeconds?: number;
  /** Called once per verified event id, as it arrives (the CLI prints it). Must not throw. */
  onEvent?: (event: ReceivedEvent) => void;
};

export const webhookEventSchema = z.object({
  id: z.string().regex(/^evt_[0-9a-f]{24}$/),
  type: z.string().min(1).max(64),
  createdAt: z.string(),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});
export type ReceivedEvent = z.infer<typeof webhookEventSchema>;

export type MerchantBalance = { currency: string; collected: string; refunded: string; chargedBack: string; mdr: string; net: string };

export type CheckoutSession = {
  id: string;
  status: string;
  amount: string;
  currency: string;
  orderId: string;
  payUrl: string;
  qr: string;
  expiresAt: string;
  transferId: string | null;
};
export type Refund = {
  id: string;
  sessionId: string;
  transferId: string | null;
  amount: string;
  status: string;
  failureReason: string | null;
};

export class SwitchAnswerError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`the switch answered ${status}: ${JSON.stringify(body)}`);
    this.name = 'SwitchAnswerError';
  }
}

/**
 * A simulated online shop (issue 11): it opens checkout sessions and refunds with its merchant key, and receives its
 * webhooks on `POST /webhooks`, verifying each signature as a merchant must (README, "Verifying a signature": the raw
 * body, 300 s of tolerance, any v1) before it believes a word of it: a request that fails is answered 400 and kept
 * only as a count. Each event is handled once per id (the switch delivers at least once), and `GET /events` lists
 * what it received. `successUrl` and `cancelUrl` point at its own small pages.
 */
export class MerchantShop {
  private readonly server: http.Server;
  private readonly events: ReceivedEvent[] = [];
  private readonly seenEventIds = new Set<string>();
  private readonly waiters = new Set<() => void>();
  /** The remembered events by type and object id, and who waits for one (waitForObjectEvent). */
  private readonly byObject = new Map<string, ReceivedEvent>();
  private readonly keyedWaiters = new Map<string, (event: ReceivedEvent) => void>();
  private rejectedCount = 0;
  private duplicateCount = 0;
  private baseUrl: string | null = null;

  constructor(private readonly options: MerchantShopOptions) {
    if (options.webhookSecrets.length === 0) throw new Error('a shop needs its webhook secret to verify webhooks');
    this.server = http.createServer((request, response) => this.handle(request, response));
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 15_000;
  }

  async start(): Promise<string> {
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.baseUrl = `http://${host}:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  get url(): string {
    if (this.baseUrl === null) throw new Error('the shop has not started');
    return this.baseUrl;
  }

  /** What to register as the merchant's `webhookUrl`. */
  get webhookUrl(): string {
    return `${this.url}/webhooks`;
  }

  /** Verified events, each id once, in the order they arrived. */
  get receivedEvents(): readonly ReceivedEvent[] {
    return this.events;
  }

  /** Requests to /webhooks refused because their signature did not verify. */
  get rejectedWebhooks(): number {
    return this.rejectedCount;
  }

  /** Verified deliveries of an event already handled (the switch retried, or an operator resent it). */
  get duplicateWebhooks(): number {
    return this.duplicateCount;
  }

  /** Opens a checkout session for an order; its Idempotency-Key derives from the order, so a retry is the same session. */
  async createSession(order: {
    amount: string;
    orderId: string;
    description?: string;
    expiresInSeconds?: number;
  }): Promise<CheckoutSession> {
    return (await this.call('POST', '/v1/checkout/sessions', `order-${order.orderId}`, {
      amount: order.amount,
      currency: 'PKR',
      orderId: order.orderId,
      ...(order.description === undefined ? {} : { description: order.description }),
      ...(order.expiresInSeconds === undefined ? {} : { expiresInSeconds: order.expiresInSeconds }),
      successUrl: `${this.url}/orders/${encodeURIComponent(order.orderId)}/paid`,
      cancelUrl: `${this.url}/orders/${encodeURIComponent(order.orderId)}/cancelled`,
    })) as CheckoutSession;
  }

  async getSession(sessionId: string): Promise<CheckoutSession> {
    return (await this.call('GET', `/v1/checkout/sessions/${encodeURIComponent(sessionId)}`, null, undefined)) as CheckoutSession;
  }

  /** Refunds part or all of a paid session; `idempotencyKey` makes a retried refund the same refund. */
  async refund(request: { sessionId: string; amount: string; reason?: string }, idempotencyKey: string = randomUUID()): Promise<Refund> {
    return (await this.call('POST', '/v1/refunds', idempotencyKey, request)) as Refund;
  }

  /** Answers a dispute on one of its payments, as its acquirer may (issue 12): ACCEPT, CONTEST or CREDIT_CONFIRMED. */
  async answerDispute(disputeId: string, answer: { action: 'ACCEPT' | 'CONTEST' | 'CREDIT_CONFIRMED'; note: string }): Promise<unknown> {
    return this.call('POST', `/v1/disputes/${encodeURIComponent(disputeId)}/respond`, null, answer);
  }

  /** Its balance in one currency: collected, refunded, chargedBack, mdr and net, in total and per settlement window. */
  async balance(merchantId: string, currency: string): Promise<MerchantBalance> {
    const path = `/v1/merchants/${encodeURIComponent(merchantId)}/balance?currency=${encodeURIComponent(currency)}`;
    return (await this.call('GET', path, null, undefined)) as MerchantBalance;
  }

  /**
   * Resolves with the verified event of this type about this object (a session id, a refund id), waiting up to
   * `timeoutMs` for it; a lookup by key, so many checkouts waiting at once cost nothing per arriving event.
   */
  async waitForObjectEvent(type: string, objectId: string, timeoutMs: number): Promise<ReceivedEvent> {
    const key = objectEventKey(type, objectId);
    const known = this.byObject.get(key);
    if (known !== undefined) return known;
    return new Promise<ReceivedEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.keyedWaiters.delete(key);
        reject(new Error(`no ${type} webhook for ${objectId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.keyedWaiters.set(key, (event) => {
        clearTimeout(timer);
        this.keyedWaiters.delete(key);
        resolve(event);
      });
    });
  }

  /** Resolves with the first verified event that matches, waiting up to `timeoutMs` for it. */
  async waitForEvent(matches: (event: ReceivedEvent) => boolean, timeoutMs: number): Promise<ReceivedEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(matches);
      if (found !== undefined) return found;
      const leftMs = deadline - Date.now();
      if (leftMs <= 0) throw new Error(`no matching webhook within ${timeoutMs} ms (${this.events.length} received)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, leftMs);
        const waiters = this.waiters;
        function done(): void {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        waiters.add(done);
      });
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async call(method: string, path: string, idempotencyKey: string | null, body: unknown): Promise<unknown> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.apiKey}` };
    if (idempotencyKey !== null) headers['idempotency-key'] = idempotencyKey;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.options.switchUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(switchRequestTimeoutMs),
    });
    const answer: unknown = await response.json();
    if (response.status < 200 || response.status > 299) throw new SwitchAnswerError(response.status, answer);
    return answer;
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (request.method === 'POST' && path === '/webhooks') {
      this.receiveWebhook(request, response);
      return;
    }
    if (request.method === 'POST' && (path === '/orders' || path === '/refunds')) {
      void this.shopAction(path, request, response);
      return;
    }
    if (request.method === 'GET' && path === '/events') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ events: this.events }));
      return;
    }
    const order = /^\/orders\/([^/]{1,64})\/(paid|cancelled)$/.exec(path);
    if (request.method === 'GET' && order !== null) {
      const text = order[2] === 'paid' ? 'Thank you: your payment is being confirmed.' : 'Your order was not paid.';
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }

  /**
   * The shop's own back office over HTTP: `POST /orders {"amount","orderId"}` opens a checkout session and answers
   * it (its payUrl is where to send the customer); `POST /refunds {"sessionId","amount","reason"?}` refunds. The
   * switch's refusal comes back with its status and error body.
   */
  private async shopAction(path: string, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const send = (status: number, body: unknown): void => {
      if (!response.headersSent) response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    try {
      const body = await readBody(request, shopRequestBytesMax);
      if (path === '/orders') {
        const order = orderSchema.safeParse(safeJson(body));
        if (!order.success)
          return send(400, { error: { code: 'VALIDATION_FAILED', message: 'send {"amount":"1500.00","orderId":"ORD-1"}' } });
        return send(201, await this.createSession(order.data));
      }
      const refund = refundSchema.safeParse(safeJson(body));
      if (!refund.success)
        return send(400, { error: { code: 'VALIDATION_FAILED', message: 'send {"sessionId":"cs_…","amount":"500.00"}' } });
      return send(201, await this.refund(refund.data));
    } catch (error) {
      if (error instanceof SwitchAnswerError) return send(error.status, error.body);
      send(502, { error: { code: 'SWITCH_UNREACHABLE', message: error instanceof Error ? error.message : String(error) } });
    }
  }

  private receiveWebhook(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > webhookBytesMax) {
        response.writeHead(413, { 'content-type': 'text/plain' }).end('too large\n');
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (response.headersSent) return;
      const rawBody = Buffer.concat(chunks);
      const header = request.headers['hisaab-signature'];
      const nowMs = (this.options.now?.() ?? new Date()).getTime();
      const tolerance = this.options.toleranceSeconds ?? signatureToleranceSecondsDefault;
      const verified = this.options.webhookSecrets.some(
        (secret) => verifyWebhookSignature(rawBody, typeof header === 'string' ? header : undefined, secret, nowMs, tolerance).ok,
      );
      const parsed = verified ? webhookEventSchema.safeParse(safeJson(rawBody)) : null;
      if (parsed === null || !parsed.success) {
        this.rejectedCount += 1;
        response.writeHead(400, { 'content-type': 'text/plain' }).end('signature not verified\n');
        return;
      }
      // Answer at once and handle after, as the README advises; an id already handled is acknowledged and skipped.
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      this.remember(parsed.data);
    });
  }

  private remember(event: ReceivedEvent): void {
    if (this.seenEventIds.has(event.id)) {
      this.duplicateCount += 1;
      return;
    }
    this.seenEventIds.add(event.id);
    this.events.push(event);
    const key = objectEventKey(event.type, event.data.object['id']);
    this.byObject.set(key, event);
    if (this.events.length > eventsRememberedMax) {
      const forgotten = this.events.shift();
      if (forgotten !== undefined) {
        this.seenEventIds.delete(forgotten.id);
        this.byObject.delete(objectEventKey(forgotten.type, forgotten.data.object['id']));
      }
    }
    this.options.onEvent?.(event);
    this.keyedWaiters.get(key)?.(event);
    for (const wake of [...this.waiters]) wake();
  }
}

/** A back-office request (an order, a refund) is a few hundred bytes. */
const shopRequestBytesMax = 4 * 1024;
const orderSchema = z.strictObject({
  amount: z.string().max(32),
  orderId: z.string().min(1).max(64),
  description: z.string().max(500).optional(),
  expiresInSeconds: z.number().int().optional(),
});
const refundSchema = z.strictObject({
  sessionId: z.string().min(1).max(64),
  amount: z.string().max(32),
  reason: z.string().max(200).optional(),
});

function readBody(request: http.IncomingMessage, bytesMax: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > bytesMax) {
        request.destroy();
        reject(new Error(`a request to the shop is at most ${bytesMax} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function objectEventKey(type: string, objectId: unknown): string {
  return `${type} ${typeof objectId === 'string' ? objectId : ''}`;
}

function safeJson(rawBody: Buffer): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8')) as unknown;
  } catch {
    return null;
  }
}
