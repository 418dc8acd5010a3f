import { assert, assertNever } from '../assert';
import { DomainError } from '../errors';
import type { Decider } from '../eventstore/decider-stream';
import type { CheckoutSessionEvent, SessionCreated } from './checkout-session-events';
import { checkoutSessionEventTypes } from './checkout-session-events';
import { rtpIdOf, type SessionStatus } from './checkout-session-profile';

/** Requests to pay one session may send: a customer who mistypes a number tries again, a script does not spam. */
const rtpAttemptsMax = 10;

/**
 * A request to pay the same number asked for again within this time, while the last one still waits for the
 * customer, is that same request: a double click, the form sent again after "back", two tabs racing. It is not sent
 * twice (the customer's wallet would ask twice). Later, asking again is a reminder, and goes out as a new request.
 */
export const requestToPayRepeatWindowMs = 30_000;

export type RtpStatus = 'NONE' | 'SENT' | 'DECLINED' | 'FAILED';
export type RequestToPay = {
  rtpId: string;
  payerParticipant: string;
  status: Exclude<RtpStatus, 'NONE'>;
  /** The payer's number as normalized (92XXXXXXXXXX); null for a failure recorded without its request. */
  msisdn: string | null;
  /** When the request was recorded as sent (or, without one, failed). */
  at: string;
};

export type PresentSession = {
  status: 'present';
  created: SessionCreated['data'];
  /** As recorded; what a reader sees also depends on the time (see `sessionStatusAt`). */
  recorded: SessionStatus;
  completedAt: string | null;
  transferId: string | null;
  rtp: RequestToPay | null;
  rtpAttempts: number;
  /** The P2M transfer that claimed the session last, and when; it may since have aborted (see merchant-payments.ts). */
  payment: { transferId: string; startedAt: string } | null;
};
export type SessionState = { status: 'absent' } | PresentSession;

export type SessionCommand =
  | { type: 'CreateSession'; data: SessionCreated['data']; now: Date }
  | { type: 'CompleteSession'; data: { sessionId: string; transferId: string }; now: Date }
  | { type: 'ExpireSession'; data: { sessionId: string }; now: Date }
  | { type: 'CancelSession'; data: { sessionId: string }; now: Date }
  /** The rtpId is the decider's to give (the session's next attempt), so that two requests racing never share one. */
  | { type: 'RecordRequestToPaySent'; data: { sessionId: string; payerParticipant: string; msisdn: string }; now: Date }
  | { type: 'RecordRequestToPayDeclined'; data: { sessionId: string; rtpId: string; reason: string }; now: Date }
  | { type: 'RecordRequestToPayFailed'; data: { sessionId: string; rtpId: string; detail: string }; now: Date };

export const initialState: SessionState = { status: 'absent' };

/**
 * What a session reads as at `now`: an OPEN session past its `expiresAt` reads EXPIRED at once, on every read and
 * every pay attempt, whether or not the sweeper has written its SessionExpired yet.
 */
export function sessionStatusAt(state: PresentSession, now: Date): SessionStatus {
  if (state.recorded === 'OPEN' && now.getTime() >= Date.parse(state.created.expiresAt)) return 'EXPIRED';
  return state.recorded;
}

export function evolve(state: SessionState, event: CheckoutSessionEvent): SessionState {
  if (event.type === 'SessionCreated') {
    assert(state.status === 'absent', `session ${event.data.sessionId} created twice`);
    return {
      status: 'present',
      created: event.data,
      recorded: 'OPEN',
      completedAt: null,
      transferId: null,
      rtp: null,
      rtpAttempts: 0,
      payment: null,
    };
  }
  assert(state.status === 'present', `${event.type} for session ${event.data.sessionId} before its creation`);
  switch (event.type) {
    case 'SessionPaymentStarted':
      return { ...state, payment: { transferId: event.data.transferId, startedAt: event.data.at } };
    case 'SessionCompleted':
      return { ...state, recorded: 'COMPLETED', completedAt: event.data.at, transferId: event.data.transferId };
    case 'SessionExpired':
      return { ...state, recorded: 'EXPIRED' };
    case 'SessionCancelled':
      return { ...state, recorded: 'CANCELLED' };
    case 'RequestToPaySent':
      return {
        ...state,
        rtp: {
          rtpId: event.data.rtpId,
          payerParticipant: event.data.payerParticipant,
          status: 'SENT',
          msisdn: event.data.msisdn,
          at: event.data.at,
        },
        rtpAttempts: state.rtpAttempts + 1,
      };
    case 'RequestToPayDeclined':
    case 'RequestToPayFailed':
      if (state.rtp === null || state.rtp.rtpId !== event.data.rtpId) {
        // A failure to send is recorded without a RequestToPaySent before it: the attempt still counts.
        return {
          ...state,
          rtp: { rtpId: event.data.rtpId, payerParticipant: '', status: 'FAILED', msisdn: null, at: event.data.at },
          rtpAttempts: state.rtpAttempts + 1,
        };
      }
      return { ...state, rtp: { ...state.rtp, status: event.type === 'RequestToPayDeclined' ? 'DECLINED' : 'FAILED' } };
    default:
      return assertNever(event);
  }
}

export function decide(command: SessionCommand, state: SessionState): CheckoutSessionEvent[] {
  const at = command.now.toISOString();
  if (command.type === 'CreateSession') {
    assert(state.status === 'absent', `session ${command.data.sessionId} is created once`);
    return [{ type: 'SessionCreated', data: command.data }];
  }
  const session = requirePresent(state, command.data.sessionId);
  const sessionId = command.data.sessionId;
  switch (command.type) {
    case 'CompleteSession':
      // The same transfer completing it again is a retry (recovery of a transfer): nothing new.
      if (session.recorded === 'COMPLETED' && session.transferId === command.data.transferId) return [];
      requireOpen(session, command.now);
      return [{ type: 'SessionCompleted', data: { sessionId, transferId: command.data.transferId, at } }];
    case 'ExpireSession':
      if (session.recorded !== 'OPEN' || sessionStatusAt(session, command.now) !== 'EXPIRED') return [];
      // A payment admitted before the expiry is let finish: it completes the session, or aborts within this window.
      if (paymentMayBeRunning(session, command.now)) return [];
      return [{ type: 'SessionExpired', data: { sessionId, expiresAt: session.created.expiresAt, at } }];
    case 'CancelSession':
      requireOpen(session, command.now);
      if (paymentMayBeRunning(session, command.now)) {
        throw new DomainError('SESSION_NOT_OPEN', `checkout session ${sessionId} is being paid; read it again in a minute`);
      }
      return [{ type: 'SessionCancelled', data: { sessionId, at } }];
    case 'RecordRequestToPaySent':
      return decideRequestToPaySent(session, command.data, command.now);
    case 'RecordRequestToPayDeclined':
      // A decline after the session ended (paid from another device, expired) changes nothing the page shows.
      if (session.rtp?.rtpId !== command.data.rtpId)
        throw new DomainError('RTP_NOT_FOUND', `request to pay ${command.data.rtpId} is not pending`);
      if (session.rtp.status === 'DECLINED' || session.recorded !== 'OPEN') return [];
      return [{ type: 'RequestToPayDeclined', data: { ...command.data, at } }];
    case 'RecordRequestToPayFailed':
      if (session.recorded !== 'OPEN') return [];
      // A newer request (another number typed meanwhile) is what the page shows: this one's failure changes nothing.
      if (session.rtp !== null && session.rtp.rtpId !== command.data.rtpId) return [];
      return [{ type: 'RequestToPayFailed', data: { ...command.data, at } }];
    default:
      return assertNever(command);
  }
}

export const checkoutSessionDecider: Decider<SessionCommand, CheckoutSessionEvent, SessionState> = {
  initialState,
  evolve,
  decide,
  eventTypes: checkoutSessionEventTypes,
};

/**
 * How long a claimed payment may still be running: the longest payee deadline plus the reservation's grace, past
 * which the transfer service has committed or aborted it (or its sweeper will).
 */
export const paymentRunningMsMax = 2 * 60 * 1000;

function paymentMayBeRunning(session: PresentSession, now: Date): boolean {
  return session.payment !== null && now.getTime() - Date.parse(session.payment.startedAt) < paymentRunningMsMax;
}

function decideRequestToPaySent(
  session: PresentSession,
  request: { payerParticipant: string; msisdn: string },
  now: Date,
): CheckoutSessionEvent[] {
  const sessionId = session.created.sessionId;
  requireOpen(session, now);
  if (isRepeatOfPendingRequest(session, request.msisdn, now)) return [];
  if (session.rtpAttempts >= rtpAttemptsMax) {
    throw new DomainError('RTP_ATTEMPTS_EXHAUSTED', `checkout session ${sessionId} has sent ${rtpAttemptsMax} requests to pay already`);
  }
  const rtpId = rtpIdOf(sessionId, session.rtpAttempts + 1);
  const data = { sessionId, rtpId, payerParticipant: request.payerParticipant, msisdn: request.msisdn, at: now.toISOString() };
  return [{ type: 'RequestToPaySent', data }];
}

function isRepeatOfPendingRequest(session: PresentSession, msisdn: string, now: Date): boolean {
  const pending = session.rtp;
  if (pending === null || pending.status !== 'SENT' || pending.msisdn !== msisdn) return false;
  return now.getTime() - Date.parse(pending.at) < requestToPayRepeatWindowMs;
}

function requirePresent(state: SessionState, sessionId: string): PresentSession {
  if (state.status !== 'present') throw new DomainError('SESSION_NOT_FOUND', `checkout session ${sessionId} does not exist`);
  return state;
}

function requireOpen(session: PresentSession, now: Date): void {
  const status = sessionStatusAt(session, now);
  if (status !== 'OPEN') throw new DomainError('SESSION_NOT_OPEN', `checkout session ${session.created.sessionId} is ${status}, not OPEN`);
}
