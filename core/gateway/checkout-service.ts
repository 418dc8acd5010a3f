import { createHash } from 'node:crypto';
import { assert } from '../assert';
import { loadStream, type CommandContext } from '../eventstore/decider-stream';
import type { EventStore } from '../eventstore/event-store';
import { WrongExpectedRevisionError } from '../eventstore/expected-revision';
import { RememberedStreams } from '../eventstore/remembered-streams';
import { DomainError } from '../errors';
import { newId } from '../ids';
import { canonicalJson } from '../idempotency/request-fingerprint';
import { formatAmount, parseAmount } from '../money';
import {
  checkoutSessionDecider,
  initialState as initialSessionState,
  type PresentSession,
  type SessionCommand,
  type SessionState,
} from './checkout-session-decider';
import type { CheckoutRequestClaimed, CheckoutSessionEvent, SessionCreated } from './checkout-session-events';
import {
  checkoutRequestStreamName,
  checkoutStreamName,
  newSessionId,
  sessionExpiresInSecondsDefault,
  sessionIdPattern,
} from './checkout-session-profile';
import { emvQrString } from './emv-qr';
import type { MerchantRecord } from './merchant-reader';
import { transferDecider } from '../transfers/transfer-decider';
import { transferStreamName } from '../transfers/transfer-events';

/** A session as the merchant asks for it (POST /v1/checkout/sessions), validated for shape at the edge. */
export type CheckoutSessionRequest = {
  amount: string;
  currency: string;
  orderId: string;
  description?: string | undefined;
  expiresInSeconds?: number | undefined;
  successUrl: string;
  cancelUrl: string;
};

export type CreatedSession = {
  session: PresentSession;
  /** False when the Idempotency-Key had already created this session: the answer is 200, not 201. */
  created: boolean;
  position: bigint | null;
};

/**
 * A session as just read, with the revision of its stream at that read (null when the read itself wrote, so that the
 * revision is not known): a command decided on it is appended at that revision, without reading the stream again.
 */
export type LoadedSession = { session: PresentSession; revision: bigint | null };

/** What a command on a session recorded (nothing, when the decision was that nothing changes) and the session after it. */
export type RecordedSession = { session: PresentSession; events: CheckoutSessionEvent[]; position: bigint | null };

/** Attempts when another request with the same Idempotency-Key races this one. */
const claimAttemptsMax = 3;

/**
 * Sessions whose state is remembered at most (see RememberedStreams): more than are being paid at once at the rates
 * measured (a checkout takes under a second, at most a few hundred a second), so a session's pay form, its payment
 * and its webhook each fold only what the step before added. Past it the memory starts again empty.
 */
export const rememberedSessionsMax = 4_096;

export type CheckoutServiceDependencies = {
  store: EventStore;
  now: () => Date;
  /** Fewer than `rememberedSessionsMax`, for a test to see the bound hold. */
  rememberedSessionsMax?: number;
};

/**
 * Checkout sessions (docs/ARCHITECTURE.md section 6). Creation is idempotent by the merchant's Idempotency-Key
 * through a claim stream written in the same append as the session, so the key is never forgotten: the same key
 * and body always find the same session, another body is refused (Stripe keeps keys 24 hours; here they stay).
 */
export class CheckoutService {
  private readonly sessions: RememberedStreams<SessionCommand, CheckoutSessionEvent, SessionState>;

  constructor(private readonly dependencies: CheckoutServiceDependencies) {
    const entriesMax = dependencies.rememberedSessionsMax ?? rememberedSessionsMax;
    assert(
      Number.isSafeInteger(entriesMax) && entriesMax >= 1 && entriesMax <= rememberedSessionsMax,
      `remembered sessions are 1 to ${rememberedSessionsMax}, not ${entriesMax}`,
    );
    this.sessions = new RememberedStreams(dependencies.store, checkoutSessionDecider, entriesMax);
  }

  /** Sessions whose state is remembered now (at most the bound). */
  get sessionsRemembered(): number {
    return this.sessions.size;
  }

  async create(
    merchant: MerchantRecord,
    request: CheckoutSessionRequest,
    idempotencyKey: string,
    context: CommandContext,
  ): Promise<CreatedSession> {
    if (!merchant.active) throw new DomainError('MERCHANT_INACTIVE', `merchant ${merchant.id} is deactivated and cannot take payments`);
    if (request.currency !== merchant.currency) {
      throw new DomainError('CURRENCY_NOT_SUPPORTED', `merchant ${merchant.id} is paid in ${merchant.currency}, not ${request.currency}`);
    }
    const amountMinor = parseAmount(request.amount, request.currency);
    const requestDigest = createHash('sha256').update(canonicalJson(request), 'utf8').digest('hex');
    const claimStream = checkoutRequestStreamName(merchant.id, idempotencyKey);
    for (let attempt = 1; attempt <= claimAttemptsMax; attempt += 1) {
      // A new key is the common case: the claim's own append (no_stream) tells whether it is, and the claim is read
      // only once that append was refused, instead of once per session created.
      const claimed = attempt === 1 ? null : await this.claimOf(claimStream);
      if (claimed !== null) {
        if (claimed.requestDigest !== requestDigest || claimed.merchantId !== merchant.id) {
          throw new DomainError('IDEMPOTENCY_CONFLICT', 'this Idempotency-Key created a checkout session with a different request');
        }
        return { session: await this.finishClaimed(claimed, context), created: false, position: null };
      }
      const now = context.now;
      const sessionId = newSessionId();
      const expiresInSeconds = request.expiresInSeconds ?? sessionExpiresInSecondsDefault;
      const createdData: SessionCreated['data'] = {
        sessionId,
        merchantId: merchant.id,
        amountMinor: amountMinor.toString(),
        currency: request.currency,
        orderId: request.orderId,
        description: request.description ?? null,
        successUrl: request.successUrl,
        cancelUrl: request.cancelUrl,
        qr: emvQrString({
          merchantId: merchant.id,
          merchantName: merchant.name,
          merchantCity: merchant.city,
          mcc: merchant.mcc,
          // As the session shows it ("1500" is written "1500.00"), so the QR and the API never differ.
          amount: formatAmount(amountMinor, request.currency),
          currency: request.currency,
          orderId: request.orderId,
          sessionId,
        }),
        expiresAt: new Date(now.getTime() + expiresInSeconds * 1000).toISOString(),
        requestDigest,
        at: now.toISOString(),
      };
      const claim: CheckoutRequestClaimed = {
        type: 'CheckoutRequestClaimed',
        data: { merchantId: merchant.id, sessionId, requestDigest, session: createdData, at: now.toISOString() },
      };
      const { now: _now, ...metadataBase } = context;
      const metadata = { ...metadataBase, at: now.toISOString() };
      try {
        // The claim first: on a store that writes stream by stream, a claim without its session is finished by the
        // retry (finishClaimed), since the claim carries the whole creation.
        const results = await this.dependencies.store.appendMany([
          { stream: claimStream, events: [{ id: newId(), ...claim, metadata }], expectedRevision: 'no_stream' },
          {
            stream: checkoutStreamName(sessionId),
            events: [{ id: newId(), type: 'SessionCreated', data: createdData, metadata }],
            expectedRevision: 'no_stream',
          },
        ]);
        return { session: this.rememberCreated(createdData), created: true, position: results[results.length - 1]?.position ?? null };
      } catch (error) {
        // Another request with the same key got there first (or came before): read its claim on the next attempt.
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
      }
    }
    throw new DomainError('CONCURRENT_UPDATE', 'requests with this Idempotency-Key kept racing; retry it');
  }

  /** The session, or SESSION_NOT_FOUND (also for an id that is not a session id). */
  async require(sessionId: string): Promise<PresentSession> {
    const session = await this.find(sessionId);
    if (session === null) throw new DomainError('SESSION_NOT_FOUND', `checkout session ${sessionId} does not exist`);
    return session;
  }

  async find(sessionId: string): Promise<PresentSession | null> {
    return (await this.findLoaded(sessionId))?.session ?? null;
  }

  /** `find`, with the stream's revision for a command decided on what was read (`record`). */
  async findLoaded(sessionId: string): Promise<LoadedSession | null> {
    if (!sessionIdPattern.test(sessionId)) return null;
    const { state, revision } = await this.sessions.load(checkoutStreamName(sessionId));
    if (state.status !== 'present') return null;
    const session = await this.completedIfPaid(state);
    return { session, revision: session === state ? revision : null };
  }

  /** The session with its stream revision, for a claim that expects it; SESSION_NOT_FOUND when it does not exist. */
  async load(sessionId: string): Promise<{ session: PresentSession; revision: bigint }> {
    const loaded = await this.sessions.load(checkoutStreamName(sessionId));
    if (loaded.state.status !== 'present' || loaded.revision === null) {
      throw new DomainError('SESSION_NOT_FOUND', `checkout session ${sessionId} does not exist`);
    }
    return { session: loaded.state, revision: loaded.revision };
  }

  /** How the transfer that claimed a session ended, as its own stream says. */
  async paymentState(transferId: string): Promise<'committed' | 'aborted' | 'in_flight'> {
    const { state } = await loadStream(this.dependencies.store, transferStreamName(transferId), transferDecider);
    if (state.status === 'committed') return 'committed';
    return state.status === 'aborted' ? 'aborted' : 'in_flight';
  }

  /**
   * The completion rides in the commit's write; a commit made another way (recovery after a crash, the commit's
   * own retry path) leaves the session claimed but OPEN, and the first read completes it from the transfer's record.
   */
  private async completedIfPaid(session: PresentSession): Promise<PresentSession> {
    if (session.recorded !== 'OPEN' || session.payment === null) return session;
    if ((await this.paymentState(session.payment.transferId)) !== 'committed') return session;
    const context: CommandContext = { now: this.dependencies.now(), actor: 'switch:checkout', correlationId: session.payment.transferId };
    const result = await this.sessions.handle(
      checkoutStreamName(session.created.sessionId),
      { type: 'CompleteSession', data: { sessionId: session.created.sessionId, transferId: session.payment.transferId }, now: context.now },
      context,
    );
    return presentAfterCommand(result.state, session.created.sessionId);
  }

  async cancel(sessionId: string, context: CommandContext): Promise<RecordedSession> {
    return this.apply({ type: 'CancelSession', data: { sessionId }, now: context.now }, context);
  }

  /** Writes SessionExpired for a session past its expiry (nothing for one that is not): what the sweeper calls. */
  async expire(sessionId: string, context: CommandContext): Promise<RecordedSession> {
    return this.apply({ type: 'ExpireSession', data: { sessionId }, now: context.now }, context);
  }

  /** Completes a paid session from its transfer's record if need be (`findLoaded`), then decides on what it read. */
  async apply(command: SessionCommand, context: CommandContext): Promise<RecordedSession> {
    const loaded = await this.findLoaded(command.data.sessionId);
    if (loaded === null) throw new DomainError('SESSION_NOT_FOUND', `checkout session ${command.data.sessionId} does not exist`);
    return this.record(command, context, loaded);
  }

  /**
   * Decides and appends a command on the session's stream as it is, without first completing a paid session from
   * its transfer's record (what `apply` does through `require`): for a caller that has just read the session with
   * `find` or `require`, which did that already.
   */
  async record(
    command: SessionCommand,
    context: CommandContext,
    /** The session as the caller has just read it (`findLoaded`): the first decision is made on it, without a read. */
    loaded: LoadedSession | null = null,
  ): Promise<RecordedSession> {
    const before =
      loaded === null || loaded.revision === null || loaded.session.created.sessionId !== command.data.sessionId
        ? null
        : { state: loaded.session, revision: loaded.revision };
    const result = await this.sessions.handle(checkoutStreamName(command.data.sessionId), command, context, before);
    return { session: presentAfterCommand(result.state, command.data.sessionId), events: result.events, position: result.position };
  }

  /**
   * A new session is exactly what its one event says: folded here instead of read back from the store, and
   * remembered at revision 0, since its pay page, form and payment come next and read only what is appended after.
   */
  private rememberCreated(created: SessionCreated['data']): PresentSession {
    const session = sessionOfCreation(created);
    this.sessions.remember(checkoutStreamName(created.sessionId), { state: session, revision: 0n });
    return session;
  }

  /** The session a claim created; written from the claim when a crash stopped between the two appends. */
  private async finishClaimed(claimed: CheckoutRequestClaimed['data'], context: CommandContext): Promise<PresentSession> {
    const existing = await this.find(claimed.sessionId);
    if (existing !== null) return existing;
    try {
      const { now, ...metadata } = context;
      await this.dependencies.store.append(
        checkoutStreamName(claimed.sessionId),
        [{ id: newId(), type: 'SessionCreated', data: claimed.session, metadata: { ...metadata, at: now.toISOString() } }],
        'no_stream',
      );
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
    }
    return this.require(claimed.sessionId);
  }

  private async claimOf(stream: string): Promise<CheckoutRequestClaimed['data'] | null> {
    const events = await this.dependencies.store.readStream(stream, 0n, 1);
    const first = events[0];
    if (first === undefined) return null;
    // The claim stream is written only here, with exactly this event.
    return first.data as CheckoutRequestClaimed['data'];
  }
}

/** Every command but creation is refused by the decider for an absent session, so what it leaves is present. */
function presentAfterCommand(state: SessionState, sessionId: string): PresentSession {
  assert(state.status === 'present', `session ${sessionId} is present after a command on it`);
  return state;
}

/** A new session is exactly what its one event says: folded here instead of read back from the store. */
function sessionOfCreation(created: SessionCreated['data']): PresentSession {
  const session = checkoutSessionDecider.evolve(initialSessionState, { type: 'SessionCreated', data: created });
  assert(session.status === 'present', `session ${created.sessionId} is present once created`);
  return session;
}
