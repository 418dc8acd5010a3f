import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createHttpServer, httpServerLimits } from '../../../api/http-server';

/** Sends a request's headers one byte at a time and never finishes them; resolves with when the server cut it off. */
function slowloris(port: number, byteIntervalMs: number): { closed: Promise<number>; socket: Socket } {
  const socket = connect(port, '127.0.0.1');
  const text = 'GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ' + 'a'.repeat(10_000);
  let index = 0;
  const timer = setInterval(() => {
    if (index < text.length && !socket.destroyed) socket.write(text[index++] as string);
  }, byteIntervalMs);
  const closed = new Promise<number>((resolve) => {
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve(Date.now());
    });
  });
  return { closed, socket };
}

describe('the HTTP server against slow clients', () => {
  it('cuts off a client that never finishes its headers within the headers timeout plus about a second', async () => {
    const headersTimeoutMs = 1_000;
    const server = createHttpServer((_request, response) => response.end('ok'), { headersTimeoutMs, requestTimeoutMs: 5_000 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const startedAtMs = Date.now();
      const client = slowloris(port, 50);
      const closedAtMs = await Promise.race([
        client.closed,
        new Promise<number>((resolve) => setTimeout(() => resolve(Number.POSITIVE_INFINITY), 10_000)),
      ]);
      client.socket.destroy();
      const elapsedMs = closedAtMs - startedAtMs;
      expect(elapsedMs).toBeGreaterThanOrEqual(headersTimeoutMs - 50);
      expect(elapsedMs).toBeLessThan(headersTimeoutMs + 1_000);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('checks connections often enough for the default headers timeout to fire within about a second of it', () => {
    expect(httpServerLimits.headersTimeoutMs).toBe(10_000);
    expect(httpServerLimits.connectionsCheckingIntervalMs(httpServerLimits.headersTimeoutMs)).toBeLessThanOrEqual(1_000);
  });
});
