import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createHttpServer } from '../../../api/http-server';
import { createSwitchMetrics, type SwitchMetrics } from '../../../api/metrics';
import { attachMoneyPathAdmission, moneyPathAdmission, processLoopDelay, type LoopDelay } from '../../../api/money-path-admission';

/**
 * The admission in front of a real HTTP server: what it sheds is answered from the socket level with the error
 * body, Retry-After and a request id, before any later middleware; the money path is recognised as express
 * routes it; and a stalled event loop sheds the next payments even with free slots.
 */
async function serve(
  metrics: SwitchMetrics,
  inFlightMax: number,
  loopDelayMaxMs: number,
  holdPayments = true,
  judgeAtServer = true,
  loopDelay?: LoopDelay,
) {
  const reachedHandler: string[] = [];
  const reachedExpress: string[] = [];
  const held: (() => void)[] = [];
  const app = express();
  app.use((request, _response, next) => {
    reachedExpress.push(`${request.method} ${request.url}`);
    next();
  });
  const admission = moneyPathAdmission(inFlightMax, metrics, loopDelayMaxMs, loopDelay === undefined ? undefined : () => loopDelay);
  // The switch's server judges before express; without the mark, express's middleware judges (tests, workers).
  if (judgeAtServer) attachMoneyPathAdmission(app, admission);
  app.use(admission);
  app.use((request, response) => {
    reachedHandler.push(`${request.method} ${request.url}`);
    // Money-path requests wait until released, so that they hold their slots.
    if (request.method === 'POST' && holdPayments) held.push(() => response.status(201).json({ ok: true }));
    else if (request.method === 'POST') response.status(201).json({ ok: true });
    else response.json({ ok: true });
  });
  const server = createHttpServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"a":1}' });
  return { server, url, post, reachedHandler, reachedExpress, held };
}

async function shedCount(metrics: SwitchMetrics, reason: string): Promise<number> {
  const values = (await metrics.moneyPathShed.get()).values;
  return values.filter((value) => value.labels.reason === reason).reduce((sum, value) => sum + value.value, 0);
}

it('sheds past the bound at the server, before express, with the error body, Retry-After and a request id', async () => {
  const metrics = createSwitchMetrics();
  const { server, url, post, reachedHandler, reachedExpress, held } = await serve(metrics, 2, 0);
  try {
    const admitted = [post('/v1/transfers'), post('/V1/Transfers/?dry=1')];
    while (held.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    const shed = await post('/v1/transfers/batch', { 'x-request-id': 'caller-chosen-1' });
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('1');
    expect(shed.headers.get('x-request-id')).toBe('caller-chosen-1');
    expect(shed.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await shed.json()) as { error: { code: string; message: string; details: unknown[] } };
    expect(body.error.code).toBe('OVERLOADED');
    expect(body.error.message).toMatch(/working on 2 payments already/);
    expect(body.error.details).toEqual([]);
    const invalidId = await post('/v1/transfers', { 'x-request-id': 'not valid!' });
    expect(invalidId.status).toBe(503);
    expect(invalidId.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await invalidId.text();
    // Other routes and methods are not counted.
    expect((await fetch(`${url}/v1/transfers`)).status).toBe(200);
    expect(reachedHandler).toEqual(['POST /v1/transfers', 'POST /V1/Transfers/?dry=1', 'GET /v1/transfers']);
    // The shed ones never reached express at all.
    expect(reachedExpress).toEqual(reachedHandler);
    expect(await shedCount(metrics, 'in_flight')).toBe(2);
    for (const release of held) release();
    for (const answer of await Promise.all(admitted)) expect(answer.status).toBe(201);
    // The slots are free again once the answers are sent.
    const next = post('/v1/transfers');
    while (held.length < 3) await new Promise((resolve) => setTimeout(resolve, 10));
    held[2]?.();
    expect((await next).status).toBe(201);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

it('measures a stall of the event loop: the sampling period after it reports it', async () => {
  const loopDelay = processLoopDelay();
  await new Promise((resolve) => setTimeout(resolve, 250));
  const until = performance.now() + 300;
  while (performance.now() < until) {
    // Busy: nothing else runs, as when the machine or a long task holds the process.
  }
  let seenMs = 0;
  for (let polls = 0; polls < 400 && seenMs < 150; polls += 1) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    seenMs = Math.max(seenMs, loopDelay.lastMaxMs);
  }
  // At least the stall less one sampling period (100 ms): the part of the period left when it began.
  expect(seenMs).toBeGreaterThanOrEqual(150);
});

it('sheds while the event loop runs late, with slots free, and admits again once it keeps up', async () => {
  const metrics = createSwitchMetrics();
  // The delay as the monitor last judged it, set here: the shedding is proven without racing the sampling timers
  // (the test above proves the monitor itself).
  const loopDelay: LoopDelay = { lastMaxMs: 300 };
  // Judged by express's middleware this time (no server mark), as in a front-end worker.
  const { server, post, reachedExpress } = await serve(metrics, 64, 50, false, false, loopDelay);
  try {
    const late = await post('/v1/transfers');
    expect(late.status).toBe(503);
    expect(late.headers.get('retry-after')).toBe('1');
    expect(((await late.json()) as { error: { message: string } }).error.message).toMatch(/event-loop delay past 50 ms/);
    expect(await shedCount(metrics, 'loop_delay')).toBe(1);
    expect(await shedCount(metrics, 'in_flight')).toBe(0);
    // Express saw the shed one (its middleware judged it) and nothing was judged twice.
    expect(reachedExpress.length).toBe(1);
    // A loop that keeps up again admits again.
    loopDelay.lastMaxMs = 12;
    const admitted = await post('/v1/transfers');
    expect(admitted.status).toBe(201);
    await admitted.text();
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
