import { createServer, type RequestListener, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody, statusOf, type ErrorCode } from './http-error';
import type { Logger } from './logger';
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
 * api/connection-cap.ts): node closes one more at accept and emits 'drop'. `logger` gets a request log line for each
 * request node:http answers itself (see answerClientError); without one, such requests are answered unlogged.
 */
export function createHttpServer(
  listener: RequestListener,
  timeouts: HttpServerTimeouts = {},
  tls: TlsSettings | null = null,
  maxConnections: number = connectionShares(defaultMaxConnections(null)).http,
  logger: Logger | null = null,
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
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => answerClientError(error, socket, logger));
  server.keepAliveTimeout = httpServerLimits.keepAliveTimeoutMs;
  server.maxHeadersCount = httpServerLimits.maxHeadersCount;
  server.maxConnections = maxConnections;
  return server;
}

/**
 * A request node:http could not read (a malformed request line or header, headers over its 16 KiB, a wrong or
 * doubled Content-Length, a request not whole in time) is answered as every other refusal is, with a code and a
 * sentence in JSON, instead of node's bare status line; then the connection is closed, as node would. It never
 * reaches the app's request logger, so it is logged here, at warn (see clientErrorLogFields).
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, logger: Logger | null): void {
  const code = clientErrorCode(error.code);
  if (code !== null && socket.writable && !answerUnderway(socket)) {
    const body = JSON.stringify(errorBody(code, clientErrorMessage(code)));
    const status = statusOf(code);
    socket.write(
      `HTTP/1.1 ${status} ${clientErrorReason[code]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
    );
    logger?.warn(clientErrorLogFields(error, socket, status, code), 'request');
  }
  socket.destroy(error);
}

/** The longest request line read back for the log: a path of the API is far shorter, and the rest is noise. */
const loggedRequestLineBytesMax = 2_048;

/**
 * The request log's fields, as far as a request node:http could not read has them: no request id, route, caller
 * or duration (it reached no route), but its status, its code, node's reason (`parserCode`, such as
 * HPE_INVALID_METHOD) and the client's address, so that an operator can tell who sends what. Method and path come
 * from the request line when node kept its bytes and the line is well formed; the logger masks the path as it
 * masks every request's (account numbers, keys: api/log-masking.ts). The rest of those bytes (headers, a key, a
 * body) is never logged.
 */
function clientErrorLogFields(
  error: NodeJS.ErrnoException & { rawPacket?: unknown },
  socket: Duplex,
  status: number,
  code: ClientErrorCode,
): Record<string, unknown> {
  const line = requestLineOf(error.rawPacket);
  return {
    requestId: null,
    method: line?.method ?? null,
    path: line?.path ?? null,
    route: null,
    status,
    code,
    parserCode: error.code ?? null,
    remoteAddress: 'remoteAddress' in socket && typeof socket.remoteAddress === 'string' ? socket.remoteAddress : null,
  };
}

/** Method and target of the request line at the start of `rawPacket`, or null when there is no such line. */
function requestLineOf(rawPacket: unknown): { method: string; path: string } | null {
  if (!Buffer.isBuffer(rawPacket)) return null;
  const start = rawPacket.subarray(0, loggedRequestLineBytesMax).toString('latin1');
  // Printable ASCII only: a line with control characters or bytes beyond ASCII is not logged at all.
  const match = /^([A-Z]{1,16}) ([\x21-\x7e]{1,2000}) HTTP\/\d\.\d\r?\n/.exec(start);
  return match === null ? null : { method: match[1] ?? '', path: match[2] ?? '' };
}

/**
 * Whether an answer to a request on this connection has begun (its headers are out): writing another then would
 * corrupt what the client reads, so the connection is only closed. Node's own handler asks the same of the response
 * it keeps on the socket (`_httpMessage`); an answer already finished on a kept-alive connection is no obstacle.
 */
function answerUnderway(socket: Duplex): boolean {
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  return inFlight?.headersSent === true;
}

type ClientErrorCode = Extract<ErrorCode, 'BAD_REQUEST' | 'HEADERS_TOO_LARGE' | 'REQUEST_TIMEOUT' | 'PAYLOAD_TOO_LARGE'>;

const clientErrorReason: Record<ClientErrorCode, string> = {
  PAYLOAD_TOO_LARGE: 'Payload Too Large',
  BAD_REQUEST: 'Bad Request',
  HEADERS_TOO_LARGE: 'Request Header Fields Too Large',
  REQUEST_TIMEOUT: 'Request Timeout',
};

/** Null for a connection the client broke itself: nobody is there to read an answer. */
function clientErrorCode(code: string | undefined): ClientErrorCode | null {
  switch (code) {
    case 'ECONNRESET':
    case 'EPIPE':
      return null;
    case 'HPE_HEADER_OVERFLOW':
      return 'HEADERS_TOO_LARGE';
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 'PAYLOAD_TOO_LARGE';
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 'REQUEST_TIMEOUT';
    default:
      return 'BAD_REQUEST';
  }
}

function clientErrorMessage(code: ClientErrorCode): string {
  switch (code) {
    case 'HEADERS_TOO_LARGE':
      return 'the request line and headers are larger than the 16 KiB the switch reads';
    case 'REQUEST_TIMEOUT':
      return 'the request did not arrive whole in time';
    case 'PAYLOAD_TOO_LARGE':
      return 'the chunk extensions of the body are larger than the switch reads';
    case 'BAD_REQUEST':
      return 'the request is not valid HTTP/1.1 (its request line, a header, or its declared length)';
  }
}
