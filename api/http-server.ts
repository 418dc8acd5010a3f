import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connectionShares, defaultMaxConnections } from './connection-cap';
import { withMoneyPathAdmission } from './money-path-admission';
import { refuseUnverifiedClientCertificates, tlsServerOptions, type TlsSettings } from './tls-settings';

/** Bounded waits for slow or stalled clients: headers, whole requests, idle keep-alive connections. */
export const httpServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxHeadersCount: 100,
  /**
   * Connections the kernel queues before the process accepts them (it caps this at net.core.somaxconn, 4096 on the
   * build machine). Node's default, 511, overflowed under overload: the kernel then drops the handshake's last
   * packet and the client waits out TCP retransmission (1, 2, 4 s...) before the switch even sees its request.
   */
  listenBacklog: 4_096,
  /**
   * Node enforces the headers and request timeouts only when it checks its connections, every 30 s unless told
   * otherwise, so a 10 s headers timeout fired after up to 40 s. A tenth of the headers timeout, at most a
   * second, keeps a slowloris client's grace within a second of the timeout for the price of a cheap timer.
   */
  connectionsCheckingIntervalMs: (headersTimeoutMs: number): number => Math.min(1_000, Math.max(10, Math.floor(headersTimeoutMs / 10))),
} as const;

export type HttpServerTimeouts = { headersTimeoutMs?: number; requestTimeoutMs?: number };

/**
 * The switch's HTTP server with every limit set; the timeouts are overridable so that tests can shorten them.
 * With TLS settings it serves HTTPS (and asks for client certificates when they name a client CA). At most
 * `maxConnections` clients' connections are open at once (this port's share of HISAAB_MAX_CONNECTIONS,
 * api/connection-cap.ts): node closes one more at accept and emits 'drop'.
 */
export function createHttpServer(
  listener: RequestListener,
  timeouts: HttpServerTimeouts = {},
  tls: TlsSettings | null = null,
  maxConnections: number = connectionShares(defaultMaxConnections(null)).http,
): Server {
  const headersTimeoutMs = timeouts.headersTimeoutMs ?? httpServerLimits.headersTimeoutMs;
  const options = {
    headersTimeout: headersTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs ?? httpServerLimits.requestTimeoutMs,
    connectionsCheckingInterval: httpServerLimits.connectionsCheckingIntervalMs(headersTimeoutMs),
  };
  // A payment shed by the app's admission is answered here, before express runs at all.
  const served = withMoneyPathAdmission(listener);
  let server: Server;
  if (tls === null) server = createServer(options, served);
  else {
    const httpsServer = createHttpsServer({ ...options, ...tlsServerOptions(tls) }, served);
    refuseUnverifiedClientCertificates(httpsServer);
    server = httpsServer;
  }
  server.keepAliveTimeout = httpServerLimits.keepAliveTimeoutMs;
  server.maxHeadersCount = httpServerLimits.maxHeadersCount;
  server.maxConnections = maxConnections;
  return server;
}
