import { assert, assertNever } from '../assert';
import { DomainError } from '../errors';
import { boundFailure, checkDelivery, type Delivery } from './delivery';
import type { DeliveryEvent } from './delivery-events';
import { deliveryFingerprint } from './fingerprint';

/**
 * The life of one delivery: queued, then attempts until one succeeds (or the attempt limit is reached).
 * Many deliveries share one outbox stream; this decider sees the events of one of them.
 */
export type DeliveryState =
  | { status: 'none' }
  | { status: 'pending'; delivery: Delivery; fingerprint: string; attempts: number; nextAttemptAt: string; queuedAt: string }
  | { status: 'delivered'; fingerprint: string; attempts: number }
  | { status: 'abandoned'; fingerprint: string; attempts: number };

export type DeliveryCommand =
  | { type: 'QueueDelivery'; data: { delivery: Delivery }; now: Date }
  | {
      type: 'RecordAttemptFailure';
      data: {
        deliveryId: string;
        failure: string;
        scope: 'destination' | 'delivery';
        /**
         * Chosen by the worker's retry schedule (jitter needs randomness, which a decider does not hold); null when
         * the schedule has no try left, which ends the delivery like reaching the attempt limit.
         */
        retryDelayMs: number | null;
        attemptsMax: number;
      };
      now: Date;
    }
  | { type: 'RecordDelivered'; data: { deliveryId: string; detail: string }; now: Date }
  | {
      /**
       * A delivery attempted once before it was queued (Outbox.enqueueAttemptingFirst), queued and given that first
       * attempt's outcome in one durable write: its producer's own fact stood for it until then.
       */
      type: 'QueueAttemptedDelivery';
      data: { delivery: Delivery; queuedAt: Date; outcome: FirstAttemptOutcome };
      now: Date;
    };

/** How the first attempt of a delivery queued with it ended: what RecordDelivered or RecordAttemptFailure carry. */
export type FirstAttemptOutcome =
  | { outcome: 'delivered'; detail: string }
  | ({ outcome: 'failed' } & Omit<Extract<DeliveryCommand, { type: 'RecordAttemptFailure' }>['data'], 'deliveryId'>);

export const initialState: DeliveryState = { status: 'none' };

/** The delivery a command is about. */
export function deliveryIdOf(command: DeliveryCommand): string {
  return command.type === 'QueueDelivery' || command.type === 'QueueAttemptedDelivery'
    ? command.data.delivery.deliveryId
    : command.data.deliveryId;
}

export function evolve(state: DeliveryState, event: DeliveryEvent): DeliveryState {
  switch (event.type) {
    case 'DeliveryQueued': {
      const { deliveryId, kind, destination, payload, fingerprint, queuedAt } = event.data;
      return {
        status: 'pending',
        delivery: { deliveryId, kind, destination, payload },
        fingerprint,
        attempts: 0,
        nextAttemptAt: queuedAt,
        queuedAt,
      };
    }
    case 'DeliveryAttemptFailed': {
      assert(state.status === 'pending', `an attempt on ${event.data.deliveryId} failed while it was ${state.status}`);
      // When nextAttemptAt is null a DeliveryAbandoned follows in the same append and ends the delivery.
      return { ...state, attempts: event.data.attempt, nextAttemptAt: event.data.nextAttemptAt ?? state.nextAttemptAt };
    }
    case 'DeliverySucceeded':
      assert(state.status === 'pending', `delivery ${event.data.deliveryId} succeeded while it was ${state.status}`);
      return { status: 'delivered', fingerprint: state.fingerprint, attempts: event.data.attempt };
    case 'DeliveryAbandoned':
      assert(state.status === 'pending', `delivery ${event.data.deliveryId} was abandoned while it was ${state.status}`);
      return { status: 'abandoned', fingerprint: state.fingerprint, attempts: event.data.attempts };
    default:
      return assertNever(event);
  }
}

export function decide(command: DeliveryCommand, state: DeliveryState): DeliveryEvent[] {
  switch (command.type) {
    case 'QueueDelivery':
      return decideQueue(command.data.delivery, command.now, state);
    case 'RecordAttemptFailure':
      return decideFailure(command.data, command.now, state);
    case 'RecordDelivered': {
      // A success reported twice (an attempt that outlived a reload) changes nothing.
      if (state.status === 'delivered') return [];
      if (state.status !== 'pending') throw notPending(command.data.deliveryId, state);
      const attempt = state.attempts + 1;
      return [
        {
          type: 'DeliverySucceeded',
          data: {
            deliveryId: command.data.deliveryId,
            attempt,
            detail: boundFailure(command.data.detail),
            deliveredAt: command.now.toISOString(),
          },
        },
      ];
    }
    case 'QueueAttemptedDelivery':
      return decideQueueAttempted(command.data, command.now, state);
    default:
      return assertNever(command);
  }
}

/**
 * The queueing and the first attempt's outcome, as QueueDelivery then RecordDelivered or RecordAttemptFailure would
 * have decided them one after the other. A delivery queued meanwhile (its producer published it again) gets the
 * outcome alone; one that finished meanwhile gets nothing.
 */
function decideQueueAttempted(
  data: Extract<DeliveryCommand, { type: 'QueueAttemptedDelivery' }>['data'],
  now: Date,
  state: DeliveryState,
): DeliveryEvent[] {
  const queuedEvents = decideQueue(data.delivery, data.queuedAt, state);
  const queuedState = queuedEvents.reduce(evolve, state);
  if (queuedState.status !== 'pending') return queuedEvents;
  const deliveryId = data.delivery.deliveryId;
  const { outcome } = data;
  const outcomeEvents =
    outcome.outcome === 'delivered'
      ? decide({ type: 'RecordDelivered', data: { deliveryId, detail: outcome.detail }, now }, queuedState)
      : decideFailure(
          {
            deliveryId,
            failure: outcome.failure,
            scope: outcome.scope,
            retryDelayMs: outcome.retryDelayMs,
            attemptsMax: outcome.attemptsMax,
          },
          now,
          queuedState,
        );
  return [...queuedEvents, ...outcomeEvents];
}

function decideQueue(delivery: Delivery, now: Date, state: DeliveryState): DeliveryEvent[] {
  checkDelivery(delivery);
  const fingerprint = deliveryFingerprint(delivery);
  if (state.status !== 'none') {
    // The producer retried (a crash between its own write and ours, a replayed request): one delivery.
    if (state.fingerprint === fingerprint) return [];
    throw new DomainError(
      'DELIVERY_CONFLICT',
      `delivery ${delivery.deliveryId} was already queued with a different kind, destination or payload`,
    );
  }
  const { deliveryId, kind, destination, payload } = delivery;
  return [{ type: 'DeliveryQueued', data: { deliveryId, kind, destination, payload, fingerprint, queuedAt: now.toISOString() } }];
}

function decideFailure(
  data: Extract<DeliveryCommand, { type: 'RecordAttemptFailure' }>['data'],
  now: Date,
  state: DeliveryState,
): DeliveryEvent[] {
  assert(Number.isSafeInteger(data.attemptsMax) && data.attemptsMax >= 1, 'the attempt limit is a positive whole number');
  assert(
    data.retryDelayMs === null || (Number.isSafeInteger(data.retryDelayMs) && data.retryDelayMs >= 0),
    'a retry delay is whole milliseconds, not negative',
  );
  if (state.status !== 'pending') throw notPending(data.deliveryId, state);
  const attempt = state.attempts + 1;
  const failure = boundFailure(data.failure);
  const attemptedAt = now.toISOString();
  if (data.retryDelayMs === null || attempt >= data.attemptsMax) {
    return [
      {
        type: 'DeliveryAttemptFailed',
        data: { deliveryId: data.deliveryId, attempt, failure, scope: data.scope, attemptedAt, nextAttemptAt: null },
      },
      {
        type: 'DeliveryAbandoned',
        data: { deliveryId: data.deliveryId, attempts: attempt, lastFailure: failure, abandonedAt: attemptedAt },
      },
    ];
  }
  const nextAttemptAt = new Date(now.getTime() + data.retryDelayMs).toISOString();
  return [
    {
      type: 'DeliveryAttemptFailed',
      data: { deliveryId: data.deliveryId, attempt, failure, scope: data.scope, attemptedAt, nextAttemptAt },
    },
  ];
}

function notPending(deliveryId: string, state: DeliveryState): DomainError {
  return new DomainError(
    'DELIVERY_NOT_PENDING',
    `delivery ${deliveryId} is ${state.status === 'none' ? 'not queued' : state.status}, not pending`,
  );
}
