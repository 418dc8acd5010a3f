import { DomainError } from '../../../core/errors';
import {
  checkoutSessionDecider,
  paymentRunningMsMax,
  requestToPayRepeatWindowMs,
  sessionStatusAt,
  type PresentSession,
  type SessionCommand,
  type SessionState,
} from '../../../core/gateway/checkout-session-decider';
import type { CheckoutSessionEvent, SessionCreated } from '../../../core/gateway/checkout-session-events';
import { deciderSpec } from '../../support/decider-spec';

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
  // Each to another number: a repeat of the number already waiting would be the same request (the cases below).
  const send = (attempt: number): SessionCommand => ({
    type: 'RecordRequestToPaySent',
    data: { sessionId, payerParticipant: 'RAVI', msisdn: `92300000${String(attempt).padStart(4, '0')}` },
    now: createdAt,
  });
  const first = run(open, send(1));
  expect(first.events).toMatchObject([{ type: 'RequestToPaySent', data: { rtpId: rtp(1) } }]);
  const sent = first.state;
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

describe('a request to pay asked for again (a double click, the form sent again, two tabs racing)', () => {
  const spec = deciderSpec(checkoutSessionDecider);
  const number = '923000000002';
  const sentAt = new Date(createdAt.getTime() + 1_000);
  const rtp = (attempt: number) => `rtp_AbCdEfGhIjKlMnOpQrStUv_${attempt}`;
  const sessionCreated: CheckoutSessionEvent = { type: 'SessionCreated', data: created };
  const requestSent = (attempt: number, msisdn: string, at: Date): CheckoutSessionEvent => ({
    type: 'RequestToPaySent',
    data: { sessionId, rtpId: rtp(attempt), payerParticipant: 'RAVI', msisdn, at: at.toISOString() },
  });
  const sentIds = (events: readonly CheckoutSessionEvent[]) =>
    events.flatMap((event) => (event.type === 'RequestToPaySent' ? [event.data.rtpId] : []));
  const askToPay = (msisdn: string, now: Date): SessionCommand => ({
    type: 'RecordRequestToPaySent',
    data: { sessionId, payerParticipant: 'RAVI', msisdn },
    now,
  });

  it('records nothing while a request to the same number waits for the customer: it is that request, not a second one', () =>
    spec
      .given([sessionCreated, requestSent(1, number, sentAt)])
      .when(askToPay(number, new Date(sentAt.getTime() + requestToPayRepeatWindowMs - 1)))
      .then([]));

  it('numbers the request itself from the session, so two racing never share an id: the one decided second is the next', () =>
    spec
      .given([sessionCreated, requestSent(1, '923000000001', sentAt)])
      .when(askToPay(number, sentAt))
      .then([
        {
          type: 'RequestToPaySent',
          data: { sessionId, rtpId: rtp(2), payerParticipant: 'RAVI', msisdn: number, at: sentAt.toISOString() },
        },
      ]));

  it('sends the same number again as a reminder once the repeat window has passed', () =>
    spec
      .given([sessionCreated, requestSent(1, number, sentAt)])
      .when(askToPay(number, new Date(sentAt.getTime() + requestToPayRepeatWindowMs)))
      .thenMatches((events) => sentIds(events).join(' ') === rtp(2) && events.length === 1));

  it('sends the same number again after its request was declined: the customer may have changed their mind', () =>
    spec
      .given([
        sessionCreated,
        requestSent(1, number, sentAt),
        { type: 'RequestToPayDeclined', data: { sessionId, rtpId: rtp(1), reason: 'no', at: sentAt.toISOString() } },
      ])
      .when(askToPay(number, sentAt))
      .thenMatches((events) => sentIds(events).join(' ') === rtp(2) && events.length === 1));

  it('records no failure for a request a newer one replaced: the page shows the newer one', () =>
    spec
      .given([sessionCreated, requestSent(1, '923000000001', sentAt), requestSent(2, number, sentAt)])
      .when({ type: 'RecordRequestToPayFailed', data: { sessionId, rtpId: rtp(1), detail: 'unreachable' }, now: sentAt })
      .then([]));

  it('still refuses to ask for a session that is no longer open, repeat or not', () =>
    spec
      .given([sessionCreated, requestSent(1, number, sentAt), { type: 'SessionCancelled', data: { sessionId, at: sentAt.toISOString() } }])
      .when(askToPay(number, sentAt))
      .thenThrows('SESSION_NOT_OPEN'));
});
