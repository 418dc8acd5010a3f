import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { verifiedClientFingerprint } from '../client-certificate-fingerprint';
import { assert, assertNever } from '../../core/assert';
import { defaultConnectionLimits, Iso8583Connection, normalizeAddress, type CloseReason, type ConnectionLimits } from './connection';
import type {
  InboundAnswer,
  InboundContext,
  InboundFinancialHandler,
  InstitutionAuthorizer,
  SignOnGrant,
} from './inbound-financial-handler';
import { describeForLog, silentLogger, type Iso8583Logger } from './logger';
import { decideInbound, type InboundDecision } from './inbound-decision';
import { responseMtiFor, type Iso8583Message } from './message';
import { checkMessage, type UnpackFailure } from './packager';
import { buildResponse, formatErrorResponse } from './response-builder';
import { responseCodes } from './response-codes';

/**
 * The switch's inbound ISO 8583 port: bank hosts connect, sign on with their DE32, and send transfers (0200),
 * advices (0220) and reversals (0420). Each connection has its own sign-on state, a bound on the messages it
 * may have in flight, and idle and partial-frame timeouts. Bad input is answered (30, 05, 12) or, when it
 * cannot even be framed, the connection is dropped; nothing a peer sends can stop the process.
 */

export type Iso8583ServerOptions = {
  /** Loopback unless told otherwise. */
  host?: string;
  /** 0 picks a free port (tests). */
  port: number;
  authorizeInstitution: InstitutionAuthorizer;
  handler: InboundFinancialHandler;
  /** Admission by peer address, before a byte is read (an allow-list, or a simulator told to drop). */
  acceptConnection?: (peerAddress: string) => boolean;
  /** Connections open at once; past it node closes a new one at accept, counted as refused. */
  connectionsMax?: number;
  connectionLimits?: Partial<ConnectionLimits>;
  /** A handler answer that takes longer is not sent; the bank's timeout and reversal take over. */
  handlerTimeoutMs?: number;
  /** The currencies a 0200 or advice may carry in DE49 (HISAAB_CURRENCIES); others are answered 13. Absent: any in the table. */
  enabledCurrencies?: readonly string[];
  logger?: Iso8583Logger;
  /**
   * Serve over TLS with these options (certificate, key, and for mutual TLS `ca` with `requestCert` and
   * `rejectUnauthorized`): a connection whose handshake fails never reaches the ISO 8583 framing.
   */
  tls?: TlsOptions;
};

export type Iso8583ServerStatistics = {
  connectionsAccepted: number;
  connectionsRefused: number;
  connectionsDropped: Partial<Record<CloseReason, number>>;
  malformedFrames: number;
  formatErrors: number;
  signOns: number;
  signOnsRefused: number;
  financialMessages: number;
  financialMessagesRefused: number;
  handlerTimeouts: number;
  handlerFailures: number;
  unsolicitedResponses: number;
};

type SignedOn = { readonly institutionId: string; readonly participantId: string; readonly stillHolds: () => boolean };
type Session = { signedOn: SignedOn | null; readonly clientFingerprint256: string | null };
type HandlerDecision = InboundDecision & { kind: 'transfer_request' | 'financial_advice' | 'reversal_advice' };

const defaultHandlerTimeoutMs = 30_000;
const defaultConnectionsMax = 256;

export class Iso8583Server {
  private readonly options: Iso8583ServerOptions;
  private readonly limits: ConnectionLimits;
  private readonly handlerTimeoutMs: number;
  private readonly enabledCurrencies: ReadonlySet<string> | null;
  private readonly logger: Iso8583Logger;
  private readonly server: Server;
  private readonly sessions = new Map<Iso8583Connection, Session>();
  private readonly counters: Iso8583ServerStatistics = {
    connectionsAccepted: 0,
    connectionsRefused: 0,
    connectionsDropped: {},
    malformedFrames: 0,
    formatErrors: 0,
    signOns: 0,
    signOnsRefused: 0,
    financialMessages: 0,
    financialMessagesRefused: 0,
    handlerTimeouts: 0,
    handlerFailures: 0,
    unsolicitedResponses: 0,
  };

  constructor(options: Iso8583ServerOptions) {
    this.options = options;
    this.limits = { ...defaultConnectionLimits, ...options.connectionLimits };
    this.handlerTimeoutMs = options.handlerTimeoutMs ?? defaultHandlerTimeoutMs;
    assert(this.handlerTimeoutMs > 0, 'a handler timeout is positive');
    this.enabledCurrencies = options.enabledCurrencies === undefined ? null : new Set(options.enabledCurrencies);
    this.logger = options.logger ?? silentLogger();
    this.server =
      options.tls === undefined
        ? createServer((socket) => this.accept(socket))
        : createTlsServer(options.tls, (socket) => this.accept(socket));
    // A failed handshake (no certificate, or one the CA did not sign) is counted and logged, not an error of the server.
    this.server.on('tlsClientError', (error: Error, socket: Socket) => {
      this.counters.connectionsRefused += 1;
      this.logger.warn({ peer: normalizeAddress(socket.remoteAddress ?? ''), err: error.message }, 'iso8583 TLS handshake refused');
    });
    this.server.maxConnections = options.connectionsMax ?? defaultConnectionsMax;
    // Node closed a connection past maxConnections at accept: this server never saw it, but it was refused.
    this.server.on('drop', () => {
      this.counters.connectionsRefused += 1;
    });
    this.server.on('error', (error) => this.logger.error({ err: error.message }, 'iso8583 server error'));
  }

  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(this.options.port, this.options.host ?? '127.0.0.1', () => {
        this.server.off('error', onError);
        const address = this.server.address();
        assert(address !== null && typeof address === 'object', 'a listening TCP server has an address');
        this.logger.info({ port: address.port }, 'iso8583 server listening');
        resolve(address);
      });
    });
  }

  /** Stops accepting and closes every connection, letting responses already written reach their peers. */
  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.disconnectAll();
    return closed;
  }

  /** Closes every open connection; the banks reconnect and sign on again. */
  disconnectAll(): void {
    for (const connection of [...this.sessions.keys()]) connection.close('local_close');
  }

  /** Closes one connection (by its id, as handlers see it in their context); false when it is not open. */
  disconnect(connectionId: string): boolean {
    const connection = this.connectionById(connectionId);
    if (connection === null) return false;
    connection.close('local_close');
    return true;
  }

  /** Writes one frame with this body on one connection, as it is (a simulator's garbage answer); false when not open. */
  sendFrameBody(connectionId: string, body: Buffer): boolean {
    return this.connectionById(connectionId)?.sendFrameBody(body) ?? false;
  }

  get connectionCount(): number {
    return this.sessions.size;
  }

  statistics(): Iso8583ServerStatistics {
    return { ...this.counters, connectionsDropped: { ...this.counters.connectionsDropped } };
  }

  private accept(socket: Socket): void {
    const peerAddress = normalizeAddress(socket.remoteAddress ?? '');
    if (this.options.acceptConnection !== undefined && !this.options.acceptConnection(peerAddress)) {
      this.counters.connectionsRefused += 1;
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    this.counters.connectionsAccepted += 1;
    const connection = new Iso8583Connection(
      socket,
      {
        onMessage: (message, from) => this.receive(message, from),
        onMalformedFrame: (failure, from) => this.answerMalformed(failure, from),
        onClose: (reason, from) => {
          this.sessions.delete(from);
          this.counters.connectionsDropped[reason] = (this.counters.connectionsDropped[reason] ?? 0) + 1;
        },
      },
      this.limits,
      this.logger,
    );
    this.sessions.set(connection, { signedOn: null, clientFingerprint256: verifiedClientFingerprint(socket) });
  }

  private receive(message: Iso8583Message, connection: Iso8583Connection): void | Promise<void> {
    const session = this.sessionOf(connection);
    this.dropStaleSignOn(session, connection);
    const decision = decideInbound(message, session.signedOn?.institutionId ?? null, this.enabledCurrencies);
    switch (decision.kind) {
      case 'ignore':
        this.counters.unsolicitedResponses += 1;
        this.logger.warn({ connection: connection.id, message: describeForLog(message) }, 'iso8583 unsolicited response ignored');
        return;
      case 'answer':
        this.refuse(connection, message, decision);
        return;
      case 'sign_on':
        return this.signOn(message, connection, session, decision.institutionId);
      case 'sign_off':
        session.signedOn = null;
        this.reply(connection, message, { responseCode: responseCodes.approved });
        return;
      case 'transfer_request':
      case 'financial_advice':
      case 'reversal_advice':
        return this.handle(message, connection, session, decision);
      default:
        return assertNever(decision);
    }
  }

  private refuse(connection: Iso8583Connection, message: Iso8583Message, decision: InboundDecision & { kind: 'answer' }): void {
    if (decision.responseCode === responseCodes.formatError) this.counters.formatErrors += 1;
    if (decision.financial) this.counters.financialMessages += 1;
    if (decision.notSignedOn) this.counters.financialMessagesRefused += 1;
    if (decision.financial && !decision.notSignedOn) {
      this.logger.info(
        { connection: connection.id, responseCode: decision.responseCode, reason: decision.reason },
        'iso8583 financial message refused',
      );
      this.reply(connection, message, { responseCode: decision.responseCode });
      return;
    }
    this.reply(connection, message, { responseCode: decision.responseCode }, decision.reason ?? undefined);
  }

  private async signOn(message: Iso8583Message, connection: Iso8583Connection, session: Session, institutionId: string): Promise<void> {
    const grant = await this.authorize(connection.peerAddress, institutionId, session.clientFingerprint256);
    if (grant === null) {
      this.counters.signOnsRefused += 1;
      this.logger.warn({ connection: connection.id, peer: connection.peerAddress, institutionId }, 'iso8583 sign-on refused');
      this.reply(connection, message, { responseCode: responseCodes.doNotHonour });
      return;
    }
    this.counters.signOns += 1;
    const { participantId, stillHolds } = typeof grant === 'string' ? { participantId: grant, stillHolds: () => true } : grant;
    session.signedOn = { institutionId, participantId, stillHolds };
    this.logger.info({ connection: connection.id, peer: connection.peerAddress, institutionId, participantId }, 'iso8583 signed on');
    this.reply(connection, message, { responseCode: responseCodes.approved });
  }

  /**
   * Forgets a sign-on whose grant no longer holds (the operator moved the bank's host or changed its institution id
   * since): the connection's money is then refused as before any sign-on (05), and the bank signs on again, judged
   * on what is registered now. Without it, a host the bank left would go on paying in the bank's name.
   */
  private dropStaleSignOn(session: Session, connection: Iso8583Connection): void {
    const signedOn = session.signedOn;
    if (signedOn === null || signedOn.stillHolds()) return;
    session.signedOn = null;
    this.logger.warn(
      {
        connection: connection.id,
        peer: connection.peerAddress,
        institutionId: signedOn.institutionId,
        participantId: signedOn.participantId,
      },
      "iso8583 sign-on no longer holds (the bank's endpoints changed); the connection must sign on again",
    );
  }

  private async authorize(
    peerAddress: string,
    institutionId: string,
    clientFingerprint256: string | null,
  ): Promise<string | SignOnGrant | null> {
    try {
      return await this.options.authorizeInstitution(peerAddress, institutionId, clientFingerprint256);
    } catch (error) {
      this.logger.error({ err: (error as Error).message, institutionId }, 'iso8583 institution check failed; refusing the sign-on');
      return null;
    }
  }

  private async handle(message: Iso8583Message, connection: Iso8583Connection, session: Session, decision: HandlerDecision): Promise<void> {
    this.counters.financialMessages += 1;
    const signedOn = session.signedOn;
    assert(signedOn !== null, 'only a signed-on connection gets a financial message to its handler');
    const context: InboundContext = {
      participantId: signedOn.participantId,
      institutionId: signedOn.institutionId,
      peerAddress: connection.peerAddress,
      connectionId: connection.id,
    };
    const answer = await this.execute(message, context, () => this.callHandler(decision, context));
    if (answer !== null) this.reply(connection, message, answer);
  }

  private callHandler(decision: HandlerDecision, context: InboundContext): Promise<InboundAnswer | null> {
    const handler = this.options.handler;
    switch (decision.kind) {
      case 'transfer_request':
        return handler.transferRequest(decision.request, context);
      case 'financial_advice':
        return handler.financialAdvice(decision.request, context);
      case 'reversal_advice':
        return handler.reversalAdvice(decision.advice, context);
      default:
        return assertNever(decision);
    }
  }

  /** Calls the handler under its deadline, and turns its failures into 96. Null: send no answer. */
  private async execute(
    message: Iso8583Message,
    context: InboundContext,
    call: () => Promise<InboundAnswer | null>,
  ): Promise<InboundAnswer | null> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.handlerTimeoutMs);
    });
    try {
      const answer = await Promise.race([call(), deadline]);
      if (answer === 'timeout') {
        this.counters.handlerTimeouts += 1;
        this.logger.error(
          { connection: context.connectionId, message: describeForLog(message) },
          'iso8583 handler missed its deadline; no answer sent',
        );
        return null;
      }
      if (answer === null)
        this.logger.warn(
          { connection: context.connectionId, message: describeForLog(message) },
          'iso8583 outcome not known yet; no answer sent',
        );
      return answer;
    } catch (error) {
      this.counters.handlerFailures += 1;
      this.logger.error({ connection: context.connectionId, err: (error as Error).message }, 'iso8583 handler failed; answering 96');
      return { responseCode: responseCodes.systemError };
    } finally {
      clearTimeout(timer);
    }
  }

  private answerMalformed(failure: UnpackFailure, connection: Iso8583Connection): void {
    this.counters.malformedFrames += 1;
    this.counters.formatErrors += 1;
    this.logger.warn({ connection: connection.id, code: failure.code, reason: failure.message }, 'iso8583 malformed message');
    const response = formatErrorResponse(failure);
    if (response !== null) connection.send(response);
  }

  private reply(connection: Iso8583Connection, request: Iso8583Message, answer: InboundAnswer, reason?: string): void {
    if (responseMtiFor(request.mti) === null) return;
    if (reason !== undefined)
      this.logger.info(
        { connection: connection.id, mti: request.mti, responseCode: answer.responseCode, reason },
        'iso8583 request refused',
      );
    let response = buildResponse(request, answer);
    try {
      checkMessage(response);
    } catch (error) {
      // Only a handler can produce an answer outside the profile (a bad DE39 or DE38): that is a system error.
      this.counters.handlerFailures += 1;
      this.logger.error(
        { connection: connection.id, err: (error as Error).message },
        'iso8583 answer does not fit the profile; answering 96',
      );
      response = buildResponse(request, { responseCode: responseCodes.systemError });
    }
    connection.send(response);
  }

  private connectionById(connectionId: string): Iso8583Connection | null {
    for (const connection of this.sessions.keys()) if (connection.id === connectionId) return connection;
    return null;
  }

  private sessionOf(connection: Iso8583Connection): Session {
    const session = this.sessions.get(connection);
    if (session !== undefined) return session;
    // A message still being handled when its connection closed: a fresh, signed-off session refuses it.
    return { signedOn: null, clientFingerprint256: null };
  }
}
