import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceivedWebhook = { headers: http.IncomingHttpHeaders; rawBody: Buffer; receivedAt: Date };

/**
 * A merchant's webhook endpoint for tests: a real HTTP server that records every request as received (raw body
 * included) and answers with the statuses queued in `answers`, then with `defaultStatus`.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  /** Statuses for the next requests, in order. */
  readonly answers: number[] = [];
  defaultStatus = 200;
  /** When set, decides the status from the request instead (the README's verification snippet, say). */
  decide: ((request: ReceivedWebhook) => number) | null = null;
  /** How long each answer waits after the request has arrived: a slow merchant. */
  answerDelayMs = 0;
  private readonly server: http.Server;

  constructor() {
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const received = { headers: request.headers, rawBody: Buffer.concat(chunks), receivedAt: new Date() };
        this.received.push(received);
        const status = this.decide?.(received) ?? this.answers.shift() ?? this.defaultStatus;
        const answer = (): void => {
          response.writeHead(status, { 'content-type': 'text/plain' }).end(status >= 200 && status <= 299 ? 'ok' : 'not now');
        };
        if (this.answerDelayMs === 0) answer();
        else setTimeout(answer, this.answerDelayMs);
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks`;
  }

  /** The requests that carried this event id. */
  deliveriesOf(eventId: string): ReceivedWebhook[] {
    return this.received.filter((request) => (JSON.parse(request.rawBody.toString('utf8')) as { id: string }).id === eventId);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
