import { DomainError } from '../../../core/errors';
import {
  checkoutSessionDecider,
  paymentRunningMsMax,
  sessionStatusAt,
  type PresentSession,
  type SessionCommand,
  type SessionState,
} from '../../../core/gateway/checkout-session-decider';
import type { CheckoutSessionEvent, SessionCreated } from '../../../core/gateway/checkout-session-events';

/** The checkout session decider on injected time: expiry read at once, the sweeper's event, cancel, the payment claim. */
const createdAt = new Date('2026-03-01T09:00:00.000Z');
const expiresAt = new Date(createdAt.getTime() + 60_000);
const sessionId = 'cs_AbCdEfGhIjKlMnOpQrStUv';
const created: SessionCreated['data'] = {
  sessionId,
  merchantId: 'SHOP1',
  amountMinor: '150000',
  currency: 'PKR',
  orderId: 'ORD-1',
  description: null,
  successUrl: 'https://shop.example/ok',
  cancelUrl: 'https://shop.example/no',
  qr: '0002010102126304ABCD',
  expiresAt: expiresAt.toISOString(),
  requestDigest: 'digest',
  at: createdAt.toISOString(),
};

function fold(events: readonly CheckoutSessionEvent[]): SessionState {
  return events.reduce((current, event) => checkoutSessionDecider.evolve(current, event), checkoutSessionDecider.initialState);
}

function run(state: SessionState, command: SessionCommand): { events: CheckoutSessionEvent[]; state: SessionState } {
  const events = checkoutSessionDecider.decide(command, state);
  return { events, state: events.reduce((current, event) => checkoutSessionDecider.evolve(current, event), state) };
}

function codeOf(action: () => unknown): string | null {
  try {
    action();
    return null;
  } catch (error) {
    return error instanceof DomainError ? error.code : 'not a domain error';
  }
}

const open = fold([{ type: 'SessionCreated', data: created }]) as PresentSession;
const at = (offsetMs: number) => new Date(expiresAt.getTime() + offsetMs);
const decide = (command: SessionCommand, state: SessionState) => () => checkoutSessionDecider.decide(command, state);

it('reads EXPIRED from expiresAt on, before any event says so, and refuses to cancel or complete it', () => {
  expect(sessionStatusAt(open, at(-1))).toBe('OPEN');
  expect(sessionStatusAt(open, at(0))).toBe('EXPIRED');
  expect(codeOf(decide({ type: 'CancelSession', data: { sessionId }, now: at(0) }, open))).toBe('SESSION_NOT_OPEN');
  expect(codeOf(decide({ type: 'CompleteSession', data: { sessionId, transferId: 't1' }, now: at(5) }, open))).toBe('SESSION_NOT_OPEN');
});

it('lets the sweeper write SessionExpired once, and only after the expiry', () => {
  expect(run(open, { type: 'ExpireSession', data: { sessionId }, now: at(-1) }).events).toEqual([]);
  const expired = run(open, { type: 'ExpireSession', data: { sessionId }, now: at(1000) });
  expect(expired.events).toEqual([
    { type: 'SessionExpired', data: { sessionId, expiresAt: expiresAt.toISOString(), at: at(1000).toISOString() } },
  ]);
  expect(run(expired.state, { type: 'ExpireSession', data: { sessionId }, now: at(2000) }).events).toEqual([]);
});

it('lets a payment claimed before the expiry finish: no SessionExpired within its window, and its completion is accepted', () => {
  const claimed = fold([
    { type: 'SessionCreated', data: created },
    { type: 'SessionPaymentStarted', data: { sessionId, transferId: 't1', at: at(-500).toISOString() } },
  ]);
  expect(run(claimed, { type: 'ExpireSession', data: { sessionId }, now: at(1000) }).events).toEqual([]);
  expect(codeOf(decide({ type: 'CancelSession', data: { sessionId }, now: at(-100) }, claimed))).toBe('SESSION_NOT_OPEN');
  expect(run(claimed, { type: 'ExpireSession', data: { sessionId }, now: at(paymentRunningMsMax) }).events).toHaveLength(1);
  const completed = fold([
    { type: 'SessionCreated', data: created },
    { type: 'SessionPaymentStarted', data: { sessionId, transferId: 't1', at: at(-500).toISOString() } },
    { type: 'SessionCompleted', data: { sessionId, transferId: 't1', at: at(-100).toISOString() } },
  ]) as PresentSession;
  expect(sessionStatusAt(completed, at(10_000))).toBe('COMPLETED');
  expect(completed.transferId).toBe('t1');
  // The same transfer completing it again (a retry) adds nothing; another is refused.
  expect(run(completed, { type: 'CompleteSession', data: { sessionId, transferId: 't1' }, now: at(1) }).events).toEqual([]);
  expect(codeOf(decide({ type: 'CompleteSession', data: { sessionId, transferId: 't2' }, now: at(-50) }, completed))).toBe(
    'SESSION_NOT_OPEN',
  );
});

it('records a decline only for the pending request to pay, and bounds the requests to pay per session', () => {
  const rtp = (attempt: number) => `rtp_AbCdEfGhIjKlMnOpQrStUv_${attempt}`;
  const send = (attempt: number): SessionCommand => ({
    type: 'RecordRequestToPaySent',
    data: { sessionId, rtpId: rtp(attempt), payerParticipant: 'RAVI', msisdn: '923000000002' },
    now: createdAt,
  });
  const sent = run(open, send(1)).state;
  const foreignDecline: SessionCommand = {
    type: 'RecordRequestToPayDeclined',
    data: { sessionId, rtpId: 'rtp_other_1', reason: 'no' },
    now: createdAt,
  };
  expect(codeOf(decide(foreignDecline, sent))).toBe('RTP_NOT_FOUND');
  const declined = run(sent, { type: 'RecordRequestToPayDeclined', data: { sessionId, rtpId: rtp(1), reason: 'no' }, now: createdAt })
    .state as PresentSession;
  expect(declined.rtp?.status).toBe('DECLINED');
  let state: SessionState = declined;
  for (let attempt = 2; attempt <= 10; attempt += 1) state = run(state, send(attempt)).state;
  expect(codeOf(decide(send(11), state))).toBe('RTP_ATTEMPTS_EXHAUSTED');
});
