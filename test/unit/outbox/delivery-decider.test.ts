import { decide, evolve, initialState, type DeliveryCommand, type FirstAttemptOutcome } from '../../../core/outbox/delivery-decider';
import type { DeliveryEvent } from '../../../core/outbox/delivery-events';
import type { Delivery } from '../../../core/outbox/delivery';
import { deliveryFingerprint } from '../../../core/outbox/fingerprint';
import { deciderSpec } from '../../support/decider-spec';

const spec = deciderSpec({ decide, evolve, initialState });
const now = new Date('2025-03-01T10:00:00.000Z');
const at = now.toISOString();
const delivery: Delivery = {
  deliveryId: 'REVERSAL:7d1f6f0e-4b3a-4c59-9a37-1f6d2c1e8b11',
  kind: 'REVERSAL',
  destination: 'MARGALLA',
  payload: { transferId: '7d1f6f0e-4b3a-4c59-9a37-1f6d2c1e8b11', amount: '1500.00', currency: 'PKR', reason: 'PAYEE_TIMEOUT' },
};
const fingerprint = deliveryFingerprint(delivery);

const queue = (which: Delivery = delivery): DeliveryCommand => ({ type: 'QueueDelivery', data: { delivery: which }, now });
const failAttempt = (
  retryDelayMs: number | null,
  attemptsMax = 10,
  scope: 'destination' | 'delivery' = 'destination',
): DeliveryCommand => ({
  type: 'RecordAttemptFailure',
  data: { deliveryId: delivery.deliveryId, failure: 'CONNECTION_FAILED: ECONNREFUSED', scope, retryDelayMs, attemptsMax },
  now,
});
const deliver: DeliveryCommand = { type: 'RecordDelivered', data: { deliveryId: delivery.deliveryId, detail: 'HTTP 200' }, now };

const queued: DeliveryEvent = { type: 'DeliveryQueued', data: { ...delivery, fingerprint, queuedAt: at } };
const failed = (attempt: number, nextAttemptAt: string | null, scope: 'destination' | 'delivery' = 'destination'): DeliveryEvent => ({
  type: 'DeliveryAttemptFailed',
  data: { deliveryId: delivery.deliveryId, attempt, failure: 'CONNECTION_FAILED: ECONNREFUSED', scope, attemptedAt: at, nextAttemptAt },
});
const succeeded = (attempt: number): DeliveryEvent => ({
  type: 'DeliverySucceeded',
  data: { deliveryId: delivery.deliveryId, attempt, detail: 'HTTP 200', deliveredAt: at },
});

describe('delivery decider', () => {
  it('queues a new delivery', () => spec.given([]).when(queue()).then([queued]));

  it('queues the same delivery again as nothing new', () => spec.given([queued]).when(queue()).then([]));

  it('recognises the same delivery built with its keys in another order', () =>
    spec
      .given([queued])
      .when(
        queue({
          payload: { reason: 'PAYEE_TIMEOUT', currency: 'PKR', amount: '1500.00', transferId: '7d1f6f0e-4b3a-4c59-9a37-1f6d2c1e8b11' },
          destination: 'MARGALLA',
          kind: 'REVERSAL',
          deliveryId: delivery.deliveryId,
        }),
      )
      .then([]));

  it('still recognises a delivered delivery queued again, without its payload in memory', () =>
    spec
      .given([queued, succeeded(1)])
      .when(queue())
      .then([]));

  it('refuses the same delivery id with a different payload', () =>
    spec
      .given([queued])
      .when(queue({ ...delivery, payload: { ...delivery.payload, amount: '1500.01' } }))
      .thenThrows('DELIVERY_CONFLICT'));

  it('refuses a delivery that breaks its limits, with a reason', () => {
    spec
      .given([])
      .when(queue({ ...delivery, deliveryId: 'has spaces' }))
      .thenThrows('INVALID_DELIVERY');
    spec
      .given([])
      .when(queue({ ...delivery, kind: 'reversal' }))
      .thenThrows('INVALID_DELIVERY');
    spec
      .given([])
      .when(queue({ ...delivery, destination: '' }))
      .thenThrows('INVALID_DELIVERY');
    spec
      .given([])
      .when(queue({ ...delivery, payload: { blob: 'x'.repeat(64 * 1024) } }))
      .thenThrows('INVALID_DELIVERY');
  });

  it('records a failed attempt with the time of the next one', () =>
    spec
      .given([queued])
      .when(failAttempt(1_500))
      .then([failed(1, '2025-03-01T10:00:01.500Z')]));

  it('counts attempts on from the ones already failed', () =>
    spec
      .given([queued, failed(1, at), failed(2, at)])
      .when(failAttempt(30_000, 10, 'delivery'))
      .then([failed(3, '2025-03-01T10:00:30.000Z', 'delivery')]));

  it('abandons a delivery at the attempt limit', () =>
    spec
      .given([queued, failed(1, at), failed(2, at)])
      .when(failAttempt(30_000, 3))
      .then([
        failed(3, null),
        {
          type: 'DeliveryAbandoned',
          data: { deliveryId: delivery.deliveryId, attempts: 3, lastFailure: 'CONNECTION_FAILED: ECONNREFUSED', abandonedAt: at },
        },
      ]));

  it('abandons a delivery before the attempt limit when its retry schedule has no try left (a webhook past its 3 days)', () =>
    spec
      .given([queued, failed(1, at)])
      .when(failAttempt(null, 10_000))
      .then([
        failed(2, null),
        {
          type: 'DeliveryAbandoned',
          data: { deliveryId: delivery.deliveryId, attempts: 2, lastFailure: 'CONNECTION_FAILED: ECONNREFUSED', abandonedAt: at },
        },
      ]));

  it('records a success as the attempt it was', () =>
    spec
      .given([queued, failed(1, at)])
      .when(deliver)
      .then([succeeded(2)]));

  it('records a second success of the same delivery as nothing new', () =>
    spec
      .given([queued, succeeded(1)])
      .when(deliver)
      .then([]));

  it('refuses attempts on a delivery that is not pending', () => {
    spec.given([]).when(failAttempt(100)).thenThrows('DELIVERY_NOT_PENDING');
    spec.given([]).when(deliver).thenThrows('DELIVERY_NOT_PENDING');
    spec
      .given([queued, succeeded(1)])
      .when(failAttempt(100))
      .thenThrows('DELIVERY_NOT_PENDING');
  });

  describe('queued with its first attempt (a delivery tried before it was queued)', () => {
    const attempted = (outcome: FirstAttemptOutcome, which: Delivery = delivery): DeliveryCommand => ({
      type: 'QueueAttemptedDelivery',
      data: { delivery: which, queuedAt: now, outcome },
      now,
    });
    const answered: FirstAttemptOutcome = { outcome: 'delivered', detail: 'HTTP 200' };
    const refused = (retryDelayMs: number | null, attemptsMax = 10): FirstAttemptOutcome => ({
      outcome: 'failed',
      failure: 'CONNECTION_FAILED: ECONNREFUSED',
      scope: 'destination',
      retryDelayMs,
      attemptsMax,
    });

    it('is queued and delivered in one decision', () =>
      spec
        .given([])
        .when(attempted(answered))
        .then([queued, succeeded(1)]));

    it('is queued with its failed first attempt and the time of the next', () =>
      spec
        .given([])
        .when(attempted(refused(1_500)))
        .then([queued, failed(1, '2025-03-01T10:00:01.500Z')]));

    it('is abandoned at once when its schedule allows no second try', () =>
      spec
        .given([])
        .when(attempted(refused(null)))
        .then([
          queued,
          failed(1, null),
          {
            type: 'DeliveryAbandoned',
            data: { deliveryId: delivery.deliveryId, attempts: 1, lastFailure: 'CONNECTION_FAILED: ECONNREFUSED', abandonedAt: at },
          },
        ]));

    it('gets the outcome alone when its producer queued it meanwhile', () =>
      spec
        .given([queued])
        .when(attempted(answered))
        .then([succeeded(1)]));

    it('adds nothing to a delivery that has finished', () =>
      spec
        .given([queued, succeeded(1)])
        .when(attempted(answered))
        .then([]));

    it('refuses another payload under the same id, and an out-of-shape delivery', () => {
      spec
        .given([queued])
        .when(attempted(answered, { ...delivery, payload: { ...delivery.payload, amount: '1500.01' } }))
        .thenThrows('DELIVERY_CONFLICT');
      spec
        .given([])
        .when(attempted(answered, { ...delivery, kind: 'reversal' }))
        .thenThrows('INVALID_DELIVERY');
    });
  });

  it('cuts a long failure description to the length kept in events', () => {
    const command: DeliveryCommand = {
      type: 'RecordAttemptFailure',
      data: { deliveryId: delivery.deliveryId, failure: 'x'.repeat(5_000), scope: 'destination', retryDelayMs: 100, attemptsMax: 10 },
      now,
    };
    const [event] = decide(command, evolve(initialState, queued));
    expect(event?.type === 'DeliveryAttemptFailed' && event.data.failure.length).toBe(300);
  });

  it('folds a delivery to its current state', () => {
    const state = [queued, failed(1, '2025-03-01T10:00:02.000Z')].reduce(evolve, initialState);
    expect(state).toEqual({
      status: 'pending',
      delivery,
      fingerprint,
      attempts: 1,
      nextAttemptAt: '2025-03-01T10:00:02.000Z',
      queuedAt: expect.any(String),
    });
    expect(evolve(state, succeeded(2))).toEqual({ status: 'delivered', fingerprint, attempts: 2 });
  });

  it('crashes on an event that cannot follow the state (a corrupted stream)', () => {
    expect(() => evolve(initialState, succeeded(1))).toThrow(/invariant violated/);
  });
});
