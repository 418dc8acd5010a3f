import { assert, assertNever } from '../assert';
import { DomainError } from '../errors';
import type { Decider } from '../eventstore/decider-stream';
import type { CheckoutSessionEvent, SessionCreated } from './checkout-session-events';
import { checkoutSessionEventTypes } from './checkout-session-events';
import type { SessionStatus } from './checkout-session-profile';

/** Requests to pay one session may send: a customer who mistypes a number tries again, a script does not spam. */
const rtpAttemptsMax = 10;

export type RtpStatus = 'NONE' | 'SENT' | 'DECLINED' | 'FAILED';
export type RequestToPay = { rtpId: string; payerParticipant: string; status: Exclude<RtpStatus, 'NONE'> };

export type PresentSession = {
  status: 'present';
  created: SessionCreated['data'];
  /** As recorded; what a reader sees also depends on the time (see `sessionStatusAt`). */
  recorded: SessionStatus;
  completedAt: string | null;
  transferId: string | null;
  rtp: RequestToPay | null;
  rtpAttempts: number;
};
export type SessionState = { status: 'absent' } | PresentSession;

export type SessionCommand =
  | { type: 'CreateSession'; data: SessionCreated['data']; now: Date }
  | { type: 'CompleteSession'; data: { sessionId: string; transferId: string }; now: Date }
  | { type: 'ExpireSession'; data: { sessionId: string }; now: Date }
  | { type: 'CancelSession'; data: { sessionId: string }; now: Date }
  | { type: 'RecordRequestToPaySent'; data: { sessionId: string; rtpId: string; payerParticipant: string; msisdn: string }; now: Date }
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
    return { status: 'present', created: event.data, recorded: 'OPEN', completedAt: null, transferId: null, rtp: null, rtpAttempts: 0 };
  }
  assert(state.status === 'present', `${event.type} for session ${event.data.sessionId} before its creation`);
  switch (event.type) {
    case 'SessionCompleted':
      return { ...state, recorded: 'COMPLETED', completedAt: event.data.at, transferId: event.data.transferId };
    case 'SessionExpired':
      return { ...state, recorded: 'EXPIRED' };
    case 'SessionCancelled':
      return { ...state, recorded: 'CANCELLED' };
    case 'RequestToPaySent':
      return {
        ...state,
        rtp: { rtpId: event.data.rtpId, payerParticipant: event.data.payerParticipant, status: 'SENT' },
        rtpAttempts: state.rtpAttempts + 1,
      };
    case 'RequestToPayDeclined':
    case 'RequestToPayFailed':
      if (state.rtp === null || state.rtp.rtpId !== event.data.rtpId) {
        // A failure to send is recorded without a RequestToPaySent before it: the attempt still counts.
        return { ...state, rtp: { rtpId: event.data.rtpId, payerParticipant: '', status: 'FAILED' }, rtpAttempts: state.rtpAttempts + 1 };
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
      return [{ type: 'SessionExpired', data: { sessionId, expiresAt: session.created.expiresAt, at } }];
    case 'CancelSession':
      requireOpen(session, command.now);
      return [{ type: 'SessionCancelled', data: { sessionId, at } }];
    case 'RecordRequestToPaySent':
      requireOpen(session, command.now);
      if (session.rtpAttempts >= rtpAttemptsMax) {
        throw new DomainError('RTP_ATTEMPTS_EXHAUSTED', `checkout session ${sessionId} has sent ${rtpAttemptsMax} requests to pay already`);
      }
      return [{ type: 'RequestToPaySent', data: { ...command.data, at } }];
    case 'RecordRequestToPayDeclined':
      // A decline after the session ended (paid from another device, expired) changes nothing the page shows.
      if (session.rtp?.rtpId !== command.data.rtpId)
        throw new DomainError('RTP_NOT_FOUND', `request to pay ${command.data.rtpId} is not pending`);
      if (session.rtp.status === 'DECLINED' || session.recorded !== 'OPEN') return [];
      return [{ type: 'RequestToPayDeclined', data: { ...command.data, at } }];
    case 'RecordRequestToPayFailed':
      if (session.recorded !== 'OPEN') return [];
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

function requirePresent(state: SessionState, sessionId: string): PresentSession {
  if (state.status !== 'present') throw new DomainError('SESSION_NOT_FOUND', `checkout session ${sessionId} does not exist`);
  return state;
}

function requireOpen(session: PresentSession, now: Date): void {
  const status = sessionStatusAt(session, now);
  if (status !== 'OPEN') throw new DomainError('SESSION_NOT_OPEN', `checkout session ${session.created.sessionId} is ${status}, not OPEN`);
}
