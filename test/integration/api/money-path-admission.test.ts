import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createHttpServer } from '../../../api/http-server';
import { createSwitchMetrics, type SwitchMetrics } from '../../../api/metrics';
import { attachMoneyPathAdmission, moneyPathAdmission } from '../../../api/money-path-admission';

/**
 * The admission in front of a real HTTP server: what it sheds is answered from the socket level with the error
 * body, Retry-After and a request id, before any later middleware; the money path is recognised as express
 * routes it; and a stalled event loop sheds the next payments even with free slots.
 */
async function serve(metrics: SwitchMetrics, inFlightMax: number, loopDelayMaxMs: number, holdPayments = true, judgeAtServer = true) {
  const reachedHandler: string[] = [];
  const reachedExpress: string[] = [];
  const held: (() => void)[] = [];
  const app = express();
  app.use((request, _response, next) => {
    reachedExpress.push(`${request.method} ${request.url}`);
    next();
  });
  const admission = moneyPathAdmission(inFlightMax, metrics, loopDelayMaxMs);
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

it('sheds while the event loop runs late, with slots free, and admits again once it keeps up', async () => {
  const metrics = createSwitchMetrics();
  // Judged by express's middleware this time (no server mark), as in a front-end worker.
  const { server, post, reachedExpress } = await serve(metrics, 64, 50, false, false);
  try {
    // Stall the loop for 300 ms: the sampling period that ends with the stall judges it late, and the payment
    // read just after it is shed. Tried a few times: a loaded machine may delay the request past that period.
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 5 && !statuses.includes(503); attempt += 1) {
      const answer = post('/v1/transfers');
      let answered = false;
      void answer.then(() => (answered = true));
      // Stalls of 300 ms with a short breath between them until the answer is in: the request (sent and read by
      // this same process) then always arrives in a sampling period that saw a stall, however loaded the machine.
      for (let stalls = 0; stalls < 20 && !answered; stalls += 1) {
        const until = performance.now() + 300;
        while (performance.now() < until) {
          // Busy: nothing else runs, as when the machine or a long task holds the process.
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      const settled = await answer;
      statuses.push(settled.status);
      if (settled.status === 503)
        expect(((await settled.json()) as { error: { message: string } }).error.message).toMatch(/event-loop delay past 50 ms/);
      else await settled.text();
    }
    expect(statuses).toContain(503);
    expect(await shedCount(metrics, 'loop_delay')).toBeGreaterThanOrEqual(1);
    expect(await shedCount(metrics, 'in_flight')).toBe(0);
    // Express saw the shed ones (its middleware judged them) and nothing was judged twice.
    expect(reachedExpress.length).toBe(statuses.length);
    // A quiet loop admits again (within a few periods, however loaded the machine is).
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 201; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      const answer = await post('/v1/transfers');
      status = answer.status;
      await answer.text();
    }
    expect(status).toBe(201);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
