import { connect, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { assert } from '../../core/assert';
import { defaultConnectionLimits, Iso8583Connection, type ConnectionLimits } from './connection';
import type { ExchangeOutcome, NotSentReason } from './exchange-outcome';
import { describeForLog, silentLogger, type Iso8583Logger } from './logger';
import { missingMandatoryFields } from './mandatory-fields';
import { isResponseMti, matchKey, responseMtiFor, type Iso8583Message } from './message';
import { buildNetworkManagementRequest, networkManagementCodes, type NetworkManagementCode } from './network-management';
import { checkMessage } from './packager';
import { PendingRequests } from './pending-requests';
import { buildResponse, formatErrorResponse } from './response-builder';
import { describeResponseCode, isApproved, responseCodes } from './response-codes';
import { StanAllocator } from './stan-allocator';
import { transmissionDateTimeField } from './transmission-time';

/**
 * An outbound ISO 8583 channel: the switch's link to a bank host (and the bank simulator's link to the
 * switch). It keeps one connection open, re-establishes it with capped exponential backoff, signs on, sends
 * an echo when the line has been quiet, and pairs each request with its response by MTI class + DE11 + DE41
 * under a deadline. At most `pendingMax` requests wait at once, counting those waiting for the connection.
 */

export type Iso8583ClientOptions = {
  host: string;
  port: number;
  /** DE32 this side signs on with and puts on its requests. */
  institutionId: string;
  /** DE41 on network management requests; financial requests carry their own. */
  terminalId: string;
  /** Sign on (0800/001) after connecting, and only then send; true unless the peer expects no sign-on. */
  signOn?: boolean;
  now?: () => Date;
  stanAllocator?: StanAllocator;
  pendingMax?: number;
  connectTimeoutMs?: number;
  signOnTimeoutMs?: number;
  reconnectDelayMinMs?: number;
  reconnectDelayMaxMs?: number;
  /** Quiet for this long, the line is tested with an 0800/301 echo; an unanswered echo drops the connection. */
  echoIntervalMs?: number;
  echoTimeoutMs?: number;
  connectionLimits?: Partial<ConnectionLimits>;
  logger?: Iso8583Logger;
  /**
   * TLS to the peer (issue 15): its certificate must chain to `caPem` and name the host; this side presents its own
   * certificate when given (the switch's HISAAB_TLS_CERT/KEY). Absent: plain TCP.
   */
  tls?: { caPem: string; certificatePem?: string; keyPem?: string };
};

export type Iso8583ClientState = 'stopped' | 'connecting' | 'signing_on' | 'ready' | 'waiting_to_reconnect';

export type Iso8583ClientStatistics = {
  connectAttempts: number;
  connections: number;
  signOnsRefused: number;
  echoesSent: number;
  echoesFailed: number;
  lateOrUnmatchedResponses: number;
};

type ReadyWaiter = { readonly resolve: (ready: boolean) => void; readonly timer: NodeJS.Timeout };

/** Network management messages (sign-on, echo) may be in flight on top of the caller's requests. */
const NETWORK_MANAGEMENT_SLOTS = 2;
const RECONNECT_ATTEMPT_EXPONENT_MAX = 20;

export class Iso8583Client {
  private readonly options: Required<Omit<Iso8583ClientOptions, 'connectionLimits' | 'logger' | 'stanAllocator' | 'now' | 'tls'>>;
  private readonly now: () => Date;
  private readonly logger: Iso8583Logger;
  private readonly limits: ConnectionLimits;
  private readonly stans: StanAllocator;
  private readonly pending: PendingRequests;
  private readonly readyWaiters = new Set<ReadyWaiter>();
  private currentState: Iso8583ClientState = 'stopped';
  private connection: Iso8583Connection | null = null;
  private socket: Socket | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private echoTimer: NodeJS.Timeout | null = null;
  private echoInFlight = false;
  private lastReceivedAtMs = 0;
  private failedAttempts = 0;
  /** Caller requests admitted and not yet settled, including those waiting for the connection. */
  private reserved = 0;
  private readonly counters: Iso8583ClientStatistics = {
    connectAttempts: 0,
    connections: 0,
    signOnsRefused: 0,
    echoesSent: 0,
    echoesFailed: 0,
    lateOrUnmatchedResponses: 0,
  };

  private readonly tls: Iso8583ClientOptions['tls'];

  constructor(options: Iso8583ClientOptions) {
    this.options = {
      host: options.host,
      port: options.port,
      institutionId: options.institutionId,
      terminalId: options.terminalId,
      signOn: options.signOn ?? true,
      pendingMax: options.pendingMax ?? 1_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
      signOnTimeoutMs: options.signOnTimeoutMs ?? 5_000,
      reconnectDelayMinMs: options.reconnectDelayMinMs ?? 100,
      reconnectDelayMaxMs: options.reconnectDelayMaxMs ?? 30_000,
      echoIntervalMs: options.echoIntervalMs ?? 30_000,
      echoTimeoutMs: options.echoTimeoutMs ?? 5_000,
    };
    this.tls = options.tls;
    assert(/^[0-9]{1,11}$/.test(this.options.institutionId), 'an institution id (DE32) is 1 to 11 digits');
    assert(this.options.pendingMax >= 1 && this.options.pendingMax <= 100_000, 'pendingMax is 1 to 100000');
    assert(
      this.options.reconnectDelayMinMs > 0 && this.options.reconnectDelayMinMs <= this.options.reconnectDelayMaxMs,
      'reconnect delays are positive and ordered',
    );
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger ?? silentLogger();
    this.stans = options.stanAllocator ?? new StanAllocator();
    this.pending = new PendingRequests(this.options.pendingMax + NETWORK_MANAGEMENT_SLOTS);
    // The echo keeps an answering peer from ever looking idle; silence past two echo rounds means it is gone.
    const idleTimeoutMs = 2 * this.options.echoIntervalMs + this.options.echoTimeoutMs;
    this.limits = { ...defaultConnectionLimits, idleTimeoutMs, ...options.connectionLimits };
  }

  get state(): Iso8583ClientState {
    return this.currentState;
  }

  get isReady(): boolean {
    return this.currentState === 'ready';
  }

  statistics(): Iso8583ClientStatistics {
    return { ...this.counters };
  }

  start(): void {
    if (this.currentState !== 'stopped') return;
    this.connect();
  }

  /** Signs off when signed on (briefly), closes the connection, and settles everything waiting. */
  async stop(): Promise<void> {
    if (this.currentState === 'stopped') return;
    const connection = this.connection;
    if (connection !== null && this.currentState === 'ready' && this.options.signOn) {
      await this.networkManagement(connection, networkManagementCodes.signOff, Math.min(this.options.signOnTimeoutMs, 1_000));
    }
    this.currentState = 'stopped';
    this.clearTimers();
    this.settleReadyWaiters(false);
    this.socket?.destroy();
    this.socket = null;
    connection?.close('local_close');
    this.connection = null;
    this.pending.abandonAll();
  }

  /** Resolves true once connected and signed on, false if that does not happen within the time given. */
  waitUntilReady(timeoutMs: number): Promise<boolean> {
    if (this.currentState === 'ready') return Promise.resolve(true);
    if (this.currentState === 'stopped' || timeoutMs <= 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const waiter: ReadyWaiter = {
        resolve,
        timer: setTimeout(() => {
          this.readyWaiters.delete(waiter);
          resolve(false);
        }, timeoutMs),
      };
      this.readyWaiters.add(waiter);
    });
  }

  /** The next free STAN, for callers that must record DE11 before sending (to reverse it later). */
  allocateStan(terminalId: string = this.options.terminalId, mti: string = '0200'): string {
    const responseMti = responseMtiFor(mti) ?? '0210';
    return this.stans.allocate((stan) => this.pending.has(matchKey(responseMti, { 11: stan, 41: terminalId })));
  }

  /**
   * Sends a request or advice and waits for its response until `timeoutMs` has passed, connecting time
   * included. DE11 is allocated when the request has none. Never rejects.
   */
  async exchange(request: Iso8583Message, options: { timeoutMs: number }): Promise<ExchangeOutcome> {
    assert(Number.isFinite(options.timeoutMs) && options.timeoutMs > 0, 'an exchange has a positive timeout');
    if (this.currentState === 'stopped') return notSent('stopped', 'the channel is stopped');
    const responseMti = responseMtiFor(request.mti);
    if (responseMti === null) return notSent('invalid_message', `${request.mti} is not a request or advice`);
    if (this.reserved >= this.options.pendingMax)
      return notSent('pending_full', `${this.options.pendingMax} requests are already waiting on this channel`);
    const deadlineMs = performance.now() + options.timeoutMs;
    this.reserved += 1;
    try {
      const message =
        request.fields[11] !== undefined
          ? request
          : { mti: request.mti, fields: { ...request.fields, 11: this.allocateStan(request.fields[41] ?? '', request.mti) } };
      try {
        checkMessage(message);
      } catch (error) {
        return notSent('invalid_message', (error as Error).message);
      }
      if (!(await this.waitUntilReady(deadlineMs - performance.now())))
        return notSent('not_connected', `no signed-on connection to ${this.options.host}:${this.options.port} before the deadline`);
      const connection = this.connection;
      if (connection === null) return notSent('not_connected', 'the connection closed before sending');
      return await this.sendOn(connection, message, Math.max(1, deadlineMs - performance.now()));
    } finally {
      this.reserved -= 1;
    }
  }

  private sendOn(connection: Iso8583Connection, message: Iso8583Message, timeoutMs: number): Promise<ExchangeOutcome> {
    const responseMti = responseMtiFor(message.mti);
    assert(responseMti !== null, 'only requests and advices are sent and awaited');
    const key = matchKey(responseMti, message.fields);
    if (this.pending.has(key))
      return Promise.resolve(notSent('duplicate_in_flight', `a request with DE11 ${message.fields[11] ?? ''} is already waiting`));
    if (!this.pending.hasRoom()) return Promise.resolve(notSent('pending_full', 'no room for another pending request'));
    const outcome = this.pending.add(key, message, timeoutMs);
    if (!connection.send(message)) this.pending.abandon(key, notSent('not_connected', 'the connection closed before sending'));
    return outcome;
  }

  /**
   * A plain TCP socket, or a TLS one that verifies the peer against the endpoint's CA: a certificate it does not
   * sign, or one for another name, fails the handshake and the socket closes like a refused connection.
   */
  private openSocket(): Socket {
    const { host, port } = this.options;
    if (this.tls === undefined) return connect({ host, port });
    return connectTls({
      host,
      port,
      ca: this.tls.caPem,
      ...(this.tls.certificatePem === undefined ? {} : { cert: this.tls.certificatePem }),
      ...(this.tls.keyPem === undefined ? {} : { key: this.tls.keyPem }),
      ...(isIP(host) === 0 ? { servername: host } : {}),
    });
  }

  private connect(): void {
    this.currentState = 'connecting';
    this.counters.connectAttempts += 1;
    const socket = this.openSocket();
    const connectedEvent = this.tls === undefined ? 'connect' : 'secureConnect';
    this.socket = socket;
    const connectTimer = setTimeout(
      () => socket.destroy(new Error(`no connection within ${this.options.connectTimeoutMs} ms`)),
      this.options.connectTimeoutMs,
    );
    const onEarlyError = (error: Error): void => this.logger.debug({ err: error.message }, 'iso8583 connect failed');
    const onEarlyClose = (): void => {
      clearTimeout(connectTimer);
      if (this.socket === socket) this.scheduleReconnect();
    };
    socket.on('error', onEarlyError);
    socket.once('close', onEarlyClose);
    socket.once(connectedEvent, () => {
      clearTimeout(connectTimer);
      socket.off('error', onEarlyError);
      socket.off('close', onEarlyClose);
      this.connected(socket);
    });
  }

  private connected(socket: Socket): void {
    this.counters.connections += 1;
    this.lastReceivedAtMs = performance.now();
    const connection = new Iso8583Connection(
      socket,
      {
        onMessage: (message, from) => this.receive(message, from),
        onMalformedFrame: (failure, from) => {
          this.lastReceivedAtMs = performance.now();
          this.logger.warn({ connection: from.id, code: failure.code, reason: failure.message }, 'iso8583 malformed message from the peer');
          const response = formatErrorResponse(failure);
          if (response !== null) from.send(response);
        },
        onClose: (reason, from) => this.disconnected(from, reason),
      },
      this.limits,
      this.logger,
    );
    this.connection = connection;
    if (!this.options.signOn) {
      this.becomeReady();
      return;
    }
    this.currentState = 'signing_on';
    void this.networkManagement(connection, networkManagementCodes.signOn, this.options.signOnTimeoutMs).then((outcome) => {
      if (this.connection !== connection || this.currentState !== 'signing_on') return;
      if (outcome.kind === 'response' && isApproved(outcome.response.fields[39])) {
        this.becomeReady();
        return;
      }
      if (outcome.kind === 'response') {
        this.counters.signOnsRefused += 1;
        this.logger.warn(
          { responseCode: outcome.response.fields[39], meaning: describeResponseCode(outcome.response.fields[39] ?? '') },
          'iso8583 sign-on refused by the peer',
        );
      }
      connection.close('local_close');
    });
  }

  private becomeReady(): void {
    this.currentState = 'ready';
    this.failedAttempts = 0;
    this.logger.info({ host: this.options.host, port: this.options.port }, 'iso8583 channel ready');
    this.settleReadyWaiters(true);
    const checkEveryMs = Math.max(5, Math.floor(this.options.echoIntervalMs / 4));
    this.echoTimer = setInterval(() => this.echoIfQuiet(), checkEveryMs);
    this.echoTimer.unref();
  }

  private disconnected(connection: Iso8583Connection, reason: string): void {
    if (this.connection !== connection) return;
    this.connection = null;
    this.socket = null;
    this.pending.abandonAll();
    if (this.echoTimer !== null) clearInterval(this.echoTimer);
    this.echoTimer = null;
    this.echoInFlight = false;
    if (this.currentState === 'stopped') return;
    this.logger.info({ reason }, 'iso8583 channel lost; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.currentState === 'stopped') return;
    this.currentState = 'waiting_to_reconnect';
    this.socket = null;
    const exponent = Math.min(this.failedAttempts, RECONNECT_ATTEMPT_EXPONENT_MAX);
    this.failedAttempts += 1;
    const ceilingMs = Math.min(this.options.reconnectDelayMaxMs, this.options.reconnectDelayMinMs * 2 ** exponent);
    // Half fixed, half random, so that many channels cut by one outage do not all return at the same instant.
    const delayMs = ceilingMs / 2 + Math.random() * (ceilingMs / 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.currentState === 'waiting_to_reconnect') this.connect();
    }, delayMs);
  }

  private receive(message: Iso8583Message, connection: Iso8583Connection): void {
    this.lastReceivedAtMs = performance.now();
    if (isResponseMti(message.mti)) {
      if (!this.pending.settle(message)) {
        this.counters.lateOrUnmatchedResponses += 1;
        this.logger.warn({ message: describeForLog(message) }, 'iso8583 response matches no waiting request (late or unsolicited)');
      }
      return;
    }
    // An outbound channel serves only the line itself: echo and sign-on from the peer are acknowledged.
    if (missingMandatoryFields(message).length > 0) {
      connection.send(buildResponse(message, { responseCode: responseCodes.formatError }));
      return;
    }
    const responseCode = message.mti === '0800' ? responseCodes.approved : responseCodes.invalidTransaction;
    if (responseMtiFor(message.mti) !== null) connection.send(buildResponse(message, { responseCode }));
  }

  private echoIfQuiet(): void {
    const connection = this.connection;
    if (connection === null || this.currentState !== 'ready' || this.echoInFlight) return;
    if (performance.now() - this.lastReceivedAtMs < this.options.echoIntervalMs) return;
    this.echoInFlight = true;
    this.counters.echoesSent += 1;
    void this.networkManagement(connection, networkManagementCodes.echo, this.options.echoTimeoutMs).then((outcome) => {
      this.echoInFlight = false;
      if (outcome.kind === 'response' && isApproved(outcome.response.fields[39])) return;
      if (outcome.kind === 'not_sent' && outcome.reason === 'pending_full') return;
      this.counters.echoesFailed += 1;
      this.logger.warn({ outcome: outcome.kind }, 'iso8583 echo unanswered; dropping the connection');
      connection.close('local_close');
    });
  }

  private networkManagement(connection: Iso8583Connection, code: NetworkManagementCode, timeoutMs: number): Promise<ExchangeOutcome> {
    const request = buildNetworkManagementRequest({
      code,
      systemTraceAuditNumber: this.allocateStan(this.options.terminalId, '0800'),
      transmissionDateTime: transmissionDateTimeField(this.now()),
      institutionId: this.options.institutionId,
      terminalId: this.options.terminalId,
    });
    return this.sendOn(connection, request, timeoutMs);
  }

  private settleReadyWaiters(ready: boolean): void {
    for (const waiter of this.readyWaiters) {
      clearTimeout(waiter.timer);
      waiter.resolve(ready);
    }
    this.readyWaiters.clear();
  }

  private clearTimers(): void {
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    if (this.echoTimer !== null) clearInterval(this.echoTimer);
    this.echoTimer = null;
  }
}

function notSent(reason: NotSentReason, detail: string): ExchangeOutcome {
  return { kind: 'not_sent', reason, detail };
}
