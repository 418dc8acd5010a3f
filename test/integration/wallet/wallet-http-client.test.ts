import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { reversalDelivery, creditAdviceDelivery } from '../../../core/outbox/payee-deliveries';
import { WalletHttpClient } from '../../../adapters/wallet-http/wallet-http-client';
import { evenShares } from '../../../simulators/fault-mix';
import { walletFaults } from '../../../simulators/wallet/wallet-modes';
import { ayesha, creditMessage, signingSecret, startWallet } from './wallet-fixture';

type Started = Awaited<ReturnType<typeof startWallet>>;

describe('wallet HTTP client against the simulated wallet: credit requests', () => {
  let started: Started;
  beforeEach(async () => {
    started = await startWallet({ creditDeadlineMs: 2_000 });
  });
  afterEach(async () => {
    await started.stop();
  });

  it('gets ACCEPTED, and the wallet credited its customer once the signature verified', async () => {
    const message = creditMessage('1500.00');
    expect(await started.client.requestCredit('MARGALLA', message)).toEqual({ outcome: 'accepted' });
    expect(started.wallet.balanceOf(ayesha.walletNumber)).toBe(250_000n);
    const [received] = started.wallet.received('CREDIT_REQUEST');
    expect(received).toMatchObject({ kind: 'CREDIT_REQUEST', transferId: message.transferId, signature: 'VALID', answeredStatus: 200 });
    expect(received?.body).toEqual({ ...message });
  });

  it('gets the same answer for the same transferId again and credits once', async () => {
    const message = creditMessage('10.00');
    expect(await started.client.requestCredit('MARGALLA', message)).toEqual({ outcome: 'accepted' });
    expect(await started.client.requestCredit('MARGALLA', message)).toEqual({ outcome: 'accepted' });
    expect(started.wallet.balanceOf(ayesha.walletNumber)).toBe(101_000n);
    expect(started.wallet.creditRecord(message.transferId)).toMatchObject({ state: 'CREDITED', duplicates: 1 });
  });

  it('gets REJECTED with the reason when the wallet is told to refuse, and an unknown account is refused too', async () => {
    started.wallet.setMode({ mode: 'reject', reason: 'ACCOUNT_BLOCKED' });
    expect(await started.client.requestCredit('MARGALLA', creditMessage())).toEqual({ outcome: 'rejected', reason: 'ACCOUNT_BLOCKED' });
    started.wallet.setMode({ mode: 'accept' });
    expect(await started.client.requestCredit('MARGALLA', creditMessage('5.00', { type: 'MSISDN', value: '923009999999' }))).toEqual({
      outcome: 'rejected',
      reason: 'ACCOUNT_NOT_FOUND',
    });
    expect(started.wallet.balanceOf(ayesha.walletNumber)).toBe(100_000n);
  });

  it("replaces control, line-break and bidirectional characters of a wallet's rejection reason, which the payer's record keeps", async () => {
    // A payee chooses this text; it reaches the transfer's events and logs, where these characters would hide or
    // reorder what an auditor reads, as they would in a request body (api/schemas/text.ts refuses them there).
    started.wallet.setMode({ mode: 'reject', reason: 'LIMIT\u001b[31m \u202eDEKCOLB\u2028\u0085next\u007f' });
    expect(await started.client.requestCredit('MARGALLA', creditMessage())).toEqual({
      outcome: 'rejected',
      reason: 'LIMIT\ufffd[31m \ufffdDEKCOLB\ufffd\ufffdnext\ufffd',
    });
    started.wallet.setMode({ mode: 'accept' });
  });

  it('reports unavailable when the wallet refuses connections: nothing reached it', async () => {
    await started.wallet.refuseConnections();
    const outcome = await started.client.requestCredit('MARGALLA', creditMessage());
    expect(outcome).toMatchObject({ outcome: 'unavailable' });
    expect(outcome.outcome === 'unavailable' && outcome.detail).toMatch(/ECONNREFUSED/);
    await started.wallet.acceptConnections();
    expect(await started.client.requestCredit('MARGALLA', creditMessage())).toEqual({ outcome: 'accepted' });
  });

  it('reports unknown when the wallet answers after the deadline, though the wallet did credit', async () => {
    started.wallet.setMode({ mode: 'slow', delayMs: 1_000 });
    const message = creditMessage('1.00');
    const outcome = await started.client.requestCredit('MARGALLA', message, { deadlineMs: 150 });
    expect(outcome).toMatchObject({ outcome: 'unknown' });
    expect(outcome.outcome === 'unknown' && outcome.detail).toMatch(/^TIMEOUT/);
    expect(started.wallet.creditRecord(message.transferId)?.state).toBe('CREDITED');
  });

  it.each([
    ['answers 500', { mode: 'error', status: 500 } as const, /^HTTP_STATUS/],
    ['answers 200 with a body that is not JSON', { mode: 'garbage' } as const, /^UNREADABLE_BODY/],
    ['drops the connection after reading the request', { mode: 'reset' } as const, /^CONNECTION_LOST/],
  ])('reports unknown when the wallet %s', async (_name, mode, detail) => {
    started.wallet.setMode(mode);
    const outcome = await started.client.requestCredit('MARGALLA', creditMessage());
    expect(outcome).toMatchObject({ outcome: 'unknown' });
    expect(outcome.outcome === 'unknown' && outcome.detail).toMatch(detail);
    expect(started.wallet.received('CREDIT_REQUEST')).toHaveLength(1);
  });

  it('reports unknown when the wallet refuses the signature (another secret), and the wallet credits nothing', async () => {
    const wrongSecret = await startWallet({ secret: 'not-the-secret' });
    try {
      const outcome = await wrongSecret.client.requestCredit('MARGALLA', creditMessage());
      expect(outcome).toMatchObject({ outcome: 'unknown', detail: expect.stringMatching(/HTTP 401/) });
      expect(wrongSecret.wallet.received()[0]).toMatchObject({ signature: 'SIGNATURE_MISMATCH', answeredStatus: 401 });
      expect(wrongSecret.wallet.balanceOf(ayesha.walletNumber)).toBe(100_000n);
    } finally {
      await wrongSecret.stop();
    }
  });

  it('meets a fault mix as each of its faults, in a share of the credit requests close to the one set, seeded', async () => {
    started.wallet.setFaultMix({ shares: evenShares(walletFaults, 0.15), seed: 21, slowDelayMs: 1_500 });
    const outcomes: Record<string, number> = {};
    // Ten at a time: well within the client's sockets, so that only the slow answers miss the deadline.
    for (let round = 0; round < 20; round++)
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          const outcome = await started.client.requestCredit('MARGALLA', creditMessage('1.00'), { deadlineMs: 500 });
          const detail =
            outcome.outcome === 'unknown' ? outcome.detail.split(':')[0] : outcome.outcome === 'rejected' ? outcome.reason : '';
          const key = `${outcome.outcome} ${detail}`.trim();
          outcomes[key] = (outcomes[key] ?? 0) + 1;
        }),
      );
    const drawn = started.wallet.faultCounts();
    // A dropped connection before any answer looks like a stale kept-alive one, which the client tries once more
    // on a new connection (same transferId, so the wallet deduplicates): a drop may draw a second fault.
    const draws = Object.values(drawn).reduce((sum, count) => sum + count, 0);
    expect(draws).toBeGreaterThanOrEqual(200);
    expect(draws - 200).toBeLessThanOrEqual(drawn['drop'] ?? 0);
    for (const fault of walletFaults) expect(drawn[fault]).toBeGreaterThan(10);
    // Each fault shows as the switch classifies it: a refusal, or an unknown outcome (the wallet may have credited).
    expect(Object.keys(outcomes).sort()).toEqual([
      'accepted',
      'rejected SIMULATED_DECLINE',
      'unknown CONNECTION_LOST',
      'unknown HTTP_STATUS',
      'unknown TIMEOUT',
      'unknown UNREADABLE_BODY',
    ]);
    expect(Object.values(outcomes).reduce((sum, count) => sum + count, 0)).toBe(200);
    started.wallet.setFaultMix(null);
    expect(await started.client.requestCredit('MARGALLA', creditMessage('1.00'))).toEqual({ outcome: 'accepted' });
  });

  it('reports unavailable for a participant without a wallet endpoint, sending nothing', async () => {
    expect(await started.client.requestCredit('NOBODY', creditMessage())).toMatchObject({
      outcome: 'unavailable',
      detail: expect.stringMatching(/^NO_ENDPOINT/),
    });
    expect(started.wallet.received()).toHaveLength(0);
  });
});

describe('wallet HTTP client against the simulated wallet: store-and-forward deliveries', () => {
  let started: Started;
  beforeEach(async () => {
    started = await startWallet();
  });
  afterEach(async () => {
    await started.stop();
  });

  it('delivers a reversal to the reversal URL, which undoes the credit once', async () => {
    const message = creditMessage('250.00');
    await started.client.requestCredit('MARGALLA', message);
    const reversal = reversalDelivery('MARGALLA', { ...message, reason: 'PAYEE_TIMEOUT' });
    expect(await started.client.deliver(reversal, { deadlineMs: 2_000 })).toEqual({ outcome: 'delivered', detail: 'HTTP 200' });
    expect(await started.client.deliver(reversal, { deadlineMs: 2_000 })).toEqual({ outcome: 'delivered', detail: 'HTTP 200' });
    expect(started.wallet.balanceOf(ayesha.walletNumber)).toBe(100_000n);
    expect(started.wallet.received('REVERSAL').map((received) => received.body)).toEqual([reversal.payload, reversal.payload]);
  });

  it('delivers a credit advice to the credit URL, marked as an advice, which the wallet applies even when refusing requests', async () => {
    started.wallet.setMode({ mode: 'reject', reason: 'LIMIT_EXCEEDED' }, ['CREDIT_REQUEST']);
    const advice = creditAdviceDelivery('MARGALLA', creditMessage('75.50'));
    expect(await started.client.deliver(advice, { deadlineMs: 2_000 })).toMatchObject({ outcome: 'delivered' });
    expect(started.wallet.received('CREDIT_ADVICE')).toHaveLength(1);
    expect(started.wallet.balanceOf(ayesha.walletNumber)).toBe(107_550n);
  });

  it('does not take a 200 whose body is not JSON as delivered: the wallet may not have applied it, and a repeat is safe', async () => {
    const message = creditMessage('250.00');
    await started.client.requestCredit('MARGALLA', message);
    const reversal = reversalDelivery('MARGALLA', { ...message, reason: 'PAYEE_TIMEOUT' });
    const advice = creditAdviceDelivery('MARGALLA', creditMessage('75.50'));
    started.wallet.setMode({ mode: 'garbage' });
    for (const delivery of [reversal, advice])
      expect(await started.client.deliver(delivery, { deadlineMs: 2_000 })).toMatchObject({
        outcome: 'failed',
        detail: expect.stringMatching(/^UNREADABLE_BODY/),
      });
    expect(started.wallet.balanceOf(ayesha.walletNumber)).toBe(125_000n);
    started.wallet.setMode({ mode: 'accept' });
    for (const delivery of [reversal, advice])
      expect(await started.client.deliver(delivery, { deadlineMs: 2_000 })).toMatchObject({ outcome: 'delivered' });
    expect(started.wallet.balanceOf(ayesha.walletNumber)).toBe(107_550n);
  });

  it('takes a 2xx with an empty body or any JSON body as delivered, as before', async () => {
    const server = http.createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        if (request.url === '/reversal') response.writeHead(204).end();
        else response.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new WalletHttpClient({
      resolveEndpoint: () =>
        Promise.resolve({ creditUrl: `${url}/credit`, reversalUrl: `${url}/reversal`, signingSecrets: [signingSecret] }),
    });
    try {
      const message = creditMessage('1.00');
      expect(await client.deliver(reversalDelivery('ANY', { ...message, reason: 'PAYEE_TIMEOUT' }), { deadlineMs: 2_000 })).toEqual({
        outcome: 'delivered',
        detail: 'HTTP 204',
      });
      expect(await client.deliver(creditAdviceDelivery('ANY', message), { deadlineMs: 2_000 })).toEqual({
        outcome: 'delivered',
        detail: 'HTTP 200',
      });
    } finally {
      client.close();
      server.close();
    }
  });

  it('reports a refused connection, a timeout and a 503 as destination failures, a 4xx as this delivery only', async () => {
    const reversal = reversalDelivery('MARGALLA', { ...creditMessage(), reason: 'PAYEE_TIMEOUT' });
    started.wallet.setMode({ mode: 'error', status: 503 });
    expect(await started.client.deliver(reversal, { deadlineMs: 2_000 })).toMatchObject({ outcome: 'failed', scope: 'destination' });
    started.wallet.setMode({ mode: 'error', status: 400 });
    expect(await started.client.deliver(reversal, { deadlineMs: 2_000 })).toMatchObject({ outcome: 'failed', scope: 'delivery' });
    started.wallet.setMode({ mode: 'slow', delayMs: 1_000 });
    expect(await started.client.deliver(reversal, { deadlineMs: 100 })).toMatchObject({
      outcome: 'failed',
      scope: 'destination',
      detail: expect.stringMatching(/^TIMEOUT/),
    });
    await started.wallet.refuseConnections();
    expect(await started.client.deliver(reversal, { deadlineMs: 2_000 })).toMatchObject({
      outcome: 'failed',
      scope: 'destination',
      detail: expect.stringMatching(/ECONNREFUSED/),
    });
  });
});

describe('wallet HTTP client connection handling and limits', () => {
  it('retries once on a new connection when a kept-alive one turns out to be closed, and gets the answer', async () => {
    // Serves the first request of each connection and drops the connection at its second, as a wallet whose
    // keep-alive timer fired just as the switch reused the connection.
    const requestsPerSocket = new WeakMap<object, number>();
    let served = 0;
    const server = http.createServer((request, response) => {
      const count = (requestsPerSocket.get(request.socket) ?? 0) + 1;
      requestsPerSocket.set(request.socket, count);
      request.resume();
      request.on('end', () => {
        if (count > 1) return void request.socket.destroy();
        served += 1;
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ACCEPTED"}');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new WalletHttpClient({
      resolveEndpoint: () => ({ creditUrl: `${url}/credit`, reversalUrl: `${url}/reversal`, signingSecrets: [signingSecret] }),
    });
    try {
      expect(await client.requestCredit('ANY', creditMessage())).toEqual({ outcome: 'accepted' });
      expect(await client.requestCredit('ANY', creditMessage())).toEqual({ outcome: 'accepted' });
      expect(served).toBe(2);
    } finally {
      client.close();
      server.closeAllConnections();
      server.close();
    }
  });

  it('stops reading an oversized answer and reports unknown', async () => {
    const server = http.createServer((request, response) => {
      request.resume();
      request.on('end', () =>
        response.writeHead(200, { 'content-type': 'application/json' }).end(`{"status":"ACCEPTED","pad":"${'x'.repeat(100_000)}"}`),
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new WalletHttpClient({
      resolveEndpoint: () => ({ creditUrl: `${url}/credit`, reversalUrl: `${url}/reversal`, signingSecrets: [signingSecret] }),
    });
    try {
      expect(await client.requestCredit('ANY', creditMessage())).toMatchObject({
        outcome: 'unknown',
        detail: expect.stringMatching(/^RESPONSE_TOO_LARGE/),
      });
    } finally {
      client.close();
      server.closeAllConnections();
      server.close();
    }
  });

  it("keeps an unreadable answer's preview free of control, line-break and bidirectional characters", async () => {
    const server = http.createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(200, { 'content-type': 'text/plain' }).end('oops \u202eKO\u2028\u009b31m\u0007'));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new WalletHttpClient({
      resolveEndpoint: () => ({ creditUrl: `${url}/credit`, reversalUrl: `${url}/reversal`, signingSecrets: [signingSecret] }),
    });
    try {
      const outcome = await client.requestCredit('ANY', creditMessage());
      expect(outcome).toMatchObject({ outcome: 'unknown', detail: expect.stringMatching(/^UNREADABLE_BODY/) });
      const detail = outcome.outcome === 'unknown' ? outcome.detail : '';
      // The control characters are what this pattern looks for.
      // eslint-disable-next-line no-control-regex
      expect(detail).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u202e]/);
      expect(detail).toContain('oops \ufffdKO');
    } finally {
      client.close();
      server.closeAllConnections();
      server.close();
    }
  });

  it('reports unavailable for a URL it cannot use, sending nothing', async () => {
    const client = new WalletHttpClient({
      resolveEndpoint: () => ({ creditUrl: 'ftp://wallet.example/credit', reversalUrl: 'not a url', signingSecrets: [signingSecret] }),
    });
    expect(await client.requestCredit('ANY', creditMessage())).toMatchObject({
      outcome: 'unavailable',
      detail: expect.stringMatching(/^INVALID_URL/),
    });
    const reversal = reversalDelivery('ANY', { ...creditMessage(), reason: 'PAYEE_TIMEOUT' });
    expect(await client.deliver(reversal, { deadlineMs: 100 })).toMatchObject({
      outcome: 'failed',
      detail: expect.stringMatching(/^INVALID_URL/),
    });
    client.close();
  });
});
